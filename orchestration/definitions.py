"""The Dagster code location: joins the modules, defines nothing itself."""

from dagster import Definitions

from orchestration.assets.ingestion import api_specs, dlt_resource, ingestion_assets
from orchestration.assets.transform import touchpath_dbt_assets
from orchestration.dbt_project import dbt_resource
from orchestration.jobs import daily_job, daily_schedule

defs = Definitions(
    assets=[*api_specs, *ingestion_assets, touchpath_dbt_assets],
    jobs=[daily_job],
    schedules=[daily_schedule],
    resources={"dlt": dlt_resource, "dbt": dbt_resource},
)
