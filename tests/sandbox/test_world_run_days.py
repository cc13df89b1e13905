"""The partitions a run over a sandbox world covers: the world's first day to its newest record's day,
never past yesterday."""

import json
from datetime import date, timedelta

import duckdb

from sandbox.generator import generate
from touchpath.runner import last_complete_day
from touchpath.sandbox_session import world_run_days


def write_world(path, date_range: dict):
    path.mkdir()
    (path / "world.json").write_text(json.dumps({"date_range": date_range}))
    return path


def test_a_world_with_orders_edited_after_its_last_day_runs_until_the_newest_edit(tmp_path):
    # 600 customers over 4 days, seed 1: an order of the last day is edited two days later.
    world = tmp_path / "world"
    generate(world, customers=600, days=4, seed=1, start_date="2026-03-01", messiness="realistic", workers=1)
    (newest,) = duckdb.sql(f"select max(updated_at) from read_json_auto('{world}/shopify/orders.jsonl')").fetchall()[0]
    assert newest.date() == date(2026, 3, 6)  # after the world's last day, 03-04
    assert world_run_days(world) == (date(2026, 3, 1), date(2026, 3, 6))


def test_a_past_world_whose_records_end_with_it_runs_over_its_own_days(tmp_path):
    world = write_world(tmp_path / "w", {"start": "2026-03-01", "end": "2026-03-14",
                                         "last_record_at": "2026-03-14T23:59:59.999Z"})
    assert world_run_days(world) == (date(2026, 3, 1), date(2026, 3, 14))


def test_a_world_running_into_the_future_stops_at_yesterday(tmp_path):
    yesterday = last_complete_day()
    start, end = yesterday - timedelta(days=5), yesterday + timedelta(days=24)
    world = write_world(tmp_path / "w", {"start": start.isoformat(), "end": end.isoformat(),
                                         "last_record_at": f"{end.isoformat()}T23:59:59.999Z"})
    assert world_run_days(world) == (start, yesterday)


def test_a_world_generated_before_its_newest_record_was_recorded_runs_until_yesterday(tmp_path):
    world = write_world(tmp_path / "w", {"start": "2026-03-01", "end": "2026-03-14"})
    assert world_run_days(world) == (date(2026, 3, 1), last_complete_day())
