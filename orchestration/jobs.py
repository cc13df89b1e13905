"""Jobs and schedules."""

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job, in_process_executor

from orchestration.constants import SCHEDULE_HOUR, SCHEDULE_MINUTE, WAREHOUSE_TAG
from orchestration.partitions import daily_partitions

daily_job = define_asset_job(
    name="touchpath_daily",
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    description=(
        "Load one day (or a backfilled range) from every API — ad platforms with their restatement "
        "window — then build and test every dbt model and run the reconciliation checks."
    ),
    tags=WAREHOUSE_TAG,
    # DuckDB has one writer, so the steps run one after another anyway; running them in the run's
    # own process saves a Python start-up (dagster + dlt + dbt imports) per step and check.
    executor_def=in_process_executor,
)

daily_schedule = build_schedule_from_partitioned_job(
    daily_job,
    name="touchpath_daily_schedule",
    hour_of_day=SCHEDULE_HOUR,
    minute_of_hour=SCHEDULE_MINUTE,
    description="Every morning: yesterday's partition (ads re-read their restatement window), then rebuild.",
)
