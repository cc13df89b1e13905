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
