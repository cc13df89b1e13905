"""First-party tracking events from daily export files (the volume path).

Args of `tracking_files_source`:
    bucket_url: folder holding `dt=YYYY-MM-DD/*.jsonl.gz` and/or `dt=YYYY-MM-DD/*.parquet` (a local
        path or a mounted bucket);
        empty = no export configured, the resource loads nothing.
    start_date: first `dt=` day read.
    end_date: optional exclusive end day of `dt=` folders read (a backfill window).

Each batch of files is validated, hashed and written by DuckDB as one parquet file of the warehouse's
lake (`touchpath.config.lake_path()`; helpers.py, lake.py): no per-row Python, and no second copy into a DuckDB table.
`raw_tracking_files.events` is a view over the lake's files of committed loads (`lake.publish`, run
after each load by `ingestion.registry.run_pipeline`); dlt loads the manifest (`export_files`: one row
per file read, with its events and refused counts and its lake file), the refused records and the
state, in one load. The resource remembers every file it loaded with its size and mtime, so
re-running a day adds nothing and a re-exported (changed) file is loaded again; events are keyed by
`message_id` and deduplicated in staging. Refused records, non-JSON lines and parquet rows the
exporter could not fit in the schema go to `rejected_records` with the reason and the raw text.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa

from ingestion.common.quarantine import REJECTED_TABLE
from touchpath.config import lake_path

from .helpers import copy_files, file_fingerprint
from .lake import part_path
from .settings import BATCH_BYTES, FILE_GLOBS, MANIFEST_TABLE, is_parquet


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
    # The resource is named `events` (the asset and dbt source `raw_tracking_files/events`): its rows
    # are the lake's files, read through the view of that name; what dlt loads is their manifest.
    @dlt.resource(name="events", table_name=MANIFEST_TABLE, write_disposition="append")
    def events() -> Iterator:
        loaded: dict = dlt.current.resource_state().setdefault("loaded_files", {})
        load_id = dlt.current.load_package_state()["load_id"]
        lake = lake_path()
        root = Path(bucket_url or ".")
        todo = []
        for path in list_files(bucket_url, start_date, end_date):
            name, fingerprint = str(path.relative_to(root)), file_fingerprint(path)
            if loaded.get(name) != fingerprint:  # else: this exact file is already in the warehouse
                todo.append((path, name, fingerprint))
        for number, batch in enumerate(batches(todo, BATCH_BYTES)):
            part = part_path(lake, load_id, number)
            written, refused = copy_files([path for path, _, _ in batch], root, part)
            refused_per_file = Counter(refused.column("source_file").to_pylist()) if refused.num_rows else Counter()
            yield [
                {
                    "source_file": name,
                    "fingerprint": fingerprint,
                    "events": written.get(name, 0),
                    "refused": refused_per_file[name],
                    "lake_file": str(part.relative_to(lake)) if name in written else None,
                }
                for _, name, fingerprint in batch
            ]
            if refused.num_rows:
                yield dlt.mark.with_hints(
                    _rejected_rows(refused),
                    dlt.mark.make_hints(
                        table_name=REJECTED_TABLE, write_disposition="merge", primary_key="rejected_id"
                    ),
                    create_table_variant=True,
                )
            # Committed by dlt with the manifest rows: a failed load leaves the files unmarked (and its
            # lake folder out of the view).
            for _, name, fingerprint in batch:
                loaded[name] = fingerprint

    return events


def batches(files: list[tuple], limits: dict[str, int]) -> list[list[tuple]]:
    """Consecutive groups of files (at least one each) filling at most one batch: a file fills its
    size over its format's limit (`limits["json"]` or `limits["parquet"]`, bytes on disk). Big enough
    for DuckDB to read several files at once, small enough to bound memory."""
    groups, current, share = [], [], 0.0
    for item in files:
        item_share = item[0].stat().st_size / limits["parquet" if is_parquet(item[0]) else "json"]
        if current and share + item_share > 1:
            groups.append(current)
            current, share = [], 0.0
        current.append(item)
        share += item_share
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
