"""Each of the six sources against the sandbox: exactly the records the API holds, and a second
load adds no rows. The ad platforms: a restated day is updated in place, never duplicated."""

from decimal import Decimal

import pytest
from ingest_support import (
    AD_FILES,
    SOURCES,
    SPEND,
    WORLD_END,
    count,
    loaded_figures,
    mutate_jsonl,
    query,
    run,
)

from ingestion.common.pipeline import make_pipeline
from ingestion.registry import SOURCE_RESOURCES
from sandbox.server import start_server


@pytest.mark.parametrize("name", SOURCES)
def test_loads_exactly_what_the_api_holds_and_a_second_load_adds_nothing(name, sandbox, warehouse, expected):
    run(name)
    first = loaded_figures(warehouse, name)
    assert first == expected[name]
    assert count(warehouse, f"raw_{name}", "rejected_records") == 0

    run(name)
    assert loaded_figures(warehouse, name) == expected[name]
    for table in SOURCE_RESOURCES[name]:
        distinct_loads = query(warehouse, f'select count(distinct _dlt_load_id) from "raw_{name}"."{table}"')[0][0]
        assert distinct_loads >= 1


DAY_AFTER_END = "2026-03-08"
RESTATED_START = "2026-03-05"  # the last day's partition minus the 3-day restatement window (ends included)


def _restate(row: dict) -> dict | None:
    """The last day's figures move (late conversions), as do the first day's (outside the window)."""
    if row["date"] in (WORLD_END, "2026-03-01"):
        return {**row, "spend": round(row["spend"] + 1.0, 2), "conversions": row["conversions"] + 1}
    return None


@pytest.mark.parametrize("name", sorted(AD_FILES))
def test_a_restated_day_is_updated_not_duplicated(name, sandbox, warehouse, world_copy, expected, monkeypatch):
    table, day_column = SPEND[name]
    schema = f"raw_{name}"
    # As the daily Dagster partitions do: a bounded window [start, end) per run; for the last day's
    # partition the window starts `restatement` days earlier, so restated days are re-read and merged.
    run(name, base_url=sandbox.base_url, start_date="2026-03-01", end_date=DAY_AFTER_END)
    assert loaded_figures(warehouse, name) == expected[name]
    before = dict(query(warehouse, f'select cast("{day_column}" as varchar), sum(spend) from {schema}.{table} group by 1'))

    mutate_jsonl(world_copy / AD_FILES[name], _restate)
    restated = start_server(world_copy, host="127.0.0.1")
    try:
        monkeypatch.setenv("TOUCHPATH_SANDBOX_URL", restated.base_url)
        run(name, base_url=restated.base_url, start_date=RESTATED_START, end_date=DAY_AFTER_END)
    finally:
        restated.shutdown()

    after = dict(query(warehouse, f'select cast("{day_column}" as varchar), sum(spend) from {schema}.{table} group by 1'))
    rows_last_day = query(warehouse, f"select count(*) from {schema}.{table} where \"{day_column}\" = '{WORLD_END}'")[0][0]
    ads_last_day = query(
        warehouse, f"select count(*) from {schema}.{table} where \"{day_column}\" = '2026-03-06'"
    )[0][0]
    assert count(warehouse, schema, table) == expected[name][table]  # updated in place, no new rows
    assert rows_last_day == ads_last_day
    # The last day sits in the re-read window: every ad gained exactly 1.00.
    assert after[WORLD_END] - before[WORLD_END] == Decimal(rows_last_day)
    # The first day is outside the window: not re-read, so unchanged (a full refresh would pick it up).
    assert after["2026-03-01"] == before["2026-03-01"]
    assert {k: v for k, v in after.items() if k != WORLD_END} == {k: v for k, v in before.items() if k != WORLD_END}


def test_klaviyo_bounded_window_loads_only_its_days_and_keeps_no_state(sandbox, warehouse, expected, ingest_world):
    from ingest_support import read_jsonl

    events = read_jsonl(ingest_world / "klaviyo/events.jsonl")
    in_window = [e for e in events if "2026-03-02" <= e["attributes"]["datetime"][:10] < "2026-03-04"]
    run("klaviyo", base_url=sandbox.base_url, start_date="2026-03-02", end_date="2026-03-04")
    assert count(warehouse, "raw_klaviyo", "events") == len(in_window) > 0
    run("klaviyo")  # then the incremental run from start_date loads the rest, nothing twice
    assert loaded_figures(warehouse, "klaviyo") == expected["klaviyo"]


@pytest.mark.parametrize(("setting", "reported"), [(None, "5.5 GiB"), ("1GB", "953.6 MiB")])
def test_loads_run_under_the_configured_duckdb_memory_limit(setting, reported, warehouse, monkeypatch):
    """dlt's load connection gets the same memory limit as the dbt builds (default 6GB), not DuckDB's
    default of 80% of the machine: a year's backfill of one source must not take the memory Dagster
    and dbt need."""
    if setting is None:
        monkeypatch.delenv("TOUCHPATH_DUCKDB_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("TOUCHPATH_DUCKDB_MEMORY_LIMIT", setting)
    pipeline = make_pipeline("memory_probe")
    pipeline.run([{"id": 1}], table_name="probe")
    with pipeline.sql_client() as client:
        assert client.execute_sql("select current_setting('memory_limit')") == [(reported,)]


def test_loads_spill_where_configured(warehouse, monkeypatch, tmp_path):
    """dlt's load connection spills where the dbt builds do: DuckDB's default beside the warehouse, or
    `TOUCHPATH_DUCKDB_TEMP_DIRECTORY` (a bigger disk)."""
    monkeypatch.delenv("TOUCHPATH_DUCKDB_TEMP_DIRECTORY", raising=False)
    pipeline = make_pipeline("spill_probe")
    pipeline.run([{"id": 1}], table_name="probe")
    with pipeline.sql_client() as client:
        assert client.execute_sql("select current_setting('temp_directory')") == [(f"{warehouse}.tmp",)]
    monkeypatch.setenv("TOUCHPATH_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    pipeline = make_pipeline("spill_probe")
    pipeline.run([{"id": 2}], table_name="probe")
    with pipeline.sql_client() as client:
        assert client.execute_sql("select current_setting('temp_directory')") == [(str(tmp_path / "spill"),)]


def test_a_load_leaves_no_copy_of_its_data_in_the_pipelines_folder(sandbox, warehouse):
    """dlt keeps each loaded package under `.dlt_pipelines/<pipeline>/load/loaded/`; its data files are
    deleted once loaded (a year of 38M events kept 7.5 GB of them), its metadata stays."""
    run("shopify")
    assert count(warehouse, "raw_shopify", "orders") > 0
    loaded = list((warehouse.parent / ".dlt_pipelines" / "touchpath_shopify" / "load" / "loaded").iterdir())
    assert loaded, "no loaded package was kept"
    for package in loaded:
        assert (package / "load_package_state.json").exists()
        assert [job.name for job in package.glob("*_jobs/*")] == []
