"""Daily partitions shared by every asset: one partition = one day of data (in the schedule's time
zone). A backfill of a date range runs as ONE run (single-run backfill policy): the connectors read
the whole window, dbt builds once."""

import os
from datetime import date, timedelta

from dagster import AssetExecutionContext, BackfillPolicy, DailyPartitionsDefinition

from orchestration.constants import SCHEDULE_TIMEZONE

# First day a backfill can reach (env TOUCHPATH_PARTITIONS_START, default 2026-01-01).
PARTITIONS_START = os.environ.get("TOUCHPATH_PARTITIONS_START", "2026-01-01")

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone=SCHEDULE_TIMEZONE)
single_run_backfill = BackfillPolicy.single_run()


def partition_window(context: AssetExecutionContext) -> tuple[date, date]:
    """[first day, end day) of the partition or partition range being materialized."""
    window = context.partition_time_window
    return window.start.date(), window.end.date()


def restated_start(first_day: date, restatement_days: int) -> date:
    """Ad platforms restate the trailing days: a partition's load re-reads that many days before it."""
    return first_day - timedelta(days=restatement_days)
