"""The dlt pipeline of one source: DuckDB warehouse file, `raw_<source>` dataset, local state dir."""

import dlt

from touchpath.config import dlt_pipelines_dir, warehouse_path


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
