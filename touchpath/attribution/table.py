"""The canonical, encoded path table shared by the attribution engines.

Every engine works on a :class:`PathTable`: the distinct channel paths, sorted and with
duplicates summed, as a flat integer encoding. Canonicalising once here is what makes every
engine independent of the input row order (floating-point sums are always taken in the same
order) and lets the engines stay vectorised over distinct paths. The canonicalisation is
itself vectorised (sort and group on one binary key per path), so a column of 100k path
strings costs tens of milliseconds rather than a Python loop per path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .paths import DEFAULT_SEP, PathRow, encode_tuples, split_paths

# distinct_pairs uses a dense path x channel bitmap up to this many cells, np.unique beyond.
DENSE_PAIR_CELLS = 1 << 26


@dataclass(frozen=True)
class PathTable:
    """Distinct, sorted, non-empty paths with summed counts and a flat channel encoding.

    ``channels`` is sorted; ``codes[offsets[i]:offsets[i+1]]`` are the channel indices of
    path ``i``. Paths are sorted as tuples of channel names. Counts are float arrays aligned
    with the paths.
    """

    channels: tuple[str, ...]
    conversions: np.ndarray
    value: np.ndarray
    nulls: np.ndarray
    codes: np.ndarray
    offsets: np.ndarray

    @property
    def n_paths(self) -> int:
        return len(self.offsets) - 1

    @cached_property
    def paths(self) -> tuple[tuple[str, ...], ...]:
        """The paths as tuples of channel names (built on first use: the engines need only codes)."""
        names = np.asarray(self.channels, dtype=object)[self.codes].tolist()
        bounds = self.offsets.tolist()
        return tuple(tuple(names[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True))

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def path_index(self) -> np.ndarray:
        """For every flat position, the index of the path it belongs to."""
        return np.repeat(np.arange(self.n_paths), self.lengths)

    def distinct_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(path index, channel index) of each distinct channel of each path, sorted by both."""
        return self._pairs

    @cached_property
    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        n_ch = max(len(self.channels), 1)
        if self.n_paths * n_ch <= DENSE_PAIR_CELLS:
            present = np.zeros((self.n_paths, n_ch), dtype=bool)
            present[self.path_index, self.codes] = True
            path, channel = np.nonzero(present)  # row-major: sorted by path, then channel
            return path.astype(np.int64), channel.astype(np.int64)
        keys = np.unique(self.path_index.astype(np.int64) * n_ch + self.codes)
        return keys // n_ch, keys % n_ch


def build_table(rows: Iterable[PathRow] | PathTable, collapse: bool = False) -> PathTable:
    """Canonicalise ``(path_tuple, conversions, value, nulls)`` rows into a :class:`PathTable`.

    Rows with the same path (after optional repeat collapsing) are summed, empty paths are
    dropped (a journey with no touchpoint has no channel to credit), and the result is sorted
    by path so that any permutation of the input yields a bit-identical table. Missing
    (NaN/None) counts count as 0; negative counts are rejected.
    """
    if isinstance(rows, PathTable):
        if not collapse:
            return rows
        encoded = (rows.channels, rows.codes, rows.lengths)
        return canonicalise(encoded, rows.conversions, rows.value, rows.nulls, collapse)[0]
    rows = list(rows)
    paths = [tuple(r[0]) for r in rows]
    counts = [[r[k] for r in rows] for k in (1, 2, 3)]
    return canonicalise(encode_tuples(paths), *counts, collapse=collapse)[0]


def encode_paths(
    strings: Sequence[str | None] | pa.Array,
    conversions: Sequence[float],
    value: Sequence[float],
    nulls: Sequence[float],
    sep: str = DEFAULT_SEP,
    collapse: bool = False,
) -> tuple[PathTable, np.ndarray]:
    """:func:`build_table` straight from a column of path strings, read as :func:`.parse_path` does.

    Also returns, for every input row, the index of its path in the table (-1 for an empty
    path), since several spellings (``"a>b"``, ``"a > b"``) may share one table path.
    """
    return canonicalise(split_paths(strings, sep), conversions, value, nulls, collapse)


def canonicalise(
    encoded: tuple[tuple[str, ...], np.ndarray, np.ndarray],
    conversions: Sequence[float],
    value: Sequence[float],
    nulls: Sequence[float],
    collapse: bool = False,
) -> tuple[PathTable, np.ndarray]:
    """Sort, merge and count encoded rows ``(channels, codes, lengths)``; see :func:`encode_paths`."""
    channels, codes, lengths = encoded
    counts = np.vstack([_floats(x) for x in (conversions, value, nulls)]).reshape(3, len(lengths))
    if collapse:
        codes, lengths = _collapse(codes, lengths)
    live = np.flatnonzero(lengths > 0)
    bad = live[(counts[0, live] < 0) | (counts[2, live] < 0)]
    offsets = offsets_from_lengths(lengths)
    if len(bad):
        path = tuple(channels[c] for c in codes[offsets[bad[0]] : offsets[bad[0] + 1]])
        raise ValueError(f"negative conversions/nulls for path {path!r}")

    group, first = group_segments(codes, offsets, len(channels), live)
    row_path = np.full(len(lengths), -1, dtype=np.int64)
    row_path[live] = group
    sums = counts[:, live[first]]
    sizes = np.bincount(group, minlength=len(first))
    merged = np.flatnonzero(sizes > 1)
    if len(merged):
        # Summing in input order would make results depend on row order: sum sorted addends.
        by_group, bounds = live[np.argsort(group, kind="stable")], offsets_from_lengths(sizes)
        for g in merged.tolist():
            members = by_group[bounds[g] : bounds[g + 1]]
            sums[:, g] = [float(sum(sorted(counts[k, members].tolist()))) for k in range(3)]

    codes, offsets = _gather(codes, offsets, live[first])
    used = np.bincount(codes, minlength=len(channels)) > 0
    if not used.all():  # a channel seen only in dropped rows: renumber the rest
        codes = (np.cumsum(used) - 1)[codes]
        channels = tuple(c for c, u in zip(channels, used, strict=True) if u)
    table = PathTable(
        channels=tuple(channels),
        conversions=sums[0].copy(),
        value=sums[1].copy(),
        nulls=sums[2].copy(),
        codes=codes,
        offsets=offsets,
    )
    return table, row_path


def group_segments(
    codes: np.ndarray, offsets: np.ndarray, n_symbols: int, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct code sequences among ``rows``, in lexicographic order.

    Returns the group of each of ``rows`` and, per group, the position (in ``rows``) of its
    first member. Each sequence becomes one binary string of fixed-width big-endian codes, so
    a byte-wise comparison is the lexicographic order of the tuples (a prefix sorts first),
    and Arrow sorts and compares those strings in C.
    """
    width = 1 if n_symbols <= 1 << 8 else 2 if n_symbols <= 1 << 16 else 4
    data = codes.astype(f">u{width}").tobytes()
    buffers = [None, pa.py_buffer((offsets * width).astype(np.int64)), pa.py_buffer(data)]
    keys = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(offsets) - 1, buffers).take(rows)
    order = pc.sort_indices(keys).to_numpy()
    is_new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        ordered = keys.take(order)
        is_new[1:] = pc.not_equal(ordered.slice(1), ordered.slice(0, len(order) - 1)).to_numpy(
            zero_copy_only=False
        )
    group = np.empty(len(order), dtype=np.int64)
    group[order] = np.cumsum(is_new) - 1
    return group, order[is_new]


def _floats(x) -> np.ndarray:
    """Counts as floats, missing (None/NaN) as 0 -- what ``float(x)`` with NaN -> 0 gives per value."""
    out = np.array(x, dtype=float).ravel()
    out[np.isnan(out)] = 0.0
    return out


def offsets_from_lengths(lengths: np.ndarray) -> np.ndarray:
    """``[0, l0, l0 + l1, ...]``: where each segment of a flat array starts (and the total)."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _collapse(codes: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop every touch equal to the one just before it on the same row."""
    row = np.repeat(np.arange(len(lengths)), lengths)
    repeat = np.zeros(len(codes), dtype=bool)
    repeat[1:] = (codes[1:] == codes[:-1]) & (row[1:] == row[:-1])
    return codes[~repeat], np.bincount(row[~repeat], minlength=len(lengths)).astype(np.int64)


def _gather(codes: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes of ``rows`` concatenated, with their new offsets."""
    lengths = offsets[rows + 1] - offsets[rows]
    new = offsets_from_lengths(lengths)
    shift = np.repeat(offsets[rows] - new[:-1], lengths)
    return codes[np.arange(new[-1]) + shift].astype(np.int64), new
