"""dlt assets: one multi-asset per source, one asset per resource (`raw_<source>/<resource>`).

The asset keys equal the dbt sources' keys (`raw_tracking/events` ...), which is what makes the
Dagster graph one connected lineage from each API to each mart.
"""

import os

from dagster import AssetExecutionContext, AssetKey, AssetSpec
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.common.pipeline import make_pipeline
from ingestion.registry import build_source, placeholder_source
from orchestration.constants import API_DESCRIPTIONS, GROUP_INGESTION, GROUP_SOURCES, OWNER
from touchpath.config import warehouse_path


def api_key(source_name: str) -> AssetKey:
    return AssetKey(["api", source_name])


api_specs = [
    AssetSpec(key=api_key(name), description=text, group_name=GROUP_SOURCES, kinds={"api"}, owners=[OWNER])
    for name, text in API_DESCRIPTIONS.items()
]


class TouchpathDltTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        source = data.resource.source_name
        return spec.replace_attributes(
            key=AssetKey([f"raw_{source}", data.resource.name]),
            deps=[api_key(source)],
            group_name=GROUP_INGESTION,
            kinds={"dlt", "duckdb"},
            owners=[OWNER],
            description=(
                f"Raw `{data.resource.name}` of the {source} API, loaded incrementally by dlt into "
                f"`raw_{source}.{data.resource.name}` (merge on its primary key)."
            ),
        )


def _make_dlt_assets(source_name: str):
    @dlt_assets(
        dlt_source=placeholder_source(source_name),
        dlt_pipeline=make_pipeline(source_name),
        name=f"ingest_{source_name}",
        dagster_dlt_translator=TouchpathDltTranslator(),
        op_tags={"touchpath/warehouse": "write"},
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource):
        # Built here, not at import: definitions load without secrets; the warehouse path is read now.
        os.environ.setdefault("TOUCHPATH_WAREHOUSE", str(warehouse_path()))
        yield from dlt.run(
            context=context,
            dlt_source=build_source(source_name),
            dlt_pipeline=make_pipeline(source_name),
        )

    return _assets


ingestion_assets = [_make_dlt_assets(name) for name in API_DESCRIPTIONS]
dlt_resource = DagsterDltResource()
