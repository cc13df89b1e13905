"""Figures read back from the warehouse to show as Dagster metadata (read-only connections)."""

import contextlib
from collections.abc import Iterator

import duckdb

from touchpath.config import warehouse_path


@contextlib.contextmanager
def read_warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    (found,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()
    return found > 0


def rejected_counts(source_name: str, resource: str, load_ids: list[str]) -> dict[str, int]:
    """Rows of `resource` refused in these loads, and refused in total so far."""
    schema = f"raw_{source_name}"
    with read_warehouse() as con:
        if not table_exists(con, schema, "rejected_records"):
            return {"rows_rejected": 0, "rows_rejected_total": 0}
        (this_load,) = con.execute(
            f"select count(*) from {schema}.rejected_records where resource = ? and _dlt_load_id in "
            "(select unnest(?::varchar[]))",
            [resource, load_ids],
        ).fetchone()
        (total,) = con.execute(
            f"select count(*) from {schema}.rejected_records where resource = ?", [resource]
        ).fetchone()
    return {"rows_rejected": this_load, "rows_rejected_total": total}
