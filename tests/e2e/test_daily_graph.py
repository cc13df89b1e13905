"""Values the whole graph must reconcile: orders, revenue, credits and spend, and idempotent reruns."""

import gzip
import json
from decimal import Decimal

import pytest

ATTRIBUTION_MODELS = {
    "first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley",
}


def served_orders(world_dir) -> dict[str, Decimal]:
    orders = {}
    with open(world_dir / "shopify" / "orders.jsonl") as handle:
        for line in handle:
            order = json.loads(line)
            orders[str(order["id"])] = Decimal(str(order["total_price"]))
    return orders


def served_meta_spend(world_dir) -> Decimal:
    total = Decimal(0)
    with open(world_dir / "meta" / "insights.jsonl") as handle:
        for line in handle:
            total += Decimal(str(json.loads(line)["spend"]))
    return total


def served_events(world_dir) -> int:
    count = 0
    for path in sorted((world_dir / "tracking").glob("dt=*/*.jsonl.gz")):
        with gzip.open(path, "rt") as handle:
            count += sum(1 for _ in handle)
    return count


def test_every_served_order_is_one_conversion_path_with_its_revenue(world_dir, wh):
    expected = served_orders(world_dir)
    rows = wh.execute("select order_id, revenue from marts.fct_conversion_paths").fetchall()
    got = {order_id: Decimal(str(revenue)).quantize(Decimal("0.01")) for order_id, revenue in rows}
    assert len(rows) == len(got), "an order appears more than once"
    assert got == {k: v.quantize(Decimal("0.01")) for k, v in expected.items()}


def test_credits_sum_to_one_per_order_and_model(wh):
    bad = wh.execute(
        """
        select order_id, model, sum(credit) from marts.fct_attribution
        group by 1, 2 having abs(sum(credit) - 1) > 1e-9
        """
    ).fetchall()
    assert bad == []
    models = {m for (m,) in wh.execute("select distinct model from marts.fct_attribution").fetchall()}
    assert models == ATTRIBUTION_MODELS


def test_every_attributed_order_is_credited_under_every_model(wh):
    missing = wh.execute(
        """
        with per_order as (
            select order_id, count(distinct model) as models from marts.fct_attribution group by order_id
        )
        select count(*) from marts.fct_conversion_paths as paths
        left join per_order on paths.order_id = per_order.order_id
        where paths.touchpoint_count > 0 and coalesce(per_order.models, 0) <> 8
        """
    ).fetchone()[0]
    assert missing == 0


def test_attributed_plus_unattributed_revenue_is_total_revenue(wh):
    (total,) = wh.execute("select sum(revenue_reporting) from marts.fct_conversion_paths").fetchone()
    (unattributed,) = wh.execute(
        "select coalesce(sum(revenue_reporting), 0) from marts.fct_unattributed_orders"
    ).fetchone()
    per_model = dict(
        wh.execute("select model, sum(attributed_revenue) from marts.fct_channel_performance_daily group by model").fetchall()
    )
    assert set(per_model) == ATTRIBUTION_MODELS
    for model, attributed in per_model.items():
        assert float(attributed) + float(unattributed) == pytest.approx(float(total), abs=0.01), model


def test_spend_in_performance_mart_equals_spend_served(world_dir, wh):
    expected = served_meta_spend(world_dir)
    per_model = wh.execute(
        "select model, sum(spend) from marts.fct_channel_performance_daily where platform = 'meta' group by model"
    ).fetchall()
    assert len(per_model) == len(ATTRIBUTION_MODELS)
    for model, spend in per_model:
        assert Decimal(str(spend)).quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01")), model


def test_every_served_event_is_loaded_once(world_dir, wh):
    (loaded,) = wh.execute("select count(*) from raw_tracking.events").fetchone()
    (rejected,) = wh.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw_tracking' "
        "and table_name = 'rejected_records'"
    ).fetchone()
    rejected_rows = wh.execute("select count(*) from raw_tracking.rejected_records").fetchone()[0] if rejected else 0
    distinct_served = served_events(world_dir)
    assert loaded + rejected_rows <= distinct_served
    (distinct_loaded,) = wh.execute("select count(distinct message_id) from raw_tracking.events").fetchone()
    assert distinct_loaded == loaded


def test_every_event_is_in_exactly_one_session(wh):
    (events,) = wh.execute("select count(*) from staging.stg_tracking__events").fetchone()
    (sessionized,) = wh.execute("select count(distinct event_id) from intermediate.int_events_sessionized").fetchone()
    (rows,) = wh.execute("select count(*) from intermediate.int_events_sessionized").fetchone()
    assert events == sessionized == rows
    (session_events,) = wh.execute("select sum(event_count) from marts.fct_sessions").fetchone()
    (countable,) = wh.execute(
        "select count(*) from intermediate.int_events_sessionized where event_type in ('page', 'track', 'screen')"
    ).fetchone()
    assert session_events == countable


def test_second_run_adds_no_rows(built_warehouse):
    _, first, second = built_warehouse
    assert first, "no tables were built"
    assert second == first
