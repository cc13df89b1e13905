"""The warehouse's copy of the export files' events: parquet files that DuckDB reads in place.

The export files are the volume path (tens of millions of events a day at scale). Copying their rows
into a DuckDB table cost more CPU than reading, validating and hashing them together (docs/decisions.md,
"The export files' events live in a lake"), so DuckDB writes the validated events as parquet files
into the lake instead (`touchpath.config.lake_path()`, beside the warehouse file), one folder per load:

    <lake>/raw_tracking_files/events/load_id=<dlt load id>/part-<n>.parquet

and `raw_tracking_files.events` is a VIEW over them, with the same columns the table had
(`_dlt_load_id` is the folder's load id). The warehouse keeps its own copy (the bucket may delete its
files), PII is hashed before a file is written, and dlt still commits each load: the view shows only
the folders of loads recorded in `_dlt_loads`, so a load that failed after writing its files shows
nothing, and its folder is deleted by the next successful run (unless dlt still holds its package to
finish it).
"""

import shutil
from pathlib import Path

import dlt

from ingestion.common.pipeline import raw_dataset

DATASET = raw_dataset("tracking_files")
VIEW = "events"
EVENTS_DIR = Path(DATASET) / VIEW
# Snappy: the cheapest to write of DuckDB's parquet codecs (1M events: 5.0 CPU-s, zstd 5.8, none 4.8
# with 3x the disk); ~130 bytes per event.
COMPRESSION = "snappy"
# Smaller than DuckDB's default (122,880): a day's batch is split into more pieces that the two cores
# write in parallel (1M events: 2.3-2.5 s against 2.65-2.8 s in three alternated runs).
ROW_GROUP_ROWS = 32_768
# A lake file holds every record read, with its verdict: the view keeps those without a reason; the
# refused ones (with their payload) are what the quarantine table got.
REASON_COLUMN = "_reason"
PAYLOAD_COLUMN = "_payload"


def load_dir(lake: Path, load_id: str) -> Path:
    return lake / EVENTS_DIR / f"load_id={load_id}"


def part_path(lake: Path, load_id: str, part: int) -> Path:
    return load_dir(lake, load_id) / f"part-{part:05d}.parquet"


def copy_sql(query: str, target: Path) -> str:
    """DuckDB's COPY of `query` into one parquet file (row groups compressed in parallel)."""
    return (
        f"copy ({query}) to '{_quoted(target)}' "
        f"(format parquet, compression {COMPRESSION}, row_group_size {ROW_GROUP_ROWS})"
    )


def view_sql(lake: Path) -> str:
    """The view: every part of a committed load; `_dlt_load_id > x` skips older folders unread (the
    load id is a hive partition, read from the path)."""
    glob = lake / EVENTS_DIR / "load_id=*" / "*.parquet"
    return (
        f"create or replace view {DATASET}.{VIEW} as "
        f"select * exclude (load_id, {REASON_COLUMN}, {PAYLOAD_COLUMN}), load_id as _dlt_load_id "
        f"from read_parquet('{_quoted(glob)}', hive_partitioning = true, "
        "hive_types = {'load_id': 'VARCHAR'}, union_by_name = true) "
        f"where {REASON_COLUMN} is null "
        f"and load_id in (select load_id from {DATASET}._dlt_loads where status = 0)"
    )


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def publish(pipeline: dlt.Pipeline, lake: Path) -> None:
    """After a load: (re)create the view over the committed loads' files and delete the folders of
    loads that will never commit. A warehouse loaded by older code (its events in a table) is moved
    into the lake first, keeping its load ids."""
    with pipeline.sql_client() as client:
        con = client.native_connection
        if _relation_type(con) == "BASE TABLE":
            _move_table_to_lake(con, lake)
        committed = _committed_loads(con)
        pending = set(pipeline.list_extracted_load_packages()) | set(pipeline.list_normalized_load_packages())
        _delete_orphans(lake, keep=committed | pending)
        if any(load_dir(lake, load_id).is_dir() for load_id in committed):
            con.execute(f"create schema if not exists {DATASET}")
            con.execute(view_sql(lake))


def _relation_type(con) -> str | None:
    row = con.execute(
        "select table_type from information_schema.tables where table_schema = ? and table_name = ?", [DATASET, VIEW]
    ).fetchone()
    return row[0] if row else None


def _committed_loads(con) -> set[str]:
    (found,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = '_dlt_loads'", [DATASET]
    ).fetchone()
    if not found:
        return set()
    return {load_id for (load_id,) in con.execute(f"select load_id from {DATASET}._dlt_loads where status = 0").fetchall()}


def _delete_orphans(lake: Path, keep: set[str]) -> None:
    root = lake / EVENTS_DIR
    if not root.is_dir():
        return
    for folder in root.glob("load_id=*"):
        if folder.name.removeprefix("load_id=") not in keep:
            shutil.rmtree(folder)


def _move_table_to_lake(con, lake: Path) -> None:
    """The raw table of a warehouse loaded before the lake: its rows as one part per load, then the
    table is dropped (in one transaction: a failure leaves the table; the files are rewritten next time)."""
    root = lake / EVENTS_DIR
    root.mkdir(parents=True, exist_ok=True)
    con.execute("set preserve_insertion_order = false")  # the order of raw rows carries no meaning
    con.execute("begin")
    try:
        con.execute(
            f"copy (select * exclude (_dlt_load_id), null::varchar as {REASON_COLUMN}, "
            f"null::varchar as {PAYLOAD_COLUMN}, _dlt_load_id as load_id from {DATASET}.{VIEW}) "
            f"to '{_quoted(root)}' (format parquet, compression {COMPRESSION}, partition_by (load_id), "
            "overwrite_or_ignore true, filename_pattern 'migrated-{i}')"
        )
        con.execute(f"drop table {DATASET}.{VIEW}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
