"""Shared fixtures: one small sandbox world per test session, served on 127.0.0.1."""

import os
from pathlib import Path

import pytest

# Telemetry off and fast retries for every test, whatever the caller's environment.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

WORLD = {"customers": 300, "days": 14, "seed": 11, "start_date": "2026-03-01"}


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory) -> Path:
    from touchpath.sandbox_session import ensure_world

    out = tmp_path_factory.mktemp("world")
    ensure_world(out, **WORLD)
    return out


@pytest.fixture(scope="session")
def clean_build(world_dir, tmp_path_factory):
    """(warehouse path, job result): the daily Dagster job over the clean test world, built once per
    test session and shared, read-only, by the folders that need a built warehouse (report,
    performance, evaluation). The report asset sees the world's ground truth."""
    from touchpath.runner import run_daily_job
    from touchpath.sandbox_session import sandbox_apis, world_run_days

    warehouse = tmp_path_factory.mktemp("clean_build") / "warehouse.duckdb"
    saved = {key: os.environ.get(key) for key in ("TOUCHPATH_WAREHOUSE", "TOUCHPATH_GROUND_TRUTH")}
    os.environ.update({"TOUCHPATH_WAREHOUSE": str(warehouse), "TOUCHPATH_GROUND_TRUTH": str(world_dir)})
    try:
        with sandbox_apis(world_dir, WORLD["start_date"]):
            result = run_daily_job(*world_run_days(world_dir))
            assert result.success
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return warehouse, result
