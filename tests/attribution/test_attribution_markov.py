"""Markov engine: hand-derived chains, an independent dense reference, ChannelAttribution fixtures."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from touchpath.attribution import (
    fit_markov,
    markov_channel_credits,
    markov_channel_value,
    markov_removal_effects,
    parse_path,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channelattribution"

# (path, conversions, value, nulls). Weights w = conv + nulls: aab 4, ba 3, abc 3, c 4; W = 14.
TINY = [
    (("a", "a", "b"), 3, 30.0, 1),
    (("b", "a"), 1, 5.0, 2),
    (("a", "b", "c"), 2, 40.0, 1),
    (("c",), 1, 1.0, 3),
]


# ---------------------------------------------------------------- independent reference


def reference_markov(paths, order=1, collapse=False):
    """Dense, loop-based re-derivation: explicit redirect-to-null and matrix powers.

    Builds the full stochastic matrix over [start, states..., conversion, null] (absorbing
    states loop on themselves), removes a channel by literally moving every transition into
    a state containing it onto ``null``, and reads absorption probabilities off M^(2^60)
    obtained by repeated squaring -- no linear solve, no shared code with the engine.
    Returns (removal effects on conversions, on value, total conversions, total value).
    """
    trans, conv_out, val_out, null_out = {}, {}, {}, {}
    states = set()
    tot_c = tot_v = 0.0
    for path, c, v, n in paths:
        path = tuple(path)
        if collapse:
            path = tuple(x for i, x in enumerate(path) if i == 0 or x != path[i - 1])
        if not path:
            continue
        tot_c += c
        tot_v += v
        seq = [tuple(path[max(0, i - order + 1) : i + 1]) for i in range(len(path))]
        states.update(seq)
        w = c + n
        prev = "start"
        for s in seq:
            trans[(prev, s)] = trans.get((prev, s), 0.0) + w
            prev = s
        conv_out[prev] = conv_out.get(prev, 0.0) + c
        val_out[prev] = val_out.get(prev, 0.0) + v
        null_out[prev] = null_out.get(prev, 0.0) + n
    names = ["start", *sorted(states), "conv", "null"]
    ix = {s: i for i, s in enumerate(names)}
    size = len(names)
    counts = np.zeros((size, size))
    for (a, b), w in trans.items():
        counts[ix[a], ix[b]] += w
    val_rate = np.zeros(size)
    for s in states:
        counts[ix[s], ix["conv"]] += conv_out.get(s, 0.0)
        counts[ix[s], ix["null"]] += null_out.get(s, 0.0)
    out = counts.sum(axis=1)
    for s in states:
        if out[ix[s]] > 0:  # states seen only on zero-weight paths are unreachable
            val_rate[ix[s]] = val_out.get(s, 0.0) / out[ix[s]]
    m = np.zeros((size, size))
    live = out > 0
    m[live] = counts[live] / out[live, None]
    m[ix["conv"], ix["conv"]] = m[ix["null"], ix["null"]] = 1.0
    m[ix["start"]] = counts[ix["start"]] / counts[ix["start"]].sum()

    def solve(mat):
        limit = mat.copy()
        for _ in range(60):
            limit = limit @ limit
        p_conv = limit[ix["start"], ix["conv"]]
        # E[value] = sum_t (M^t)[start, s] * val_rate[s]: sum the series by doubling,
        # S_{2n} = S_n + M^n S_n with S_1 = I.
        series, power = np.eye(size), mat.copy()
        for _ in range(60):
            series = series + power @ series
            power = power @ power
        series[:, ix["conv"]] = series[:, ix["null"]] = 0.0  # absorbing states carry no value
        return p_conv, series[ix["start"]] @ val_rate

    return _removals(solve, m, names, ix), tot_c, tot_v


def _removals(solve, m, names, ix):
    base_c, base_v = solve(m)
    channels = sorted({ch for s in names[1:-2] for ch in s})
    re_c, re_v = {}, {}
    for ch in channels:
        mod = m.copy()
        for s in names[1:-2]:
            if ch in s:
                col = ix[s]
                mod[:, ix["null"]] += mod[:, col]
                mod[:, col] = 0.0
        mod[ix["null"], ix["null"]] = 1.0
        p_c, p_v = solve(mod)
        re_c[ch] = 1 - p_c / base_c
        re_v[ch] = 1 - p_v / base_v
    return re_c, re_v


def reference_credits(paths, order=1, collapse=False, target="conversions"):
    (re_c, re_v), tot_c, tot_v = reference_markov(paths, order, collapse)
    re, tot = (re_c, tot_c) if target == "conversions" else (re_v, tot_v)
    s = sum(re.values())
    return {ch: r / s * tot for ch, r in re.items()}


def random_paths(rng: random.Random, n_paths: int, channels: str, max_len: int):
    out = []
    for _ in range(n_paths):
        path = tuple(rng.choice(channels) for _ in range(rng.randint(1, max_len)))
        conv = rng.choice([0, 0, 1, 2, rng.random() * 3])
        nulls = rng.choice([0, 1, 3, 7, rng.random() * 10])
        out.append((path, conv, conv * rng.uniform(5, 50), nulls))
    return out


# ---------------------------------------------------------------- hand-derived chains


def test_tiny_order1_by_hand():
    # Order 1, self-loop a->a dropped (it cannot change absorption probabilities).
    # start: a 7/14, b 3/14, c 4/14. a: ->b 7, conv 1, null 2 (out 10).
    # b: conv 3, null 1, ->a 3, ->c 3 (out 10). c: conv 3, null 4 (out 7).
    # x_c = 3/7; x_b = 3/10 + 3/10 x_a + 3/10 x_c; x_a = 1/10 + 7/10 x_b  => x_a = 40/79, x_b = 3/7 + 3/10 x_a.
    # P = 1/2: the chain reproduces the observed 7/14.
    # -a: x_b = 3/10 (1 + 3/7) = 3/7 => P = (3/14 + 4/14) 3/7 = 3/14 => RE_a = 1 - 3/7 = 4/7.
    # -b: x_a = 1/10 => P = 1/20 + 4/14 * 3/7 = 169/980 => RE_b = 1 - 338/980 = 321/490.
    # -c: x_a = 31/79, x_b = 33/79 => P = 158/553 => RE_c = 1 - 316/553 = 3/7.
    res = fit_markov(TINY, order=1)
    assert res.p_conversion == pytest.approx(0.5, abs=1e-12)
    expected = {"a": Fraction(4, 7), "b": Fraction(321, 490), "c": Fraction(3, 7)}
    re = markov_removal_effects(TINY)
    for ch, want in expected.items():
        assert re[ch] == pytest.approx(float(want), abs=1e-12)
    # Credits: RE / (811/490) * 7 conversions => a = 1960/811, b = 2247/811, c = 1470/811.
    credits = markov_channel_credits(TINY)
    assert credits["a"] == pytest.approx(1960 / 811, abs=1e-12)
    assert credits["b"] == pytest.approx(2247 / 811, abs=1e-12)
    assert credits["c"] == pytest.approx(1470 / 811, abs=1e-12)
    assert sum(credits.values()) == pytest.approx(7.0, abs=1e-12)


def test_tiny_order2_by_hand():
    # States are the last <=2 channels; repeats kept, so aab visits (a) -> (a,a) -> (a,b).
    # x(b,c) = 2/3; x(a,b) = 3/7 + 3/7 * 2/3 = 5/7 = x(a,a) = x(a); x(b) = x(b,a) = 1/3; x(c) = 1/4.
    # P = 1/2 * 5/7 + 3/14 * 1/3 + 4/14 * 1/4 = 1/2.
    # -a kills the a- and b-branches: P = 1/14 => RE_a = 6/7. -b likewise: RE_b = 6/7.
    # -c: x(a,b) = 3/7 => P = 3/14 + 1/14 => RE_c = 3/7. Credits: 7 * (6, 6, 3) / 15.
    res = fit_markov(TINY, order=2)
    assert res.p_conversion == pytest.approx(0.5, abs=1e-12)
    re = markov_removal_effects(TINY, order=2)
    assert re == pytest.approx({"a": 6 / 7, "b": 6 / 7, "c": 3 / 7}, abs=1e-12)
    assert markov_channel_credits(TINY, order=2) == pytest.approx({"a": 2.8, "b": 2.8, "c": 1.4}, abs=1e-12)
    # Collapsing repeats makes aab = ab, so (a,a) disappears: a different order-2 chain.
    collapsed = markov_channel_credits(TINY, order=2, collapse_repeats=True)
    assert collapsed == pytest.approx(reference_credits(TINY, 2, collapse=True), abs=1e-9)


def test_single_channel_and_degenerate_inputs():
    only = [(("a",), 2, 10.0, 2), (("a", "a"), 1, 1.0, 0)]
    assert markov_channel_credits(only) == pytest.approx({"a": 3.0})
    assert markov_removal_effects(only) == pytest.approx({"a": 1.0})
    # No conversions at all: every removal effect and credit is 0, no division by zero.
    dead = [(("a", "b"), 0, 0.0, 5), (("b",), 0, 0.0, 1)]
    assert markov_channel_credits(dead) == {"a": 0.0, "b": 0.0}
    assert markov_channel_credits([]) == {}


def test_value_credits_by_hand():
    # a -> conv carries 10 per conversion, b -> conv carries 2. Paths: a (1 conv, 1 null, 10),
    # b (1 conv, 1 null, 2). E[value] = 1/2 * 1/2 * 10 + 1/2 * 1/2 * 2 = 3; removing a leaves
    # 1/2 => RE_v(a) = 5/6, RE_v(b) = 1/6 => value credits 12 * (5/6, 1/6) = (10, 2).
    paths = [(("a",), 1, 10.0, 1), (("b",), 1, 2.0, 1)]
    assert markov_channel_value(paths) == pytest.approx({"a": 10.0, "b": 2.0}, abs=1e-12)
    assert markov_removal_effects(paths, target="value") == pytest.approx({"a": 5 / 6, "b": 1 / 6})


# ---------------------------------------------------------------- reference agreement


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_matches_dense_reference(order, seed):
    paths = random_paths(random.Random(seed * 10 + order), 60, "abcde", 6)
    for target in ("conversions", "value"):
        ours = markov_channel_credits(paths, order=order, target=target)
        ref = reference_credits(paths, order=order, target=target)
        assert ours.keys() == ref.keys()
        for ch in ref:
            assert ours[ch] == pytest.approx(ref[ch], rel=1e-9, abs=1e-9)


def test_order1_repeats_are_immaterial():
    paths = random_paths(random.Random(7), 80, "abcd", 7)
    kept = markov_channel_credits(paths, order=1)
    collapsed = markov_channel_credits(paths, order=1, collapse_repeats=True)
    assert kept == pytest.approx(collapsed, rel=1e-10)


def test_row_order_and_duplicates_do_not_matter():
    paths = random_paths(random.Random(11), 200, "abcdefg", 5)
    base = markov_channel_credits(paths, order=2)
    shuffled = paths[:]
    random.Random(0).shuffle(shuffled)
    assert markov_channel_credits(shuffled, order=2) == base  # bit-identical
    # Splitting a row in two equal halves describes the same data.
    split = [(p, c / 2, v / 2, n / 2) for p, c, v, n in paths for _ in range(2)]
    assert markov_channel_credits(split, order=2) == pytest.approx(base, rel=1e-12)


# ---------------------------------------------------------------- ChannelAttribution


def _ca_data():
    data = pd.read_csv(FIXTURES / "Data.csv", sep=";")
    return [
        (parse_path(p, ">"), c, v, n)
        for p, c, v, n in data[
            ["path", "total_conversions", "total_conversion_value", "total_null"]
        ].itertuples(index=False)
    ]


@pytest.mark.parametrize("order", [1, 2])
def test_matches_recorded_channelattribution(order):
    paths = _ca_data()
    assert len(paths) == 10_000
    recorded = pd.read_csv(FIXTURES / f"markov_channelattribution_order{order}.csv").set_index("channel_name")
    total_conv = sum(p[1] for p in paths)
    total_value = sum(p[2] for p in paths)
    ours = markov_channel_credits(paths, order=order)
    ours_value = markov_channel_value(paths, order=order)
    assert sorted(ours) == sorted(recorded.index) and len(ours) == 12
    assert sum(ours.values()) == pytest.approx(recorded["total_conversions"].sum(), rel=1e-9)
    for ch, row in recorded.iterrows():
        # ChannelAttribution simulates (1e7 journeys, conv_par 0.5%); we solve exactly.
        assert abs(ours[ch] - row["total_conversions"]) <= 0.005 * total_conv
        assert abs(ours_value[ch] - row["total_conversion_value"]) <= 0.005 * total_value
    # And the exact engine agrees with the independent dense reference to 1e-9.
    ref = reference_credits(paths, order=order)
    for ch in ref:
        assert ours[ch] == pytest.approx(ref[ch], rel=1e-9, abs=1e-9)


def test_iterative_solver_matches_direct(monkeypatch):
    import touchpath.attribution.markov as markov

    paths = random_paths(random.Random(21), 400, "abcdefg", 8)
    direct = markov_channel_credits(paths, order=3, target="value")
    monkeypatch.setattr(markov, "DIRECT_MAX_STATES", 0)  # force the iterative solver on every solve
    iterative = markov_channel_credits(paths, order=3, target="value")
    assert iterative == pytest.approx(direct, rel=1e-9, abs=1e-9)
