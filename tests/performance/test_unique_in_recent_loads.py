"""The `unique_in_recent_loads` data test (macros/tests/unique_in_recent_loads.sql) catches what it claims.

It checks the keys of the loads its model's latest run processed: every key after a first build or a
full refresh (no watermark: one grouping of every key), the newer loads' keys after an incremental run
(the watermark the run started from, inlined when the test compiles). A duplicate among old loads only
is left to `--vars '{full_data_tests: true}'`. Each case runs dbt's test on a copy of the shared built
warehouse, with a duplicated staged event planted in it.
"""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.performance.helpers import dbt

TEST_NAME = "unique_in_recent_loads_stg_tracking__events_event_id"
STAGED = "staging.stg_tracking__events"
WATERMARK = "staging.stg_tracking__events__watermark"


def run_data_test(warehouse: Path, target: Path, *extra: str) -> dict:
    """Run the event-id uniqueness test alone; its run result."""
    dbt(warehouse, target, "test", "--select", TEST_NAME, *extra, data_tests_may_fail=True)
    (node,) = json.loads((target / "run_results.json").read_text())["results"]
    return {"status": node["status"], "failures": node["failures"], "sql": node["compiled_code"]}


@pytest.fixture()
def warehouse(clean_build, tmp_path) -> Path:
    """A private copy of the built warehouse (named warehouse.duckdb, as the dbt profile's catalog)."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(clean_build[0], copy)
    return copy


def newest_load(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select max(load_id) from {STAGED}").fetchone()[0]
    finally:
        con.close()


def plant(warehouse: Path, *, watermark: str, duplicate_load_id: str | None) -> None:
    """Record `watermark` as the one the model's latest run started from, and copy one event of the
    oldest load under `duplicate_load_id` (under its own load id when None)."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"delete from {WATERMARK}")
        con.execute(f"insert into {WATERMARK} (watermark, invocation_id) values (?, 'test')", [watermark])
        con.execute(
            f"insert into {STAGED} select * replace (coalesce(?, load_id) as load_id) "
            f"from {STAGED} where load_id = (select min(load_id) from {STAGED}) limit 1",
            [duplicate_load_id],
        )
    finally:
        con.close()


def test_after_a_full_build_every_key_is_checked(warehouse, tmp_path):
    clean = run_data_test(warehouse, tmp_path / "clean")
    assert clean["status"] == "pass"
    plant(warehouse, watermark="", duplicate_load_id=None)  # both copies in the oldest load
    got = run_data_test(warehouse, tmp_path / "dup")
    assert (got["status"], got["failures"]) == ("fail", 1)
    assert "recent_keys" not in got["sql"]  # a plain grouping of every key


def test_after_an_incremental_run_a_new_load_duplicating_an_old_key_fails(warehouse, tmp_path):
    newest = newest_load(warehouse)
    # the run started from the newest load: a copy from a later load is recent, its key is old
    plant(warehouse, watermark=newest, duplicate_load_id=newest + "9")
    got = run_data_test(warehouse, tmp_path / "dup")
    assert (got["status"], got["failures"]) == ("fail", 1)
    assert f"> '{newest}'" in got["sql"]  # the watermark, inlined


def test_a_duplicate_among_old_loads_only_is_left_to_full_data_tests(warehouse, tmp_path):
    newest = newest_load(warehouse)
    plant(warehouse, watermark=newest, duplicate_load_id=None)
    assert run_data_test(warehouse, tmp_path / "recent")["status"] == "pass"
    full = run_data_test(warehouse, tmp_path / "full", "--vars", "{full_data_tests: true}")
    assert (full["status"], full["failures"]) == ("fail", 1)
