"""Shapley engine: hand values, brute force over all permutations, and the Shapley axioms."""

from __future__ import annotations

import itertools
import random
from math import factorial

import numpy as np
import pytest

from touchpath.attribution import shapley_channel_credits, shapley_path_shares
from touchpath.attribution.shapley import _exact, _Lookup, _sampled


def brute_force_shares(paths):
    """Shapley by averaging marginal contributions over every ordering of a path's channels."""
    conv, tries = {}, {}
    for path, c, _v, n in paths:
        key = frozenset(path)
        if not key:
            continue
        conv[key] = conv.get(key, 0.0) + c
        tries[key] = tries.get(key, 0.0) + c + n

    def v(s):
        s = frozenset(s)
        return conv[s] / tries[s] if s and tries.get(s, 0) > 0 else 0.0

    out = {}
    for path, *_ in paths:
        players = sorted(set(path))
        phi = dict.fromkeys(players, 0.0)
        for perm in itertools.permutations(players):
            for k, p in enumerate(perm):
                phi[p] += v(perm[: k + 1]) - v(perm[:k])
        phi = {p: max(x / factorial(len(players)), 0.0) for p, x in phi.items()}
        total = sum(phi.values())
        out[tuple(path)] = {p: (x / total if total > 0 else 1 / len(players)) for p, x in phi.items()}
    return out


def random_paths(rng, n, channels, max_len):
    return [
        (
            tuple(rng.choice(channels) for _ in range(rng.randint(1, max_len))),
            rng.choice([0, 1, 2, rng.random()]),
            0.0,
            rng.choice([0, 1, 4, rng.random() * 5]),
        )
        for _ in range(n)
    ]


def test_two_channels_by_hand():
    # v(a) = 1/10, v(b) = 3/10, v(ab) = 6/10.
    # phi_a = 1/2 (v(a) - 0) + 1/2 (v(ab) - v(b)) = 0.05 + 0.15 = 0.2
    # phi_b = 1/2 (v(b) - 0) + 1/2 (v(ab) - v(a)) = 0.15 + 0.25 = 0.4 => shares 1/3, 2/3.
    paths = [(("a",), 1, 0, 9), (("b",), 3, 0, 7), (("a", "b"), 6, 0, 4)]
    shares = shapley_path_shares(paths)
    assert shares[("a", "b")] == pytest.approx({"a": 1 / 3, "b": 2 / 3}, abs=1e-12)
    assert shares[("a",)] == {"a": 1.0}
    # Credits: a: 1 + 6/3 = 3, b: 3 + 4 = 7.
    assert shapley_channel_credits(paths) == pytest.approx({"a": 3.0, "b": 7.0}, abs=1e-12)


def test_negative_marginals_clipped_and_all_zero_split_equally():
    # v(a) = 1/2, v(b) = 0 (b seen, never converts), v(ab) = 1/4:
    # phi_a = 1/2 * 1/2 + 1/2 * 1/4 = 3/8, phi_b = 1/2 * 0 + 1/2 * (1/4 - 1/2) = -1/8 -> 0.
    paths = [(("a",), 1, 0, 1), (("b",), 0, 0, 3), (("a", "b"), 1, 0, 3), (("c", "d"), 0, 0, 5)]
    shares = shapley_path_shares(paths)
    assert shares[("a", "b")] == {"a": 1.0, "b": 0.0}
    # c > d never converts and nothing about c or d was seen converting: equal split.
    assert shares[("c", "d")] == {"c": 0.5, "d": 0.5}


@pytest.mark.parametrize("seed", range(5))
def test_exact_equals_brute_force_permutations(seed):
    paths = random_paths(random.Random(seed), 150, "abcdef", 7)
    ours = shapley_path_shares(paths)
    ref = brute_force_shares(paths)
    assert ours.keys() == {p for p in ref}
    for path, want in ref.items():
        assert ours[path] == pytest.approx(want, abs=1e-12)
        assert sum(ours[path].values()) == pytest.approx(1.0, abs=1e-12)


def test_axioms_on_raw_values():
    # Channels a, b symmetric; d a null player: adding d never changes the rate.
    rate = {"a": 0.2, "b": 0.2, "d": 0.0, "ab": 0.5, "ad": 0.2, "bd": 0.2, "abd": 0.5}
    paths = [(tuple(k), r * 10, 0.0, 10 - r * 10) for k, r in rate.items()]
    shares = shapley_path_shares(paths)
    assert shares[("a", "b", "d")] == pytest.approx({"a": 0.5, "b": 0.5, "d": 0.0}, abs=1e-12)
    # Efficiency of the unclipped values: sum phi = v(P) - v(empty), on a random game.
    rng = np.random.default_rng(0)
    rates = {m: float(rng.uniform(-1, 1)) for m in range(1, 1 << 7)}
    phi = _exact(list(range(7)), _Lookup(rates, 7))
    assert phi.sum() == pytest.approx(rates[(1 << 7) - 1], abs=1e-12)


def test_permutation_sampling_beyond_max_exact_is_deterministic_and_close():
    paths = random_paths(random.Random(3), 300, "abcdefgh", 9)
    approx = shapley_path_shares(paths, max_exact=3, n_permutations=2_000)
    again = shapley_path_shares(list(reversed(paths)), max_exact=3, n_permutations=2_000)
    assert approx == again  # fixed seed, independent of row order
    for shares in approx.values():
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    # The raw estimate is unbiased with O(1/sqrt(n_permutations)) error. (Shares can move
    # more: clipping and renormalising divide by the sum of the positive values.)
    rng = np.random.default_rng(1)
    rates = {m: float(rng.uniform(0, 1)) for m in range(1, 1 << 8)}
    lookup = _Lookup(rates, 8)
    exact = _exact(list(range(8)), lookup)
    sampled = _sampled(list(range(8)), lookup, 20_000, np.random.default_rng(2))
    assert np.abs(sampled - exact).max() < 0.01
    assert sampled.sum() == pytest.approx(exact.sum(), abs=1e-12)  # efficiency holds per sample


def test_many_channels_use_python_int_masks():
    # 70 channels exceed the int64 bitmask fast path; results must not change.
    names = [f"ch{i:02d}" for i in range(70)]
    rng = random.Random(5)
    paths = [
        (tuple(rng.sample(names, rng.randint(1, 4))), rng.randint(0, 3), 0.0, rng.randint(0, 5))
        for _ in range(300)
    ]
    ours = shapley_path_shares(paths)
    ref = brute_force_shares(paths)
    for path, want in ref.items():
        assert ours[path] == pytest.approx(want, abs=1e-12)
