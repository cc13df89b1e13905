"""One warehouse per module, built by the daily Dagster job against the small sandbox world."""

import json
from pathlib import Path

import duckdb
import pytest

from tests.performance.helpers import dbt


@pytest.fixture(scope="module")
def warehouse(clean_build) -> Path:
    """Path of the warehouse the daily job built from WORLD (named warehouse.duckdb, as dbt's catalog)."""
    return clean_build[0]


@pytest.fixture(scope="module")
def dbt_target(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("performance_dbt_target")


@pytest.fixture(scope="module")
def recommendations_sql(warehouse, dbt_target) -> str:
    """The compiled SQL of fct_ad_recommendations, to evaluate it against other rule tables."""
    out = dbt(
        warehouse, dbt_target, "compile", "--select", "fct_ad_recommendations", "--output", "json", "--quiet"
    )
    return json.loads(out[out.index("{") :])["compiled"]


@pytest.fixture()
def wh(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()
