"""Asset checks on the invariants users rely on, beyond the dbt tests (which are checks too).

Severity is deliberate (docs/decisions.md): a broken reconciliation means the marts disagree with
what was loaded, so it is an ERROR; stale data, unusual volumes and a high rejection rate need a
human to look but do not make the numbers wrong, so they WARN.
"""

import os

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from orchestration.metadata import read_warehouse, table_exists

# Tunables (env): share of refused records that warns; volume band vs the trailing days; data lag.
REJECTED_RATE_WARN = float(os.environ.get("TOUCHPATH_REJECTED_RATE_WARN", "0.01"))
VOLUME_LOW, VOLUME_HIGH = 0.5, 3.0
TRAILING_DAYS = 7
MAX_DATA_LAG_DAYS = int(os.environ.get("TOUCHPATH_MAX_DATA_LAG_DAYS", "2"))

# (source, resource) -> the raw table's "newest record" column.
FRESHNESS_COLUMNS = {
    ("tracking", "events"): "received_at",
    ("shopify", "orders"): "updated_at",
    ("meta_ads", "insights"): "date_start",
}

MARTS = "marts"


def _raw_key(source: str, resource: str) -> AssetKey:
    return AssetKey([f"raw_{source}", resource])


def _freshness_check(source: str, resource: str, column: str):
    @asset_check(
        asset=_raw_key(source, resource),
        name="data_is_fresh",
        description=f"The newest `{column}` is at most {MAX_DATA_LAG_DAYS} days older than today (WARN).",
        blocking=False,
    )
    def _check() -> AssetCheckResult:
        with read_warehouse() as con:
            if not table_exists(con, f"raw_{source}", resource):
                return AssetCheckResult(
                    passed=False, severity=AssetCheckSeverity.WARN, metadata={"note": "no data loaded yet"}
                )
            (lag_days,) = con.execute(
                f"select date_diff('day', cast(max({column}) as date), current_date) from raw_{source}.{resource}"
            ).fetchone()
        return AssetCheckResult(
            passed=lag_days is not None and lag_days <= MAX_DATA_LAG_DAYS,
            severity=AssetCheckSeverity.WARN,
            metadata={"days_since_newest_record": -1 if lag_days is None else int(lag_days)},
        )

    return _check


def _rejected_rate_check(source: str, resource: str):
    @asset_check(
        asset=_raw_key(source, resource),
        name="rejected_rate_under_threshold",
        description=f"Refused records stay under {REJECTED_RATE_WARN:.1%} of what the API sent (WARN).",
    )
    def _check() -> AssetCheckResult:
        with read_warehouse() as con:
            if not table_exists(con, f"raw_{source}", resource):
                return AssetCheckResult(passed=True, metadata={"note": "nothing loaded from this source yet"})
            (loaded,) = con.execute(f"select count(*) from raw_{source}.{resource}").fetchone()
            rejected = 0
            if table_exists(con, f"raw_{source}", "rejected_records"):
                (rejected,) = con.execute(
                    f"select count(*) from raw_{source}.rejected_records where resource = ?", [resource]
                ).fetchone()
        rate = rejected / (loaded + rejected) if loaded + rejected else 0.0
        return AssetCheckResult(
            passed=rate <= REJECTED_RATE_WARN,
            severity=AssetCheckSeverity.WARN,
            metadata={"rows_loaded": loaded, "rows_rejected": rejected, "rejected_rate": round(rate, 6)},
        )

    return _check


@asset_check(
    asset=_raw_key("tracking", "events"),
    name="daily_volume_within_normal_range",
    description=(
        f"Events received on the newest day are within {VOLUME_LOW:.0%}–{VOLUME_HIGH:.0%} of the "
        f"average of the {TRAILING_DAYS} days before it (WARN): catches a broken tracker or a bot flood."
    ),
)
def tracking_volume_check() -> AssetCheckResult:
    with read_warehouse() as con:
        rows = con.execute(
            """
            select cast(received_at as date) as day, count(*) as events
            from raw_tracking.events group by 1 order by 1 desc limit ?
            """,
            [TRAILING_DAYS + 1],
        ).fetchall()
    if len(rows) < 2:
        return AssetCheckResult(passed=True, metadata={"note": "not enough history yet"})
    newest, trailing = rows[0][1], [count for _, count in rows[1:]]
    baseline = sum(trailing) / len(trailing)
    ratio = newest / baseline if baseline else 0.0
    return AssetCheckResult(
        passed=VOLUME_LOW <= ratio <= VOLUME_HIGH,
        severity=AssetCheckSeverity.WARN,
        metadata={"newest_day": str(rows[0][0]), "events": newest, "trailing_average": round(baseline, 1),
                  "ratio": round(ratio, 3)},
    )


@asset_check(
    asset=AssetKey([MARTS, "fct_conversion_paths"]),
    name="orders_reconcile_with_loaded_orders",
    description="Every loaded order is exactly one conversion path, with the same revenue (ERROR).",
)
def orders_reconcile_check() -> AssetCheckResult:
    with read_warehouse() as con:
        loaded, loaded_revenue = con.execute(
            "select count(*), coalesce(sum(total_price), 0) from raw_shopify.orders"
        ).fetchone()
        paths, path_revenue = con.execute(
            f"select count(*), coalesce(sum(revenue), 0) from {MARTS}.fct_conversion_paths"
        ).fetchone()
    passed = loaded == paths and abs(float(loaded_revenue) - float(path_revenue)) < 0.01
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        metadata={"orders_loaded": loaded, "orders_in_paths": paths, "revenue_loaded": float(loaded_revenue),
                  "revenue_in_paths": float(path_revenue)},
    )


@asset_check(
    asset=AssetKey([MARTS, "fct_channel_performance_daily"]),
    name="spend_reconciles_with_loaded_spend",
    description="Under every model, spend in the mart equals the spend loaded from the ad platforms (ERROR).",
)
def spend_reconcile_check() -> AssetCheckResult:
    with read_warehouse() as con:
        (loaded,) = con.execute("select coalesce(sum(spend_reporting), 0) from intermediate.int_ad_spend_daily").fetchone()
        per_model = con.execute(
            f"select model, sum(spend) from {MARTS}.fct_channel_performance_daily group by model"
        ).fetchall()
    worst = max((abs(float(spend) - float(loaded)) for _, spend in per_model), default=0.0)
    return AssetCheckResult(
        passed=bool(per_model) and worst < 0.01,
        severity=AssetCheckSeverity.ERROR,
        metadata={"spend_loaded": float(loaded), "max_difference": worst, "models": len(per_model)},
    )


@asset_check(
    asset=AssetKey([MARTS, "fct_attribution"]),
    name="attributed_revenue_reconciles",
    description=(
        "Per model, attributed revenue + revenue of unattributed orders = revenue of all orders (ERROR): "
        "every order is credited under every model or listed with its reason."
    ),
)
def attribution_reconcile_check() -> AssetCheckResult:
    with read_warehouse() as con:
        (total,) = con.execute(f"select coalesce(sum(revenue_reporting), 0) from {MARTS}.fct_conversion_paths").fetchone()
        (unattributed,) = con.execute(
            f"select coalesce(sum(revenue_reporting), 0) from {MARTS}.fct_unattributed_orders"
        ).fetchone()
        per_model = con.execute(
            f"select model, sum(attributed_revenue) from {MARTS}.fct_attribution group by model"
        ).fetchall()
    gaps = {model: float(total) - float(unattributed) - float(revenue) for model, revenue in per_model}
    return AssetCheckResult(
        passed=bool(per_model) and all(abs(gap) < 0.01 for gap in gaps.values()),
        severity=AssetCheckSeverity.ERROR,
        metadata={"revenue_total": float(total), "revenue_unattributed": float(unattributed),
                  **{f"gap_{model}": round(gap, 6) for model, gap in gaps.items()}},
    )


def _resources() -> list[tuple[str, str]]:
    from ingestion.registry import SOURCE_RESOURCES

    return [(source, resource) for source, resources in SOURCE_RESOURCES.items() for resource in resources]


asset_checks = [
    *[_freshness_check(source, resource, column) for (source, resource), column in FRESHNESS_COLUMNS.items()],
    *[_rejected_rate_check(source, resource) for source, resource in _resources()],
    tracking_volume_check,
    orders_reconcile_check,
    spend_reconcile_check,
    attribution_reconcile_check,
]
