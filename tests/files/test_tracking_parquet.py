"""The parquet export format: the same events load exactly as from the JSON-lines export, once."""

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingestion.run import run_pipeline
from ingestion.tracking_files import tracking_files_source
from ingestion.tracking_files.settings import JSON_SCHEMA, RAW_COLUMN
from sandbox.export_parquet import EVENT_SCHEMA, ParquetEventsWriter, write_events_parquet

MESSY_WORLD = {"customers": 120, "days": 6, "seed": 5, "start_date": "2026-03-01", "messiness": "realistic"}

# Lines a real export may hold besides the generator's events, appended to the first day in both formats.
EXTRA_LINES = [
    '{"messageId": "cut-off", "type": "pa',  # truncated: not JSON
    "[1, 2, 3]",  # JSON, but not an object
    '{"messageId": "ctx-string", "type": "page", "anonymousId": "anon_x", "context": "nope"}',  # wrong shape
    '{"messageId": "page-string", "type": "page", "anonymousId": "anon_x", "context": {"page": "/"}}',
    json.dumps(
        {
            "messageId": "numeric-ids",
            "type": "track",
            "event": "Product Viewed",
            "anonymousId": 7,
            "userId": 42,
            "timestamp": "2026-03-01T10:00:00.000Z",
            "receivedAt": "2026-03-01T10:00:01.000Z",
            "properties": {"price": 12.5, "quantity": 1, "name": "Zoë's ünïcode"},
            "extra": {"x": 1},
        }
    ),
    json.dumps(
        {
            "messageId": "string-properties",
            "type": "track",
            "event": "Odd",
            "anonymousId": "anon_y",
            "timestamp": "2026-03-01T10:00:00Z",
            "receivedAt": "2026-03-01T10:00:01Z",
            "properties": "free text",
        }
    ),
    json.dumps(
        {
            "messageId": "null-properties",
            "type": "identify",
            "userId": "u1",
            "timestamp": "2026-03-01T10:00:00Z",
            "receivedAt": "2026-03-01T10:00:01Z",
            "properties": None,
            "traits": {"email": " A@B.example "},
        }
    ),
    json.dumps(
        {
            "messageId": "bad-time",
            "type": "page",
            "anonymousId": "anon_z",
            "timestamp": 1767225600,
            "receivedAt": "2026-03-01T10:00:01Z",
        }
    ),
    *(
        json.dumps(
            {
                "messageId": f"rule-{i}",
                "type": "track",
                "event": "Order Completed",
                "anonymousId": "anon_r",
                "timestamp": "2026-03-01T10:00:00Z",
                "receivedAt": "2026-03-01T10:00:01Z",
                **change,
            }
        )
        for i, change in enumerate(
            [
                {"properties": {"revenue": 10.0, "currency": "XXX"}},
                {"properties": {"revenue": -5, "currency": "usd"}},
                {"properties": {"price": "abc"}},
                {"type": "purchase"},
                {"messageId": ""},
                {"receivedAt": "later"},
            ]
        )
    ),
]
REASONS = {
    "malformed JSON",
    "malformed record",
    "unparseable timestamp",
    "unknown currency",
    "negative or unparseable amount",
    "unknown event type",
    "missing messageId",
    "unparseable receivedAt",
}


def read_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [line for line in handle.read().splitlines() if line.strip()]


def export_parquet(json_bucket: Path, out: Path) -> Path:
    """The parquet export of a JSON-lines bucket: the same lines, one parquet file per JSON file."""
    for path in sorted(json_bucket.glob("dt=*/*.jsonl.gz")):
        target = out / path.relative_to(json_bucket).with_name(path.name.replace(".jsonl.gz", ".parquet"))
        writer = ParquetEventsWriter(target, row_group_rows=500)
        lines = read_lines(path)
        for start in range(0, len(lines), 333):  # several chunks, as the generator writes one hour at a time
            writer.write_many(lines[start : start + 333])
        assert writer.close() == len(lines)
    return out


@pytest.fixture(scope="module")
def buckets(tmp_path_factory) -> tuple[Path, Path]:
    """(JSON-lines bucket, parquet bucket) of the same messy world plus EXTRA_LINES."""
    from touchpath.sandbox_session import ensure_world

    world = tmp_path_factory.mktemp("messy_world")
    ensure_world(world, **MESSY_WORLD)
    json_bucket = tmp_path_factory.mktemp("json_bucket") / "tracking"
    shutil.copytree(world / "tracking", json_bucket)
    first = sorted(json_bucket.glob("dt=*/*.jsonl.gz"))[0]
    lines = read_lines(first) + EXTRA_LINES
    with gzip.open(first, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return json_bucket, export_parquet(json_bucket, tmp_path_factory.mktemp("parquet_bucket") / "tracking")


def load(bucket: Path, warehouse: Path) -> None:
    os.environ["TOUCHPATH_WAREHOUSE"] = str(warehouse)
    source = tracking_files_source(bucket_url=str(bucket), start_date=MESSY_WORLD["start_date"])
    run_pipeline("tracking_files", source)


def tables(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    """(raw events, rejected records), sorted, without load ids, the file extension made neutral."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        events = con.execute(
            "select * exclude (_dlt_load_id, source_file), regexp_replace(source_file, '\\.(parquet|jsonl\\.gz)$', '') "
            "from raw_tracking_files.events order by all"
        ).fetchall()
        rejected = con.execute(
            "select rejected_id, resource, reason, raw_payload, regexp_replace(source_file, '\\.(parquet|jsonl\\.gz)$', '') "
            "from raw_tracking_files.rejected_records order by all"
        ).fetchall()
        return events, rejected
    finally:
        con.close()


@pytest.fixture()
def warehouse_env(monkeypatch):
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", "unset")  # restored after the test; load() sets it


def test_parquet_export_loads_the_same_rows_as_the_jsonl_export(buckets, tmp_path, warehouse_env):
    json_bucket, parquet_bucket = buckets
    load(json_bucket, tmp_path / "from_json.duckdb")
    load(parquet_bucket, tmp_path / "from_parquet.duckdb")
    json_events, json_rejected = tables(tmp_path / "from_json.duckdb")
    parquet_events, parquet_rejected = tables(tmp_path / "from_parquet.duckdb")

    lines = sum(len(read_lines(path)) for path in json_bucket.glob("dt=*/*.jsonl.gz"))
    assert len(json_events) + len(json_rejected) == lines
    assert parquet_events == json_events
    assert parquet_rejected == json_rejected
    assert REASONS <= {row[2] for row in parquet_rejected}
    by_reason = {}
    for row in parquet_rejected:
        by_reason.setdefault(row[2], []).append(row[3])
    assert '{"messageId": "cut-off", "type": "pa' in by_reason["malformed JSON"]
    assert "[1, 2, 3]" in by_reason["malformed record"]
    assert len(by_reason["malformed record"]) == 3


def test_the_generators_two_export_formats_load_the_same_rows(tmp_path, warehouse_env):
    """`generate(..., export_format=...)` of one messy world: the same raw and refused rows either way."""
    from sandbox.generator import generate

    loaded = {}
    for fmt in ("jsonl.gz", "parquet"):
        generate(tmp_path / fmt, ground_truth=False, export_format=fmt, **MESSY_WORLD)
        assert list((tmp_path / fmt / "tracking").glob(f"dt=*/*.{fmt}"))
        load(tmp_path / fmt / "tracking", tmp_path / f"{fmt}.duckdb")
        loaded[fmt] = tables(tmp_path / f"{fmt}.duckdb")
    assert loaded["parquet"] == loaded["jsonl.gz"]
    assert loaded["parquet"][0] and loaded["parquet"][1]


def test_rerun_adds_nothing_and_a_reexported_file_is_loaded_again(buckets, tmp_path, warehouse_env):
    json_bucket, parquet_bucket = buckets
    bucket = tmp_path / "bucket"
    shutil.copytree(parquet_bucket, bucket)
    warehouse = tmp_path / "files.duckdb"
    load(bucket, warehouse)
    events, rejected = tables(warehouse)
    assert events and rejected
    con = duckdb.connect(str(warehouse), read_only=True)
    (no_load_id,) = con.execute(
        "select count(*) from raw_tracking_files.events where _dlt_load_id is null"
    ).fetchall()[0]
    con.close()
    assert no_load_id == 0  # the incremental dbt models select new loads by it
    load(bucket, warehouse)
    assert tables(warehouse) == (events, rejected)

    target = sorted(bucket.glob("dt=*/*.parquet"))[-1]
    name = str(target.relative_to(bucket)).removesuffix(".parquet")
    lines = read_lines(json_bucket / f"{name}.jsonl.gz")
    write_events_parquet(target, lines + lines[:3])  # a re-export with the first 3 events again
    load(bucket, warehouse)
    reloaded, _ = tables(warehouse)
    before = sum(1 for row in events if row[-1] == name)
    after = sum(1 for row in reloaded if row[-1] == name)
    assert 2 * before < after <= 2 * before + 3  # read again (staging keeps one copy per message_id)
    load(bucket, warehouse)
    assert len(tables(warehouse)[0]) == len(reloaded)


def test_a_bucket_may_mix_both_formats(buckets, tmp_path, warehouse_env):
    json_bucket, parquet_bucket = buckets
    mixed = tmp_path / "mixed"
    shutil.copytree(json_bucket, mixed)
    days = sorted(p.name for p in mixed.glob("dt=*"))
    for day in days[::2]:  # every other day as parquet only
        shutil.rmtree(mixed / day)
        shutil.copytree(parquet_bucket / day, mixed / day)
    # and one day with both formats: a second file holding a copy of another day's events
    write_events_parquet(
        mixed / days[1] / "events-0001.parquet", read_lines(json_bucket / days[2] / "events-0000.jsonl.gz")
    )
    load(mixed, tmp_path / "mixed.duckdb")
    load(json_bucket, tmp_path / "json.duckdb")
    mixed_events, mixed_rejected = tables(tmp_path / "mixed.duckdb")
    json_events, json_rejected = tables(tmp_path / "json.duckdb")
    copied = [row[:-1] for row in json_events if row[-1] == f"{days[2]}/events-0000"]
    assert sorted(mixed_events) == sorted(json_events + [(*row, f"{days[1]}/events-0001") for row in copied])
    # the copied file's refused records are the same records: same id, one row each
    assert {row[0] for row in mixed_rejected} == {row[0] for row in json_rejected}


def test_writer_is_deterministic_and_independent_of_chunking(buckets, tmp_path):
    json_bucket, _ = buckets
    lines = read_lines(sorted(json_bucket.glob("dt=*/*.jsonl.gz"))[0])
    rows = [json.loads(line) for line in lines[: len(lines) - len(EXTRA_LINES)]] + EXTRA_LINES

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert write_events_parquet(tmp_path / "a.parquet", rows) == len(rows)
    write_events_parquet(tmp_path / "b.parquet", rows)
    assert digest(tmp_path / "a.parquet") == digest(tmp_path / "b.parquet")

    def chunked(path: Path, size: int) -> Path:
        writer = ParquetEventsWriter(path, row_group_rows=100)
        for start in range(0, len(rows), size):
            writer.write_many(rows[start : start + size])
        writer.close()
        return path

    assert digest(chunked(tmp_path / "c.parquet", 77)) == digest(chunked(tmp_path / "d.parquet", 250))
    assert pq.read_metadata(tmp_path / "c.parquet").num_row_groups == -(-len(rows) // 100)
    assert (
        pq.read_metadata(tmp_path / "c.parquet").metadata == pq.read_metadata(tmp_path / "a.parquet").metadata
    )


def test_export_schema_mirrors_the_loader_schema():
    """The exporter's columns are the JSON keys the loader reads (nested), plus `_raw`."""

    def keys(struct) -> dict:
        return {field.name: keys(field.type) if field.type.num_fields else "VARCHAR" for field in struct}

    def loader(node) -> dict:
        return {key: loader(value) if isinstance(value, dict) else "VARCHAR" for key, value in node.items()}

    exported = keys(EVENT_SCHEMA)
    assert exported.pop(RAW_COLUMN) == "VARCHAR"
    assert exported == loader(JSON_SCHEMA)  # `properties` is JSON in one, JSON text in the other
