"""JSON-lines records read from disk when a page needs them, for record sets too big to hold as dicts.

A year of Klaviyo events in the 30M-event bench world is ~21M records, 9.8 GB of JSON: as Python dicts
they took the server's process past the machine's 24 GB and it was killed. ``JsonlRecords`` holds each
line's start and end offset (16 bytes a record) and decodes a record when it is asked for.

``FileOrderIndex`` is the sorted index of such a file when its lines are already in the sort key's order
(the generator writes Klaviyo events by (datetime, id)): the served order is the file's, so nothing is
re-ordered or kept but the integer columns that range filters bisect. A file that is not in key order
(or a descending view over equal keys) is none of its business: ``lean_sorted_index`` then returns None
and the caller builds the ordinary in-memory ``SortedIndex``.

Finding the line offsets and checking the order decode every line once (~100 s for 21M events), so both
are saved beside the file (``<file>.index.npz``, valid while the file's size and mtime are unchanged)
and ``prepare`` lets a world's generation pay for them instead of the first request.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import orjson

_SCAN_BYTES = 64 << 20


class JsonlRecords:
    """The non-blank lines of a JSON-lines file as a read-only sequence of decoded records."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.saved = _read_sidecar(self.path)
        if "starts" in self.saved:
            self.starts, self.ends = self.saved["starts"], self.saved["ends"]
        else:
            self.starts, self.ends = _line_bounds(self.path)
            self.save(starts=self.starts, ends=self.ends)
        self._fd = os.open(self.path, os.O_RDONLY)  # os.pread: no shared file position between threads

    def save(self, **arrays: np.ndarray) -> None:
        """Adds ``arrays`` to the file's sidecar (best effort: a read-only world just recomputes them)."""
        self.saved = {**self.saved, **arrays}
        _write_sidecar(self.path, self.saved)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._read(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._read(i)

    def _read(self, i: int) -> dict:
        start, end = int(self.starts[i]), int(self.ends[i])
        return orjson.loads(os.pread(self._fd, end - start, start))

    def __iter__(self) -> Iterator[dict]:
        with self.path.open("rb") as f:
            for line in f:
                if line.strip():
                    yield orjson.loads(line)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".index.npz")


def _stamp(path: Path) -> np.ndarray:
    st = path.stat()
    return np.array([st.st_size, st.st_mtime_ns], dtype=np.int64)


def _read_sidecar(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(_sidecar(path)) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except (OSError, ValueError, KeyError):
        return {}
    stamp = arrays.pop("stamp", None)
    return arrays if stamp is not None and np.array_equal(stamp, _stamp(path)) else {}


def _write_sidecar(path: Path, arrays: dict[str, np.ndarray]) -> None:
    target = _sidecar(path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, stamp=_stamp(path), **arrays)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


_WHITESPACE = np.array([9, 10, 11, 12, 13, 32], dtype=np.uint8)


def _line_bounds(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) byte offsets of every line holding more than whitespace (what ``read_jsonl`` keeps),
    newline excluded."""
    starts, ends, suspects = [], [], []
    offset, line_start = 0, 0
    with path.open("rb") as f:
        while chunk := f.read(_SCAN_BYTES):
            buf = np.frombuffer(chunk, dtype=np.uint8)
            newlines = np.flatnonzero(buf == 10)
            if len(newlines):
                line_starts = np.concatenate(([line_start - offset], newlines[:-1] + 1))
                # a line is blank only if it starts with whitespace (or is empty); those few are read again
                inside = line_starts[line_starts >= 0]
                first = np.zeros(len(line_starts), dtype=bool)
                first[line_starts >= 0] = np.isin(buf[np.minimum(inside, len(buf) - 1)], _WHITESPACE) | (
                    inside >= newlines[line_starts >= 0]
                )
                first[line_starts < 0] = True  # began in the previous chunk: check it by reading
                starts.append(line_starts + offset)
                ends.append(newlines + offset)
                suspects.append(first)
                line_start = offset + int(newlines[-1]) + 1
            offset += len(chunk)
    if line_start < offset:  # a last line without its newline
        starts.append(np.array([line_start]))
        ends.append(np.array([offset]))
        suspects.append(np.array([True]))
    if not starts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    start = np.concatenate(starts).astype(np.int64)
    end = np.concatenate(ends).astype(np.int64)
    keep = np.ones(len(start), dtype=bool)
    with path.open("rb") as f:
        for i in np.flatnonzero(np.concatenate(suspects)):
            f.seek(int(start[i]))
            keep[i] = bool(f.read(int(end[i] - start[i])).strip())
    return start[keep], end[keep]


class FileOrderIndex:
    """A ``SortedIndex`` (sandbox/store.py) over records already in ascending key order with no two equal
    keys: the served order is the file's, the descending one its reverse. Offers what the Klaviyo API uses:
    ``view(desc)`` and ``column(name, getter)``."""

    def __init__(self, records: JsonlRecords, columns: dict[str, array | None]) -> None:
        self.records = records
        self._columns = columns
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.records)

    def view(self, desc: bool):
        from sandbox.store import View

        return View(self, _Reversed(self.records) if desc else self.records, desc)

    def column(self, name: str, getter: Callable[[dict], object]) -> array | None:
        with self._lock:
            if name not in self._columns:
                from sandbox.store import _monotonic_ints

                self._columns[name] = _monotonic_ints(self.records, getter)
            return self._columns[name]


class _Reversed:
    def __init__(self, records: JsonlRecords) -> None:
        self.records, self.n = records, len(records)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.records[self.n - 1 - j] for j in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)  # not a wrapped index from the other end
        return self.records[self.n - 1 - i]

    def __iter__(self):
        return (self.records[self.n - 1 - j] for j in range(self.n))


def lean_sorted_index(
    records: JsonlRecords,
    name: tuple,
    key: Callable[[dict], tuple],
    columns: dict[str, Callable[[dict], object]],
) -> FileOrderIndex | None:
    """The file-order index of ``records`` if their keys strictly ascend along the file, with ``columns``
    (name -> getter) computed in the same pass; None otherwise (or when a key cannot be computed).
    ``name`` (the server's name of the index) names key and columns in the file's sidecar, where the
    outcome is kept."""
    name = "/".join(map(str, name))
    flag = f"{name}:ascending"
    if flag in records.saved:
        if not records.saved[flag]:
            return None
        return FileOrderIndex(
            records, {c: _as_array(records.saved.get(f"{name}:column:{c}")) for c in columns}
        )
    index = _scan(records, key, columns)
    saved = {flag: np.array(index is not None)}
    if index is not None:
        saved.update(
            {f"{name}:column:{c}": np.asarray(v, dtype=np.int64) for c, v in index._columns.items() if v is not None}
        )
    records.save(**saved)
    return index


def _as_array(values: np.ndarray | None) -> array | None:
    return None if values is None else array("q", values.tobytes())


def _scan(
    records: JsonlRecords, key: Callable[[dict], tuple], columns: dict[str, Callable[[dict], object]]
) -> FileOrderIndex | None:
    last = None
    values: dict[str, array | None] = {name: array("q") for name in columns}
    for record in records:
        try:
            k = key(record)
        except (KeyError, TypeError, AttributeError):
            return None
        if last is not None and not last < k:
            return None
        last = k
        for name, getter in columns.items():
            out = values[name]
            if out is None:
                continue
            try:
                v = getter(record)
            except (KeyError, TypeError, ValueError, AttributeError):
                v = None
            if type(v) is not int or (out and v < out[-1]):
                values[name] = None  # not usable for bisect: filters on it scan
            else:
                out.append(v)
    return FileOrderIndex(records, values)

