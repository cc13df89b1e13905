"""Jobs and schedules."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

from orchestration.constants import DAILY_CRON, SCHEDULE_TIMEZONE, WAREHOUSE_TAG

daily_job = define_asset_job(
    name="touchpath_daily",
    selection=AssetSelection.all(),
    description="Load every API incrementally, then build and test every dbt model.",
    tags=WAREHOUSE_TAG,
)

daily_schedule = ScheduleDefinition(
    name="touchpath_daily_schedule",
    job=daily_job,
    cron_schedule=DAILY_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    description="Every morning: re-read the ad platforms' restatement window, new orders and events; rebuild.",
)
