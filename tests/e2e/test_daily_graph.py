"""Values the whole graph must reconcile on a messy world: every valid order, event and ad row lands
once, every bad one is quarantined with its reason, credits sum to one, spend and revenue reconcile,
and a rerun adds nothing."""

import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from sandbox import expectations

ATTRIBUTION_MODELS = {
    "first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley",
}
CENT = Decimal("0.01")


def test_every_valid_order_is_one_conversion_path_with_its_revenue(messy_world, wh):
    expected = {str(o["id"]): Decimal(str(o["total_price"])).quantize(CENT) for o in expectations.valid_orders(messy_world)}
    rows = wh.execute("select order_id, revenue from marts.fct_conversion_paths").fetchall()
    got = {order_id: Decimal(str(revenue)).quantize(CENT) for order_id, revenue in rows}
    assert len(rows) == len(got), "an order appears more than once"
    assert got == expected


def test_every_bad_order_is_quarantined_with_its_reason(messy_world, wh):
    bad = expectations.quarantined_orders(messy_world)
    assert bad, "the messy world injected no bad order: the test would prove nothing"
    refused = wh.execute("select reason, raw_payload from raw_shopify.rejected_records where resource = 'orders'").fetchall()
    assert len(refused) == len(bad)
    refused_ids = {json.loads(payload).get("id") for _, payload in refused}
    assert {int(order_id) for order_id in bad if order_id is not None} <= refused_ids
    assert all(reason for reason, _ in refused)


def test_edited_orders_carry_their_edited_totals(messy_world, wh):
    edited = expectations.edited_orders(messy_world)
    assert edited, "no edited order injected"
    totals = dict(wh.execute("select order_id, revenue from marts.fct_conversion_paths").fetchall())
    for order_id, edit in edited.items():
        if str(order_id) in totals:
            assert Decimal(str(totals[str(order_id)])).quantize(CENT) == Decimal(str(edit["edited_total"])).quantize(CENT)


def test_sessions_hold_exactly_the_valid_events(messy_world, wh):
    """Duplicates once, bots and malformed events out, late and out-of-order events in."""
    expected = expectations.valid_event_ids(messy_world)
    got = {event_id for (event_id,) in wh.execute("select event_id from intermediate.int_events_sessionized").fetchall()}
    assert got == expected
    (rows,) = wh.execute("select count(*) from intermediate.int_events_sessionized").fetchone()
    assert rows == len(got)
    (session_events,) = wh.execute("select sum(event_count) from marts.fct_sessions").fetchone()
    (countable,) = wh.execute(
        "select count(*) from intermediate.int_events_sessionized where event_type in ('page', 'track', 'screen')"
    ).fetchone()
    assert session_events == countable


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
    (missing,) = wh.execute(
        """
        with per_order as (
            select order_id, count(distinct model) as models from marts.fct_attribution group by order_id
        )
        select count(*) from marts.fct_conversion_paths as paths
        left join per_order on paths.order_id = per_order.order_id
        where paths.touchpoint_count > 0 and coalesce(per_order.models, 0) <> 8
        """
    ).fetchone()
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


def test_spend_loaded_equals_the_valid_spend_served(messy_world, wh):
    """Per platform and currency, in the account's own currency (no FX in between)."""
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for platform, path in (("meta", "meta/insights.jsonl"), ("google_ads", "google_ads/ad_metrics.jsonl"),
                           ("tiktok", "tiktok/report.jsonl")):
        for row in expectations.valid_ad_rows(messy_world, path):
            expected[(platform, row["currency"])] += Decimal(str(row["spend"]))
    got = {
        (platform, currency): Decimal(str(spend)).quantize(CENT)
        for platform, currency, spend in wh.execute(
            "select platform, currency, sum(spend) from intermediate.int_ad_spend_daily group by 1, 2"
        ).fetchall()
    }
    assert got == {key: value.quantize(CENT) for key, value in expected.items()}


def test_spend_in_performance_mart_equals_spend_loaded(wh):
    (loaded,) = wh.execute("select sum(spend_reporting) from intermediate.int_ad_spend_daily").fetchone()
    per_model = wh.execute("select model, sum(spend) from marts.fct_channel_performance_daily group by model").fetchall()
    assert len(per_model) == len(ATTRIBUTION_MODELS)
    for model, spend in per_model:
        assert float(spend) == pytest.approx(float(loaded), abs=0.01), model


def test_second_run_adds_no_rows(built_warehouse):
    _, first, second, _ = built_warehouse
    assert first, "no tables were built"
    assert second == first


def test_second_run_reuses_the_first_runs_dbt_parse(built_warehouse):
    """Dagster's dbt builds share one target folder, so a run parses only what changed since the last
    one (passing the partition window as dbt vars made every run parse the whole project)."""
    second_log = built_warehouse[3]
    assert "Running with dbt=" in second_log, "the second run's dbt log was not found"
    assert "Unable to do partial parsing" not in second_log
    assert "Partial parsing enabled" in second_log


def test_dbt_unit_tests_pass(built_warehouse, monkeypatch):
    """The dbt `unit_tests:` (session boundaries, late events, rules, ...) against the built warehouse."""
    from tests.support.dbt import run_dbt

    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(built_warehouse[0]))
    output = run_dbt("test", "--select", "test_type:unit")
    passed = re.search(r"PASS=(\d+)", output)
    assert passed and int(passed.group(1)) >= 5 and "ERROR=0" in output


def test_one_query_gives_a_buyers_whole_journey_in_time_order(wh):
    (customer,) = wh.execute(
        "select customer_key from marts.fct_conversion_paths where touchpoint_count >= 3 order by order_id limit 1"
    ).fetchone()
    rows = wh.execute(
        "select item_type, occurred_at, journey_step, order_id from marts.fct_customer_journeys "
        "where customer_key = ? order by journey_step", [customer]
    ).fetchall()
    assert [step for _, _, step, _ in rows] == list(range(1, len(rows) + 1))
    assert [at for _, at, _, _ in rows] == sorted(at for _, at, _, _ in rows)
    orders = {o for (o,) in wh.execute("select order_id from marts.fct_conversion_paths where customer_key = ?",
                                       [customer]).fetchall()}
    assert {order_id for kind, _, _, order_id in rows if kind == "order"} == orders
    (sessions,) = wh.execute("select count(*) from marts.fct_sessions where customer_key = ?", [customer]).fetchone()
    assert sum(1 for kind, *_ in rows if kind == "session") == sessions


def test_funnel_rates_and_cohorts_are_consistent(wh):
    (bad_rates,) = wh.execute(
        """
        select count(*) from marts.fct_funnel_rates_daily
        where abandoned_carts > cart_sessions or bounced_sessions > sessions
            or cart_abandonment_rate not between 0 and 1
        """
    ).fetchone()
    assert bad_rates == 0
    (sessions,) = wh.execute("select count(*) from marts.fct_sessions").fetchone()
    (rated,) = wh.execute("select sum(sessions) from marts.fct_funnel_rates_daily").fetchone()
    assert rated == sessions
    month_zero = wh.execute(
        "select retention_rate from marts.fct_cohort_retention where months_since_first_order = 0"
    ).fetchall()
    assert month_zero and all(rate == 1 for (rate,) in month_zero)
    (buyers,) = wh.execute("select count(*) from marts.dim_customers where order_count > 0").fetchone()
    (cohorts,) = wh.execute(
        "select sum(cohort_customers) from marts.fct_cohort_retention where months_since_first_order = 0"
    ).fetchone()
    assert cohorts == buyers
