"""Generate a deterministic sandbox world and write it as a bucket-shaped directory.

Layout (see README): world.json, campaigns.json, tracking/dt=YYYY-MM-DD/events-0000.jsonl.gz,
meta/insights.jsonl, google_ads/ad_metrics.jsonl, tiktok/report.jsonl, shopify/{orders,customers}.jsonl,
klaviyo/{events,profiles,metrics}.jsonl.
"""

from __future__ import annotations

import random
import shutil
from collections import defaultdict
from pathlib import Path

from sandbox import catalog, settings
from sandbox.io import write_json, write_jsonl, write_jsonl_gz
from sandbox.journeys import JourneySimulator
from sandbox.timeutil import DAY_MS, date_to_ms, day_of
from sandbox.world_ads import build_ad_metrics
from sandbox.world_klaviyo import build_klaviyo
from sandbox.world_shop import assign_ids, build_customers, build_orders
from sandbox.world_tracking import deliver_events

MANAGED = ("world.json", "campaigns.json", "tracking", "meta", "google_ads", "tiktok", "shopify", "klaviyo")


def generate(out_dir, *, customers: int = settings.DEFAULT_CUSTOMERS, days: int = settings.DEFAULT_DAYS,
             seed: int = settings.DEFAULT_SEED, start_date: str = settings.DEFAULT_START_DATE) -> dict:
    """Write the world to ``out_dir`` (replacing a previous world there) and return its summary."""
    if customers < 1 or days < 1:
        raise ValueError("customers and days must be >= 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in MANAGED:  # only remove what we own
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    start_ms = date_to_ms(start_date)
    end_ms = start_ms + days * DAY_MS
    campaigns = catalog.build_campaigns(random.Random(f"{seed}:campaigns"))
    products = catalog.build_products()

    sim = JourneySimulator(seed, start_ms, end_ms, campaigns, products)
    sim.run(customers)
    orders = assign_ids(sim)
    events = deliver_events(sim.events, sim.persons, seed, end_ms)
    ad_rows = build_ad_metrics(sim, orders, seed, start_ms, days)
    shop_orders = build_orders(sim, orders, seed, end_ms)
    shop_customers = build_customers(sim, orders)
    klaviyo = build_klaviyo(sim, seed, start_ms, end_ms, campaigns)

    counts: dict[str, int] = {}
    by_day: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_day[e["receivedAt"][:10]].append(e)
    for day in sorted(by_day):
        rel = f"tracking/dt={day}/events-0000.jsonl.gz"
        counts[rel] = write_jsonl_gz(out / rel, by_day[day])
    files = {
        "meta/insights.jsonl": ad_rows["meta"],
        "google_ads/ad_metrics.jsonl": ad_rows["google_ads"],
        "tiktok/report.jsonl": ad_rows["tiktok"],
        "shopify/orders.jsonl": shop_orders,
        "shopify/customers.jsonl": shop_customers,
        "klaviyo/events.jsonl": klaviyo["events"],
        "klaviyo/profiles.jsonl": klaviyo["profiles"],
        "klaviyo/metrics.jsonl": klaviyo["metrics"],
    }
    for rel, rows in files.items():
        counts[rel] = write_jsonl(out / rel, rows)
    write_json(out / "campaigns.json", campaigns)

    buyers = {o["person"] for o in orders}
    pre = sim.pre_purchase_touches
    summary = {
        "counts": counts,
        "tracking_events": len(events),
        "persons": customers,
        "visits": len(sim.touches),
        "buyers": len(buyers),
        "n_orders": len(orders),
        "total_order_revenue": round(sum(o["total"] for o in orders), 2),
        "refunded_amount": round(sum(o["refunded"] for o in orders), 2),
        "cancelled_orders": sum(1 for o in orders if o["cancelled"]),
        "currency": settings.CURRENCY,
        "spend": {p: round(sum(r["spend"] for r in rows), 2) for p, rows in ad_rows.items()},
        "avg_touches_before_first_order": round(sum(pre) / len(pre), 3) if pre else None,
        "shopify_customers": len(shop_customers),
        "klaviyo_profiles": len(klaviyo["profiles"]),
    }
    world = {
        "params": {"customers": customers, "days": days, "seed": seed, "start_date": start_date},
        "date_range": {"start": day_of(start_ms), "end": day_of(end_ms - 1)},
        "currency": settings.CURRENCY,
        "accounts": {
            "meta": [{"account_id": a["account_id"], "currency": a["currency"]} for a in campaigns["meta"]["accounts"]],
            "google_ads": {"customer_id": settings.GOOGLE_ADS_CUSTOMER_ID, "currency": settings.CURRENCY},
            "tiktok": {"advertiser_id": settings.TIKTOK_ADVERTISER_ID, "currency": settings.CURRENCY},
            "shopify": {"shop": settings.SHOP_DOMAIN, "currency": settings.CURRENCY,
                        "utc_offset_hours": settings.SHOP_UTC_OFFSET_HOURS},
        },
        "summary": summary,
    }
    write_json(out / "world.json", world)
    return summary
