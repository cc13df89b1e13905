"""The Dagster code location: joins the modules, defines nothing itself."""

from dagster import Definitions

from orchestration.assets.ingestion import api_specs, dlt_resource, ingestion_assets
from orchestration.assets.report import touchpath_report
from orchestration.assets.transform import touchpath_dbt_assets
from orchestration.checks import asset_checks
from orchestration.dbt_project import dbt_resource
from orchestration.jobs import daily_job, daily_schedule
from orchestration.sensors import tracking_files_sensor

defs = Definitions(
    assets=[*api_specs, *ingestion_assets, touchpath_dbt_assets, touchpath_report],
    asset_checks=asset_checks,
    jobs=[daily_job],
    schedules=[daily_schedule],
    sensors=[tracking_files_sensor],
    resources={"dlt": dlt_resource, "dbt": dbt_resource},
)
