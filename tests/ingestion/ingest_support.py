"""Constants and helpers shared by the connector tests (fixtures live in conftest.py)."""

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb

from ingestion.registry import SANDBOX_APIS, SOURCE_FACTORIES, SOURCE_RESOURCES, _sandbox_kwargs, build_source
from ingestion.run import run_pipeline
from sandbox.io import read_jsonl

WORLD = {"customers": 150, "days": 7, "seed": 11, "start_date": "2026-03-01"}
WORLD_END = "2026-03-07"
# The HTTP APIs the sandbox serves (the export-file source is tested in tests/files).
SOURCES = tuple(sorted(SANDBOX_APIS))
# dlt source name -> the sandbox's endpoint name (for its fault switches).
ENDPOINTS = {
    "meta_ads": "meta",
    "google_ads": "google_ads",
    "tiktok_ads": "tiktok",
    "shopify": "shopify",
    "klaviyo": "klaviyo",
    "tracking": "tracking",
}
# dlt source name -> (jsonl file of ad rows) for the three ad platforms.
AD_FILES = {"meta_ads": "meta/insights.jsonl", "google_ads": "google_ads/ad_metrics.jsonl", "tiktok_ads": "tiktok/report.jsonl"}
# Raw table -> its spend column, for the ad platforms.
SPEND = {"meta_ads": ("insights", "date_start"), "google_ads": ("ad_metrics", "date"), "tiktok_ads": ("report", "stat_day")}


def expected_figures(world: Path) -> dict[str, dict[str, object]]:
    """What the sandbox serves, read from the generated files: row counts (and spend) per raw table."""
    def rows(rel: str) -> list[dict]:
        return read_jsonl(world / rel)

    def spend(rel: str) -> Decimal:
        return sum((Decimal(str(r["spend"])) for r in rows(rel)), Decimal(0))

    tracking_ids = set()
    for part in sorted(world.glob("tracking/dt=*/*.jsonl.gz")):
        tracking_ids.update(e["messageId"] for e in read_jsonl(part))
    return {
        "meta_ads": {"insights": len(rows(AD_FILES["meta_ads"])), "spend": spend(AD_FILES["meta_ads"])},
        "google_ads": {"ad_metrics": len(rows(AD_FILES["google_ads"])), "spend": spend(AD_FILES["google_ads"])},
        "tiktok_ads": {"report": len(rows(AD_FILES["tiktok_ads"])), "spend": spend(AD_FILES["tiktok_ads"])},
        "shopify": {"orders": len(rows("shopify/orders.jsonl")), "customers": len(rows("shopify/customers.jsonl"))},
        "klaviyo": {"events": len(rows("klaviyo/events.jsonl")), "profiles": len(rows("klaviyo/profiles.jsonl"))},
        "tracking": {"events": len(tracking_ids)},
    }


def run(name: str, **overrides):
    """Load source `name` as the sandbox is configured (plus overrides) into the test warehouse."""
    if overrides:
        source = SOURCE_FACTORIES[name](**{"start_date": WORLD["start_date"], **_sandbox_kwargs(name), **overrides})
    else:
        source = build_source(name)
    return run_pipeline(name, source)


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def table_exists(warehouse: Path, schema: str, table: str) -> bool:
    if not warehouse.exists():
        return False
    return bool(
        query(
            warehouse,
            f"select 1 from information_schema.tables where table_schema = '{schema}' and table_name = '{table}'",
        )
    )


def count(warehouse: Path, schema: str, table: str) -> int:
    if not table_exists(warehouse, schema, table):
        return 0
    return query(warehouse, f'select count(*) from "{schema}"."{table}"')[0][0]


def loaded_figures(warehouse: Path, name: str) -> dict[str, object]:
    """The same figures as `expected_figures`, read from the warehouse."""
    schema = f"raw_{name}"
    out: dict[str, object] = {table: count(warehouse, schema, table) for table in SOURCE_RESOURCES[name]}
    if name in SPEND:
        table, _ = SPEND[name]
        out["spend"] = query(warehouse, f'select coalesce(sum(spend), 0) from "{schema}"."{table}"')[0][0]
    return out


def mutate_jsonl(path: Path, change: Callable[[dict], dict | None]) -> None:
    """Rewrite a world file, passing every row through `change` (return None to keep it as is)."""
    rows = read_jsonl(path)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            new = change(row)
            f.write(json.dumps(row if new is None else new, separators=(",", ":")) + "\n")
