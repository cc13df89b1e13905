"""A sensor that starts the daily job for each day whose tracking export files are new or changed."""

import hashlib
import json
import os

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from ingestion.tracking_files import day_of, list_files
from ingestion.tracking_files.helpers import file_fingerprint
from orchestration.jobs import daily_job
from orchestration.partitions import PARTITIONS_START, daily_partitions


@sensor(
    job=daily_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Watches TOUCHPATH_TRACKING_BUCKET for new or re-exported dt=YYYY-MM-DD/*.jsonl.gz or *.parquet files and "
        "runs the daily job for each day that changed. Turn it on in the UI when you export files."
    ),
)
def tracking_files_sensor(context: SensorEvaluationContext):
    bucket = os.environ.get("TOUCHPATH_TRACKING_BUCKET")
    if not bucket:
        return SkipReason("TOUCHPATH_TRACKING_BUCKET is not set")
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    last_partition = daily_partitions.get_last_partition_key()
    changed_days: dict[str, list[str]] = {}
    for path in list_files(bucket, PARTITIONS_START, None):
        name, fingerprint = str(path.relative_to(bucket)), file_fingerprint(path)
        day = day_of(path).isoformat()
        if seen.get(name) == fingerprint or last_partition is None or day > last_partition:
            continue  # known file, or a day that has no partition yet (it will when the day ends)
        changed_days.setdefault(day, []).append(f"{name}:{fingerprint}")
        seen[name] = fingerprint
    if not changed_days:
        return SkipReason("no new tracking files")
    requests = [
        RunRequest(
            partition_key=day,
            run_key=f"tracking-files-{day}-" + hashlib.sha1("|".join(files).encode()).hexdigest()[:12],
            tags={"touchpath/trigger": "tracking_files"},
        )
        for day, files in sorted(changed_days.items())
    ]
    return SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))
