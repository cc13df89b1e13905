"""Reading journey strings into channels: the scalar :func:`parse_path` and its vectorised twin.

:func:`parse_path` is the definition; :func:`split_paths` reads a whole column the same way
without a Python loop per path (C-level split, then Python only for the handful of distinct
raw tokens), and :func:`encode_tuples` integer-encodes already-parsed tuples. Both return the
flat encoding :class:`~.table.PathTable` is built from: sorted channel names, one code per
touch, and the number of touches of each input row.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_SEP = " > "

PathRow = tuple[tuple[str, ...], float, float, float]
Encoded = tuple[tuple[str, ...], np.ndarray, np.ndarray]  # (channels, codes, lengths)


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


def split_paths(strings: Sequence[str | None] | pa.Array, sep: str = DEFAULT_SEP) -> Encoded:
    """:func:`parse_path` over a column of strings (``None`` reads as the empty path).

    Returns ``(channels, codes, lengths)``: the sorted distinct channels, the code of every
    touch in row order, and the number of touches of each row. Exactly :func:`parse_path`'s
    reading, because the split on ``sep.strip()`` is a literal split like ``str.split`` and
    the stripping is ``str.strip`` itself, applied once per distinct raw token.
    """
    delim = sep.strip()
    if not delim:  # split on whitespace runs: rare, so the scalar reading is good enough
        return encode_tuples([parse_path(s, sep) for s in _as_list(strings)])
    arr = strings if isinstance(strings, pa.Array | pa.ChunkedArray) else pa.array(strings, pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    lists = pc.split_pattern(arr, pattern=delim)
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy().astype(np.int64)
    raw = pc.dictionary_encode(pc.list_flatten(lists))
    names = [t.strip() for t in raw.dictionary.to_pylist()]
    channels = tuple(sorted({n for n in names if n}))
    index = {c: i for i, c in enumerate(channels)}
    remap = np.array([index.get(n, -1) for n in names], dtype=np.int64)  # -1: empty token
    codes = remap[raw.indices.to_numpy(zero_copy_only=False)]
    dropped = codes < 0
    if dropped.any():
        row = np.repeat(np.arange(len(lengths)), lengths)
        lengths = np.bincount(row[~dropped], minlength=len(lengths)).astype(np.int64)
        codes = codes[~dropped]
    return channels, codes, lengths


def encode_tuples(paths: Sequence[tuple]) -> Encoded:
    """``(channels, codes, lengths)`` of already-split paths (any hashable, sortable channels)."""
    flat = list(chain.from_iterable(paths))
    channels = tuple(sorted(set(flat)))
    index = {c: i for i, c in enumerate(channels)}
    codes = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    lengths = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths))
    return channels, codes, lengths


def _as_list(strings) -> list:
    if isinstance(strings, pa.Array | pa.ChunkedArray):
        return strings.to_pylist()
    return list(strings)
