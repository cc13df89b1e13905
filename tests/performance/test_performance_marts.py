"""Ad-level performance, channel summaries and automation rules, checked against their sources.

Every figure is recomputed from `fct_attribution` and `int_ad_spend_daily` (the marts' inputs), not
from the mart under test, so a fan-out, a wrong window or a swapped ratio shows up as a mismatch.
"""

import pytest

from tests.performance.helpers import dbt

SEED_RELATION = '"warehouse"."staging"."automation_rules"'
RULE_COLUMNS = "rule_id, level, metric, comparator, threshold, min_spend, window_days, model, action"


def evaluate_rules(con, recommendations_sql: str, rules: list[tuple]) -> list[tuple]:
    """Run fct_ad_recommendations' compiled SQL with `rules` in place of the seed; (rule_id, count)."""
    assert SEED_RELATION in recommendations_sql
    values = ", ".join(
        "(" + ", ".join(f"'{v}'" if isinstance(v, str) else repr(v) for v in rule) + ")" for rule in rules
    )
    inline = f"(select * from (values {values}) as rules({RULE_COLUMNS}))"
    sql = recommendations_sql.replace(SEED_RELATION, inline)
    return con.execute(
        f"select rule_id, count(*) from ({sql}) as fired group by rule_id order by rule_id"
    ).fetchall()


def test_grain_has_no_duplicates_and_every_ad_day_under_every_model(wh):
    (dupes,) = wh.execute(
        """
        select count(*) from (
            select day, platform, ad_id, model from marts.fct_ad_performance_daily
            group by 1, 2, 3, 4 having count(*) > 1
        ) as d
        """
    ).fetchone()
    assert dupes == 0
    (missing,) = wh.execute(
        """
        with models as (select distinct model from marts.fct_attribution),
        expected as (
            select distinct spend.day, spend.platform, spend.ad_id, models.model
            from intermediate.int_ad_spend_daily as spend
            cross join models
        )
        select count(*) from expected
        left join marts.fct_ad_performance_daily as mart
            on expected.day = mart.day and expected.platform = mart.platform
            and expected.ad_id = mart.ad_id and expected.model = mart.model
        where mart.ad_id is null
        """
    ).fetchone()
    assert missing == 0


def test_spend_days_without_orders_are_kept(wh):
    (count,) = wh.execute(
        "select count(*) from marts.fct_ad_performance_daily where spend > 0 and attributed_orders = 0"
    ).fetchone()
    assert count > 0


@pytest.mark.parametrize("model", ["linear", "last_touch", "shapley"])
def test_roas_of_sampled_rows_is_attributed_revenue_over_spend(wh, model):
    rows = wh.execute(
        """
        select day, platform, ad_id, roas, spend, attributed_revenue
        from marts.fct_ad_performance_daily
        where model = ? and spend > 0 and attributed_revenue > 0
        order by ad_performance_id
        limit 5
        """,
        [model],
    ).fetchall()
    assert rows, "no ad-day with both spend and attributed revenue"
    for day, platform, ad_id, roas, spend, revenue in rows:
        (source_spend,) = wh.execute(
            "select sum(spend_reporting) from intermediate.int_ad_spend_daily where day = ? and platform = ? and ad_id = ?",
            [day, platform, ad_id],
        ).fetchone()
        (source_revenue,) = wh.execute(
            """
            select sum(attributed_revenue) from marts.fct_attribution
            where cast(ordered_at as date) = ? and platform = ? and ad_id = ? and model = ?
            """,
            [day, platform, ad_id, model],
        ).fetchone()
        assert spend == pytest.approx(float(source_spend))
        assert revenue == pytest.approx(source_revenue)
        assert roas == pytest.approx(source_revenue / float(source_spend))


def test_totals_reconcile_across_ad_channel_daily_and_summary_marts(wh):
    (loaded_spend,) = wh.execute(
        "select sum(spend_reporting) from intermediate.int_ad_spend_daily"
    ).fetchone()
    attribution = dict(
        wh.execute("select model, sum(attributed_revenue) from marts.fct_attribution group by 1").fetchall()
    )
    without_ad = dict(
        wh.execute(
            "select model, sum(attributed_revenue) from marts.fct_attribution where ad_id is null group by 1"
        ).fetchall()
    )

    def per_model(table):
        return {
            model: (spend, revenue)
            for model, spend, revenue in wh.execute(
                f"select model, sum(spend), sum(attributed_revenue) from marts.{table} group by 1"
            ).fetchall()
        }

    ad, daily = per_model("fct_ad_performance_daily"), per_model("fct_channel_performance_daily")
    summary, weekly = (
        per_model("fct_channel_performance_summary"),
        per_model("fct_channel_performance_weekly"),
    )
    assert set(ad) == set(daily) == set(summary) == set(weekly) == set(attribution)
    for model, total_revenue in attribution.items():
        for table in (ad, daily, summary, weekly):
            assert table[model][0] == pytest.approx(float(loaded_spend), abs=0.01)
        assert ad[model][1] + without_ad.get(model, 0) == pytest.approx(total_revenue)
        assert daily[model][1] == pytest.approx(total_revenue)
        assert summary[model][1] == pytest.approx(total_revenue)
        assert weekly[model][1] == pytest.approx(total_revenue)

    # The paid channels' spend in the summary is their ads' spend.
    mismatched = wh.execute(
        """
        with by_ad as (
            select channel, model, sum(spend) as spend from marts.fct_ad_performance_daily group by 1, 2
        )
        select summary.channel, summary.model, summary.spend, by_ad.spend
        from marts.fct_channel_performance_summary as summary
        full outer join by_ad on summary.channel = by_ad.channel and summary.model = by_ad.model
        where abs(coalesce(summary.spend, 0) - coalesce(by_ad.spend, 0)) > 0.01
        """
    ).fetchall()
    assert mismatched == []


def test_summary_ratios_are_the_ratios_of_its_totals(wh):
    rows = wh.execute(
        """
        select spend, attributed_revenue, attributed_orders, new_customers, roas, cpa, cac
        from marts.fct_channel_performance_summary where spend > 0
        """
    ).fetchall()
    assert rows
    for spend, revenue, orders, new_customers, roas, cpa, cac in rows:
        assert roas == pytest.approx(revenue / spend)
        assert cpa == (pytest.approx(spend / orders) if orders else None)
        assert cac == (pytest.approx(spend / new_customers) if new_customers else None)


def test_every_example_rule_is_evaluated_and_some_fire(wh):
    fired = dict(
        wh.execute("select rule_id, count(*) from marts.fct_ad_recommendations group by 1").fetchall()
    )
    rules = {rule_id for (rule_id,) in wh.execute("select rule_id from staging.automation_rules").fetchall()}
    assert set(fired) <= rules
    assert sum(fired.values()) > 0
    actions = {
        a for (a,) in wh.execute("select distinct action from marts.fct_ad_recommendations").fetchall()
    }
    assert actions <= {"pause", "scale", "review"}


def test_an_impossible_threshold_fires_nothing_and_a_certain_one_fires_everywhere(wh, recommendations_sql):
    fired = evaluate_rules(
        wh,
        recommendations_sql,
        [
            ("impossible_roas", "ad", "roas", "<", -1.0, 0.0, 7, "linear", "pause"),
            ("impossible_spend", "campaign", "spend", ">", 1e12, 0.0, 7, "linear", "review"),
            ("always", "ad", "spend", ">=", 0.0, 0.0, 1, "linear", "review"),
        ],
    )
    (entity_days,) = wh.execute(
        "select count(*) from marts.fct_ad_performance_daily where model = 'linear'"
    ).fetchone()
    assert fired == [("always", entity_days)]


def test_the_same_sql_with_the_seed_reproduces_the_mart(wh, recommendations_sql):
    rules = wh.execute(f"select {RULE_COLUMNS} from staging.automation_rules").fetchall()
    fired = dict(evaluate_rules(wh, recommendations_sql, rules))
    mart = dict(
        wh.execute("select rule_id, count(*) from marts.fct_ad_recommendations group by 1").fetchall()
    )
    assert fired == mart


def test_fired_ad_rules_recomputed_by_hand(wh):
    """Each fired ad-level recommendation, recomputed from int_ad_spend_daily and fct_attribution."""
    rows = wh.execute(
        """
        select rules.rule_id, rules.metric, rules.comparator, rules.threshold, rules.min_spend,
               recs.platform, recs.ad_id, recs.model, recs.window_first_day, recs.day,
               recs.metric_value, recs.spend_in_window
        from marts.fct_ad_recommendations as recs
        inner join staging.automation_rules as rules on recs.rule_id = rules.rule_id
        where recs.level = 'ad' and rules.metric in ('roas', 'cac', 'cpa', 'ctr')
        order by recs.recommendation_id
        limit 20
        """
    ).fetchall()
    assert rows, "no ad-level ROAS/CAC/CPA/CTR recommendation fired on the test world"
    for (
        rule_id,
        metric,
        comparator,
        threshold,
        min_spend,
        platform,
        ad_id,
        model,
        first,
        day,
        value,
        spend,
    ) in rows:
        spend_by_hand, clicks, impressions = wh.execute(
            """
            select sum(spend_reporting), sum(clicks), sum(impressions) from intermediate.int_ad_spend_daily
            where platform = ? and ad_id = ? and day between ? and ?
            """,
            [platform, ad_id, first, day],
        ).fetchone()
        revenue, orders, new_customers = wh.execute(
            """
            select coalesce(sum(attributed_revenue), 0), coalesce(sum(credit), 0),
                   coalesce(sum(case when is_first_order then credit else 0 end), 0)
            from marts.fct_attribution
            where platform = ? and ad_id = ? and model = ? and cast(ordered_at as date) between ? and ?
            """,
            [platform, ad_id, model, first, day],
        ).fetchone()
        spend_by_hand = float(spend_by_hand)
        by_hand = {
            "roas": revenue / spend_by_hand,
            "cpa": spend_by_hand / orders if orders else None,
            "cac": spend_by_hand / new_customers if new_customers else None,
            "ctr": clicks / impressions if impressions else None,
        }[metric]
        assert spend == pytest.approx(spend_by_hand), rule_id
        assert spend_by_hand >= min_spend
        assert value == pytest.approx(by_hand), rule_id
        assert {
            "<": value < threshold,
            "<=": value <= threshold,
            ">": value > threshold,
            ">=": value >= threshold,
        }[comparator]


def test_a_fired_campaign_rule_recomputed_by_hand(wh):
    row = wh.execute(
        """
        select recs.rule_id, recs.metric, recs.platform, recs.campaign_id, recs.model, recs.window_first_day,
               recs.day, recs.metric_value
        from marts.fct_ad_recommendations as recs
        where recs.level = 'campaign' and recs.metric in ('roas', 'cpa')
        order by recs.recommendation_id
        limit 1
        """
    ).fetchone()
    assert row, "no campaign-level ROAS/CPA recommendation fired on the test world"
    rule_id, metric, platform, campaign_id, model, first, day, value = row
    (spend,) = wh.execute(
        """
        select sum(spend_reporting) from intermediate.int_ad_spend_daily
        where platform = ? and campaign_id = ? and day between ? and ?
        """,
        [platform, campaign_id, first, day],
    ).fetchone()
    revenue, orders = wh.execute(
        """
        select coalesce(sum(attributed_revenue), 0), coalesce(sum(credit), 0) from marts.fct_attribution
        where platform = ? and campaign_id = ? and ad_id is not null and model = ?
          and cast(ordered_at as date) between ? and ?
        """,
        [platform, campaign_id, model, first, day],
    ).fetchone()
    spend = float(spend)
    assert value == pytest.approx(revenue / spend if metric == "roas" else spend / orders), rule_id


def test_dbt_data_and_unit_tests_of_the_performance_marts_pass(warehouse, dbt_target):
    out = dbt(warehouse, dbt_target, "test", "--select", "path:models/marts/performance", "automation_rules")
    assert "low_roas_after_min_spend_fires_pause" in out, "the unit tests did not run"
