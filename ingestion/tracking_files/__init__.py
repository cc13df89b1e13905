"""First-party tracking events from daily export files (the volume path).

Args of `tracking_files_source`:
    bucket_url: folder holding `dt=YYYY-MM-DD/*.jsonl.gz` and/or `dt=YYYY-MM-DD/*.parquet` (a local
        path or a mounted bucket);
        empty = no export configured, the resource loads nothing.
    start_date: first `dt=` day read.
    end_date: optional exclusive end day of `dt=` folders read (a backfill window).

Each file is read by DuckDB straight into Arrow (see helpers.py) and loaded by dlt as parquet: no
per-row Python. The resource remembers every file it loaded with its size and mtime, so re-running
a day adds nothing and a re-exported (changed) file is loaded again; events are keyed by
`message_id` and deduplicated in staging. Refused records, non-JSON lines and parquet rows the
exporter could not fit in the schema go to `rejected_records` with the reason and the raw text.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa

from ingestion.common.quarantine import REJECTED_TABLE

from .helpers import file_fingerprint, read_files
from .settings import BATCH_BYTES, FILE_GLOBS


def day_of(path: Path) -> date | None:
    for part in path.parts:
        if part.startswith("dt="):
            try:
                return date.fromisoformat(part[3:13])
            except ValueError:
                return None
    return None


def list_files(bucket_url: str, start_date: str, end_date: str | None) -> list[Path]:
    """Export files whose `dt=` day is in [start_date, end_date), in path order."""
    if not bucket_url:
        return []
    first = date.fromisoformat(start_date[:10])
    end = date.fromisoformat(end_date[:10]) if end_date else None
    files = []
    for path in sorted(path for pattern in FILE_GLOBS for path in Path(bucket_url).glob(pattern)):
        day = day_of(path)
        if day is not None and day >= first and (end is None or day < end):
            files.append(path)
    return files


@dlt.source(name="tracking_files")
def tracking_files_source(
    bucket_url: str = "",
    start_date: str = "2026-01-01",
    end_date: str | None = None,
):
    @dlt.resource(name="events", primary_key="message_id", write_disposition="append")
    def events() -> Iterator[pa.Table]:
        loaded: dict = dlt.current.resource_state().setdefault("loaded_files", {})
        root = Path(bucket_url or ".")
        todo = []
        for path in list_files(bucket_url, start_date, end_date):
            name, fingerprint = str(path.relative_to(root)), file_fingerprint(path)
            if loaded.get(name) != fingerprint:  # else: this exact file is already in the warehouse
                todo.append((path, name, fingerprint))
        for batch in batches(todo, BATCH_BYTES):
            for kind, table in read_files([path for path, _, _ in batch], root):
                if kind == "events":
                    yield table
                elif table.num_rows:
                    yield dlt.mark.with_hints(
                        _rejected_rows(table),
                        dlt.mark.make_hints(
                            table_name=REJECTED_TABLE, write_disposition="merge", primary_key="rejected_id"
                        ),
                        create_table_variant=True,
                    )
            # Committed by dlt with the rows above: a failed load leaves the files unmarked.
            for _, name, fingerprint in batch:
                loaded[name] = fingerprint

    return events


def batches(files: list[tuple], limit_bytes: int) -> list[list[tuple]]:
    """Consecutive groups of files of at most `limit_bytes` on disk (at least one file each): big
    enough for DuckDB to read several files at once, small enough to bound memory."""
    groups, current, size = [], [], 0
    for item in files:
        item_size = item[0].stat().st_size
        if current and size + item_size > limit_bytes:
            groups.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        groups.append(current)
    return groups


def _rejected_rows(refused: pa.Table) -> pa.Table:
    """The quarantine rows: the id is ingestion.common.quarantine's (sha256 of resource|reason|payload)."""
    con = duckdb.connect()
    try:
        con.register("refused", refused)
        return con.sql(
            "select sha256('events|' || reason || '|' || raw_payload) as rejected_id, 'events' as resource, "
            "reason, raw_payload, source_file from refused"
        ).to_arrow_table()
    finally:
        con.close()
