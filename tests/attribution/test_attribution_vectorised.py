"""The vectorised path reading and output assembly against plain per-row loops.

``split_paths`` / ``encode_paths`` / ``build_table`` parse, merge and sort paths with array
operations, and ``path_credits`` assembles its rows columnar. Here the same randomized, messy
input goes through straightforward loops (``parse_path`` per row, a dict of paths, a dense
linear solve, Shapley by enumerating permutations) and the answers must agree: exactly for
the table, to 1e-9 for the shares.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pandas as pd
import pytest

from touchpath.attribution import (
    build_table,
    collapse_repeats,
    encode_paths,
    parse_path,
    path_credits,
    split_paths,
)
from touchpath.attribution.shapley import _exact, _exact_many, _Lookup

# Names that stress the ordering: prefixes of each other, upper before lower case, an inner
# space, non-ASCII (byte order must agree with Python's code-point order).
NAMES = ["a", "ab", "Zeta", "direct", "paid search", "é-mail", "😀"]
SEPARATORS = [" > ", ">", " >", ">  ", " > > ", "\t>"]  # the doubled one leaves an empty token
PADDING = ["", " ", "  ", "\t", "\u00a0"]  # str.strip removes all of these


def messy_rows(seed: int, n: int, repeat_strings: bool = True) -> list[tuple]:
    """(channel_path, conversions, revenue, nulls) rows with every edge case the reader handles."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        length = rng.choice([1, 1, 2, 3, 4, 5])
        tokens = [rng.choice(NAMES)]
        for _ in range(length - 1):  # sticky: repeated channels are common
            tokens.append(tokens[-1] if rng.random() < 0.3 else rng.choice(NAMES))
        text = tokens[0]
        for tok in tokens[1:]:
            text += rng.choice(SEPARATORS) + rng.choice(PADDING) + tok + rng.choice(PADDING)
        if rng.random() < 0.1:
            text = rng.choice([">", " > "]) + text  # leading separator
        if rng.random() < 0.1:
            text += " >"  # trailing separator
        conv = rng.choice([0, 0, 1, 2, 5, rng.random() * 3, float("nan")])
        nulls = rng.choice([0, 1, 3, 8, rng.random() * 10, None])
        revenue = 0.0 if not conv or conv != conv else conv * rng.uniform(5, 50)
        rows.append((text, conv, revenue, nulls))
    # Paths with no channel at all, and exact repeats of a string (summed by path_credits).
    rows += [(None, 1, 3.0, 2), ("", 2, 1.0, 0), (" > ", 1, 1.0, 1), ("  ", 0, 0.0, 4)]
    if repeat_strings:
        rows += [rows[i] for i in rng.sample(range(n), 10)]
    else:
        rows = list({row[0] or "": row for row in rows}.values())  # None reads as ""
    rng.shuffle(rows)
    return rows


def _num(x) -> float:
    return 0.0 if x is None or x != x else float(x)


def reference_table(rows, sep=" > ", collapse=False):
    """Distinct parsed paths, sorted, with counts summed (sorted addends when a path repeats)."""
    acc: dict[tuple, list] = {}
    for s, c, v, n in rows:
        path = parse_path(s, sep)
        path = collapse_repeats(path) if collapse else path
        if path:
            acc.setdefault(path, []).append((_num(c), _num(v), _num(n)))
    paths = sorted(acc)
    sums = [
        [acc[p][0][k] if len(acc[p]) == 1 else float(sum(sorted(x[k] for x in acc[p]))) for k in range(3)]
        for p in paths
    ]
    return paths, np.array(sums, dtype=float).reshape(len(paths), 3)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("collapse", [False, True])
def test_encode_paths_equals_per_row_parse(seed, collapse):
    rows = messy_rows(seed, 300)
    table, row_path = encode_paths(*zip(*rows, strict=True), collapse=collapse)
    paths, sums = reference_table(rows, collapse=collapse)
    assert table.paths == tuple(paths)
    assert table.channels == tuple(sorted({c for p in paths for c in p}))
    got = np.column_stack([table.conversions, table.value, table.nulls])
    assert np.array_equal(got, sums)  # bit for bit
    index = {p: i for i, p in enumerate(paths)}
    for (s, *_), i in zip(rows, row_path.tolist(), strict=True):
        path = parse_path(s)
        assert i == index.get(collapse_repeats(path) if collapse else path, -1)
    # The tuple entry point reads the same table.
    parsed = [(parse_path(s), c, v, n) for s, c, v, n in rows]
    again = build_table(parsed, collapse=collapse)
    assert again.paths == table.paths and np.array_equal(again.codes, table.codes)
    assert np.array_equal(np.column_stack([again.conversions, again.value, again.nulls]), sums)


@pytest.mark.parametrize("sep", [" > ", ">", "|", " -> ", " "])
def test_split_paths_equals_parse_path(sep):
    rng = random.Random(len(sep))
    delim = sep.strip() or " "
    strings = [None, "", delim, delim * 3, "   "]
    for _ in range(200):
        tokens = [rng.choice(NAMES[:4]) for _ in range(rng.randint(1, 5))]
        strings.append(
            rng.choice(PADDING[:3]) + (rng.choice(PADDING) + delim + rng.choice(PADDING)).join(tokens)
        )
    channels, codes, lengths = split_paths(strings, sep)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    for i, s in enumerate(strings):
        assert tuple(channels[c] for c in codes[bounds[i] : bounds[i + 1]]) == parse_path(s, sep)


@pytest.mark.parametrize("n_channels", [300, 70_000])  # two- and four-byte sort keys
def test_many_channels_sort_as_tuples(n_channels):
    rng = random.Random(n_channels)
    names = [f"c{i}" for i in range(n_channels)]
    strings = [" > ".join(rng.choices(names[:400], k=rng.randint(1, 4))) for _ in range(300)]
    strings += [" > ".join(rng.sample(names, 3)) for _ in range(50)]
    table, _ = encode_paths(strings, [1.0] * len(strings), [0.0] * len(strings), [1.0] * len(strings))
    assert table.paths == tuple(sorted({parse_path(s) for s in strings}))


def test_batched_exact_shapley_equals_one_coalition_at_a_time():
    # Bit for bit: batching must not change the order in which each coalition's terms are summed.
    rng = np.random.default_rng(3)
    lookup = _Lookup({m: float(rng.uniform()) for m in range(1, 1 << 10)}, 10)
    chans = np.sort(np.array([rng.choice(10, 7, replace=False) for _ in range(40)]), axis=1)
    one_at_a_time = np.array([_exact(c.tolist(), lookup) for c in chans])
    assert np.array_equal(_exact_many(chans, lookup), one_at_a_time)


# ------------------------------------------------------------ path_credits, end to end


def reference_removal_effects(paths, order):
    """RE_c on conversions from a dense first-step solve over the order-``order`` chain."""
    counts: dict[tuple, float] = {}
    absorbed: dict[tuple, float] = {}  # (state, "conv"/"null") -> weight
    for path, c, _v, n in paths:
        states = [path[max(0, i - order + 1) : i + 1] for i in range(len(path))]
        for a, b in zip([("<start>",), *states[:-1]], states, strict=True):
            counts[a, b] = counts.get((a, b), 0.0) + c + n
        absorbed[states[-1], "conv"] = absorbed.get((states[-1], "conv"), 0.0) + c
        absorbed[states[-1], "null"] = absorbed.get((states[-1], "null"), 0.0) + n
    names = [("<start>",), *sorted({s for pair in counts for s in pair} - {("<start>",)})]
    ix = {s: i for i, s in enumerate(names)}
    q, r = np.zeros((len(names), len(names))), np.zeros(len(names))
    for (a, b), w in counts.items():
        q[ix[a], ix[b]] += w
    for (s, kind), w in absorbed.items():
        r[ix[s]] += w if kind == "conv" else 0.0
    exits = [absorbed.get((s, "conv"), 0.0) + absorbed.get((s, "null"), 0.0) for s in names]
    out = q.sum(axis=1) + np.array(exits)
    live = out > 0
    q[live] /= out[live, None]
    r[live] /= out[live]

    def p_conversion(alive):
        idx = np.flatnonzero(alive)
        x = np.linalg.solve(np.eye(len(idx)) - q[np.ix_(idx, idx)], r[idx])
        return x[0]

    base = p_conversion(np.ones(len(names), dtype=bool))
    channels = sorted({c for p, *_ in paths for c in p})
    return {ch: 1 - p_conversion(np.array([ch not in s for s in names])) / base for ch in channels}


def reference_shapley(paths):
    """Per channel set: clipped, renormalised Shapley values by enumerating every ordering."""
    conv, tries = {}, {}
    for path, c, _v, n in paths:
        key = frozenset(path)
        conv[key] = conv.get(key, 0.0) + c
        tries[key] = tries.get(key, 0.0) + c + n

    def v(s):
        s = frozenset(s)
        return conv[s] / tries[s] if s and tries.get(s, 0) > 0 else 0.0

    def shares(players):
        phi = dict.fromkeys(players, 0.0)
        for perm in itertools.permutations(players):
            for k, p in enumerate(perm):
                phi[p] += v(perm[: k + 1]) - v(perm[:k])
        phi = {p: max(x / math.factorial(len(players)), 0.0) for p, x in phi.items()}
        total = sum(phi.values())
        return {p: (x / total if total > 0 else 1 / len(players)) for p, x in phi.items()}

    return {key: shares(sorted(key)) for key in conv}


def reference_path_credits(rows, order):
    merged: dict[str, list[float]] = {}
    for s, c, v, n in rows:
        slot = merged.setdefault("" if s is None else s, [0.0, 0.0, 0.0])
        for k, x in enumerate((c, v, n)):
            slot[k] += _num(x)
    parsed = {s: parse_path(s) for s in merged}
    paths = [(parsed[s], *merged[s]) for s in merged if parsed[s]]
    removal = reference_removal_effects(paths, order)
    shapley = reference_shapley(paths)
    out = []
    for s in sorted(merged):
        chans = sorted(set(parsed[s]))
        if merged[s][0] <= 0 or not chans:
            continue
        total = sum(max(removal[c], 0.0) for c in chans)
        for c in chans:
            share = max(removal[c], 0.0) / total if total > 0 else 1 / len(chans)
            out.append(("markov", s, c, share))
        out += [("shapley", s, c, shapley[frozenset(chans)][c]) for c in chans]
    out.sort(key=lambda row: row[:3])
    return pd.DataFrame(out, columns=["model", "channel_path", "channel", "share"])


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("repeat_strings", [False, True])
def test_path_credits_equals_per_row_reference(order, seed, repeat_strings):
    # Repeated strings take the pandas merge (which also sorts the rows); unique ones do not.
    rows = messy_rows(seed, 250, repeat_strings)
    summary = pd.DataFrame(rows, columns=["channel_path", "conversions", "revenue", "nulls"])
    got = path_credits(summary, markov_order=order)
    want = reference_path_credits(rows, order)
    keys = ["model", "channel_path", "channel"]
    assert got[keys].values.tolist() == want[keys].values.tolist()
    assert np.abs(got["share"].to_numpy() - want["share"].to_numpy()).max() < 1e-9
