"""Klaviyo profiles, metrics and events (JSON:API resource shapes) consistent with email/SMS clicks.

Built person by person (own RNG): subscription, the send/open/click chain of every tracked email/SMS visit,
abandoned-cart reminders (sent whether or not they are clicked) and the weekly newsletter."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator

from sandbox.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, day_of, iso_utc_seconds

METRICS = ("Subscribed to List", "Received Email", "Opened Email", "Clicked Email", "Received SMS", "Clicked SMS")
B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def sort_key(event: dict) -> str:
    """The events file's order, (datetime, id), as one string: the datetime is always ISO-8601 UTC to the
    second with its +00:00 offset (fixed width), so comparing the concatenations compares the pairs."""
    return event["attributes"]["datetime"] + event["id"]


def _tok(rng: random.Random, n: int, alphabet: str = B62) -> str:
    return "".join(rng.choices(alphabet, k=n))


class KlaviyoBuilder:
    def __init__(self, seed: int, start_ms: int, end_ms: int, campaigns: dict) -> None:
        rng = random.Random(f"{seed}:klaviyo")
        self.seed, self.start_ms, self.end_ms = seed, start_ms, end_ms
        self.metric_ids = {name: _tok(rng, 6) for name in METRICS}
        self.metrics = [{"type": "metric", "id": self.metric_ids[n],
                         "attributes": {"name": n, "created": iso_utc_seconds(start_ms - 90 * DAY_MS),
                                        "updated": iso_utc_seconds(start_ms - 90 * DAY_MS),
                                        "integration": {"object": "integration", "id": "0rG4eQ", "key": "klaviyo",
                                                        "name": "Klaviyo", "category": "Internal"}}}
                        for n in METRICS]
        kl = campaigns["klaviyo"]
        self.messages = {m: {"id": _tok(rng, 6), "flow": _tok(rng, 6) if m in kl["flows"] else None}
                         for m in kl["flows"] + kl["campaigns"] + kl["sms_campaigns"]}

    def add_person(self, res, emit_event) -> None:
        p = res.person
        if p.subscribed_at is None:
            return
        rng = random.Random(f"{self.seed}:klaviyo:{p.idx}")
        p.profile_id = "01" + _tok(rng, 24, ULID)

        def emit(metric: str, ms: int, props: dict) -> None:
            eid = _tok(rng, 22)
            h = f"{rng.getrandbits(128):032x}"
            ev = {"type": "event", "id": eid, "attributes": {
                "timestamp": ms // 1000, "datetime": iso_utc_seconds(ms),
                "uuid": f"{h[:8]}-{h[8:12]}-1{h[13:16]}-8{h[17:20]}-{h[20:32]}",
                "event_properties": {**props, "$event_id": eid}},
                "relationships": {"metric": {"data": {"type": "metric", "id": self.metric_ids[metric]}},
                                  "profile": {"data": {"type": "profile", "id": p.profile_id}}}}
            emit_event(day_of(ms), ev)

        def props_of(message: str) -> dict:
            msg = self.messages[message]
            d = {"Campaign Name": message, "$message": msg["id"]}
            if msg["flow"]:
                d["$flow"] = msg["flow"]
            return d

        emit("Subscribed to List", p.subscribed_at, {"List": "Newsletter", "Method": "popup"})
        for t in res.touches:
            if t.channel not in ("email", "sms"):
                continue
            consent = p.subscribed_at if t.channel == "email" else p.sms_at
            click = t.ms - rng.randint(1000, 5000)
            send = max(click - rng.randint(5 * MINUTE_MS, 20 * HOUR_MS), consent + MINUTE_MS)
            props = props_of(t.message)
            if t.channel == "email":
                props["Subject"] = f"{t.message}: picked for you"
                emit("Received Email", send, props)
                emit("Opened Email", send + (click - send) // 2, props)
                emit("Clicked Email", click, {**props, "URL": t.url})
            else:
                emit("Received SMS", send, props)
                emit("Clicked SMS", click, {**props, "URL": t.url})
        for ms, medium in res.cart_reminders:  # abandoned-cart flow sends (most are never clicked)
            if ms >= self.end_ms:
                continue
            props = props_of("Abandoned Cart")
            if medium == "email":
                props["Subject"] = "You left something in your cart"
                emit("Received Email", ms, props)
                if rng.random() < 0.4:
                    opened = ms + rng.randint(5 * MINUTE_MS, 12 * HOUR_MS)
                    if opened < self.end_ms:
                        emit("Opened Email", opened, props)
            else:
                emit("Received SMS", ms, props)
        # weekly newsletter to everyone subscribed at send time (opens without clicks)
        send_ms = self.start_ms + DAY_MS + 15 * HOUR_MS
        props = {**props_of("Weekly Newsletter"), "Subject": "This week at touchpath"}
        while send_ms < self.end_ms:
            if p.subscribed_at < send_ms:
                emit("Received Email", send_ms + rng.randint(0, 600_000), props)
                if rng.random() < 0.3:
                    opened = send_ms + rng.randint(10 * MINUTE_MS, 2 * DAY_MS)
                    if opened < self.end_ms:
                        emit("Opened Email", opened, props)
            send_ms += 7 * DAY_MS

    @staticmethod
    def profiles(subscribers: Iterable) -> Iterator[dict]:
        """Klaviyo profiles of the subscribed people, given by (subscribed_at, idx) (``People.subscribers``)."""
        for p in subscribers:
            yield {"type": "profile", "id": p.profile_id, "attributes": {
                "email": p.email, "phone_number": p.phone if p.sms_at is not None else None,
                "external_id": str(p.customer_id) if p.customer_id else None,
                "first_name": p.first_name, "last_name": p.last_name,
                "created": iso_utc_seconds(p.subscribed_at), "updated": iso_utc_seconds(p.subscribed_at),
                "properties": {"persona_hint": None}}}
