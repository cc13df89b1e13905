"""One small warehouse for the report tests, built the way tests/e2e builds one: a small sandbox world
served on 127.0.0.1 and the daily Dagster job (which renders the report asset too) into a temporary
DuckDB file. Built once per test session, only when tests here run."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="session")
def report_build(clean_build):
    """(warehouse path, the daily job's result); the job ran with the world's ground truth available."""
    return clean_build


@pytest.fixture(scope="session")
def warehouse(report_build) -> Path:
    return report_build[0]


@pytest.fixture()
def con(warehouse):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def rendered_report(warehouse, world_dir, tmp_path_factory) -> Path:
    from touchpath.report import render

    return render(warehouse, tmp_path_factory.mktemp("report") / "report.html", ground_truth=world_dir)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The headless browser. It is a system package (Debian: `chromium`), part of the project install."""
    configured = os.environ.get("TOUCHPATH_CHROMIUM")
    found = configured or next((p for p in (shutil.which(c) for c in CHROMIUM_CANDIDATES) if p), None)
    if not found or not Path(found).exists():
        pytest.fail("headless Chromium not found: `make test` installs the Debian package `chromium` "
                    "(or set TOUCHPATH_CHROMIUM to a Chromium/Chrome binary)")
    return found
