"""A synthetic large sandbox world for paging tests and measurements: a small generated world's files with
its Klaviyo events, Shopify orders and tracking day files replaced by many records cloned from its own.

Records are written in shuffled order (Klaviyo, Shopify) so the server has to sort them; timestamps are drawn
with many ties so the id tie-break matters. Tracking day files are written sorted by (receivedAt,
messageId), like the generator writes them."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from sandbox.io import JsonlGzWriter, read_jsonl
from sandbox.timeutil import DAY_MS, date_to_ms, iso_offset, iso_utc_seconds, iso_z

KEEP = (
    "world.json",
    "campaigns.json",
    "meta",
    "google_ads",
    "tiktok",
    "shopify/customers.jsonl",
    "klaviyo/profiles.jsonl",
    "klaviyo/metrics.jsonl",
)


def _copy_base(base: Path, out: Path) -> None:
    for rel in KEEP:
        src, dst = base / rel, out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


def _write_lines(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def _klaviyo_events(
    templates: list[dict], n: int, start_ms: int, days: int, rng: random.Random
) -> list[dict]:
    seconds = days * 86_400 // 4  # ~ one event per 0.6 s at 200k over 14 days: many equal datetimes
    out = []
    for i in range(n):
        t = templates[i % len(templates)]
        ms = start_ms + rng.randrange(seconds) * 4000
        eid = f"{rng.getrandbits(88):022x}"  # random, so id order is not time order
        attrs = {**t["attributes"], "timestamp": ms // 1000, "datetime": iso_utc_seconds(ms)}
        out.append({**t, "id": eid, "attributes": attrs})
    rng.shuffle(out)
    return out


SLIM_ORDER = ("name", "email", "currency", "total_price", "closed_at", "fulfillment_status", "refunds")


def _orders(
    templates: list[dict], n: int, start_ms: int, days: int, rng: random.Random, slim: bool
) -> list[dict]:
    ids = rng.sample(range(5_600_000_000_000, 5_600_000_000_000 + 20 * n), n)
    if slim:  # only the fields the server filters on (a full order is ~2 KB of JSON to move per record)
        templates = [{k: t[k] for k in SLIM_ORDER} for t in templates]
    out = []
    for i, oid in enumerate(ids):
        t = templates[i % len(templates)]
        created = start_ms + rng.randrange(days * 86_400) * 1000
        updated = created + rng.choice((0, 0, rng.randrange(5 * 86_400) * 1000))
        cancelled = iso_offset(updated, -5) if rng.random() < 0.03 else None
        status = rng.choice(("paid", "paid", "refunded", "partially_refunded")) if not cancelled else "voided"
        out.append(
            {
                **t,
                "id": oid,
                "created_at": iso_offset(created, -5),
                "updated_at": iso_offset(updated, -5),
                "cancelled_at": cancelled,
                "financial_status": status,
            }
        )
    return out


def _tracking_day(templates: list[dict], day: str, n: int, rng: random.Random) -> list[dict]:
    day_ms = date_to_ms(day)
    out = []
    for i in range(n):
        t = templates[i % len(templates)]
        h = f"{rng.getrandbits(128):032x}"
        recv = day_ms + rng.randrange(DAY_MS // 50) * 50  # 50 ms grid: some equal receivedAt
        out.append(
            {
                **t,
                "messageId": f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}",
                "receivedAt": iso_z(recv),
                "sentAt": iso_z(recv - 30),
            }
        )
    out.sort(key=lambda e: (e["receivedAt"], e["messageId"]))
    return out


def build_scale_world(
    base: Path,
    out: Path,
    *,
    klaviyo_events: int,
    orders: int,
    tracking_days: int,
    tracking_per_day: int,
    seed: int = 5,
    slim_orders: bool = True,
) -> Path:
    """Write the synthetic world to ``out`` (a generated world ``base`` supplies the other files).
    ``slim_orders``: orders carry only the fields the server reads (else every field of a real order)."""
    rng = random.Random(seed)
    _copy_base(base, out)
    world = json.loads((base / "world.json").read_text())
    start = world["date_range"]["start"]
    start_ms, days = date_to_ms(start), world["params"]["days"]
    kl = _klaviyo_events(read_jsonl(base / "klaviyo/events.jsonl"), klaviyo_events, start_ms, days, rng)
    _write_lines(out / "klaviyo/events.jsonl", kl)
    _write_lines(
        out / "shopify/orders.jsonl",
        _orders(read_jsonl(base / "shopify/orders.jsonl"), orders, start_ms, days, rng, slim_orders),
    )
    templates = read_jsonl(sorted(base.glob("tracking/dt=*/events-*.jsonl.gz"))[0])
    for d in range(tracking_days):
        day = iso_z(start_ms + d * DAY_MS)[:10]
        writer = JsonlGzWriter(out / f"tracking/dt={day}/events-0000.jsonl.gz")
        writer.write_many(_tracking_day(templates, day, tracking_per_day, rng))
        writer.close()
    return out
