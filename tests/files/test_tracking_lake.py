"""The export files' events live in the warehouse's lake (parquet files) behind the view
`raw_tracking_files.events`: what a load writes is visible once dlt commits it, never before, and
never twice."""

import shutil
from pathlib import Path

import duckdb
import pytest

import ingestion.tracking_files as tracking_files
from ingestion.common.pipeline import make_pipeline
from ingestion.run import finish_load, run_pipeline
from ingestion.tracking_files import tracking_files_source
from ingestion.tracking_files.lake import EVENTS_DIR
from tests.files.test_tracking_files import all_lines, counts
from tests.ingestion.ingest_support import query
from touchpath.config import lake_path

# The raw table's columns before the lake (2026-12-07, seventh session): the view keeps them, types included.
RAW_TYPES = {
    "message_id": "VARCHAR",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "received_at": "TIMESTAMP WITH TIME ZONE",
    "context__ip_hash": "VARCHAR",
    "properties__revenue": "DECIMAL(18,4)",
    "properties": "VARCHAR",
    "source_file": "VARCHAR",
    "_dlt_load_id": "VARCHAR",
}


def source(bucket: Path, start: str | None = None, end: str | None = None):
    days = sorted(p.name[3:] for p in bucket.glob("dt=*"))
    return tracking_files_source(bucket_url=str(bucket), start_date=start or days[0], end_date=end)


def load_folders() -> set[str]:
    return {p.name.removeprefix("load_id=") for p in (lake_path() / EVENTS_DIR).glob("load_id=*")}


def test_the_view_keeps_the_raw_tables_columns_and_the_manifest_accounts_for_every_record(bucket, warehouse):
    run_pipeline("tracking_files", source(bucket))
    types = dict(query(warehouse, "select column_name, data_type from information_schema.columns "
                                  "where table_schema = 'raw_tracking_files' and table_name = 'events'"))
    assert {name: types.get(name) for name in RAW_TYPES} == RAW_TYPES
    assert not {"_reason", "_payload", "load_id"} & set(types)
    (kind,) = query(warehouse, "select table_type from information_schema.tables "
                               "where table_schema = 'raw_tracking_files' and table_name = 'events'")[0]
    assert kind == "VIEW"
    events, rejected = counts(warehouse)
    files, written, refused = query(
        warehouse, "select count(*), sum(events), sum(refused) from raw_tracking_files.export_files")[0]
    assert files == len(list(bucket.glob("dt=*/*.jsonl.gz")))
    assert (written, refused) == (events, rejected)
    assert events + rejected == len(all_lines(bucket))
    # the folder of the load is the rows' load id, and only committed loads have folders
    (loads,) = query(warehouse, "select list(distinct _dlt_load_id order by _dlt_load_id) from raw_tracking_files.events")[0]
    assert set(loads) == load_folders()


def test_a_load_that_never_committed_shows_nothing_and_the_next_run_commits_it_once(bucket, warehouse):
    days = sorted(p.name[3:] for p in bucket.glob("dt=*"))
    middle = days[len(days) // 2]
    run_pipeline("tracking_files", source(bucket, end=middle))
    first = counts(warehouse)

    # The second window is extracted and normalized, then the process dies before dlt's load step.
    pipeline = make_pipeline("tracking_files")
    pipeline.extract(source(bucket, start=middle))
    pipeline.normalize()
    (pending,) = pipeline.list_normalized_load_packages()
    finish_load("tracking_files", pipeline)  # another run's publish: the pending folder is kept, not shown
    assert pending in load_folders()
    assert counts(warehouse) == first

    run_pipeline("tracking_files", source(bucket, start=middle))  # dlt loads the pending package (only)
    run_pipeline("tracking_files", source(bucket, start=middle))  # its state says: nothing left to read
    events, rejected = counts(warehouse)
    assert events + rejected == len(all_lines(bucket))
    files, distinct = query(warehouse, "select count(*), count(distinct source_file) from raw_tracking_files.export_files")[0]
    assert files == distinct == len(list(bucket.glob("dt=*/*.jsonl.gz")))


def test_an_extract_that_fails_midway_leaves_no_rows_and_its_folder_is_removed(bucket, warehouse, monkeypatch):
    run_pipeline("tracking_files", source(bucket, end=sorted(p.name[3:] for p in bucket.glob("dt=*"))[3]))
    before = counts(warehouse)
    monkeypatch.setattr(tracking_files, "BATCH_BYTES", {"json": 1, "parquet": 1})  # a batch per file
    real_copy, calls = tracking_files.copy_files, []

    def copy_then_fail(*args):
        calls.append(args)
        if len(calls) == 3:
            raise OSError("bucket unreachable")
        return real_copy(*args)

    monkeypatch.setattr(tracking_files, "copy_files", copy_then_fail)
    with pytest.raises(Exception, match="bucket unreachable"):
        run_pipeline("tracking_files", source(bucket))
    written = load_folders()
    assert len(written) == 2  # the first load's folder and the failed extract's (2 batches written)
    assert counts(warehouse) == before

    monkeypatch.setattr(tracking_files, "copy_files", real_copy)
    run_pipeline("tracking_files", source(bucket))
    events, rejected = counts(warehouse)
    assert events + rejected == len(all_lines(bucket))
    (loads,) = query(warehouse, "select list(load_id) from raw_tracking_files._dlt_loads")[0]
    assert load_folders() <= set(loads)  # the failed extract's folder is gone


def test_a_warehouse_loaded_before_the_lake_keeps_its_rows_and_load_ids(bucket, warehouse):
    run_pipeline("tracking_files", source(bucket))
    expected = query(warehouse, "select * from raw_tracking_files.events order by all")
    # The warehouse as the older code left it: a table of those rows, no lake.
    con = duckdb.connect(str(warehouse))
    con.execute("create table raw_tracking_files.events_table as select * from raw_tracking_files.events")
    con.execute("drop view raw_tracking_files.events")
    con.execute("alter table raw_tracking_files.events_table rename to events")
    con.close()
    shutil.rmtree(lake_path() / EVENTS_DIR)

    run_pipeline("tracking_files", source(bucket))  # nothing new to read: the run only moves the table
    (kind,) = query(warehouse, "select table_type from information_schema.tables "
                               "where table_schema = 'raw_tracking_files' and table_name = 'events'")[0]
    assert kind == "VIEW"
    assert query(warehouse, "select * from raw_tracking_files.events order by all") == expected


def test_the_dagster_asset_publishes_the_view_and_reports_what_it_wrote(bucket, warehouse, monkeypatch):
    from dagster import materialize

    from orchestration.assets.ingestion import dlt_resource, ingestion_assets

    monkeypatch.setenv("TOUCHPATH_TRACKING_BUCKET", str(bucket))
    day = sorted(p.name[3:] for p in bucket.glob("dt=*"))[2]
    (assets,) = [a for a in ingestion_assets if a.node_def.name == "ingest_tracking_files"]
    result = materialize([assets], partition_key=day, resources={"dlt": dlt_resource})
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = {key: value.value for key, value in event.materialization.metadata.items()}
    events, rejected = counts(warehouse)
    assert events > 0
    assert (metadata["events_written"], metadata["files_read"], metadata["rows_rejected"]) == (
        events, len(list(bucket.glob(f"dt={day}/*"))), rejected)
