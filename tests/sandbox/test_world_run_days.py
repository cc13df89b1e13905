"""The partitions a run over a sandbox world covers: the world's days, never past yesterday."""

from datetime import date, timedelta

from touchpath.runner import last_complete_day
from touchpath.sandbox_session import world_run_days


def test_a_past_world_runs_over_its_own_days_only():
    assert world_run_days("2026-03-01", 14) == (date(2026, 3, 1), date(2026, 3, 14))


def test_a_world_running_into_the_future_stops_at_yesterday():
    yesterday = last_complete_day()
    start = yesterday - timedelta(days=5)
    assert world_run_days(start.isoformat(), 30) == (start, yesterday)
