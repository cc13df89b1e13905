"""Running a source's pipeline, and what must follow every load of it.

Every entry point that loads (the Dagster assets, the bench, the tests) goes through `finish_load`
after `pipeline.run`: the export files' events are parquet files of the lake, and their view
(`raw_tracking_files.events`) is refreshed there, once dlt has committed the load.
"""

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.extract.source import DltSource

from touchpath.config import lake_path

from .common.pipeline import make_pipeline
from .registry import build_source
from .tracking_files.lake import publish


def finish_load(source_name: str, pipeline: dlt.Pipeline) -> None:
    """After a successful `pipeline.run` of `source_name`."""
    if source_name == "tracking_files":
        publish(pipeline, lake_path())


def run_pipeline(source_name: str, source: DltSource | None = None, **overrides) -> LoadInfo:
    """Load `source` (default: the configured source, with `overrides` such as a date window)."""
    pipeline = make_pipeline(source_name)
    info = pipeline.run(source if source is not None else build_source(source_name, **overrides))
    finish_load(source_name, pipeline)
    return info
