"""The dbt project as Dagster sees it. Its own module, so the manifest is located in one place
(`make setup` runs `dbt parse`, which writes target/manifest.json before definitions load)."""

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from touchpath.config import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

# The dbt of this interpreter's environment, so it works without an activated virtualenv.
dbt_resource = DbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt"))
