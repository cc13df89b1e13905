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

from .paths import PathRow
from .table import PathTable, build_table, group_segments, offsets_from_lengths

MAX_EXACT = 12
N_PERMUTATIONS = 2000
BATCH_CELLS = 1 << 21  # subset values per batch of exact coalitions (16 MB per int64 array)


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
    n_paths = table.n_paths
    if n_paths == 0:
        empty = np.zeros(0)
        return ShapleyShares(table, empty.astype(np.int64), empty.astype(np.int64), empty)

    # Paths with the same channel set share a coalition, and so their v(S) and their shares:
    # group them once, then work per coalition (far fewer than paths) rather than per path.
    pair_start = offsets_from_lengths(np.bincount(pair_path, minlength=n_paths))
    coalition, first = group_segments(pair_ch, pair_start, len(table.channels), np.arange(n_paths))
    # bincount adds in path order, as the per-coalition sums always were: tries as
    # ((conv_1 + nulls_1) + conv_2) + nulls_2 ..., hence the interleaved weights.
    conv = np.bincount(coalition, weights=table.conversions, minlength=len(first))
    both = np.column_stack([table.conversions, table.nulls]).ravel()
    tries = np.bincount(np.repeat(coalition, 2), weights=both, minlength=len(first))
    members = [pair_ch[pair_start[p] : pair_start[p + 1]].tolist() for p in first.tolist()]
    masks = [sum(1 << c for c in m) for m in members]  # Python ints: any number of channels
    rate = {
        m: (cv / t if t > 0 else 0.0) for m, cv, t in zip(masks, conv.tolist(), tries.tolist(), strict=True)
    }
    lookup = _Lookup(rate, len(table.channels))

    shares: list[np.ndarray] = [np.empty(0)] * len(members)
    by_size: dict[int, list[int]] = {}
    for i, chans in enumerate(members):
        if len(chans) <= max_exact:
            by_size.setdefault(len(chans), []).append(i)
        else:
            names = [table.channels[c] for c in chans]
            shares[i] = _normalise(_sampled(chans, lookup, n_permutations, _rng(seed, names)))
    # Coalitions of one size are solved together (one array op per player rather than per
    # coalition and player), in slices that keep the subset arrays to ~BATCH_CELLS values.
    for n, idx in by_size.items():
        step = max(1, BATCH_CELLS >> n)
        for lo in range(0, len(idx), step):
            part = idx[lo : lo + step]
            phi = _exact_many(
                np.array([members[i] for i in part], dtype=np.int64).reshape(len(part), n), lookup
            )
            for i, row in zip(part, _normalise(phi), strict=True):
                shares[i] = row
    # A path's pairs list its channels in the same (sorted) order as its coalition's shares.
    share_start = offsets_from_lengths(np.fromiter(map(len, members), dtype=np.int64, count=len(members)))
    rank = np.arange(len(pair_path)) - pair_start[pair_path]
    share = np.concatenate(shares)[share_start[coalition[pair_path]] + rank]
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
    """Exact Shapley values of one coalition's players (see :func:`_exact_many`)."""
    return _exact_many(np.array(chans, dtype=np.int64).reshape(1, len(chans)), v)[0]


def _exact_many(chans: np.ndarray, v: _Lookup) -> np.ndarray:
    """Exact Shapley values of ``k`` coalitions of ``n`` players each (the rows of ``chans``),
    by enumerating every subset of the players as a local bitmask."""
    k, n = chans.shape
    local = np.arange(1 << n, dtype=np.int64)
    if v.vectorised:
        bits = np.left_shift(np.int64(1), chans)
        glob = np.zeros((k, 1 << n), dtype=np.int64)
        for j in range(n):
            glob |= np.where((local >> j) & 1 == 1, bits[:, j, None], 0)
    else:  # > 62 channels: Python ints, slower but unbounded
        glob = np.array(
            [[sum(1 << int(c[j]) for j in range(n) if m >> j & 1) for m in range(1 << n)] for c in chans],
            dtype=object,
        ).reshape(k, 1 << n)
    val = v(glob)
    val[:, 0] = 0.0  # v(empty) = 0 by definition
    size = np.bitwise_count(local.astype(np.uint64)).astype(np.int64)
    # weight[s] = s! (n-s-1)! / n!, the probability that a random order puts exactly the
    # s players of S (in any order) before i.
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
    phi = np.empty((k, n))
    for j in range(n):
        without = local[(local >> j) & 1 == 0]
        terms = weight[size[without]] * (val[:, without | (1 << j)] - val[:, without])
        # Row-major, so each row is summed pairwise exactly as a single coalition's 1-D sum is
        # (column indexing hands back a column-major array, summed in another order).
        phi[:, j] = np.ascontiguousarray(terms).sum(axis=1)
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
    """Shares of the (last axis of) ``phi``: negatives clipped, the rest scaled to sum to 1."""
    pos = np.clip(phi, 0.0, None)
    total = pos.sum(axis=-1, keepdims=True)
    return np.where(total > 0, pos / np.where(total > 0, total, 1.0), 1.0 / phi.shape[-1])
