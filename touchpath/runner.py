"""Run the daily job through Dagster, in this process (the demo and the tests use it)."""

from datetime import date

from dagster import DagsterInstance, ExecuteInProcessResult
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG


def run_daily_job(
    first_day: date | str,
    last_day: date | str,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
    log_level: str = "INFO",
) -> ExecuteInProcessResult:
    """Materialize the daily partitions [first_day, last_day] (inclusive) in one run, as a backfill does."""
    # Imported here: loading definitions reads the dbt manifest, which `make setup` writes.
    from orchestration.definitions import defs

    job = defs.resolve_job_def("touchpath_daily")
    tags = {ASSET_PARTITION_RANGE_START_TAG: str(first_day), ASSET_PARTITION_RANGE_END_TAG: str(last_day)}
    return job.execute_in_process(
        instance=instance or DagsterInstance.ephemeral(),
        tags=tags,
        raise_on_error=raise_on_error,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )


def last_complete_day() -> date:
    """The newest daily partition: yesterday in the partitions' time zone."""
    from orchestration.partitions import daily_partitions

    return date.fromisoformat(daily_partitions.get_last_partition_key())
