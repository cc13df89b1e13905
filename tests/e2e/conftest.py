"""The whole daily graph run twice through Dagster on a temporary warehouse against the sandbox."""

import os
from pathlib import Path

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


def appended_since(log_path: Path, before: os.stat_result) -> str:
    """What was written to a log since `before` (its stat then). dbt rotates its log at 10 MB
    (dbt.log -> dbt.log.1 -> dbt.log.2 ..., a new dbt.log): the file that was `log_path` is found by
    its inode and read from where it was, then every newer file whole."""
    newest_first = [log_path, *sorted(log_path.parent.glob(log_path.name + ".*"), key=lambda p: int(p.suffix[1:]))]
    parts = []
    for path in newest_first:
        stat = path.stat()
        with open(path, errors="replace") as log:
            if stat.st_ino == before.st_ino:
                log.seek(before.st_size)
                parts.append(log.read())
                break
            parts.append(log.read())
    else:
        raise AssertionError(f"{log_path} was rotated away since the run started")
    return "".join(reversed(parts))


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
            before = dbt_log.stat()
            second = run_daily_job(*days)
            assert second.success
            counts_second = table_counts(warehouse)
            second_log = appended_since(dbt_log, before)
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
