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


def lake_counts(source_name: str, load_ids: list[str]) -> dict[str, int]:
    """The export files' events written to the lake by these loads, and files read (from the manifest
    dlt loads with them; ingestion/tracking_files/lake.py). Empty for the other sources."""
    if source_name != "tracking_files":
        return {}
    schema = f"raw_{source_name}"
    with read_warehouse() as con:
        if not table_exists(con, schema, "export_files"):
            return {"events_written": 0, "files_read": 0}
        events, files = con.execute(
            f"select coalesce(sum(events), 0), count(*) from {schema}.export_files where _dlt_load_id in "
            "(select unnest(?::varchar[]))",
            [load_ids],
        ).fetchone()
    return {"events_written": int(events), "files_read": int(files)}
