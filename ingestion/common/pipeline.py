"""The dlt pipeline of one source: DuckDB warehouse file, `raw_<source>` dataset, local state dir."""

import os

import dlt

from touchpath.config import dlt_pipelines_dir, warehouse_path

# The same settings as .dlt/config.toml, for runs started outside the project folder (where dlt
# would not find that file): telemetry off, and Arrow rows stamped with their load id like every
# other row (the incremental dbt models select new loads by it).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")


def raw_dataset(source_name: str) -> str:
    return f"raw_{source_name}"


def make_pipeline(source_name: str) -> dlt.Pipeline:
    """One pipeline per source, so each keeps its own state and schema (`raw_<source>`)."""
    return dlt.pipeline(
        pipeline_name=f"touchpath_{source_name}",
        destination=dlt.destinations.duckdb(str(warehouse_path())),
        dataset_name=raw_dataset(source_name),
        pipelines_dir=str(dlt_pipelines_dir()),
    )
