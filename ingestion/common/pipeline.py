"""The dlt pipeline of one source: DuckDB warehouse file, `raw_<source>` dataset, local state dir."""

import os

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from touchpath.config import dlt_pipelines_dir, duckdb_memory_limit, duckdb_temp_directory, warehouse_path

# The same settings as .dlt/config.toml, for runs started outside the project folder (where dlt
# would not find that file): telemetry off, Arrow rows stamped with their load id like every other
# row (the incremental dbt models select new loads by it), merge staging tables emptied after a load,
# loaded packages' data files deleted.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")

# Sources whose extract files (the rows dlt writes at extraction and reads back to normalise them,
# deleted once normalised) are not gzipped: gzip at its highest level was 11% of Shopify's CPU (3M-event
# world: 2 of 18 CPU-s). The files are 8x bigger while they exist (there: 141 MB instead of 18 MB),
# so only sources of bounded volume (orders, customers, profiles) are listed, no event stream.
# The key is scoped to the source's pipeline (`<pipeline name>.data_writer.disable_compression`).
PLAIN_EXTRACT_FILES = frozenset({"shopify", "klaviyo"})
for _source in PLAIN_EXTRACT_FILES:
    os.environ.setdefault(f"TOUCHPATH_{_source.upper()}__DATA_WRITER__DISABLE_COMPRESSION", "true")


def raw_dataset(source_name: str) -> str:
    return f"raw_{source_name}"


# Every source loads through parquet files, the JSON (API) sources too. dlt's default for DuckDB,
# insert_values (SQL INSERT files), took 3-15x the memory: 8.8 GB and 98 s for the tracking API's 100k
# events, against 0.6 GB and 15 s (docs/decisions.md).
LOADER_FILE_FORMAT = "parquet"


def duckdb_global_config() -> dict[str, str]:
    """The load connection's DuckDB settings, as the dbt profile's: memory limit and spill directory."""
    config = {"memory_limit": duckdb_memory_limit()}
    if temp_directory := duckdb_temp_directory():
        config["temp_directory"] = temp_directory
    return config


def make_pipeline(source_name: str) -> dlt.Pipeline:
    """One pipeline per source, so each keeps its own state and schema (`raw_<source>`)."""
    return dlt.pipeline(
        pipeline_name=f"touchpath_{source_name}",
        destination=dlt.destinations.duckdb(
            # bounded like the dbt builds: a year of Klaviyo events (5.6M) merged at 4.4 GB under
            # DuckDB's default limit (80% of RAM), which grows with the backfill's size
            DuckDbCredentials(
                str(warehouse_path()),
                global_config=duckdb_global_config(),
            ),
            preferred_loader_file_format=LOADER_FILE_FORMAT,
        ),
        dataset_name=raw_dataset(source_name),
        pipelines_dir=str(dlt_pipelines_dir()),
    )
