"""Turn simulated events into delivered Segment-style events (sentAt/receivedAt, late, duplicate, out-of-order
and malformed deliveries, bot bursts). Delivery is per person (own RNG) so the world can stream."""

from __future__ import annotations

import random

from sandbox import messiness as mz
from sandbox import settings
from sandbox.timeutil import DAY_MS, HOUR_MS, iso_z

BOT_AGENTS = ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
              "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
              "python-requests/2.31 scraperbot")


def _int(rng: random.Random, lo: int, hi: int) -> int:
    """Uniform integer in [lo, hi] from one ``random()`` draw: several times cheaper than ``randint``, which
    the delivery of every event called four times."""
    return lo + int(rng.random() * (hi - lo + 1))


def _strip(ev: dict) -> dict:
    d = {"messageId": ev["messageId"], "type": ev["type"]}
    if ev["type"] == "track":
        d["event"] = ev["event"]
    elif ev["type"] == "page":
        d["name"] = ev["name"]
    d.update({"anonymousId": ev["anonymousId"], "userId": None, "timestamp": iso_z(ev["_ts"])})
    return d


def _malform(d: dict, rng: random.Random) -> str:
    props = d.get("properties") or {}
    reasons = ["missing_ids", "bad_timestamp"]
    if "revenue" in props or "total" in props:
        reasons.append("negative_amount")
    if "currency" in props:
        reasons.append("unknown_currency")
    reason = rng.choice(reasons)
    if reason == "missing_ids":
        d["anonymousId"] = None
        d["userId"] = None
        d["_uid"] = False
    elif reason == "bad_timestamp":
        d["timestamp"] = mz.BAD_TIMESTAMP
    elif reason == "negative_amount":
        props = d["properties"] = dict(props)
        for k in ("revenue", "total", "value"):
            if k in props and props[k] is not None:
                props[k] = -abs(props[k]) or -1.0
    else:
        props = d["properties"] = dict(props)
        props["currency"] = mz.UNKNOWN_CURRENCY
    return reason


def deliver_person(events: list[dict], seed: int, idx: int, end_ms: int, cfg: dict, manifest: mz.Manifest,
                   emit) -> None:
    """Deliver one person's events (creation order) and ``emit(receivedAt hour, record)`` each delivered copy."""
    rng = random.Random(f"{seed}:delivery:{idx}")
    mrng = random.Random(f"{seed}:mess:tracking:{idx}")
    last_ok = end_ms - 1
    late_rate, dup_rate = cfg.get("late_events"), cfg.get("duplicate_events")
    times = []
    for ev in events:
        ts = ev["_ts"]
        base_late = ev["_mobile"] and rng.random() < settings.LATE_EVENT_RATE * 2
        base_delay = _int(rng, HOUR_MS, 3 * DAY_MS) if base_late else _int(rng, 50, 1500)
        transit = _int(rng, 20, 600)
        dup_draw, dup_gap = rng.random(), _int(rng, 1000, 30000)
        if late_rate is not None:
            late = mrng.random() < late_rate
            delay = _int(mrng, HOUR_MS, mz.RESTATEMENT_HOURS * HOUR_MS) if late else _int(rng, 50, 1500)
        else:
            late, delay = base_late, base_delay
        if dup_rate is not None:
            dup = mrng.random() < dup_rate
            dup_gap = mrng.randint(1000, 6 * HOUR_MS)
        else:
            dup = dup_draw < settings.DUPLICATE_EVENT_RATE
        sent = max(ts, min(ts + delay, last_ok - 2000))
        recv = min(sent + transit, last_ok)
        times.append([sent, recv, late and sent > ts + HOUR_MS - 1, dup, dup_gap])
    ooo_rate = cfg.get("out_of_order_events")
    if ooo_rate:
        for k in range(len(events) - 2, -1, -1):  # backwards: the successor's delivery is final
            a, b = events[k], events[k + 1]
            if a["anonymousId"] != b["anonymousId"] or b["_ts"] - a["_ts"] > 15 * 60_000 or times[k][2] \
                    or times[k + 1][2]:
                continue
            manifest.eligible("out_of_order_events")
            if mrng.random() < ooo_rate:
                recv = min(times[k + 1][1] + mrng.randint(5000, 300_000), last_ok)
                if recv > times[k + 1][1]:
                    times[k][0] = max(times[k][0], recv - 300)
                    times[k][1] = recv
                    manifest.add("out_of_order_events", a["messageId"], {"received_after": b["messageId"]})
    mal_rate = cfg.get("malformed_events")
    for ev, (sent, recv, late, dup, dup_gap) in zip(events, times, strict=True):
        d = _strip(ev)
        d.update({"sentAt": iso_z(sent), "receivedAt": iso_z(recv), "context": ev["context"]})
        if "properties" in ev:
            d["properties"] = ev["properties"]
        if "traits" in ev:
            d["traits"] = ev["traits"]
        if ev["_uid"] or "_ok" in ev:
            d["_p"] = ev["_p"]
            d["_uid"] = ev["_uid"]
            if "_ok" in ev:
                d["_ok"] = ev["_ok"]
        manifest.eligible("late_events")
        if late:
            manifest.add("late_events", d["messageId"])
        if mal_rate:
            manifest.eligible("malformed_events")
            if mrng.random() < mal_rate:
                reason = _malform(d, mrng)
                manifest.add("malformed_events", d["messageId"], {"reason": reason})
        emit(d["receivedAt"][:13], d)
        manifest.eligible("duplicate_events")
        if dup:
            dup_recv = min(recv + dup_gap, last_ok)
            if dup_recv != recv:
                copy = {**d, "receivedAt": iso_z(dup_recv)}
                manifest.add("duplicate_events", d["messageId"], {"receivedAt": copy["receivedAt"]})
                emit(copy["receivedAt"][:13], copy)


def bot_burst_events(seed: int, hour: str, hour_start_ms: int, budget: float, end_ms: int,
                     manifest: mz.Manifest) -> tuple[list[dict], float]:
    """Bot traffic for one hour ("YYYY-MM-DDTHH"): whole bursts (40-200 events from one anonymous id, inside
    the hour) while ``budget`` (owed bot events, carried over hours) allows; returns (events, budget left)."""
    rng = random.Random(f"{seed}:bots:{hour}")
    out: list[dict] = []
    base = f"https://{settings.SHOP_DOMAIN}"
    while True:
        size = rng.randint(40, 200)
        if budget < size:
            break
        budget -= size
        anon = f"anon_{rng.getrandbits(64):016x}"
        ua = rng.choice(BOT_AGENTS)
        ip = f"{rng.randint(3, 60)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        t = hour_start_ms + rng.randint(0, HOUR_MS - 10 * 60_000)
        burst = []
        for _ in range(size):
            t += rng.randint(5, 400)
            if t >= end_ms - 1000:
                break
            h = f"{rng.getrandbits(128):032x}"
            mid = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
            path = rng.choice(("/", "/collections/sale", "/products/linen-shirt", "/products/trail-runner",
                               "/cart", "/search?q=shoes"))
            page = {"path": path.split("?")[0], "url": base + path, "referrer": "", "title": "touchpath",
                    "search": ""}
            ev = {"messageId": mid, "type": "page", "name": "touchpath", "anonymousId": anon, "userId": None,
                  "timestamp": iso_z(t), "sentAt": iso_z(t + 5), "receivedAt": iso_z(t + 40),
                  "context": {"page": page, "userAgent": ua, "ip": ip, "device": {"type": "desktop"},
                              "locale": "en-US", "library": {"name": "analytics.js", "version": "next-1.70.0"}},
                  "properties": page}
            burst.append(ev)
        if not burst:
            break
        out.extend(burst)
        manifest.add("bot_bursts", anon, {"events": len(burst), "user_agent": ua,
                                          "message_ids": [e["messageId"] for e in burst]})
    return out, budget
