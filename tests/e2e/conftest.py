"""The whole daily graph run twice through Dagster on a temporary warehouse against the sandbox."""

import os

import duckdb
import pytest

from tests.conftest import WORLD


def table_counts(warehouse) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where ((table_schema like 'raw_%' and table_schema not like '%_staging') "
            "or table_schema in ('staging', 'intermediate', 'marts')) and table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in tables
            if not name.startswith("_dlt")
        }
    finally:
        con.close()


@pytest.fixture(scope="session")
def messy_world(tmp_path_factory):
    """The test world with the faults of real data switched on (see sandbox/README.md)."""
    from touchpath.sandbox_session import ensure_world

    out = tmp_path_factory.mktemp("messy_world")
    ensure_world(out, **WORLD, messiness="realistic")
    return out


@pytest.fixture(scope="session")
def built_warehouse(messy_world, tmp_path_factory):
    """(warehouse path, row counts after run 1, row counts after run 2, what dbt logged in run 2)."""
    from orchestration.assets.transform import DBT_TARGET_PATH
    from touchpath.config import DBT_PROJECT_DIR
    from touchpath.runner import run_daily_job
    from touchpath.sandbox_session import sandbox_apis, world_run_days

    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    saved = os.environ.get("TOUCHPATH_WAREHOUSE")
    os.environ["TOUCHPATH_WAREHOUSE"] = str(warehouse)
    try:
        with sandbox_apis(messy_world, WORLD["start_date"]):
            days = world_run_days(messy_world)
            first = run_daily_job(*days)
            assert first.success
            counts_first = table_counts(warehouse)
            dbt_log = DBT_PROJECT_DIR / DBT_TARGET_PATH / "dbt.log"
            offset = dbt_log.stat().st_size
            second = run_daily_job(*days)
            assert second.success
            counts_second = table_counts(warehouse)
            with open(dbt_log, errors="replace") as log:
                log.seek(offset if dbt_log.stat().st_size >= offset else 0)  # (0: the log was rotated)
                second_log = log.read()
    finally:
        if saved is None:
            os.environ.pop("TOUCHPATH_WAREHOUSE", None)
        else:
            os.environ["TOUCHPATH_WAREHOUSE"] = saved
    return warehouse, counts_first, counts_second, second_log


@pytest.fixture()
def wh(built_warehouse):
    con = duckdb.connect(str(built_warehouse[0]), read_only=True)
    yield con
    con.close()
