"""Generate a deterministic sandbox world and write it as a bucket-shaped directory.

Layout (see README): world.json, campaigns.json, tracking/dt=YYYY-MM-DD/events-0000.jsonl.gz (or .parquet),
meta/insights.jsonl, google_ads/ad_metrics.jsonl, tiktok/report.jsonl, shopify/{orders,customers}.jsonl,
klaviyo/{events,profiles,metrics}.jsonl, ground_truth.{json,csv}, messiness.json.

Streaming: people are simulated one at a time (in ``workers`` processes, each taking a range of people,
see ``sandbox.shards``); their tracking events, Klaviyo events and orders are spilled to per-day spool
files and written out one day at a time, so memory holds one day of events plus a small record per
identified person (not the whole event stream). The output does not depend on the number of workers.
"""

from __future__ import annotations

import random
import shutil
from array import array
from operator import itemgetter
from pathlib import Path

from sandbox import catalog, groundtruth, settings, world_shop
from sandbox import messiness as mz
from sandbox.io import write_json, write_jsonl
from sandbox.journeys import JourneySimulator
from sandbox.people import Lookups, People
from sandbox.plan import CHANNELS
from sandbox.shards import WorldSpec, default_workers, simulate_people
from sandbox.spool import read_keyed_lines, read_merged, spooled_days
from sandbox.timeutil import DAY_MS, date_to_ms, day_of, iso_z
from sandbox.tracking_export import EXPORT_FORMATS, DayTask, bot_budgets, write_days
from sandbox.world_ads import AdLedger
from sandbox.world_klaviyo import KlaviyoBuilder

MANAGED = ("world.json", "campaigns.json", "tracking", "meta", "google_ads", "tiktok", "shopify", "klaviyo",
           "ground_truth.json", "ground_truth.csv", "messiness.json", ".spool")
PLATFORM_CHANNEL = {"meta": "meta", "google_ads": "google_ads", "tiktok": "tiktok"}


def generate(out_dir, *, customers: int = settings.DEFAULT_CUSTOMERS, days: int = settings.DEFAULT_DAYS,
             seed: int = settings.DEFAULT_SEED, start_date: str = settings.DEFAULT_START_DATE,
             messiness=None, channel_mix: dict | None = None, budgets: dict | None = None,
             channel_effects: dict | None = None, store_utc_offset_hours: int | None = None,
             ground_truth: bool = True, workers: int | None = None, export_format: str = "jsonl.gz") -> dict:
    """Write the world to ``out_dir`` (replacing a previous world there) and return its summary.

    messiness: None (clean, the default), "realistic", or {kind: rate} (see ``sandbox.messiness.KINDS``).
    channel_mix: {channel key: multiplier of its share of visits} (keys: ``sandbox.plan.CHANNELS``).
    budgets: {"meta"|"google_ads"|"tiktok": multiplier} of the daily budgets (and of the platform's visits).
    channel_effects: {channel key: engagement per visit} - the causal effect parameters (``plan.DEFAULT_EFFECTS``).
    store_utc_offset_hours: the shop's fixed UTC offset for Shopify timestamps (default -5).
    ground_truth: write ground_truth.json/csv (counterfactual replays; ~10% of the run time).
    workers: processes simulating people and writing tracking days (default: one per core for worlds of
        40k+ people, else 1); the output is byte-identical for any value.
    export_format: the tracking export's file format, "jsonl.gz" (Segment's bucket export) or "parquet".
    """
    if customers < 1 or days < 1:
        raise ValueError("customers and days must be >= 1")
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"export_format must be one of {EXPORT_FORMATS}, not {export_format!r}")
    for name, d in (("channel_mix", channel_mix), ("channel_effects", channel_effects)):
        unknown = set(d or {}) - set(CHANNELS)
        if unknown:
            raise ValueError(f"{name}: unknown channels {sorted(unknown)}; known: {list(CHANNELS)}")
    unknown = set(budgets or {}) - set(PLATFORM_CHANNEL)
    if unknown:
        raise ValueError(f"budgets: unknown platforms {sorted(unknown)}")
    cfg = mz.resolve(messiness)
    manifest = mz.Manifest(cfg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in MANAGED:  # only remove what we own
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    offset = settings.SHOP_UTC_OFFSET_HOURS if store_utc_offset_hours is None else int(store_utc_offset_hours)
    saved_offset, world_shop.OFF = world_shop.OFF, offset
    try:
        return _generate(out, customers, days, seed, start_date, cfg, manifest, channel_mix, budgets,
                         channel_effects, offset, ground_truth,
                         default_workers(customers) if workers is None else max(1, int(workers)), export_format)
    finally:
        world_shop.OFF = saved_offset


def _generate(out: Path, customers: int, days: int, seed: int, start_date: str, cfg: dict, manifest: mz.Manifest,
              channel_mix, budgets, channel_effects, offset: int, want_truth: bool, workers: int,
              export_format: str) -> dict:
    start_ms = date_to_ms(start_date)
    end_ms = start_ms + days * DAY_MS
    multi = bool(cfg.get("multi_currency"))
    fx = mz.FX if multi else {settings.CURRENCY: 1.0}
    campaigns = catalog.build_campaigns(
        random.Random(f"{seed}:campaigns"), meta_currencies=(settings.CURRENCY, "EUR") if multi else None,
        timezones=mz.ACCOUNT_TIMEZONES if cfg.get("account_timezones") else None, budgets=budgets)
    products = catalog.build_products()
    mix = dict(channel_mix or {})
    for platform, mult in (budgets or {}).items():
        mix[PLATFORM_CHANNEL[platform]] = mix.get(PLATFORM_CHANNEL[platform], 1.0) * mult
    mix = mix or None
    if channel_effects:
        from sandbox.plan import DEFAULT_EFFECTS

        channel_effects = {**DEFAULT_EFFECTS, **channel_effects}

    currencies = mz.CUSTOMER_CURRENCIES if multi else None
    sim = JourneySimulator(seed, start_ms, end_ms, campaigns, products, effects=channel_effects, mix=mix,
                           currencies=currencies, fx=fx)
    spec = WorldSpec(seed, start_ms, end_ms, campaigns, products, channel_effects, mix, currencies, fx, cfg,
                     want_truth)
    spool_root = out / ".spool"
    shards = simulate_people(spec, customers, workers, spool_root)
    ledger = AdLedger(sim, seed, bool(cfg.get("restatement")), fx)
    klaviyo = KlaviyoBuilder(seed, start_ms, end_ms, campaigns)
    truth = groundtruth.GroundTruth(end_ms, products, channel_effects, mix) if want_truth else None
    n_visits = buyers = pre_sum = pre_n = 0
    hour_counts: dict[str, int] = {}
    for shard in shards:  # in person order: manifests and person dicts concatenate as one process would
        n_visits += shard.visits
        buyers += shard.buyers
        pre_sum += shard.pre_sum
        pre_n += shard.pre_n
        ledger.merge(*shard.ledger)
        if truth is not None:
            truth.merge(shard.truth)
        manifest.merge(shard.manifest)
        for hour, n in shard.tracking_hours.items():
            hour_counts[hour] = hour_counts.get(hour, 0) + n
    spool_dirs = {name: [shard.spool_dir / name for shard in shards] for name in ("tracking", "klaviyo", "orders")}
    people = People([shard.people for shard in shards], customers)  # identified or subscribed people only
    del shards
    customer_ids = people.assign_customer_ids()

    counts: dict[str, int] = {}
    # --- Shopify orders, one day at a time (ids grow with time)
    order_k = array("q")  # each rendered order's number among its person's orders (people.refs holds the rest)
    n_orders, revenue, refunded, cancelled = 0, 0.0, 0.0, 0
    last_ms = end_ms - 1  # the newest timestamp a record carries: orders can be edited after the last day
    products_by_id = {x["product_id"]: x for x in products}

    def order_rows():
        nonlocal n_orders, revenue, refunded, cancelled, last_ms
        for day in spooled_days(spool_dirs["orders"]):
            day_orders = sorted(read_merged(spool_dirs["orders"], day), key=lambda o: (o["ms"], o["person"], o["k"]))
            recs = world_shop.render_orders(day_orders, people, n_orders, seed, end_ms, cfg, manifest,
                                            products_by_id)
            for o, rec in zip(day_orders, recs, strict=True):
                order_k.append(o["k"])
                people.refs.add(o["person"], o["id"], o["number"], o["final_total"], o["refunded"], o["cancelled"],
                                o["updated_ms"])
                n_orders += 1
                revenue += float(rec["total_price"])
                refunded += o["refunded"]
                cancelled += o["cancelled"]
                last_ms = max(last_ms, o["updated_ms"])
                yield rec

    counts["shopify/orders.jsonl"] = write_jsonl(out / "shopify/orders.jsonl", order_rows())

    # --- tracking partitions: spooled per receivedAt hour, written one day per task (see tracking_export)
    hours_by_day: dict[str, list[str]] = {}
    for hour in sorted(hour_counts):
        hours_by_day.setdefault(hour[:10], []).append(hour)
    owed = bot_budgets(seed, hour_counts, end_ms, cfg)
    tasks = [DayTask(day, tuple(hours), tuple(spool_dirs["tracking"]), out, seed, end_ms, cfg, export_format,
                     owed[day]) for day, hours in sorted(hours_by_day.items())]
    n_events = 0
    lookups = Lookups.build(customer_ids, people.refs.person, order_k, people.refs.id)
    for rel, n, kinds in write_days(tasks, lookups, workers, spool_root):
        counts[rel] = n
        n_events += n
        manifest.merge(kinds)

    def klaviyo_rows():
        # a day's events sorted by their spooled key and written as the JSON text spooled, never parsed: a
        # newsletter day at 100M events holds ~1M events (several GB as dicts)
        for day in spooled_days(spool_dirs["klaviyo"]):
            lines = read_keyed_lines(spool_dirs["klaviyo"], day)
            lines.sort(key=itemgetter(0))  # stable, as sorting the dicts by (datetime, id) was
            yield from (line for _, line in lines)

    counts["klaviyo/events.jsonl"] = write_jsonl(out / "klaviyo/events.jsonl", klaviyo_rows())
    counts["klaviyo/profiles.jsonl"] = write_jsonl(out / "klaviyo/profiles.jsonl",
                                                   KlaviyoBuilder.profiles(people.subscribers()))
    counts["klaviyo/metrics.jsonl"] = write_jsonl(out / "klaviyo/metrics.jsonl", klaviyo.metrics)
    counts["shopify/customers.jsonl"] = write_jsonl(out / "shopify/customers.jsonl",
                                                    world_shop.build_customers(people.customers_by_id()))
    ad_rows = ledger.rows(start_ms, days, cfg, manifest)
    for platform, rel in (("meta", "meta/insights.jsonl"), ("google_ads", "google_ads/ad_metrics.jsonl"),
                          ("tiktok", "tiktok/report.jsonl")):
        counts[rel] = write_jsonl(out / rel, ad_rows[platform])
    write_json(out / "campaigns.json", campaigns)
    shutil.rmtree(spool_root, ignore_errors=True)
    if truth is not None:
        groundtruth.write(out, truth.table(ad_rows))
    manifest.write(out / "messiness.json")

    summary = {
        "counts": dict(sorted(counts.items())),
        "tracking_events": n_events,
        "persons": customers,
        "visits": n_visits,
        "buyers": buyers,
        "n_orders": n_orders,
        "total_order_revenue": round(revenue, 2),
        "refunded_amount": round(refunded, 2),
        "cancelled_orders": cancelled,
        "currency": settings.CURRENCY,
        "spend": {p: round(sum(r["spend"] for r in rows), 2) for p, rows in ad_rows.items()},
        "avg_touches_before_first_order": round(pre_sum / pre_n, 3) if pre_n else None,
        "shopify_customers": counts["shopify/customers.jsonl"],
        "klaviyo_profiles": counts["klaviyo/profiles.jsonl"],
        "messiness": {k: v["count"] for k, v in sorted(manifest.kinds.items())},
    }
    world = {
        "params": {"customers": customers, "days": days, "seed": seed, "start_date": start_date},
        "export_format": export_format,
        "options": {"messiness": cfg, "channel_mix": channel_mix, "budgets": budgets,
                    "channel_effects": channel_effects, "store_utc_offset_hours": offset},
        "date_range": {"start": day_of(start_ms), "end": day_of(end_ms - 1), "last_record_at": iso_z(last_ms)},
        "currency": settings.CURRENCY,
        "fx": fx,
        "accounts": {
            "meta": [{"account_id": a["account_id"], "currency": a["currency"], "timezone_name": a["timezone_name"]}
                     for a in campaigns["meta"]["accounts"]],
            "google_ads": {"customer_id": settings.GOOGLE_ADS_CUSTOMER_ID, "currency": settings.CURRENCY,
                           "time_zone": campaigns["google_ads"]["time_zone"]},
            "tiktok": {"advertiser_id": settings.TIKTOK_ADVERTISER_ID, "currency": settings.CURRENCY,
                       "timezone": campaigns["tiktok"]["timezone"]},
            "shopify": {"shop": settings.SHOP_DOMAIN, "currency": settings.CURRENCY, "utc_offset_hours": offset},
        },
        "restatement": {"enabled": bool(cfg.get("restatement")), "hours": mz.RESTATEMENT_HOURS},
        "summary": summary,
    }
    write_json(out / "world.json", world)
    return summary
