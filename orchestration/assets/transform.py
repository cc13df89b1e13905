"""dbt assets: every staging, intermediate and mart model; dbt tests become asset checks."""

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
)
from orchestration.dbt_project import dbt_project
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
    op_tags={"touchpath/warehouse": "write"},
)
def touchpath_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    # dbt runs as a subprocess: give it the warehouse path this process resolved.
    os.environ["TOUCHPATH_WAREHOUSE"] = str(warehouse_path())
    yield from dbt.cli(["build"], context=context).stream()
