"""Turn simulated events into delivered Segment-style events (ids, sentAt/receivedAt, late and duplicate
deliveries)."""

from __future__ import annotations

import random

from sandbox import settings
from sandbox.timeutil import DAY_MS, HOUR_MS, iso_z


def deliver_events(events: list[dict], persons: list, seed: int, end_ms: int) -> list[dict]:
    rng = random.Random(f"{seed}:delivery")
    out: list[dict] = []
    last_ok = end_ms - 1
    for ev in events:
        ts = ev["_ts"]
        p = persons[ev["_p"]]
        user_id = str(p.customer_id) if ev["_uid"] else None
        if ev["_mobile"] and rng.random() < settings.LATE_EVENT_RATE * 2:
            delay = rng.randint(HOUR_MS, 3 * DAY_MS)  # offline mobile batch, arrives hours/days late
        else:
            delay = rng.randint(50, 1500)
        sent = max(ts, min(ts + delay, last_ok - 2000))
        recv = min(sent + rng.randint(20, 600), last_ok)
        d = {"messageId": ev["messageId"], "type": ev["type"]}
        if ev["type"] == "track":
            d["event"] = ev["event"]
        elif ev["type"] == "page":
            d["name"] = ev["name"]
        d.update({"anonymousId": ev["anonymousId"], "userId": user_id, "timestamp": iso_z(ts),
                  "sentAt": iso_z(sent), "receivedAt": iso_z(recv), "context": ev["context"]})
        if "properties" in ev:
            d["properties"] = ev["properties"]
        if "traits" in ev:
            d["traits"] = ev["traits"]
        out.append(d)
        if rng.random() < settings.DUPLICATE_EVENT_RATE:
            dup_recv = min(recv + rng.randint(1000, 30000), last_ok)
            if dup_recv != recv:
                out.append({**d, "receivedAt": iso_z(dup_recv)})
    out.sort(key=lambda e: (e["receivedAt"], e["messageId"]))
    return out
