"""Attribution accuracy against the sandbox's ground truth (issue 6, validation).

The sandbox (``sandbox/groundtruth.py``) writes, for every world, each channel's TRUE incremental orders:
the world replayed with that channel switched off (common random numbers), factual minus counterfactual.
This module reads a built warehouse (``marts.fct_attribution``) and that file, maps our channels and
platforms onto the ground truth's keys and measures, per attribution model, how far the credited orders are
from the causal truth.

Mapping (warehouse ``channel`` / ``platform`` -> ground-truth key), see :data:`MAPPING`:

* ``paid_social`` + platform ``meta`` -> ``meta``; ``paid_social`` + ``tiktok`` -> ``tiktok``
  (a ``paid_social`` touch without a known platform can only be compared at the group level: key
  ``paid_social``);
* ``paid_search`` (any platform; the sandbox's only paid search is Google Ads) -> ``google_ads``;
* ``display``, ``affiliate``, ``organic_search``, ``organic_social``, ``referral``, ``direct``, ``email``,
  ``sms`` -> the ground-truth key of the same name.

Ground-truth groups are compared as the sum of their members' credit: ``paid_social`` = meta + tiktok
(+ unresolved paid_social), ``all_paid`` = meta + tiktok + google_ads + display + affiliate, ``crm`` = email +
sms. The members of each group are read from the ground-truth file.

Why shares are the headline: per model, attribution credits of an order sum to 1, so credits add up to all
attributed orders; true incremental orders do not (most orders are baseline conversions that would happen
without any one channel: a person switched away from a channel still reaches the purchase threshold on their
other visits). So the headline compares SHARES: ``credited share`` = channel credit / all credited orders vs
``true share`` = channel incremental orders / sum of the channels' incremental orders. Raw counts are shown
too (their absolute error as a share of orders is mostly the baseline, by construction).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov",
          "shapley")
DATA_DRIVEN_MODELS = ("markov", "shapley")

# (warehouse channel, warehouse platform or None for "any") -> ground-truth key. Looked up with the exact
# platform first, then the channel's wildcard.
MAPPING: dict[tuple[str, str | None], str] = {
    ("paid_social", "meta"): "meta",
    ("paid_social", "tiktok"): "tiktok",
    ("paid_social", None): "paid_social",  # platform unknown: only the group is comparable
    ("paid_search", None): "google_ads",  # the sandbox's only paid search platform
    ("display", None): "display",
    ("affiliate", None): "affiliate",
    ("organic_search", None): "organic_search",
    ("organic_social", None): "organic_social",
    ("referral", None): "referral",
    ("direct", None): "direct",
    ("email", None): "email",
    ("sms", None): "sms",
}
UNMAPPED = "(unmapped)"


def ground_truth_key(channel: str | None, platform: str | None) -> str:
    """The ground-truth key a warehouse touch (channel, platform) is compared with, or ``(unmapped)``."""
    if (channel, platform) in MAPPING:
        return MAPPING[(channel, platform)]
    return MAPPING.get((channel, None), UNMAPPED)


def load_ground_truth(world_dir: Path | str) -> dict:
    """``ground_truth.json`` of a sandbox world folder."""
    return json.loads((Path(world_dir) / "ground_truth.json").read_text(encoding="utf-8"))


def ground_truth_channels(truth: dict) -> list[str]:
    """The single-channel keys (the switch units), in the file's order."""
    return [r["channel"] for r in truth["channels"] if r.get("members") == [r["channel"]]]


def ground_truth_groups(truth: dict) -> dict[str, list[str]]:
    """Group key -> member channel keys (``paid_social``, ``all_paid``, ``crm``)."""
    return {r["channel"]: list(r["members"]) for r in truth["channels"] if r.get("members") != [r["channel"]]}


def warehouse_credits(warehouse: Path | str) -> list[dict]:
    """Credited orders and revenue per model × channel × platform from ``marts.fct_attribution``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select model, channel, platform, sum(credit), sum(attributed_revenue), count(distinct order_id) "
            "from marts.fct_attribution group by all order by all"
        ).fetchall()
    finally:
        con.close()
    return [{"model": m, "channel": c, "platform": p, "credited_orders": float(o or 0.0),
             "credited_revenue": float(r or 0.0), "orders_touched": int(n)} for m, c, p, o, r, n in rows]


def warehouse_order_counts(warehouse: Path | str) -> dict:
    """Orders in the warehouse, attributed (on some path) and unattributed."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        orders, with_path = con.execute(
            "select count(*), count(*) filter (where touchpoint_count > 0) from intermediate.int_conversion_paths"
        ).fetchone()
        attributed = con.execute("select count(distinct order_id) from marts.fct_attribution").fetchone()[0]
    finally:
        con.close()
    return {"orders": int(orders), "orders_with_path": int(with_path), "attributed_orders": int(attributed)}


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when either side is constant."""
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    rx, ry = _ranks(x), _ranks(y)
    n = len(rx)
    if n < 2:
        return math.nan
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return math.nan
    return sxy / math.sqrt(sxx * syy)


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        avg = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = avg
        i = j + 1
    return ranks


def top_k(values: dict[str, float], k: int) -> list[str]:
    """The k largest keys (ties broken by key name, so the result is deterministic)."""
    return [key for key, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


@dataclass
class ChannelRow:
    model: str
    key: str
    credited_orders: float
    credited_share: float
    true_incremental: float
    true_share: float
    credited_revenue: float = 0.0
    credited_revenue_share: float = 0.0
    true_incremental_revenue: float = 0.0
    true_revenue_share: float = 0.0

    @property
    def abs_error(self) -> float:
        """|credited orders - true incremental orders| (raw counts)."""
        return abs(self.credited_orders - self.true_incremental)

    @property
    def rel_error(self) -> float | None:
        """(credited - true) / true, raw counts; None when the truth is 0."""
        return None if self.true_incremental == 0 else (self.credited_orders - self.true_incremental) / abs(
            self.true_incremental)

    @property
    def share_error(self) -> float:
        """credited share - true share (signed)."""
        return self.credited_share - self.true_share

    @property
    def share_abs_error(self) -> float:
        return abs(self.share_error)

    @property
    def share_rel_error(self) -> float | None:
        """(credited share - true share) / true share; None when the true share is 0."""
        return None if self.true_share == 0 else self.share_error / abs(self.true_share)


@dataclass
class ModelSummary:
    model: str
    credited_orders: float  # all credit of the model (= attributed orders)
    true_incremental_total: float  # sum of the channels' true incremental orders
    abs_error_total: float  # sum over channels of |credited - true| (raw counts)
    abs_error_share_of_orders: float  # abs_error_total / credited orders
    share_abs_error_total: float  # sum over channels of |credited share - true share| (0..2)
    spearman: float
    ranking: list[str]  # channels by credited orders, largest first
    top2: list[str]
    top2_matches_truth: bool


@dataclass
class Evaluation:
    world_dir: str
    warehouse: str
    channels: list[str]  # ground-truth single-channel keys
    groups: dict[str, list[str]]
    truth_ranking: list[str]
    factual: dict
    order_counts: dict
    rows: list[ChannelRow]  # model × channel (single-channel keys)
    group_rows: list[ChannelRow]  # model × group
    summaries: list[ModelSummary]
    last_click: dict[str, float]  # simulator's own last click per channel (fidelity check)
    credited_by_key: dict[str, dict[str, float]]  # model -> key -> credited orders (incl. unmapped)
    unmapped: dict[str, float] = field(default_factory=dict)  # model -> credit that maps to no key
    oracle: dict[str, dict[str, float]] | None = None  # simulator_path_credits(): models on the true journeys

    def row(self, model: str, key: str) -> ChannelRow:
        for r in self.rows + self.group_rows:
            if r.model == model and r.key == key:
                return r
        raise KeyError((model, key))

    def summary(self, model: str) -> ModelSummary:
        return next(s for s in self.summaries if s.model == model)


def credits_by_key(credits: Iterable[dict]) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """model -> ground-truth key -> (credited orders, credited revenue), keys from :func:`ground_truth_key`."""
    orders: dict[str, dict[str, float]] = {}
    revenue: dict[str, dict[str, float]] = {}
    for c in credits:
        key = ground_truth_key(c["channel"], c["platform"])
        orders.setdefault(c["model"], {}).setdefault(key, 0.0)
        revenue.setdefault(c["model"], {}).setdefault(key, 0.0)
        orders[c["model"]][key] += c["credited_orders"]
        revenue[c["model"]][key] += c["credited_revenue"]
    return orders, revenue


def evaluate(warehouse: Path | str, world_dir: Path | str, models: Sequence[str] = MODELS,
             oracle: bool = True) -> Evaluation:
    """Compare every model's credit with the ground truth of ``world_dir`` (see the module docstring)."""
    truth = load_ground_truth(world_dir)
    channels = ground_truth_channels(truth)
    groups = ground_truth_groups(truth)
    by_key = {r["channel"]: r for r in truth["channels"]}
    true_orders = {k: float(by_key[k]["true_incremental_conversions"]) for k in channels}
    true_revenue = {k: float(by_key[k]["true_incremental_revenue"]) for k in channels}
    true_total = sum(true_orders.values())
    true_rev_total = sum(true_revenue.values())
    truth_ranking = top_k(true_orders, len(channels))

    orders_by_key, revenue_by_key = credits_by_key(warehouse_credits(warehouse))
    rows: list[ChannelRow] = []
    group_rows: list[ChannelRow] = []
    summaries: list[ModelSummary] = []
    unmapped: dict[str, float] = {}
    for model in models:
        credited = orders_by_key.get(model, {})
        credited_rev = revenue_by_key.get(model, {})
        total = sum(credited.values())
        rev_total = sum(credited_rev.values())
        unmapped[model] = credited.get(UNMAPPED, 0.0)
        model_rows = []
        for key in channels:
            model_rows.append(ChannelRow(
                model=model, key=key,
                credited_orders=credited.get(key, 0.0),
                credited_share=_div(credited.get(key, 0.0), total),
                true_incremental=true_orders[key],
                true_share=_div(true_orders[key], true_total),
                credited_revenue=credited_rev.get(key, 0.0),
                credited_revenue_share=_div(credited_rev.get(key, 0.0), rev_total),
                true_incremental_revenue=true_revenue[key],
                true_revenue_share=_div(true_revenue[key], true_rev_total),
            ))
        rows.extend(model_rows)
        for group, members in groups.items():
            # credit of the members, plus credit that only resolves to the group (e.g. paid_social, no platform)
            g_orders = sum(credited.get(k, 0.0) for k in members) + credited.get(group, 0.0)
            g_rev = sum(credited_rev.get(k, 0.0) for k in members) + credited_rev.get(group, 0.0)
            g_true = float(by_key[group]["true_incremental_conversions"])
            g_true_rev = float(by_key[group]["true_incremental_revenue"])
            group_rows.append(ChannelRow(
                model=model, key=group, credited_orders=g_orders, credited_share=_div(g_orders, total),
                # the group's own switch-off effect over the sum of the single channels' effects
                true_incremental=g_true, true_share=_div(g_true, true_total),
                credited_revenue=g_rev, credited_revenue_share=_div(g_rev, rev_total),
                true_incremental_revenue=g_true_rev, true_revenue_share=_div(g_true_rev, true_rev_total),
            ))
        abs_total = sum(r.abs_error for r in model_rows)
        model_credit = {r.key: r.credited_orders for r in model_rows}
        ranking = top_k(model_credit, len(channels))
        summaries.append(ModelSummary(
            model=model,
            credited_orders=total,
            true_incremental_total=true_total,
            abs_error_total=abs_total,
            abs_error_share_of_orders=_div(abs_total, total),
            share_abs_error_total=sum(r.share_abs_error for r in model_rows),
            spearman=spearman([r.credited_orders for r in model_rows], [r.true_incremental for r in model_rows]),
            ranking=ranking,
            top2=ranking[:2],
            top2_matches_truth=set(ranking[:2]) == set(truth_ranking[:2]),
        ))
    return Evaluation(
        world_dir=str(world_dir), warehouse=str(warehouse), channels=channels, groups=groups,
        truth_ranking=truth_ranking, factual=truth["factual"], order_counts=warehouse_order_counts(warehouse),
        rows=rows, group_rows=group_rows, summaries=summaries,
        last_click={k: float(by_key[k]["last_click_conversions"]) for k in channels},
        credited_by_key=orders_by_key, unmapped=unmapped,
        oracle=simulator_path_credits(world_dir) if oracle else None,
    )


def simulator_path_credits(world_dir: Path | str, lookback_days: int = 30,
                           models: Sequence[str] = ("last_touch", "linear", "markov", "shapley")) -> dict:
    """Oracle check: the attribution models run on the simulator's OWN journeys (no pipeline in between).

    Every person's plan is replayed (``sandbox.plan.realize``, the factual world) and cut into paths the way the
    warehouse does (a path = the visits after the previous order up to the order, inside ``lookback_days``;
    open journeys after the last order are non-converting). Channels are the ground-truth keys, so meta and tiktok
    are separate states here. Returns model -> key -> credited orders. Where these agree with the warehouse's
    credit, a disagreement with the ground truth comes from the model (or the causal world), not from
    sessionization, channel rules or identity stitching."""
    from sandbox import catalog
    from sandbox.plan import draw_plan, realize
    from sandbox.timeutil import DAY_MS, date_to_ms
    from touchpath.attribution import path_credits

    info = json.loads((Path(world_dir) / "world.json").read_text(encoding="utf-8"))
    params, options = info["params"], info.get("options", {})
    start_ms = date_to_ms(params["start_date"])
    end_ms = start_ms + params["days"] * DAY_MS
    n_products = len(catalog.build_products())
    mix = dict(options.get("channel_mix") or {})
    platform_channel = {"meta": "meta", "google_ads": "google_ads", "tiktok": "tiktok"}
    for platform, mult in (options.get("budgets") or {}).items():
        mix[platform_channel[platform]] = mix.get(platform_channel[platform], 1.0) * mult
    effects = options.get("channel_effects") or None
    window = lookback_days * DAY_MS
    conversions: dict[str, int] = {}
    nulls: dict[str, int] = {}
    out: dict[str, dict[str, float]] = {m: {} for m in models}
    for idx in range(params["customers"]):
        plan = draw_plan(params["seed"], idx, start_ms, end_ms, n_products)
        current: list = []
        for v in realize(plan, end_ms, effects=effects, mix=mix or None):
            current.append(v)
            if v.purchase >= 0:
                path = [x.channel for x in current if x.ms > v.ms - window]
                key = " > ".join(path)
                conversions[key] = conversions.get(key, 0) + 1
                if "last_touch" in out:
                    out["last_touch"][path[-1]] = out["last_touch"].get(path[-1], 0.0) + 1
                if "linear" in out:
                    for ch in path:
                        out["linear"][ch] = out["linear"].get(ch, 0.0) + 1 / len(path)
                current = []
        if current:
            path = [x.channel for x in current if x.ms > current[-1].ms - window]
            key = " > ".join(path)
            nulls[key] = nulls.get(key, 0) + 1
    data_driven = [m for m in models if m in DATA_DRIVEN_MODELS]
    if data_driven and conversions:
        import pandas as pd

        keys = sorted(set(conversions) | set(nulls))
        summary = pd.DataFrame({"channel_path": keys, "conversions": [conversions.get(k, 0) for k in keys],
                                "revenue": [0.0] * len(keys), "nulls": [nulls.get(k, 0) for k in keys]})
        shares = path_credits(summary, models=tuple(data_driven))
        for model, path, channel, share in shares.itertuples(index=False):
            out[model][channel] = out[model].get(channel, 0.0) + share * conversions[path]
    return out


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


# ----------------------------------------------------------------------------------------------- markdown


def _pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f}%"


def _signed_pp(x: float) -> str:
    return f"{100 * x:+.1f}"


def _num(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}"


def _table(header: Sequence[str], body: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in body]
    return out


def render_markdown(ev: Evaluation, *, command: str, params: dict, notes: Sequence[str] = ()) -> str:
    """The report: command and parameters, mapping, headline share table, raw counts, errors, ranks."""
    ch = ev.channels
    models = [s.model for s in ev.summaries]
    truth_share = {r.key: r.true_share for r in ev.rows if r.model == models[0]}
    truth_orders = {r.key: r.true_incremental for r in ev.rows if r.model == models[0]}
    lines = [
        "# Attribution accuracy against the sandbox ground truth",
        "",
        "Generated by `touchpath.evaluate` (do not edit by hand; re-run the command):",
        "",
        "```bash",
        command,
        "```",
        "",
        _table(["parameter", "value"], [[k, f"`{v}`"] for k, v in params.items()]),
        "",
        f"Ground truth (simulator, factual world): {ev.factual['orders']} orders, "
        f"{ev.factual['first_orders']} first orders. Warehouse: {ev.order_counts['orders']} orders, "
        f"{ev.order_counts['attributed_orders']} attributed (on a conversion path), "
        f"{ev.order_counts['orders'] - ev.order_counts['orders_with_path']} without any touch in the lookback. "
        f"Sum of the channels' true incremental orders: {_num(sum(truth_orders.values()), 0)} "
        f"({_pct(_div(sum(truth_orders.values()), ev.factual['orders']))} of the factual orders: the rest are "
        "baseline conversions that happen with any single channel switched off).",
        "",
        "## How the comparison works",
        "",
        "- **Ground truth**: `ground_truth.json` of the world: per channel, orders in the factual world minus "
        "orders in the same world replayed with that channel switched off (common random numbers).",
        "- **Credited orders**: per model, the sum of `marts.fct_attribution.credit` per channel (a model's "
        "credits sum to the attributed orders).",
        "- **Headline = shares**: credited share = channel credit / all credited orders; true share = channel "
        "incremental orders / sum of all channels' incremental orders. Credits always add up to every attributed "
        "order while incremental orders do not (baseline conversions), so raw counts differ by construction; "
        "shares compare *how the models split the credit* with *how the causal effect splits*.",
        "- **Errors**: share error in percentage points (credited − true); Σ|share err| sums its absolute value "
        "over channels (0 = perfect, 200 pp = disjoint). Raw: Σ|credited − incremental| over channels as a share "
        "of credited orders; since nearly every channel is credited more orders than it causes, this is close "
        "to (credited − incremental orders) / credited orders for every model, so it says more about the "
        "baseline than about the model. Spearman ρ ranks the 11 channels by credited vs by true incremental orders.",
        "",
        "### Channel mapping (warehouse → ground truth)",
        "",
        _table(["warehouse channel", "platform", "ground-truth key"],
               [[c, p or "any", f"`{k}`"] for (c, p), k in MAPPING.items()]),
        "",
        "Ground-truth groups are compared as the sum of their members: "
        + "; ".join(f"`{g}` = {' + '.join(m)}" for g, m in ev.groups.items())
        + ". Markov and Shapley are fitted on our channels (`paid_social` is one state); their credit is "
        "split evenly over a path's touches of that channel, so meta vs tiktok under these two models is a "
        "touch-count split, not a model estimate.",
        "",
        "## Headline: share of credited orders vs share of true incremental orders",
        "",
    ]
    # headline table
    body = []
    for m in models:
        s = ev.summary(m)
        body.append([f"`{m}`"] + [_pct(ev.row(m, k).credited_share) for k in ch]
                    + [_num(100 * s.share_abs_error_total), _num(s.spearman, 2)])
    body.append(["**ground truth**"] + [f"**{_pct(truth_share[k])}**" for k in ch] + ["0.0", "1.00"])
    lines += _table(["model"] + ch + ["Σ\\|share err\\| (pp)", "Spearman ρ"], body)
    lines += ["", "## Summary per model", ""]
    body = []
    for m in models:
        s = ev.summary(m)
        body.append([f"`{m}`", _num(100 * s.share_abs_error_total), _num(s.abs_error_total),
                     _pct(s.abs_error_share_of_orders), _num(s.spearman, 2), ", ".join(s.top2),
                     "yes" if s.top2_matches_truth else "**no**"])
    lines += _table(["model", "Σ\\|share err\\| (pp)", "Σ\\|credited − incremental\\| (orders)",
                     "… as share of credited orders", "Spearman ρ", "top-2 channels", "top-2 = truth's"], body)
    lines += ["", f"Ground truth ranking (true incremental orders): {', '.join(ev.truth_ranking)}.", ""]
    lines += ["## Channel ranking per model", ""]
    body = [[f"`{m}`"] + ev.summary(m).ranking for m in models]
    body.append(["**ground truth**"] + [f"**{k}**" for k in ev.truth_ranking])
    lines += _table(["model"] + [f"#{i + 1}" for i in range(len(ch))], body)
    lines += ["", "## Share error per channel (credited share − true share, percentage points)", ""]
    body = [[f"`{m}`"] + [_signed_pp(ev.row(m, k).share_error) for k in ch] for m in models]
    lines += _table(["model"] + ch, body)
    lines += ["", "Relative share error ((credited share − true share) / true share):", ""]
    body = [[f"`{m}`"] + [_pct(ev.row(m, k).share_rel_error, 0) for k in ch] for m in models]
    lines += _table(["model"] + ch, body)
    lines += ["", "## Raw counts: credited orders vs true incremental orders", ""]
    body = [[f"`{m}`"] + [_num(ev.row(m, k).credited_orders) for k in ch] + [_num(ev.summary(m).credited_orders)]
            for m in models]
    body.append(["**true incremental**"] + [f"**{_num(truth_orders[k], 0)}**" for k in ch]
                + [f"**{_num(sum(truth_orders.values()), 0)}**"])
    body.append(["simulator last click"] + [_num(ev.last_click[k], 0) for k in ch]
                + [_num(sum(ev.last_click.values()), 0)])
    lines += _table(["model"] + ch + ["total"], body)
    lines += ["", "Absolute error (|credited − incremental|, orders) and relative error ((credited − incremental) "
              "/ incremental):", ""]
    body = [[f"`{m}`"] + [f"{_num(ev.row(m, k).abs_error, 0)} ({_pct(ev.row(m, k).rel_error, 0)})" for k in ch]
            for m in models]
    lines += _table(["model"] + ch, body)
    lines += ["", "`simulator last click` is the channel of the visit that ended in the order, from the simulator "
              "itself: our `last_touch` should be close to it (a check of sessionization, channel rules and "
              "identity stitching, not of the model).", ""]
    # revenue shares
    lines += ["## Revenue: share of attributed revenue vs share of true incremental revenue", ""]
    body = [[f"`{m}`"] + [_pct(ev.row(m, k).credited_revenue_share) for k in ch] for m in models]
    body.append(["**ground truth**"] + [f"**{_pct(ev.row(models[0], k).true_revenue_share)}**" for k in ch])
    lines += _table(["model"] + ch, body)
    # groups
    lines += ["", "## Groups", "",
              "Credited orders of the group's members vs the group's own switch-off effect. Switching a whole "
              "group off is not the sum of switching its members off (a person who loses meta may still buy "
              "through tiktok, one who loses both may not; substitution goes to non-members), so both are shown.",
              ""]
    groups = list(ev.groups)
    body = [[f"`{m}`"] + [f"{_num(ev.row(m, g).credited_orders)} ({_pct(ev.row(m, g).credited_share)})"
                          for g in groups] for m in models]
    body.append(["**true incremental (group switched off)**"] + [
        f"**{_num(ev.row(models[0], g).true_incremental, 0)}**" for g in groups])
    body.append(["sum of the members' true incremental"] + [
        _num(sum(truth_orders[k] for k in ev.groups[g]), 0) for g in groups])
    lines += _table(["model"] + [f"{g}: credited orders (share of credit)" for g in groups], body)
    if ev.oracle:
        lines += ["", "## Oracle check: the same models on the simulator's own journeys", "",
                  "The simulator's true visits, cut into paths like the warehouse does (30-day lookback, reset on "
                  "order), meta and tiktok as separate channels, no sessionization / channel rules / identity "
                  "stitching in between (`touchpath.evaluation.simulator_path_credits`). If a model disagrees with "
                  "the ground truth here too, the disagreement is the model's, not the pipeline's.", ""]
        body = []
        for m, credit in ev.oracle.items():
            total = sum(credit.values())
            vals = {k: credit.get(k, 0.0) for k in ch}
            rho = spearman([vals[k] for k in ch], [truth_orders[k] for k in ch])
            body.append([f"`{m}` (oracle)"] + [_pct(_div(vals[k], total)) for k in ch]
                        + [_num(rho, 2), ", ".join(top_k(vals, 2))])
            if m in models:
                s = ev.summary(m)
                body.append([f"`{m}` (warehouse)"] + [_pct(ev.row(m, k).credited_share) for k in ch]
                            + [_num(s.spearman, 2), ", ".join(s.top2)])
        body.append(["**ground truth**"] + [f"**{_pct(truth_share[k])}**" for k in ch]
                    + ["1.00", f"**{', '.join(ev.truth_ranking[:2])}**"])
        lines += _table(["model"] + ch + ["Spearman ρ", "top-2"], body)
    if any(v for v in ev.unmapped.values()):
        lines += ["", "Credit that maps to no ground-truth key: "
                  + ", ".join(f"{m}: {_num(v)}" for m, v in ev.unmapped.items() if v)]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    flat: list[str] = []
    for item in lines:
        flat.extend(item if isinstance(item, list) else [item])
    return "\n".join(flat) + "\n"
