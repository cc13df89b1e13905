"""The dbt resource is told dbt's version rather than asking for it: the two must agree."""

import re
import subprocess

from orchestration.dbt_project import dbt_resource


def test_the_version_told_is_the_executables():
    output = subprocess.run([dbt_resource.dbt_executable, "--version"], capture_output=True, text=True, check=True)
    core = re.search(r"(\d+\.\d+\.\d+)", output.stdout).group(1)
    assert str(dbt_resource._cli_version) == core
