"""dbt assets: every seed, staging, intermediate and mart model; dbt tests become asset checks.

Partitioned like the ingestion assets. dbt receives the partition window as vars
(`partition_start`, `partition_end`); the incremental models reprocess exactly what the loads of
that window changed (see int_event_sessions), so re-running a day rebuilds identical tables.
"""

import json
import os
from collections.abc import Mapping
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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TouchpathDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    pool=WAREHOUSE_POOL,
)
def touchpath_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    # dbt runs as a subprocess: give it the warehouse path this process resolved.
    os.environ["TOUCHPATH_WAREHOUSE"] = str(warehouse_path())
    first_day, end_day = partition_window(context)
    dbt_vars = {"partition_start": first_day.isoformat(), "partition_end": end_day.isoformat()}
    # Unit tests are development checks (make test runs them); production builds run data tests only.
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars)]
    yield from dbt.cli(args, context=context).stream()
