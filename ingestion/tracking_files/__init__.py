"""First-party tracking events from daily export files (the volume path).

Args of `tracking_files_source`:
    bucket_url: folder holding `dt=YYYY-MM-DD/*.jsonl.gz` (a local path or a mounted bucket);
        empty = no export configured, the resource loads nothing.
    start_date: first `dt=` day read.
    end_date: optional exclusive end day of `dt=` folders read (a backfill window).

Each file is read by DuckDB straight into Arrow (see helpers.py) and loaded by dlt as parquet: no
per-row Python. The resource remembers every file it loaded with its size and mtime, so re-running
a day adds nothing and a re-exported (changed) file is loaded again; events are keyed by
`message_id` and deduplicated in staging. Refused records and non-JSON lines go to
`rejected_records` with the reason and the raw text.
"""

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dlt
import pyarrow as pa

from ingestion.common.quarantine import REJECTED_TABLE

from .helpers import file_fingerprint, read_file
from .settings import FILE_GLOB


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
    for path in sorted(Path(bucket_url).glob(FILE_GLOB)):
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
        for path in list_files(bucket_url, start_date, end_date):
            name, fingerprint = str(path.relative_to(root)), file_fingerprint(path)
            if loaded.get(name) == fingerprint:
                continue  # this exact file is already in the warehouse
            good, refused = read_file(path)
            if good.num_rows:
                yield good.append_column("source_file", pa.array([name] * good.num_rows, pa.string()))
            if refused.num_rows:
                yield dlt.mark.with_hints(
                    _rejected_rows(refused, name),
                    dlt.mark.make_hints(table_name=REJECTED_TABLE, write_disposition="merge", primary_key="rejected_id"),
                    create_table_variant=True,
                )
            # Committed by dlt with the rows above: a failed load leaves the file unmarked.
            loaded[name] = fingerprint

    return events


def _rejected_rows(refused: pa.Table, file_name: str) -> pa.Table:
    n = refused.num_rows
    ids = [
        hashlib.sha256(f"events|{reason}|{payload}".encode()).hexdigest()
        for reason, payload in zip(refused["reason"].to_pylist(), refused["raw_payload"].to_pylist(), strict=True)
    ]
    return pa.table(
        {
            "rejected_id": pa.array(ids, pa.string()),
            "resource": pa.array(["events"] * n, pa.string()),
            "reason": refused["reason"],
            "raw_payload": refused["raw_payload"],
            "source_file": pa.array([file_name] * n, pa.string()),
        }
    )
