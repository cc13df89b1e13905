"""Day-partitioned spill files: records are appended per day while people are simulated (bounded buffers),
then read back one day at a time, so memory holds at most one day's records of a stream.

A stream simulated by several worker processes has one spool per worker (``shard``); ``read_merged``
concatenates a day across them (callers sort by a unique key, so the result never depends on the
number of workers).

Spool files are zstd frames of JSON lines (``[compressed size][raw size][frame]`` per flush): a large world
spools every event before writing the first export file (about 1 KB of JSON per event, 100 GB at 100M
events), and zstd at its fastest level shrinks that several times for a few per cent of the run time."""

from __future__ import annotations

import shutil
import struct
from collections import defaultdict
from pathlib import Path

import orjson
import pyarrow as pa

SUFFIX = ".jsonl.zst"
_HEADER = struct.Struct("<QQ")


class DaySpool:
    """Appends records per day (or hour) key; flushes every key's buffer as one zstd frame once
    ``flush_bytes`` of JSON are buffered across keys."""

    def __init__(self, root: Path, name: str, flush_bytes: int = 16 << 20) -> None:
        self.dir = Path(root) / name
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        # one growing bytearray per key, not a list of bytes: orjson hands back each record in a 4 KB
        # allocation whatever its length, so 20k buffered records held ~80 MB instead of their ~15 MB
        self.buf: dict[str, bytearray] = defaultdict(bytearray)
        self.buffered = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.flush_bytes = flush_bytes

    def add(self, day: str, rec: dict, key: str | None = None) -> None:
        """Append ``rec`` to ``day``; with a ``key``, the line is ``key``, a tab, then the JSON (read back
        raw with ``read_keyed_lines``: JSON text never holds a literal tab, orjson escapes it)."""
        line = orjson.dumps(rec) if key is None else key.encode() + b"\t" + orjson.dumps(rec)
        buf = self.buf[day]
        if buf:
            buf += b"\n"
        buf += line
        self.counts[day] += 1
        self.buffered += len(line) + 1
        if self.buffered >= self.flush_bytes:
            self.flush()

    def flush(self) -> None:
        for day, raw in self.buf.items():
            frame = pa.compress(raw, codec="zstd", asbytes=True)
            with (self.dir / f"{day}{SUFFIX}").open("ab") as f:
                f.write(_HEADER.pack(len(frame), len(raw)) + frame)
        self.buf.clear()
        self.buffered = 0

    def days(self) -> list[str]:
        self.flush()
        return sorted(self.counts)

    def read(self, day: str) -> list[dict]:
        return read_day(self.dir, day)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def read_day(spool_dir: Path, day: str) -> list[dict]:
    out: list[dict] = []
    for raw in _frames(Path(spool_dir) / f"{day}{SUFFIX}"):
        out.extend(orjson.loads(line) for line in raw.split(b"\n"))
    return out


def read_keyed_lines(spool_dirs: list[Path], day: str) -> list[tuple[bytes, bytes]]:
    """(key, JSON line) of every record of ``day`` spooled with a key, across the spool directories in
    order, without parsing the JSON: a caller can sort an hour of events by key and parse them in batches,
    so memory holds their text rather than their dicts (a dict costs ~4x its JSON)."""
    out: list[tuple[bytes, bytes]] = []
    for d in spool_dirs:
        for raw in _frames(Path(d) / f"{day}{SUFFIX}"):
            for line in raw.split(b"\n"):
                key, _, body = line.partition(b"\t")
                out.append((key, body))
    return out


def _frames(path: Path):
    """The decompressed frames of a spool file (none if it does not exist)."""
    if not path.exists():
        return
    data, pos = path.read_bytes(), 0
    while pos < len(data):
        size, raw_size = _HEADER.unpack_from(data, pos)
        pos += _HEADER.size
        yield pa.decompress(data[pos:pos + size], decompressed_size=raw_size, codec="zstd", asbytes=True)
        pos += size


def spooled_days(spool_dirs: list[Path]) -> list[str]:
    """Every day written to any of the spool directories, sorted."""
    return sorted({p.name[: -len(SUFFIX)] for d in spool_dirs for p in Path(d).glob(f"*{SUFFIX}")})


def read_merged(spool_dirs: list[Path], day: str) -> list[dict]:
    out: list[dict] = []
    for d in spool_dirs:
        out.extend(read_day(d, day))
    return out
