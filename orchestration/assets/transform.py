"""dbt assets: every seed, staging, intermediate and mart model; dbt tests become asset checks.

Partitioned like the ingestion assets. dbt receives the partition window as the environment
variables `TOUCHPATH_PARTITION_START` and `TOUCHPATH_PARTITION_END` (the end exclusive); the incremental
models reprocess exactly what the loads of that window changed (see int_event_sessions), so re-running a
day rebuilds identical tables.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.constants import (
    GROUP_ATTRIBUTION,
    GROUP_JOURNEYS,
    GROUP_PERFORMANCE,
    GROUP_STAGING,
    OWNER,
    WAREHOUSE_POOL,
)
from orchestration.dbt_project import dbt_project
from orchestration.partitions import daily_partitions, partition_window, single_run_backfill
from touchpath.config import warehouse_path

# One target folder for every run of these assets, where dagster-dbt makes a new one per run. dbt's
# partial parsing then reuses the previous run's parse (4.4 s instead of 7.6-9.7 s for a full parse
# of this project, 2026-12-07), and a year of daily runs no longer leaves 365 folders of ~9 MB behind.
# Runs never overlap here: every dbt build is in the warehouse's pool (limit 1).
DBT_TARGET_PATH = Path("target") / "dagster"

_ATTRIBUTION_MODELS = ("attribution", "path_summary", "path_credits", "unattributed")
_PERFORMANCE_MODELS = ("performance", "recommendation", "spend", "int_ads")


class TouchpathDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        name = dbt_resource_props["name"]
        if dbt_resource_props["resource_type"] == "seed" or name.startswith("stg_"):
            return GROUP_STAGING
        if any(part in name for part in _ATTRIBUTION_MODELS):
            return GROUP_ATTRIBUTION
        if any(part in name for part in _PERFORMANCE_MODELS):
            return GROUP_PERFORMANCE
        return GROUP_JOURNEYS

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


# dbt tests on sources (raw_shopify.orders' id: not null, unique) are checks of the raw assets dlt
# loads; without enable_source_tests_as_checks Dagster logged them as observations, with a warning on
# every run.
@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TouchpathDbtTranslator(settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    )),
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    pool=WAREHOUSE_POOL,
)
def touchpath_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    # dbt runs as a subprocess: give it the warehouse path this process resolved.
    os.environ["TOUCHPATH_WAREHOUSE"] = str(warehouse_path())
    # The window goes by environment, not `--vars`: dbt re-parses the whole project whenever its vars
    # change, that is on every run. A model that needs it reads env_var('TOUCHPATH_PARTITION_START')
    # (dbt then re-parses that model alone when the value changes); none does today.
    first_day, end_day = partition_window(context)
    os.environ["TOUCHPATH_PARTITION_START"] = first_day.isoformat()
    os.environ["TOUCHPATH_PARTITION_END"] = end_day.isoformat()
    # Unit tests are development checks (make test runs them); production builds run data tests only.
    args = ["build", "--exclude-resource-type", "unit_test"]
    yield from dbt.cli(args, context=context, target_path=DBT_TARGET_PATH).stream()
