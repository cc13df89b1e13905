"""The dbt project as Dagster sees it. Its own module, so the manifest is located in one place
(`make setup` runs `dbt parse`, which writes target/manifest.json before definitions load)."""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from touchpath.config import DBT_PROJECT_DIR

# The dbt of this interpreter's environment, found without an activated virtualenv: `dagster dev`
# re-parses the project through `dbt` on PATH (prepare_if_dev), and the resource runs it by path.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

dbt_resource = DbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(_BIN) / "dbt"))
