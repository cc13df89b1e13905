"""The tracking-files sensor asks for one run per day whose files are new or changed."""

import gzip
import os
import time

from dagster import SkipReason, build_sensor_context

from orchestration.sensors import tracking_files_sensor


def write(bucket, day: str, text: str) -> None:
    folder = bucket / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "events-0000.jsonl.gz", "wt") as handle:
        handle.write(text)


def test_sensor_requests_each_new_day_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUCHPATH_TRACKING_BUCKET", str(tmp_path))
    write(tmp_path, "2026-03-01", "{}\n")
    write(tmp_path, "2026-03-02", "{}\n")

    first = tracking_files_sensor(build_sensor_context())
    assert sorted(r.partition_key for r in first.run_requests) == ["2026-03-01", "2026-03-02"]

    again = tracking_files_sensor(build_sensor_context(cursor=first.cursor))
    assert isinstance(again, SkipReason)

    time.sleep(1.1)  # a re-export changes size and mtime
    write(tmp_path, "2026-03-02", "{}\n{}\n")
    os.utime(tmp_path / "dt=2026-03-02" / "events-0000.jsonl.gz")
    changed = tracking_files_sensor(build_sensor_context(cursor=first.cursor))
    assert [r.partition_key for r in changed.run_requests] == ["2026-03-02"]


def test_sensor_skips_without_a_bucket(monkeypatch):
    monkeypatch.delenv("TOUCHPATH_TRACKING_BUCKET", raising=False)
    assert isinstance(tracking_files_sensor(build_sensor_context()), SkipReason)
