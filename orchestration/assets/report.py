"""The HTML report: one self-contained page rendered from the marts after every daily run.

Partitioned like the dbt assets (same daily partitions, single-run backfill) so it joins the daily job;
it always renders the whole warehouse, whatever the partition. Written beside the warehouse:
`<warehouse dir>/reports/touchpath_report.html`.
"""

import os
import warnings

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BetaWarning,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.assets.transform import touchpath_dbt_assets
from orchestration.constants import GROUP_PERFORMANCE, OWNER, WAREHOUSE_POOL
from orchestration.partitions import daily_partitions, single_run_backfill
from touchpath.config import warehouse_path

REPORT_FILE = "touchpath_report.html"
# What the report reads. Every dbt model in the marts schema is a dependency (so models added there,
# such as fct_ad_recommendations, are waited for as soon as they exist); these are always required.
READ_MARTS = (
    "fct_funnel_daily",
    "fct_conversion_paths",
    "fct_attribution",
    "fct_channel_performance_daily",
    "fct_unattributed_orders",
    "fct_sessions",
    "fct_touchpoints",
    "dim_customers",
)


def _mart_keys() -> list[AssetKey]:
    keys = {key for key in touchpath_dbt_assets.keys if key.path[0] == "marts"}
    keys |= {AssetKey(["marts", name]) for name in READ_MARTS}
    return sorted(keys, key=lambda k: k.to_user_string())


class ReportConfig(Config):
    # A sandbox world folder or its ground_truth.json/.csv; default: env TOUCHPATH_GROUND_TRUTH, else none.
    ground_truth: str | None = None
    # The attribution model of the ROAS / CPA / CAC panels.
    model: str = "markov"


# `backfill_policy` on @asset is flagged beta; the dbt assets use the same policy, so silence the notice.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")


@asset(
    key=AssetKey(["report", "touchpath_report"]),
    deps=_mart_keys(),
    group_name=GROUP_PERFORMANCE,
    kinds={"python", "html"},
    owners=[OWNER],
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    # Reads the warehouse: queued with its writers so it never meets a held write lock.
    pool=WAREHOUSE_POOL,
    description=(
        "Self-contained HTML report (inline SVG, works offline): funnel, conversion paths, attribution models "
        "side by side, ROAS/CPA/CAC over time, cohort retention, LTV by channel, rule recommendations."
    ),
)
def touchpath_report(context: AssetExecutionContext, config: ReportConfig) -> MaterializeResult:
    from touchpath.report import markdown_preview, render

    warehouse = warehouse_path()
    out = warehouse.parent / "reports" / REPORT_FILE
    ground_truth = config.ground_truth or os.environ.get("TOUCHPATH_GROUND_TRUTH") or None
    path = render(warehouse, out, ground_truth=ground_truth, model=config.model)
    context.log.info(f"report written to {path}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "size_kb": MetadataValue.float(round(path.stat().st_size / 1024, 1)),
            "preview": MetadataValue.md(markdown_preview(warehouse)),
            "ground_truth": MetadataValue.text(str(ground_truth) if ground_truth else "none"),
        }
    )
