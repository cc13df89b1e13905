"""What the report shows, read from the marts (read-only). Each function returns plain Python data."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov",
          "shapley")
STAGE_ORDER_SQL = "stage_order"


def connect(warehouse: Path | str) -> duckdb.DuckDBPyConnection:
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path} (set TOUCHPATH_WAREHOUSE or pass --warehouse)")
    return duckdb.connect(str(path), read_only=True)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0][0])


@dataclass
class ReportData:
    warehouse: str
    kpis: dict = field(default_factory=dict)
    period: tuple[date | None, date | None] = (None, None)
    funnel: list[dict] = field(default_factory=list)
    funnel_by_channel: list[dict] = field(default_factory=list)
    sankey_links: dict = field(default_factory=dict)
    sankey_columns: list[str] = field(default_factory=list)
    top_paths: list[dict] = field(default_factory=list)
    path_length: list[dict] = field(default_factory=list)
    attribution: list[dict] = field(default_factory=list)
    ground_truth: list[dict] | None = None
    ground_truth_note: str = ""
    bucket: str = "day"
    performance: list[dict] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    cohorts: dict = field(default_factory=dict)
    ltv: list[dict] = field(default_factory=list)
    recommendations: dict = field(default_factory=dict)
    platform_vs_ours: list[dict] = field(default_factory=list)
    headline_model: str = "markov"


def load(warehouse: Path | str, ground_truth: Path | str | None = None, headline_model: str = "markov") -> ReportData:
    con = connect(warehouse)
    try:
        data = ReportData(warehouse=str(warehouse))
        data.kpis, data.period = kpis(con)
        data.funnel = funnel(con)
        data.funnel_by_channel = funnel_by_channel(con)
        data.sankey_columns, data.sankey_links = path_flows(con)
        data.top_paths = top_paths(con)
        data.path_length = path_lengths(con)
        data.attribution = attribution_by_channel(con)
        if ground_truth is not None:
            channels = sorted({r["channel"] for r in data.attribution})
            data.ground_truth, data.ground_truth_note = load_ground_truth(Path(ground_truth), channels)
        start, end = data.period
        data.bucket = "week" if start and end and (end - start).days > 45 else "day"
        data.performance = performance_over_time(con, data.bucket, headline_model)
        data.campaigns = campaign_table(con, data.bucket, headline_model)
        data.cohorts = cohort_retention(con)
        data.ltv = ltv_by_channel(con)
        data.recommendations = recommendations(con)
        data.platform_vs_ours = platform_vs_ours(con, headline_model)
        data.headline_model = headline_model
        return data
    finally:
        con.close()


def kpis(con) -> tuple[dict, tuple]:
    orders = rows(con, """
        select count(*) as orders,
               coalesce(sum(revenue_reporting), 0) as revenue,
               coalesce(sum(case when is_first_order then 1 else 0 end), 0) as new_customers,
               cast(min(ordered_at) as date) as first_day,
               cast(max(ordered_at) as date) as last_day,
               median(touchpoint_count) filter (where touchpoint_count > 0) as median_touches,
               median(days_to_convert) filter (where is_first_order and touchpoint_count > 0) as median_days
        from marts.fct_conversion_paths
    """)[0]
    spend = rows(con, """
        select coalesce(sum(spend), 0) as spend, coalesce(sum(platform_conversions), 0) as platform_conversions,
               min(day) as first_day, max(day) as last_day
        from marts.fct_channel_performance_daily where model = 'last_touch'
    """)[0]
    sessions = rows(con, "select count(*) as sessions, count(distinct customer_key) as people "
                         "from marts.fct_sessions")[0]
    unattributed = rows(con, "select count(*) as n, coalesce(sum(revenue_reporting), 0) as revenue "
                             "from marts.fct_unattributed_orders")[0]
    k = {**orders, **{"spend": spend["spend"], "platform_conversions": spend["platform_conversions"]}, **sessions,
         "unattributed_orders": unattributed["n"], "unattributed_revenue": unattributed["revenue"]}
    k["roas"] = k["revenue"] / k["spend"] if k["spend"] else None
    k["blended_cac"] = k["spend"] / k["new_customers"] if k["new_customers"] else None
    days = [d for d in (orders["first_day"], orders["last_day"], spend["first_day"], spend["last_day"]) if d]
    period = (min(days), max(days)) if days else (None, None)
    return k, period


def funnel(con) -> list[dict]:
    """People per stage, summed over days and channels (a person counts once per day and channel)."""
    return rows(con, """
        select stage, min(stage_order) as stage_order, sum(people) as people,
               sum(reached_next) as reached_next,
               sum(reached_next) * 1.0 / nullif(sum(people), 0) as conversion_to_next
        from marts.fct_funnel_daily
        group by stage
        order by stage_order
    """)


def funnel_by_channel(con) -> list[dict]:
    return rows(con, """
        select channel, stage, min(stage_order) as stage_order, sum(people) as people,
               sum(reached_next) * 1.0 / nullif(sum(people), 0) as conversion_to_next
        from marts.fct_funnel_daily
        group by channel, stage
        order by channel, stage_order
    """)


def path_flows(con, depth: int = 5) -> tuple[list[str], dict]:
    """The last `depth` touches before every attributed order, aligned on the purchase."""
    paths = con.execute(
        "select channel_path, count(*) from marts.fct_conversion_paths where touchpoint_count > 0 "
        "group by channel_path"
    ).fetchall()
    columns = [f"{depth}th-last touch or earlier"] + [f"{k}{_ord(k)}-last touch" for k in range(depth - 1, 1, -1)] \
        + ["last touch", "purchase"]
    links: dict[tuple[int, str, str], float] = defaultdict(float)
    for path, count in paths:
        steps = path.split(" > ")
        tail = steps[-depth:]
        start_col = depth - len(tail)
        for i, step in enumerate(tail):
            col = start_col + i
            nxt = tail[i + 1] if i + 1 < len(tail) else "purchase"
            links[(col, step, nxt)] += count
    return columns, dict(links)


def _ord(k: int) -> str:
    return {1: "st", 2: "nd", 3: "rd"}.get(k, "th")


def top_paths(con, limit: int = 15) -> list[dict]:
    return rows(con, """
        select channel_path, count(*) as orders, sum(revenue_reporting) as revenue,
               avg(touchpoint_count) as touches, avg(days_to_convert) as days_to_convert
        from marts.fct_conversion_paths
        where touchpoint_count > 0
        group by channel_path
        order by orders desc, revenue desc, channel_path
        limit ?
    """, [limit])


def path_lengths(con) -> list[dict]:
    return rows(con, """
        select least(touchpoint_count, 15) as touches, count(*) as orders
        from marts.fct_conversion_paths where touchpoint_count > 0
        group by 1 order by 1
    """)


def attribution_by_channel(con) -> list[dict]:
    return rows(con, """
        with by_channel as (
            select channel, model, sum(attributed_revenue) as revenue, sum(credit) as orders,
                   sum(case when is_first_order then credit else 0 end) as first_orders
            from marts.fct_attribution
            group by channel, model
        )
        select *, revenue / nullif(sum(revenue) over (partition by model), 0) as revenue_share,
               orders / nullif(sum(orders) over (partition by model), 0) as order_share
        from by_channel
        order by channel, model
    """)


def load_ground_truth(path: Path, channels: list[str] | None = None) -> tuple[list[dict] | None, str]:
    """The sandbox's ground truth (a world folder, ground_truth.json or .csv) as rows per warehouse channel.

    The simulator switches off single channels (meta, tiktok, google_ads, email, ...) and groups
    (paid_social = meta + tiktok, crm, all_paid). A warehouse channel takes the row of the same name
    when there is one (a group row is right: incremental effects do not add up across channels), else the
    sum of the single-channel rows whose `channel_group` it is. Rows matching no warehouse channel are
    left out (when `channels` is given).
    """
    if path.is_dir():
        candidates = [path / "ground_truth.json", path / "ground_truth.csv"]
        path = next((p for p in candidates if p.exists()), candidates[0])
    if not path.exists():
        return None, f"no ground truth at {path}"
    if path.suffix == ".json":
        channel_rows = json.loads(path.read_text()).get("channels", [])
    else:
        with path.open(newline="", encoding="utf-8") as f:
            channel_rows = list(csv.DictReader(f))

    def num(value) -> float:
        try:
            return float(value)
        except (TypeError, ValueError):
            return 0.0

    def entry(name: str, members: list[dict]) -> dict:
        return {"channel": name,
                "revenue": sum(num(r.get("true_incremental_revenue")) for r in members),
                "orders": sum(num(r.get("true_incremental_conversions")) for r in members),
                "last_click_revenue": sum(num(r.get("last_click_revenue")) for r in members)}

    by_name = {r["channel"]: r for r in channel_rows}
    singles = [r for r in channel_rows if not r.get("members") or len(r.get("members") or []) <= 1]
    wanted = channels if channels is not None else sorted(
        {r.get("channel_group") or r["channel"] for r in singles})
    grouped = []
    for channel in wanted:
        if channel in by_name:
            grouped.append(entry(channel, [by_name[channel]]))
            continue
        members = [r for r in singles if (r.get("channel_group") or r["channel"]) == channel]
        if members:
            grouped.append(entry(channel, members))
    total = sum(max(g["revenue"], 0) for g in grouped)
    for g in grouped:
        g["revenue_share"] = max(g["revenue"], 0) / total if total else None
    return sorted(grouped, key=lambda g: -g["revenue"]), str(path)


def _bucket_sql(bucket: str, column: str = "day") -> str:
    return f"cast(date_trunc('week', {column}) as date)" if bucket == "week" else f"cast({column} as date)"


def performance_over_time(con, bucket: str, model: str) -> list[dict]:
    """Per paid platform (channel / platform with spend) and bucket: spend, ROAS, CPA, CAC, new-customer CAC.

    CAC divides spend by the customers the model credits (each buying customer split over channels by
    credit, counted once per bucket); new-customer CAC counts only first orders.
    """
    b = _bucket_sql(bucket)
    return rows(con, f"""
        with perf as (
            select {b} as bucket, channel, platform,
                   sum(spend) as spend, sum(attributed_orders) as orders, sum(attributed_revenue) as revenue,
                   sum(new_customers) as new_customers
            from marts.fct_channel_performance_daily
            where model = ?
            group by 1, 2, 3
        ),
        customer_orders as (
            select {_bucket_sql(bucket, 'ordered_at')} as bucket, customer_key,
                   count(distinct order_id) as n_orders
            from marts.fct_attribution where model = ?
            group by 1, 2
        ),
        customers as (
            select {_bucket_sql(bucket, 'a.ordered_at')} as bucket, a.channel,
                   coalesce(a.platform, '(none)') as platform,
                   sum(a.credit / c.n_orders) as customers
            from marts.fct_attribution as a
            inner join customer_orders as c
                on c.customer_key = a.customer_key
                and c.bucket = {_bucket_sql(bucket, 'a.ordered_at')}
            where a.model = ?
            group by 1, 2, 3
        ),
        paid as (
            select channel, platform from perf group by 1, 2 having sum(spend) > 0
        )
        select perf.bucket, perf.channel, perf.platform, perf.spend, perf.orders, perf.revenue,
               perf.new_customers, coalesce(customers.customers, 0) as customers,
               perf.revenue / nullif(perf.spend, 0) as roas,
               perf.spend / nullif(perf.orders, 0) as cpa,
               perf.spend / nullif(customers.customers, 0) as cac,
               perf.spend / nullif(perf.new_customers, 0) as new_customer_cac
        from perf
        inner join paid on perf.channel = paid.channel and perf.platform = paid.platform
        left join customers
            on perf.bucket = customers.bucket and perf.channel = customers.channel
            and perf.platform = customers.platform
        order by perf.channel, perf.platform, perf.bucket
    """, [model, model, model])


def campaign_table(con, bucket: str, model: str, limit: int = 25) -> list[dict]:
    """Campaigns with spend: totals under two models and the headline model's ROAS per bucket."""
    b = _bucket_sql(bucket)
    totals = rows(con, """
        select channel, platform, campaign_id, max(campaign_name) as campaign_name,
               sum(spend) filter (where model = ?) as spend,
               sum(attributed_revenue) filter (where model = 'last_touch') as revenue_last_touch,
               sum(attributed_revenue) filter (where model = ?) as revenue,
               sum(attributed_orders) filter (where model = ?) as orders,
               sum(new_customers) filter (where model = ?) as new_customers,
               sum(platform_conversions) filter (where model = ?) as platform_conversions
        from marts.fct_channel_performance_daily
        group by 1, 2, 3
        having sum(spend) > 0
        order by spend desc
        limit ?
    """, [model, model, model, model, model, limit])
    series = rows(con, f"""
        select campaign_id, platform, {b} as bucket,
               sum(attributed_revenue) / nullif(sum(spend), 0) as roas
        from marts.fct_channel_performance_daily
        where model = ?
        group by 1, 2, 3
    """, [model])
    by_campaign: dict[tuple, dict] = defaultdict(dict)
    for r in series:
        by_campaign[(r["campaign_id"], r["platform"])][r["bucket"]] = r["roas"]
    for t in totals:
        spend = t["spend"] or 0
        t["roas"] = (t["revenue"] or 0) / spend if spend else None
        t["roas_last_touch"] = (t["revenue_last_touch"] or 0) / spend if spend else None
        t["cpa"] = spend / t["orders"] if t["orders"] else None
        t["new_customer_cac"] = spend / t["new_customers"] if t["new_customers"] else None
        t["roas_series"] = by_campaign.get((t["campaign_id"], t["platform"]), {})
    return totals


def cohort_retention(con) -> dict:
    """Acquisition month (or week, for short histories) × periods since the first order: share ordering."""
    span = con.execute("select min(first_order_at), max(first_order_at) from marts.dim_customers").fetchall()[0]
    unit = "month"
    if span[0] is None:
        return {"unit": unit, "rows": [], "cols": [], "cells": {}, "sizes": []}
    if (span[1] - span[0]).days < 60:
        unit = "week"
    if unit == "month":
        period_sql = ("(year(o.ordered_at) - year(c.first_order_at)) * 12 "
                      "+ month(o.ordered_at) - month(c.first_order_at)")
    else:
        period_sql = "datediff('day', date_trunc('week', c.first_order_at), o.ordered_at) // 7"
    data = rows(con, f"""
        with customers as (
            select customer_key, first_order_at, cast(date_trunc('{unit}', first_order_at) as date) as cohort
            from marts.dim_customers where first_order_at is not null
        ),
        activity as (
            select c.cohort, {period_sql} as period, count(distinct c.customer_key) as active
            from customers as c
            inner join marts.fct_conversion_paths as o on o.customer_key = c.customer_key
            group by 1, 2
        ),
        sizes as (select cohort, count(*) as size from customers group by 1)
        select a.cohort, a.period, a.active, s.size, a.active * 1.0 / s.size as share
        from activity as a inner join sizes as s on a.cohort = s.cohort
        order by 1, 2
    """)
    cohorts = sorted({r["cohort"] for r in data})
    max_period = max((r["period"] for r in data), default=0)
    sizes = {r["cohort"]: r["size"] for r in data}
    fmt = "%Y-%m" if unit == "month" else "%Y-%m-%d"
    cells = {(cohorts.index(r["cohort"]), int(r["period"])): r["share"] for r in data}
    return {
        "unit": unit,
        "rows": [c.strftime(fmt) for c in cohorts],
        "cols": [str(p) for p in range(int(max_period) + 1)],
        "cells": cells,
        "sizes": [f"{sizes[c]:,}" for c in cohorts],
    }


def ltv_by_channel(con) -> list[dict]:
    return rows(con, """
        select coalesce(acquisition_channel, '(unknown)') as channel, count(*) as customers,
               avg(lifetime_revenue) as ltv, avg(ltv_30d) as ltv_30d, avg(ltv_90d) as ltv_90d,
               avg(order_count) as orders_per_customer,
               avg(case when order_count >= 2 then 1.0 else 0.0 end) as repeat_rate
        from marts.dim_customers
        where order_count > 0
        group by 1
        order by ltv desc
    """)


def platform_vs_ours(con, model: str) -> list[dict]:
    """Per ad platform: the conversions it reports itself beside the orders our models credit to it."""
    return rows(con, """
        select platform,
               sum(platform_conversions) filter (where model = 'last_touch') as platform_reported,
               sum(attributed_orders) filter (where model = 'last_touch') as last_touch,
               sum(attributed_orders) filter (where model = ?) as headline
        from marts.fct_channel_performance_daily
        group by platform
        having sum(spend) > 0
        order by platform_reported desc
    """, [model])


REC_PREFERRED = ("day", "level", "platform", "model", "campaign_id", "ad_id", "entity_id", "rule_id", "action",
                 "metric", "comparator", "metric_value", "threshold", "window_days", "spend_in_window")


def recommendations(con, limit: int = 30) -> dict:
    """marts.fct_ad_recommendations, if it exists: counts per rule and action, and the latest day's rows."""
    if not table_exists(con, "marts", "fct_ad_recommendations"):
        return {"exists": False, "columns": [], "rows": [], "total": 0, "summary": []}
    cols = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'fct_ad_recommendations' order by ordinal_position").fetchall()]
    total = con.execute("select count(*) from marts.fct_ad_recommendations").fetchall()[0][0]
    summary = []
    if "rule_id" in cols and "action" in cols:
        summary = rows(con, "select rule_id, action, count(*) as n from marts.fct_ad_recommendations "
                            "group by all order by n desc, rule_id")
    where, latest = "", None
    if "day" in cols:
        latest = con.execute("select max(day) from marts.fct_ad_recommendations").fetchall()[0][0]
        where = "where day = (select max(day) from marts.fct_ad_recommendations)"
    order = ", ".join(c for c in ("action", "rule_id", "platform") if c in cols) or "1"
    data = rows(con, f"select * from marts.fct_ad_recommendations {where} order by {order} limit ?", [limit])
    shown = [c for c in REC_PREFERRED if c in cols and c != "day"]
    if "entity_id" in shown and ("campaign_id" in shown or "ad_id" in shown):
        shown.remove("entity_id")
    if all(c in cols for c in ("metric", "comparator", "metric_value", "threshold")):
        # one readable column: "roas 0.42 < 1.00 over 7 days, spend 18.25"
        shown = [c for c in shown if c not in ("metric", "comparator", "metric_value", "threshold", "window_days",
                                               "spend_in_window")] + ["fired_because"]
    if len(shown) <= 2:
        shown = [c for c in cols if not c.startswith("_")]
    names = {}
    if any(c in cols for c in ("campaign_id", "ad_id", "entity_id")):
        for key, name in con.execute(
            "select campaign_id, max(campaign_name) from marts.fct_channel_performance_daily "
            "where campaign_name is not null group by 1 "
            "union all select ad_id, max(ad_name) from marts.fct_touchpoints "
            "where ad_id is not null and ad_name is not null group by 1"
        ).fetchall():
            names[str(key)] = name
    return {"exists": True, "columns": shown, "rows": data, "total": total, "summary": summary,
            "latest_day": latest, "names": names}


def date_range(start: date, end: date, bucket: str) -> list[date]:
    if bucket == "week":
        start = start - timedelta(days=start.weekday())
        step = 7
    else:
        step = 1
    out, d = [], start
    while d <= end:
        out.append(d)
        d += timedelta(days=step)
    return out
