"""Path parsing and the canonical, encoded path table shared by the attribution engines.

Every engine works on a :class:`PathTable`: the distinct channel paths, sorted and with
duplicates summed, plus a flat integer encoding of their channels. Canonicalising once here
is what makes every engine independent of the input row order (floating-point sums are
always taken in the same order) and lets the engines stay vectorised over distinct paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

DEFAULT_SEP = " > "

PathRow = tuple[tuple[str, ...], float, float, float]


def parse_path(s: str, sep: str = DEFAULT_SEP) -> tuple[str, ...]:
    """Split a journey string into its channel tuple.

    The separator is matched with surrounding whitespace ignored: ``sep.strip()`` is the
    actual delimiter (``" > "`` and ``">"`` both split on ``">"``) and every token is
    stripped, so ``"a>b"``, ``"a > b"`` and ``" a  >b "`` all give ``("a", "b")`` -- the same
    reading ChannelAttribution gives its ``sep=">"``. Empty tokens (a leading, trailing or
    doubled separator) are dropped. Repeated consecutive channels are kept (see
    :func:`collapse_repeats` for the alternative reading). A whitespace-only ``sep``
    splits on runs of whitespace.
    """
    if s is None:
        return ()
    delim = sep.strip()
    if not delim:
        return tuple(s.split())
    tokens = tuple(map(str.strip, s.split(delim)))  # C-level loops: this runs once per distinct path
    return tuple(t for t in tokens if t) if "" in tokens else tokens


def collapse_repeats(path: tuple[str, ...]) -> tuple[str, ...]:
    """``a > a > b > a`` -> ``a > b > a``: drop a channel equal to the one just before it."""
    return tuple(c for i, c in enumerate(path) if i == 0 or c != path[i - 1])


@dataclass(frozen=True)
class PathTable:
    """Distinct, sorted, non-empty paths with summed counts and a flat channel encoding.

    ``channels`` is sorted; ``codes[offsets[i]:offsets[i+1]]`` are the channel indices of
    ``paths[i]``. Counts are float arrays aligned with ``paths``.
    """

    channels: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]
    conversions: np.ndarray
    value: np.ndarray
    nulls: np.ndarray
    codes: np.ndarray
    offsets: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def path_index(self) -> np.ndarray:
        """For every flat position, the index of the path it belongs to."""
        return np.repeat(np.arange(len(self.paths)), self.lengths)

    def distinct_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(path index, channel index) of each distinct channel of each path, sorted by both."""
        n_ch = max(len(self.channels), 1)
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
        rows = zip(rows.paths, rows.conversions, rows.value, rows.nulls, strict=True)
    acc: dict[tuple[str, ...], list[float]] = {}
    for path, conv, value, nulls in rows:
        path = tuple(path)
        if collapse:
            path = collapse_repeats(path)
        if not path:
            continue
        nums = [_num(conv), _num(value), _num(nulls)]
        if nums[0] < 0 or nums[2] < 0:
            raise ValueError(f"negative conversions/nulls for path {path!r}")
        slot = acc.get(path)
        if slot is None:
            acc[path] = nums
        else:
            # Summing in input order would make results depend on row order; keep the
            # addends and sum them sorted below instead.
            slot.extend(nums)
    paths = tuple(sorted(acc))
    sums = np.array([_sorted_sums(acc[p]) for p in paths], dtype=float).reshape(len(paths), 3)
    channels = tuple(sorted({c for p in paths for c in p}))
    index = {c: i for i, c in enumerate(channels)}
    lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
    offsets = np.zeros(len(paths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = np.fromiter((index[c] for p in paths for c in p), dtype=np.int64, count=int(offsets[-1]))
    return PathTable(
        channels=channels,
        paths=paths,
        conversions=sums[:, 0].copy(),
        value=sums[:, 1].copy(),
        nulls=sums[:, 2].copy(),
        codes=codes,
        offsets=offsets,
    )


def _num(x) -> float:
    if x is None:
        return 0.0
    x = float(x)
    return x if x == x else 0.0  # NaN -> 0


def _sorted_sums(nums: list[float]) -> tuple[float, float, float]:
    if len(nums) == 3:
        return nums[0], nums[1], nums[2]
    return tuple(float(sum(sorted(nums[k::3]))) for k in range(3))  # type: ignore[return-value]
