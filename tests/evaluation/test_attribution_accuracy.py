"""Attribution models vs the sandbox's ground truth, on one small world built through the daily job (issue 6)."""

import json

import duckdb
import pytest

from touchpath.evaluation import DATA_DRIVEN_MODELS, MODELS, UNMAPPED, ground_truth_key, render_markdown


def _credits(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select model, channel, platform, sum(credit) from marts.fct_attribution group by all"
        ).fetchall()
    finally:
        con.close()


def test_every_credited_channel_maps_to_a_ground_truth_channel(eval_world, evaluation):
    world, warehouse = eval_world
    truth = json.loads((world / "ground_truth.json").read_text())
    keys = {r["channel"] for r in truth["channels"]}
    rows = _credits(warehouse)
    assert rows, "fct_attribution is empty"
    for model, channel, platform, credit in rows:
        key = ground_truth_key(channel, platform)
        assert key != UNMAPPED, (model, channel, platform, credit)
        # a single channel, not a group-only key: the platform of every paid_social touch is known
        assert key in evaluation.channels, (model, channel, platform, key)
        assert key in keys
    assert all(v == 0 for v in evaluation.unmapped.values())


def test_every_ground_truth_channel_with_orders_gets_credit(evaluation):
    # every channel that ends orders in the simulator (its own last click) or has a true incremental effect is
    # reached by the mapping: some model credits orders to it (which model credits what is the evaluation's job)
    for key in evaluation.channels:
        has_orders = evaluation.last_click[key] > 0 or evaluation.row("linear", key).true_incremental > 0
        if has_orders:
            assert any(evaluation.credited_by_key[m].get(key, 0) > 0 for m in MODELS), key


def test_shares_sum_to_one(evaluation):
    for model in MODELS:
        rows = [r for r in evaluation.rows if r.model == model]
        assert sum(r.credited_share for r in rows) == pytest.approx(1.0)
        assert sum(r.true_share for r in rows) == pytest.approx(1.0)
        # every attributed order is credited exactly once per model
        assert evaluation.summary(model).credited_orders == pytest.approx(
            evaluation.order_counts["attributed_orders"])


def test_numbers_recomputed_by_hand(eval_world, evaluation):
    """linear × meta (and the linear summary), from the raw tables, without the module's code paths."""
    world, warehouse = eval_world
    truth = {r["channel"]: r for r in json.loads((world / "ground_truth.json").read_text())["channels"]}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        meta = con.execute("select sum(credit) from marts.fct_attribution where model = 'linear' "
                           "and channel = 'paid_social' and platform = 'meta'").fetchone()[0]
        total = con.execute("select sum(credit) from marts.fct_attribution where model = 'linear'").fetchone()[0]
        orders = con.execute("select count(distinct order_id) from marts.fct_attribution").fetchone()[0]
        by_channel = dict(con.execute(
            "select case when channel = 'paid_social' then platform when channel = 'paid_search' "
            "then 'google_ads' else channel end, sum(credit) "
            "from marts.fct_attribution where model = 'linear' group by 1").fetchall())
    finally:
        con.close()
    singles = [k for k, r in truth.items() if r["members"] == [k]]
    true_total = sum(truth[k]["true_incremental_conversions"] for k in singles)
    true_meta = truth["meta"]["true_incremental_conversions"]

    row = evaluation.row("linear", "meta")
    assert total == pytest.approx(orders)
    assert row.credited_orders == pytest.approx(meta)
    assert row.true_incremental == true_meta
    assert row.credited_share == pytest.approx(meta / total)
    assert row.true_share == pytest.approx(true_meta / true_total)
    assert row.abs_error == pytest.approx(abs(meta - true_meta))
    assert row.rel_error == pytest.approx((meta - true_meta) / true_meta)
    assert row.share_error == pytest.approx(meta / total - true_meta / true_total)
    assert row.share_rel_error == pytest.approx((meta / total - true_meta / true_total) / (true_meta / true_total))

    s = evaluation.summary("linear")
    credited = [by_channel.get(k, 0.0) for k in singles]
    true = [truth[k]["true_incremental_conversions"] for k in singles]
    assert s.abs_error_total == pytest.approx(sum(abs(c - t) for c, t in zip(credited, true, strict=True)))
    assert s.abs_error_share_of_orders == pytest.approx(s.abs_error_total / orders)
    assert s.share_abs_error_total == pytest.approx(
        sum(abs(c / total - t / true_total) for c, t in zip(credited, true, strict=True)))

    # Spearman by hand: Pearson correlation of average ranks
    def ranks(v):
        return [sum(x < y for x in v) + (sum(x == y for x in v) + 1) / 2 for y in v]

    rc, rt = ranks(credited), ranks(true)
    n = len(rc)
    mc, mt = sum(rc) / n, sum(rt) / n
    cov = sum((a - mc) * (b - mt) for a, b in zip(rc, rt, strict=True))
    rho = cov / (sum((a - mc) ** 2 for a in rc) * sum((b - mt) ** 2 for b in rt)) ** 0.5
    assert s.spearman == pytest.approx(rho)


def test_group_rows_sum_their_members(evaluation):
    for model in MODELS:
        for group, members in evaluation.groups.items():
            expected = sum(evaluation.row(model, k).credited_orders for k in members)
            assert evaluation.row(model, group).credited_orders == pytest.approx(expected)


def test_report_renders_every_model(evaluation):
    text = render_markdown(evaluation, command="python -m touchpath.evaluate", params={"customers": 300})
    for model in MODELS:
        assert f"`{model}`" in text
    assert "| **ground truth** |" in text
    assert "python -m touchpath.evaluate" in text


@pytest.fixture(scope="module")
def report_scale_world(tmp_path_factory):
    """A world the size docs/attribution_accuracy.md is generated on (3000 customers × 45 days).

    On the small test world the truth's second channel is noise: across seeds 1–9 of 300 × 14 it
    changes from seed to seed (9 incremental orders against 8, 6 and 5), so no model can be asked to
    match it there. At this size the truth's top two are stable across seeds.
    """
    from sandbox.generator import generate

    out = tmp_path_factory.mktemp("report_scale_world")
    generate(out, customers=3000, days=45, seed=7, start_date="2026-01-01")
    return out


@pytest.mark.parametrize("model", DATA_DRIVEN_MODELS)
def test_data_driven_models_rank_the_top_channels_as_the_ground_truth_does(report_scale_world, model):
    """Issue 6: the top-2 channels by true incremental orders are the model's top-2 (as a set).

    The engines run on the simulator's own journeys, cut into paths as the warehouse cuts them (the
    warehouse agrees with these to 1–3 points per channel, see docs/attribution_accuracy.md).
    """
    from touchpath.evaluation import ground_truth_channels, load_ground_truth, simulator_path_credits, top_k

    truth = load_ground_truth(report_scale_world)
    by_key = {row["channel"]: row for row in truth["channels"]}
    true_orders = {key: float(by_key[key]["true_incremental_conversions"]) for key in ground_truth_channels(truth)}
    credits = simulator_path_credits(report_scale_world, models=(model,))[model]
    assert set(top_k(credits, 2)) == set(top_k(true_orders, 2)), (
        f"{model} ranks {top_k(credits, 6)}; ground truth ranks {top_k(true_orders, 6)}"
    )
