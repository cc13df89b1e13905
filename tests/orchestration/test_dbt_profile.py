"""The dbt profile's tunables come from the environment: dbt's threads, DuckDB's memory limit and where
DuckDB spills.

Rendered by dbt's own profile loader in a subprocess (it reads the environment once per invocation).
"""

import json
import os
import subprocess
import sys

import pytest

from touchpath.config import DBT_PROJECT_DIR

PROFILE = """
import json, os
from argparse import Namespace
from dbt_common.context import set_invocation_context
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt.flags import set_from_args
set_invocation_context(os.environ)
set_from_args(Namespace(), None)
profile = Profile.from_raw_profiles(read_profile('.'), 'touchpath', renderer=ProfileRenderer({}))
"""

RENDER = PROFILE + """
settings, opened_with = profile.credentials.settings, profile.credentials.config_options
print(json.dumps({'threads': profile.threads, 'memory_limit': settings['memory_limit'],
                  'temp_directory': opened_with['temp_directory']}))
"""

# What dbt-duckdb does: open the database once, then set the profile's `settings` on a new cursor for
# every node. One cursor spills (a temp table 4x a tiny memory limit) before the next one starts.
NODE_AFTER_A_SPILL = PROFILE + """
from dbt.adapters.duckdb.environments import Environment
creds = profile.credentials
database = Environment.initialize_db(creds)
first = Environment.initialize_cursor(creds, database.cursor())
first.execute("set memory_limit = '50MB'")
first.execute("create temp table spilled as select range as i, repeat('x', 100) || range as s from range(2000000)")
Environment.initialize_cursor(creds, database.cursor())
spill = first.execute("select current_setting('temp_directory')").fetchall()[0][0]
print(json.dumps({'spill_files': len(os.listdir(spill))}))
"""


def rendered(**env: str) -> dict:
    return run_with_profile(RENDER, **env)


def run_with_profile(script: str, **env: str) -> dict:
    tunables = ("TOUCHPATH_DBT_THREADS", "TOUCHPATH_DUCKDB_MEMORY_LIMIT", "TOUCHPATH_DUCKDB_TEMP_DIRECTORY")
    clean = {k: v for k, v in os.environ.items() if k not in tunables}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=DBT_PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults():
    # the spill directory is DuckDB's own default for the warehouse file, spelled out
    assert rendered(TOUCHPATH_WAREHOUSE="/data/wh.duckdb") == {
        "threads": 2,
        "memory_limit": "6GB",
        "temp_directory": "/data/wh.duckdb.tmp",
    }


@pytest.mark.parametrize("threads", [1, 4])
def test_threads_from_environment(threads):
    # a first build of tens of millions of events runs faster one model at a time (bench/notes.md)
    assert rendered(TOUCHPATH_DBT_THREADS=str(threads))["threads"] == threads


def test_memory_limit_from_environment():
    assert rendered(TOUCHPATH_DUCKDB_MEMORY_LIMIT="3GB")["memory_limit"] == "3GB"


def test_temp_directory_from_environment():
    # a first build of tens of millions of events can fill a small warehouse disk with spill
    got = rendered(TOUCHPATH_WAREHOUSE="/data/wh.duckdb", TOUCHPATH_DUCKDB_TEMP_DIRECTORY="/scratch/duckdb")
    assert got["temp_directory"] == "/scratch/duckdb"


def test_empty_temp_directory_keeps_the_default():
    # DuckDB reads an empty temp_directory as "never spill": a set-but-empty variable must not mean that
    got = rendered(TOUCHPATH_WAREHOUSE="/data/wh.duckdb", TOUCHPATH_DUCKDB_TEMP_DIRECTORY="")
    assert got["temp_directory"] == "/data/wh.duckdb.tmp"


def test_a_node_can_start_while_another_spills(tmp_path):
    """DuckDB refuses to set temp_directory again, even to the same value, once something spilled there:
    given with `settings` (run on every node's new cursor), it failed a 36M-event build's nodes that
    started while a big model spilled ("Cannot switch temporary directory after the current one has
    been used"). The profile gives it when the database is opened."""
    got = run_with_profile(NODE_AFTER_A_SPILL, TOUCHPATH_WAREHOUSE=str(tmp_path / "wh.duckdb"))
    assert got["spill_files"] > 0, "nothing spilled: the test did not reproduce the situation"
