"""Klaviyo profiles, metrics and events (JSON:API resource shapes) consistent with email/SMS clicks."""

from __future__ import annotations

import random

from sandbox.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, iso_utc_seconds

METRICS = ("Subscribed to List", "Received Email", "Opened Email", "Clicked Email", "Received SMS", "Clicked SMS")
B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _tok(rng: random.Random, n: int, alphabet: str = B62) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def build_klaviyo(sim, seed: int, start_ms: int, end_ms: int, campaigns: dict) -> dict:
    rng = random.Random(f"{seed}:klaviyo")
    metric_ids = {name: _tok(rng, 6) for name in METRICS}
    metrics = [{"type": "metric", "id": metric_ids[n],
                "attributes": {"name": n, "created": iso_utc_seconds(start_ms - 90 * DAY_MS),
                               "updated": iso_utc_seconds(start_ms - 90 * DAY_MS),
                               "integration": {"object": "integration", "id": "0rG4eQ", "key": "klaviyo",
                                               "name": "Klaviyo", "category": "Internal"}}}
               for n in METRICS]
    kl = campaigns["klaviyo"]
    messages = {m: {"id": _tok(rng, 6), "flow": _tok(rng, 6) if m in kl["flows"] else None}
                for m in kl["flows"] + kl["campaigns"] + kl["sms_campaigns"]}
    profiles, pid = [], {}
    for p in sorted((p for p in sim.persons if p.subscribed_at is not None), key=lambda p: (p.subscribed_at, p.idx)):
        pid[p.idx] = "01" + _tok(rng, 24, ULID)
        profiles.append({"type": "profile", "id": pid[p.idx], "attributes": {
            "email": p.email, "phone_number": p.phone if p.sms_at is not None else None,
            "external_id": str(p.customer_id) if p.customer_id else None,
            "first_name": p.first_name, "last_name": p.last_name,
            "created": iso_utc_seconds(p.subscribed_at), "updated": iso_utc_seconds(p.subscribed_at),
            "properties": {"persona_hint": None}}})
    events: list[dict] = []

    def emit(metric: str, person_idx: int, ms: int, props: dict) -> None:
        eid = _tok(rng, 22)
        h = f"{rng.getrandbits(128):032x}"
        events.append({"type": "event", "id": eid, "attributes": {
            "timestamp": ms // 1000, "datetime": iso_utc_seconds(ms),
            "uuid": f"{h[:8]}-{h[8:12]}-1{h[13:16]}-8{h[17:20]}-{h[20:32]}",
            "event_properties": {**props, "$event_id": eid}},
            "relationships": {"metric": {"data": {"type": "metric", "id": metric_ids[metric]}},
                              "profile": {"data": {"type": "profile", "id": pid[person_idx]}}}})

    for p in sim.persons:
        if p.idx in pid:
            emit("Subscribed to List", p.idx, p.subscribed_at, {"List": "Newsletter", "Method": "popup"})
    for t in sim.touches:
        if t.channel not in ("email", "sms") or t.person not in pid:
            continue
        p = sim.persons[t.person]
        consent = p.subscribed_at if t.channel == "email" else p.sms_at
        click = t.ms - rng.randint(1000, 5000)
        send = max(click - rng.randint(5 * MINUTE_MS, 20 * HOUR_MS), consent + MINUTE_MS)
        msg = messages[t.message]
        props = {"Campaign Name": t.message, "$message": msg["id"]}
        if msg["flow"]:
            props["$flow"] = msg["flow"]
        if t.channel == "email":
            props["Subject"] = f"{t.message}: picked for you"
            emit("Received Email", t.person, send, props)
            emit("Opened Email", t.person, send + (click - send) // 2, props)
            emit("Clicked Email", t.person, click, {**props, "URL": t.url})
        else:
            emit("Received SMS", t.person, send, props)
            emit("Clicked SMS", t.person, click, {**props, "URL": t.url})
    # weekly newsletter to everyone subscribed at send time (opens without clicks)
    send_ms = start_ms + DAY_MS + 15 * HOUR_MS
    while send_ms < end_ms:
        msg = messages["Weekly Newsletter"]
        props = {"Campaign Name": "Weekly Newsletter", "$message": msg["id"], "Subject": "This week at touchpath"}
        for p in sim.persons:
            if p.idx in pid and p.subscribed_at < send_ms:
                emit("Received Email", p.idx, send_ms + rng.randint(0, 600_000), props)
                if rng.random() < 0.3:
                    opened = send_ms + rng.randint(10 * MINUTE_MS, 2 * DAY_MS)
                    if opened < end_ms:
                        emit("Opened Email", p.idx, opened, props)
        send_ms += 7 * DAY_MS
    events.sort(key=lambda e: (e["attributes"]["datetime"], e["id"]))
    return {"metrics": metrics, "profiles": profiles, "events": events}
