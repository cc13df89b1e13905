"""Golden test: several incremental dbt runs over data arriving in chunks equal one full refresh.

The tracking events are loaded in three windows of `receivedAt` (so late events arrive in a later
chunk than the sessions they belong to), dbt builds incrementally after each, then once more after a
crafted load (tests/journeys/increment.py: a late event merging two sessions, identifies moving devices
between persons, an order edit swapping first and repeat order, ...) and a second one (a customer's order
taking over an email, its device and a guest order). The result is compared on every row and column with
a full refresh over the same raw data.
"""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.registry import SOURCE_FACTORIES
from ingestion.run import run_pipeline
from tests.conftest import WORLD
from tests.journeys.increment import (
    assert_email_customer_applied,
    assert_increment_applied,
    craft_email_customer,
    craft_increment,
)
from tests.support.dbt import run_dbt
from touchpath.sandbox_session import sandbox_apis

# Every incremental model and what is built on them, compared on every column and every row.
COMPARED = [
    "staging.stg_tracking__events",
    "intermediate.int_identity_map",
    "intermediate.int_event_sessions",
    "intermediate.int_events_sessionized",
    "intermediate.int_sessions",
    "intermediate.int_person_stages",
    "marts.fct_customer_journeys",
    "marts.fct_sessions",
    "marts.fct_touchpoints",
    "intermediate.int_order_touchpoints",
    "intermediate.int_conversion_paths",
    "marts.fct_conversion_paths",
    "intermediate.int_attribution_credits",
    "marts.fct_attribution",
    "marts.dim_customers",
    "marts.fct_funnel_daily",
]


def load_window(start: str, end: str) -> None:
    for name in SOURCE_FACTORIES:
        run_pipeline(name, start_date=start, end_date=end)


def _stable(value):
    # Parallel sums may add floats in another order: equal to 1e-9 is equal.
    return round(value, 9) if isinstance(value, float) else value


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: [tuple(_stable(v) for v in row)
                    for row in con.execute(f"select * from {table} order by all").fetchall()]
            for table in COMPARED
        }
    finally:
        con.close()


@pytest.fixture()
def warehouse(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "golden.duckdb"
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(path))
    return path


def test_incremental_runs_equal_full_refresh(world_dir, warehouse):
    start = date.fromisoformat(WORLD["start_date"])
    # Windows of receivedAt: the last one runs past the world's end to catch late deliveries.
    bounds = [start, start + timedelta(days=5), start + timedelta(days=10), start + timedelta(days=WORLD["days"] + 5)]
    with sandbox_apis(world_dir, WORLD["start_date"]):
        for window_start, window_end in zip(bounds, bounds[1:], strict=False):
            load_window(window_start.isoformat(), window_end.isoformat())
            run_dbt("build", "--exclude", "resource_type:unit_test")
    increment = craft_increment(warehouse)
    run_dbt("build", "--exclude", "resource_type:unit_test")
    assert_increment_applied(warehouse, increment)
    # a second load, Shopify only: a customer's order makes the crafted email (and its device) theirs
    customer_key = craft_email_customer(warehouse, increment)
    run_dbt("build", "--exclude", "resource_type:unit_test")
    assert_email_customer_applied(warehouse, increment, customer_key)
    incremental = snapshot(warehouse)

    con = duckdb.connect(str(warehouse), read_only=True)
    (late_rows,) = con.execute(
        "select count(*) from intermediate.int_events_sessionized "
        "where cast(received_at as date) > cast(event_at as date)"
    ).fetchone()
    (loads,) = con.execute("select count(distinct load_id) from intermediate.int_events_sessionized").fetchone()
    con.close()
    assert loads == 4, "the events did not arrive in three loads and the crafted one"
    assert late_rows > 0, "no event arrived on a later day than it happened: the test would prove nothing"

    run_dbt("build", "--full-refresh", "--exclude", "resource_type:unit_test")
    full = snapshot(warehouse)
    for table in COMPARED:
        assert len(incremental[table]) == len(full[table]), table
        assert incremental[table] == full[table], f"{table} differs between incremental and full refresh"
