"""The dbt project as Dagster sees it. Its own module, so the manifest is located in one place
(`make setup` runs `dbt parse`, which writes target/manifest.json before definitions load)."""

import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from touchpath.config import DBT_PROJECT_DIR

# The dbt of this interpreter's environment, found without an activated virtualenv: `dagster dev`
# re-parses the project through `dbt` on PATH (prepare_if_dev), and the resource runs it by path.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class TouchpathDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs paid before every build and used by nothing here:
    asking the executable for dbt's version, and loading a dbt adapter in Dagster's process (which
    `fetch_row_counts()` / `fetch_column_metadata()` would query; the assets call neither, so add them
    back here with the adapter if they ever do)."""

    def _initialize_dbt_core_adapter(self, args):
        # 1.7 s per run (dbt's project config, profile and macros loaded in this process).
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        # dagster-dbt runs `dbt --version` before every build (a 2-3 s Python start-up per run, on a
        # fixed cost that matters for the daily run). The executable is this environment's dbt, so
        # its version is the installed dbt-core's (a test compares the two).
        return version.parse(importlib.metadata.version("dbt-core"))


dbt_resource = TouchpathDbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(_BIN) / "dbt"))
