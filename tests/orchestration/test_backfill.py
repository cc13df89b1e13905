"""A backfill of three days, then a re-run of one of them: the tables come out identical."""

from datetime import date, timedelta

import duckdb

from tests.conftest import WORLD
from touchpath.runner import run_daily_job
from touchpath.sandbox_session import sandbox_apis

TABLES = {
    "raw_tracking.events": "message_id",
    "raw_shopify.orders": "id",
    "raw_meta_ads.insights": "account_id, ad_id, date_start",
    "marts.fct_sessions": "session_id",
    "marts.fct_conversion_paths": "order_id",
    "marts.fct_attribution": "attribution_id",
    "marts.fct_channel_performance_daily": "performance_id",
    "marts.dim_customers": "customer_key",
}
# dlt bookkeeping differs by design between loads (which load wrote the row, when).
VOLATILE = {"_dlt_load_id", "_dlt_id", "load_id"}


def snapshot(warehouse) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for table, key in TABLES.items():
            schema, name = table.split(".")
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall() if c not in VOLATILE]
            rows = con.execute(f"select {', '.join(columns)} from {table} order by {key}").fetchall()
            out[table] = [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
        return out
    finally:
        con.close()


def test_rerunning_a_backfilled_day_gives_identical_tables(world_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(tmp_path / "backfill.duckdb"))
    first = date.fromisoformat(WORLD["start_date"]) + timedelta(days=4)
    last = first + timedelta(days=2)
    with sandbox_apis(world_dir, WORLD["start_date"]):
        assert run_daily_job(first, last).success
        backfilled = snapshot(tmp_path / "backfill.duckdb")
        assert all(backfilled[t] for t in ("raw_tracking.events", "marts.fct_sessions", "marts.fct_attribution"))
        assert run_daily_job(first + timedelta(days=1), first + timedelta(days=1)).success
    rerun = snapshot(tmp_path / "backfill.duckdb")
    for table in TABLES:
        assert rerun[table] == backfilled[table], f"{table} changed when one day was re-run"
