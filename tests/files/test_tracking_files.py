"""The tracking export-file source: everything in the files is loaded or quarantined, once."""

import gzip
import json
from pathlib import Path

import duckdb

from ingestion.run import run_pipeline
from ingestion.tracking_files import tracking_files_source
from tests.conftest import WORLD


def all_lines(bucket: Path) -> list[str]:
    lines = []
    for path in sorted(bucket.glob("dt=*/*.jsonl.gz")):
        with gzip.open(path, "rt") as handle:
            lines += [line for line in handle.read().splitlines() if line.strip()]
    return lines


def load(bucket: Path, **window) -> None:
    source = tracking_files_source(bucket_url=str(bucket), start_date=window.get("start", WORLD["start_date"]),
                                   end_date=window.get("end"))
    run_pipeline("tracking_files", source)


def counts(warehouse: Path) -> tuple[int, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (events,) = con.execute("select count(*) from raw_tracking_files.events").fetchone()
        tables = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw_tracking_files'").fetchall()}
        rejected = 0
        if "rejected_records" in tables:
            (rejected,) = con.execute("select count(*) from raw_tracking_files.rejected_records").fetchone()
        return events, rejected
    finally:
        con.close()


def test_every_line_is_loaded_once_and_a_rerun_adds_nothing(bucket, warehouse):
    lines = all_lines(bucket)
    load(bucket)
    events, rejected = counts(warehouse)
    assert events + rejected == len(lines)
    load(bucket)
    assert counts(warehouse) == (events, rejected)


def test_windows_partition_the_files_by_day(bucket, warehouse):
    days = sorted(p.name[3:] for p in bucket.glob("dt=*"))
    middle = days[len(days) // 2]
    load(bucket, end=middle)
    first, _ = counts(warehouse)
    load(bucket, start=middle)
    both, rejected = counts(warehouse)
    assert 0 < first < both
    assert both + rejected == len(all_lines(bucket))


def test_broken_lines_and_bad_records_are_quarantined_with_their_reason(bucket, warehouse):
    target = sorted(bucket.glob("dt=*/*.jsonl.gz"))[0]
    with gzip.open(target, "rt") as handle:
        lines = handle.read().splitlines()
    record = json.loads(lines[0])
    record.pop("messageId")
    bad_timestamp = json.loads(lines[1])
    bad_timestamp["timestamp"] = "yesterday-ish"
    lines[0], lines[1] = json.dumps(record), json.dumps(bad_timestamp)
    lines.append('{"messageId": "cut-off", "type": "pa')  # a truncated line: not JSON at all
    with gzip.open(target, "wt") as handle:
        handle.write("\n".join(lines) + "\n")

    load(bucket)
    con = duckdb.connect(str(warehouse), read_only=True)
    reasons = dict(con.execute(
        "select reason, count(*) from raw_tracking_files.rejected_records group by reason").fetchall())
    (payload,) = con.execute(
        "select raw_payload from raw_tracking_files.rejected_records where reason = 'malformed JSON'").fetchone()
    (events,) = con.execute("select count(*) from raw_tracking_files.events").fetchone()
    con.close()
    assert reasons["missing messageId"] >= 1
    assert reasons["unparseable timestamp"] >= 1
    assert reasons["malformed JSON"] == 1
    assert payload == '{"messageId": "cut-off", "type": "pa'
    assert events + sum(reasons.values()) == len(all_lines(bucket))


def test_a_reexported_file_is_loaded_again(bucket, warehouse):
    load(bucket)
    events, _ = counts(warehouse)
    target = sorted(bucket.glob("dt=*/*.jsonl.gz"))[-1]
    with gzip.open(target, "rt") as handle:
        extra = handle.read().splitlines()[:3]
    with gzip.open(target, "at") as handle:  # a re-export with the same 3 events again appended
        handle.write("\n".join(extra) + "\n")
    load(bucket)
    reloaded, _ = counts(warehouse)
    assert reloaded > events  # the changed file was read again (staging keeps one copy per message_id)


def test_pii_hashes_match_the_api_connector(bucket, warehouse):
    from ingestion.common.pii import hash_pii

    emails = set()
    for line in all_lines(bucket):
        record = json.loads(line)
        email = (record.get("traits") or {}).get("email")
        if email:
            emails.add(hash_pii(email))
    load(bucket)
    con = duckdb.connect(str(warehouse), read_only=True)
    loaded = {h for (h,) in con.execute(
        "select distinct traits__email_hash from raw_tracking_files.events where traits__email_hash is not null").fetchall()}
    columns = {c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw_tracking_files'").fetchall()}
    con.close()
    assert emails and loaded == emails
    assert not {"traits__email", "context__ip", "traits__phone"} & columns


def test_export_files_alone_build_the_journeys(bucket, warehouse, monkeypatch):
    """A shop that ships only export files (no tracking API) gets sessions: the staging model reads
    whichever event tables exist, and file rows carry their load id for the incremental models."""
    from tests.support.dbt import run_dbt

    load(bucket)
    con = duckdb.connect(str(warehouse), read_only=True)
    (without_load_id,) = con.execute("select count(*) from raw_tracking_files.events where _dlt_load_id is null").fetchone()
    con.close()
    assert without_load_id == 0
    run_dbt("build", "--select", "+int_events_sessionized", "--exclude", "resource_type:unit_test")
    con = duckdb.connect(str(warehouse), read_only=True)
    (sessionized,) = con.execute("select count(distinct event_id) from intermediate.int_events_sessionized").fetchone()
    (distinct_loaded,) = con.execute("select count(distinct message_id) from raw_tracking_files.events").fetchone()
    con.close()
    assert 0 < sessionized <= distinct_loaded
