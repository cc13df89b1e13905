"""dlt assets: one multi-asset per source, one asset per resource (`raw_<source>/<resource>`).

The asset keys equal the dbt sources' keys (`raw_tracking/events` ...), which is what makes the
Dagster graph one connected lineage from each API to each mart. Every asset is partitioned by day:
a partition (or a backfilled range) loads exactly its window — events received and orders updated
in it, ad days in it plus the restatement window before it — and merges on primary keys, so
re-running a day is idempotent.
"""

import os
from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.common.pipeline import make_pipeline
from ingestion.registry import AD_PLATFORMS, RESTATEMENT_DAYS, build_source, placeholder_source
from ingestion.run import finish_load
from orchestration.constants import API_DESCRIPTIONS, GROUP_INGESTION, GROUP_SOURCES, OWNER, WAREHOUSE_POOL
from orchestration.metadata import lake_counts, rejected_counts
from orchestration.partitions import daily_partitions, partition_window, restated_start, single_run_backfill
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
            description=_describe(source, data.resource.name),
        )


def _describe(source: str, resource: str) -> str:
    refused = f"Refused records go to `raw_{source}.rejected_records` with their reason."
    if source == "tracking_files":
        return (
            "Events of the daily export files: validated, PII-hashed parquet files in the warehouse's lake, "
            "read through the view `raw_tracking_files.events`; dlt loads their manifest "
            f"(`raw_tracking_files.export_files`). {refused}"
        )
    return (
        f"Raw `{resource}` of the {source} API, loaded by dlt into `raw_{source}.{resource}` (merge on its "
        f"primary key). {refused}"
    )


def _make_dlt_assets(source_name: str):
    @dlt_assets(
        dlt_source=placeholder_source(source_name),
        dlt_pipeline=make_pipeline(source_name),
        name=f"ingest_{source_name}",
        dagster_dlt_translator=TouchpathDltTranslator(),
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
        pool=WAREHOUSE_POOL,
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[MaterializeResult]:
        first_day, end_day = partition_window(context)
        if source_name in AD_PLATFORMS:
            first_day = restated_start(first_day, RESTATEMENT_DAYS)
        context.log.info(f"{source_name}: loading the window [{first_day}, {end_day})")
        # Built here, not at import: definitions load without secrets; the warehouse path is read now.
        os.environ.setdefault("TOUCHPATH_WAREHOUSE", str(warehouse_path()))
        pipeline = make_pipeline(source_name)
        source = build_source(source_name, start_date=first_day.isoformat(), end_date=end_day.isoformat())
        results = list(dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline))
        # Before any asset is reported: the export files' events become visible here (their view).
        finish_load(source_name, pipeline)
        load_ids = list(pipeline.last_trace.last_load_info.loads_ids) if pipeline.last_trace else []
        for result in results:
            resource = result.asset_key.path[-1]
            metadata = {
                **result.metadata,
                "window_start": str(first_day),
                "window_end": str(end_day),
                "dlt_load_ids": ", ".join(load_ids),
                **rejected_counts(source_name, resource, load_ids),
                **lake_counts(source_name, load_ids),
            }
            yield MaterializeResult(asset_key=result.asset_key, metadata=metadata)

    return _assets


ingestion_assets = [_make_dlt_assets(name) for name in API_DESCRIPTIONS]
dlt_resource = DagsterDltResource()
