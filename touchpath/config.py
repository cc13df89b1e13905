"""Where things live: the warehouse file, the sandbox switch, project paths.

Every entry point (Dagster, dbt, the demo, the tests) resolves paths through here so that
`TOUCHPATH_WAREHOUSE` means the same file everywhere.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8765"


def warehouse_path() -> Path:
    """Absolute path of the DuckDB warehouse (`TOUCHPATH_WAREHOUSE`, default data/warehouse.duckdb)."""
    path = Path(os.environ.get("TOUCHPATH_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def lake_path() -> Path:
    """Where the warehouse keeps events as parquet files instead of DuckDB tables (`TOUCHPATH_LAKE`,
    default `<warehouse>.lake/` beside the warehouse file, as DuckDB's `<warehouse>.tmp`): the export files' validated events, which DuckDB reads
    in place through a view (ingestion/tracking_files/lake.py). Part of the warehouse: back it up and
    move it with the DuckDB file."""
    path = Path(os.environ.get("TOUCHPATH_LAKE") or warehouse_path().with_suffix(".lake")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the warehouse's writers (`TOUCHPATH_DUCKDB_MEMORY_LIMIT`, default 6GB):
    dbt builds (profiles.yml) and dlt loads alike, so the daily job fits next to Dagster; bigger work
    spills to disk. DuckDB's own default is 80% of the machine's memory."""
    return os.environ.get("TOUCHPATH_DUCKDB_MEMORY_LIMIT") or "6GB"


def duckdb_temp_directory() -> str | None:
    """Where DuckDB spills what does not fit under the memory limit (`TOUCHPATH_DUCKDB_TEMP_DIRECTORY`), for
    dbt builds and dlt loads alike; None keeps DuckDB's default, `<warehouse>.tmp` beside the file. A
    first build of 36M events with 2 dbt threads failed when those files filled the disk (bench/notes.md,
    2026-12-07): a machine whose warehouse disk is small can point them at a bigger one."""
    return os.environ.get("TOUCHPATH_DUCKDB_TEMP_DIRECTORY") or None


def sandbox_enabled() -> bool:
    """`TOUCHPATH_SANDBOX=1` points every connector at the local sandbox server."""
    return os.environ.get("TOUCHPATH_SANDBOX", "").strip().lower() in {"1", "true", "yes"}


def sandbox_url() -> str:
    return os.environ.get("TOUCHPATH_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")


def dlt_pipelines_dir() -> Path:
    """dlt's local working state lives beside the warehouse, so a temporary warehouse is fully isolated."""
    path = warehouse_path().parent / ".dlt_pipelines"
    path.mkdir(parents=True, exist_ok=True)
    return path
