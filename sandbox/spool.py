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
    def __init__(self, root: Path, name: str, flush_every: int = 20_000) -> None:
        self.dir = Path(root) / name
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.buf: dict[str, list[bytes]] = defaultdict(list)
        self.buffered = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.flush_every = flush_every

    def add(self, day: str, rec: dict) -> None:
        self.buf[day].append(orjson.dumps(rec))
        self.counts[day] += 1
        self.buffered += 1
        if self.buffered >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        for day, lines in self.buf.items():
            raw = b"\n".join(lines)
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
    path = Path(spool_dir) / f"{day}{SUFFIX}"
    if not path.exists():
        return []
    data, out, pos = path.read_bytes(), [], 0
    while pos < len(data):
        size, raw_size = _HEADER.unpack_from(data, pos)
        pos += _HEADER.size
        raw = pa.decompress(data[pos:pos + size], decompressed_size=raw_size, codec="zstd", asbytes=True)
        pos += size
        out.extend(orjson.loads(line) for line in raw.split(b"\n"))
    return out


def spooled_days(spool_dirs: list[Path]) -> list[str]:
    """Every day written to any of the spool directories, sorted."""
    return sorted({p.name[: -len(SUFFIX)] for d in spool_dirs for p in Path(d).glob(f"*{SUFFIX}")})


def read_merged(spool_dirs: list[Path], day: str) -> list[dict]:
    out: list[dict] = []
    for d in spool_dirs:
        out.extend(read_day(d, day))
    return out
