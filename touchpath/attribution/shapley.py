r"""Per-path Shapley shares over channel coalitions, from converting and non-converting paths.

Characteristic function
-----------------------
A journey's coalition is its *set* of distinct channels (order and repeats are ignored).
For a coalition ``S``, ``v(S) = conv(S) / (conv(S) + nulls(S))``: the conversion rate of the
journeys whose channel set is exactly ``S``; ``v(S) = 0`` when no such journey was observed
(no evidence of conversions) and ``v(empty) = 0``. Using the rate rather than the conversion
count keeps ``v`` comparable between rare and common coalitions, which is what the non-
converting journeys are for (the "conversion-rate" characteristic function of Shao & Li 2011;
Zhao et al. 2018 discuss it alongside their simplified variant).

Shares of one path
------------------
The players are the distinct channels ``P`` of the path (``n = |P|``), playing the game ``v``
restricted to subsets of ``P``:
``phi_i = sum_{S subset P \ {i}} |S|! (n-|S|-1)! / n! * (v(S + i) - v(S))``.
The path's shares are ``max(phi_i, 0) / sum_j max(phi_j, 0)``: negative marginal
contributions (a channel whose presence coincides with lower observed rates) are clipped to
zero and the rest renormalised so the shares sum to 1; when every clipped value is zero the
path is split equally. Paths with the same channel set get the same shares.

Exact vs approximate
--------------------
For ``n <= max_exact`` (default 12, i.e. 4,096 subsets) ``phi`` is exact, by enumerating all
subsets as bitmasks. Beyond that it is the mean marginal contribution over
``n_permutations`` random orderings drawn from a generator seeded by ``seed`` and the
channel names (so it is deterministic and independent of row order); the estimate is
unbiased with error ``O(1/sqrt(n_permutations))`` and still satisfies efficiency exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from math import factorial

import numpy as np

from .paths import PathRow, PathTable, build_table

MAX_EXACT = 12
N_PERMUTATIONS = 2000


@dataclass(frozen=True)
class ShapleyShares:
    """Long-format shares: row ``k`` gives path ``path_idx[k]`` channel ``channel_idx[k]``."""

    table: PathTable
    path_idx: np.ndarray
    channel_idx: np.ndarray
    share: np.ndarray


def fit_shapley(
    paths: Iterable[PathRow] | PathTable,
    max_exact: int = MAX_EXACT,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> ShapleyShares:
    """Compute the shares of every distinct path (see module docstring)."""
    table = build_table(paths)
    pair_path, pair_ch = table.distinct_pairs()
    n_paths = len(table.paths)
    if n_paths == 0:
        empty = np.zeros(0)
        return ShapleyShares(table, empty.astype(np.int64), empty.astype(np.int64), empty)

    # One coalition id per path. Python-int bitmasks work for any number of channels.
    members: list[list[int]] = [[] for _ in range(n_paths)]
    for p, c in zip(pair_path.tolist(), pair_ch.tolist(), strict=True):
        members[p].append(c)
    masks = [sum(1 << c for c in m) for m in members]
    conv: dict[int, float] = {}
    tries: dict[int, float] = {}
    for m, cv, nl in zip(masks, table.conversions.tolist(), table.nulls.tolist(), strict=True):
        conv[m] = conv.get(m, 0.0) + cv
        tries[m] = tries.get(m, 0.0) + cv + nl
    rate = {m: (conv[m] / t if t > 0 else 0.0) for m, t in tries.items()}
    lookup = _Lookup(rate, len(table.channels))

    cache: dict[int, np.ndarray] = {}
    share = np.empty(len(pair_path))
    start = 0
    for p in range(n_paths):
        chans = members[p]
        key = masks[p]
        s = cache.get(key)
        if s is None:
            if len(chans) <= max_exact:
                phi = _exact(chans, lookup)
            else:
                names = [table.channels[c] for c in chans]
                phi = _sampled(chans, lookup, n_permutations, _rng(seed, names))
            s = cache[key] = _normalise(phi)
        share[start : start + len(chans)] = s
        start += len(chans)
    return ShapleyShares(table, pair_path, pair_ch, share)


def shapley_path_shares(
    paths: Iterable[PathRow] | PathTable,
    max_exact: int = MAX_EXACT,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> dict[tuple[str, ...], dict[str, float]]:
    """``{path_tuple: {channel: share}}`` for every distinct non-empty path.

    ``paths``: iterable of ``(path_tuple, conversions, value, nulls)``. Shares of a path sum
    to 1 over its distinct channels. Math and conventions: module docstring.
    """
    res = fit_shapley(paths, max_exact, n_permutations, seed)
    out: dict[tuple[str, ...], dict[str, float]] = {}
    chans = res.table.channels
    for p, c, s in zip(res.path_idx.tolist(), res.channel_idx.tolist(), res.share.tolist(), strict=True):
        out.setdefault(res.table.paths[p], {})[chans[c]] = s
    return out


def shapley_channel_credits(
    paths: Iterable[PathRow] | PathTable,
    max_exact: int = MAX_EXACT,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> dict[str, float]:
    """Conversions credited per channel: ``sum over paths of conversions * share``."""
    res = fit_shapley(paths, max_exact, n_permutations, seed)
    weights = res.table.conversions[res.path_idx] * res.share
    credit = np.bincount(res.channel_idx, weights=weights, minlength=len(res.table.channels))
    return dict(zip(res.table.channels, credit.tolist(), strict=True))


class _Lookup:
    """v(S) for arrays of global bitmasks; int64 + searchsorted when the channels fit in 62 bits."""

    def __init__(self, rate: dict[int, float], n_channels: int):
        self.rate = rate
        self.vectorised = n_channels <= 62
        if self.vectorised:
            keys = np.array(sorted(rate), dtype=np.int64)
            self.keys = keys
            self.vals = np.array([rate[int(k)] for k in keys], dtype=float)

    def masks(self, bits: list[int]) -> np.ndarray:
        """The global bit of each player, as an array usable with ``|`` and ``cumsum``."""
        if self.vectorised:
            return np.array([1 << b for b in bits], dtype=np.int64)
        return np.array([1 << b for b in bits], dtype=object)

    def __call__(self, gm: np.ndarray) -> np.ndarray:
        if not self.vectorised:
            return np.array([self.rate.get(int(m), 0.0) for m in gm.ravel()]).reshape(gm.shape)
        pos = np.searchsorted(self.keys, gm)
        pos = np.minimum(pos, len(self.keys) - 1)
        return np.where(self.keys[pos] == gm, self.vals[pos], 0.0)


def _exact(chans: list[int], v: _Lookup) -> np.ndarray:
    """Exact Shapley values by enumerating every subset of the players as a local bitmask."""
    n = len(chans)
    local = np.arange(1 << n, dtype=np.int64)
    bits = v.masks(chans)
    if v.vectorised:
        glob = np.zeros(1 << n, dtype=np.int64)
        for j in range(n):
            glob |= np.where((local >> j) & 1 == 1, bits[j], 0)
    else:  # > 62 channels: Python ints, slower but unbounded
        glob = np.array(
            [sum(int(bits[j]) for j in range(n) if m >> j & 1) for m in range(1 << n)], dtype=object
        )
    val = v(glob)
    val[0] = 0.0  # v(empty) = 0 by definition
    size = np.bitwise_count(local.astype(np.uint64)).astype(np.int64)
    # weight[s] = s! (n-s-1)! / n!, the probability that a random order puts exactly the
    # s players of S (in any order) before i.
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
    phi = np.empty(n)
    for j in range(n):
        without = local[(local >> j) & 1 == 0]
        phi[j] = np.sum(weight[size[without]] * (val[without | (1 << j)] - val[without]))
    return phi


def _sampled(chans: list[int], v: _Lookup, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    """Mean marginal contribution over ``n_perm`` random player orders."""
    n = len(chans)
    bits = v.masks(chans)
    order = rng.permuted(np.tile(np.arange(n), (n_perm, 1)), axis=1)
    # Bits are distinct, so a running sum is a running union of the coalition.
    prefix = np.cumsum(bits[order], axis=1)
    val = v(prefix)
    marginal = np.diff(val, axis=1, prepend=0.0)
    phi = np.zeros(n)
    np.add.at(phi, order.ravel(), marginal.ravel())
    return phi / n_perm


def _rng(seed: int, names: list[str]) -> np.random.Generator:
    digest = hashlib.sha256("\x1f".join(sorted(names)).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])


def _normalise(phi: np.ndarray) -> np.ndarray:
    pos = np.clip(phi, 0.0, None)
    total = pos.sum()
    if total <= 0:
        return np.full(len(phi), 1.0 / len(phi))
    return pos / total
