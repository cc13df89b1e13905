"""Connector tests: a small sandbox world (150 customers × 7 days) generated once per session, a fresh
sandbox server and a fresh DuckDB warehouse per test, fast retries and short timeouts."""

import shutil
from pathlib import Path

import pytest
from ingest_support import WORLD, expected_figures

from sandbox.generator import generate
from sandbox.server import start_server


@pytest.fixture(scope="session")
def ingest_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ingest_world")
    generate(out, **WORLD)
    return out


@pytest.fixture(scope="session")
def expected(ingest_world) -> dict[str, dict[str, object]]:
    return expected_figures(ingest_world)


@pytest.fixture()
def warehouse(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(path))
    monkeypatch.setenv("TOUCHPATH_HTTP_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("TOUCHPATH_HTTP_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("TOUCHPATH_HTTP_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("TOUCHPATH_START_DATE", WORLD["start_date"])
    monkeypatch.setenv("TOUCHPATH_SANDBOX", "1")
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    return path


@pytest.fixture()
def sandbox(ingest_world, warehouse, monkeypatch):
    server = start_server(ingest_world, host="127.0.0.1")
    monkeypatch.setenv("TOUCHPATH_SANDBOX_URL", server.base_url)
    try:
        yield server
    finally:
        server.shutdown()


@pytest.fixture()
def world_copy(ingest_world, tmp_path) -> Path:
    """A private copy of the world that a test may change and serve from a second server."""
    out = tmp_path / "world_copy"
    shutil.copytree(ingest_world, out)
    return out
