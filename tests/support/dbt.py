"""Run the project's dbt against whatever TOUCHPATH_WAREHOUSE points at."""

import os
import subprocess
import sys
from pathlib import Path

from touchpath.config import DBT_PROJECT_DIR


def run_dbt(*args: str) -> str:
    """Run `dbt <args>` with the venv's dbt; fail the test with dbt's output if it fails."""
    executable = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(executable), *args, "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout
