"""The real UI path: `dagster dev` on 127.0.0.1, a run launched through its GraphQL API, succeeding
with its asset checks. Slow (a webserver, a daemon and a run), so it is marked; make test runs it."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from tests.conftest import WORLD
from touchpath.config import PROJECT_ROOT
from touchpath.sandbox_session import sandbox_apis

pytestmark = pytest.mark.slow

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""
STATUS = """
query Status($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status } }
}
"""
CHECKS = """
query Checks($assetKey: AssetKeyInput!) {
  assetNodes(assetKeys: [$assetKey]) {
    assetChecksOrError { ... on AssetChecks { checks { name executionForLatestMaterialization { status } } } }
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(url: str, query: str, variables: dict) -> dict:
    response = requests.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_a_run_launched_through_the_webserver_succeeds_with_its_checks(world_dir, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with sandbox_apis(world_dir, WORLD["start_date"]):
        env = {**os.environ, "DAGSTER_HOME": str(home), "TOUCHPATH_WAREHOUSE": str(tmp_path / "ui.duckdb")}
        dagster = Path(sys.executable).parent / "dagster"
        process = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"{url}/server_info", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                time.sleep(1)
            else:
                pytest.fail("dagster dev did not come up")

            # A day inside the sandbox world, so every source has rows on the first load.
            day = (date.fromisoformat(WORLD["start_date"]) + timedelta(days=WORLD["days"] // 2)).isoformat()
            params = {
                "selector": {"repositoryLocationName": "touchpath", "repositoryName": "__repository__",
                             "jobName": "touchpath_daily"},
                "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
            }
            launched = graphql(url, LAUNCH, {"params": params})["launchRun"]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            run_id = launched["run"]["runId"]

            status = None
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                status = graphql(url, STATUS, {"runId": run_id})["runOrError"]["status"]
                if status in {"SUCCESS", "FAILURE", "CANCELED"}:
                    break
                time.sleep(3)
            assert status == "SUCCESS"

            nodes = graphql(url, CHECKS, {"assetKey": {"path": ["marts", "fct_attribution"]}})["assetNodes"]
            checks = {c["name"]: (c["executionForLatestMaterialization"] or {}).get("status")
                      for c in nodes[0]["assetChecksOrError"]["checks"]}
            assert checks["attributed_revenue_reconciles"] == "SUCCEEDED"
            assert any(name.startswith("credits_sum_to_one") and s == "SUCCEEDED" for name, s in checks.items())
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
