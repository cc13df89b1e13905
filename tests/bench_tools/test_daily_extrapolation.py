"""The bench's 100M daily extrapolation (bench/run.py `daily_extrapolated`): dbt's fixed cost is taken once,
from the smallest world's no-new-data build, and only the rest of the largest world's builds is scaled."""

import pytest

from bench.run import daily_extrapolated


def _result(events_loaded: int, full: float, daily: float, floor: float | None, redone_full: float | None = None):
    stages = {
        "build_full": {"seconds": full, "returncode": 0},
        "build_incremental": {"seconds": daily, "returncode": 0},
    }
    if floor is not None:
        stages["build_no_new_data"] = {"seconds": floor, "returncode": 0}
    if redone_full is not None:
        stages["build_full_refresh_after_daily"] = {"seconds": redone_full, "returncode": 0}
    return {"events_loaded": events_loaded, "stages": stages}


def test_fixed_cost_is_not_scaled():
    small = _result(50_000, full=15.0, daily=12.5, floor=12.0)
    big = _result(25_000_000, full=500.0, daily=72.0, floor=52.0)
    x = daily_extrapolated([big, small], events=100_000_000)
    assert x["small"] is small and x["big"] is big
    assert x["fixed"] == 12.0
    assert x["full"] == pytest.approx(2000.0)  # 500 s × 4
    assert x["daily"] == pytest.approx(12.0 + 60.0 * 4)  # the fixed 12 s once, the other 60 s × 4
    assert x["floor"] == pytest.approx(12.0 + 40.0 * 4)
    assert x["daily_pct"] == pytest.approx(100 * 252.0 / 2000.0)
    assert x["floor_pct"] == pytest.approx(100 * 172.0 / 2000.0)


def test_daily_is_compared_with_the_full_refresh_measured_after_it():
    small = _result(50_000, full=15.0, daily=12.5, floor=12.0)
    big = _result(50_000_000, full=900.0, daily=112.0, floor=62.0, redone_full=1000.0)
    x = daily_extrapolated([small, big], events=100_000_000)
    assert x["full"] == pytest.approx(2000.0)  # the redone full refresh, not the run's own full build


def test_needs_a_floor_on_two_sizes():
    assert daily_extrapolated([_result(50_000, 15.0, 12.5, 12.0)]) is None
    assert daily_extrapolated([_result(50_000, 15.0, 12.5, 12.0), _result(9_000_000, 100.0, 25.0, None)]) is None


def test_scales_the_largest_world_of_the_longest_history():
    # a daily load is one day: a 30-day world's day is 12× a year-long world's share of the history
    small = _result(50_000, full=15.0, daily=12.5, floor=12.0)
    month = _result(10_000_000, full=110.0, daily=37.0, floor=19.0)
    year = _result(9_500_000, full=111.0, daily=28.0, floor=22.0)
    year["world"] = {"days": 365}
    x = daily_extrapolated([small, month, year], events=95_000_000)
    assert x["big"] is year
    assert x["daily"] == pytest.approx(12.0 + 16.0 * 10)
