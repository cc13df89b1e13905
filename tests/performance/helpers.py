"""Run dbt on a test warehouse without touching the shared dbt_project/target."""

import os
import subprocess
import sys
from pathlib import Path

from touchpath.config import DBT_PROJECT_DIR


def dbt(warehouse: Path, target_path: Path, *args: str, data_tests_may_fail: bool = False) -> str:
    """Run the venv's dbt on `warehouse`, writing its artifacts to `target_path` (not the shared target/).
    `data_tests_may_fail`: dbt's exit code 1 (a data test failed) is accepted too; the caller reads
    run_results.json."""
    executable = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(executable), *args, "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "TOUCHPATH_WAREHOUSE": str(warehouse)},
    )
    accepted = (0, 1) if data_tests_may_fail else (0,)
    assert result.returncode in accepted, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout
