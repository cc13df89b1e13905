"""Deterministic file writing/reading (insertion-ordered compact JSON, gzip with mtime=0).

JSON lines are encoded with orjson (already a dependency of dlt): the simulator writes every record
twice (spool, then export), and the standard library encoder was its single largest cost.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

import orjson


def dumps(obj) -> str:
    """Compact JSON text of ``obj`` (keys in insertion order; non-string keys as strings)."""
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


_WRITE_BYTES = 8 << 20  # JSON lines gathered before a write


def _lines(rows: Iterable[dict | bytes], write) -> int:
    """Encode ``rows`` (dicts, or JSON lines already encoded) as JSON lines into ``write`` in ~8 MB pieces; the number of rows.

    The lines gather in one bytearray rather than a list of bytes: orjson returns every record in its own
    4 KB allocation, so a list of a day's (or an hour's) lines held 4 KB per row whatever its length."""
    buf, n = bytearray(), 0
    for r in rows:
        buf += r if isinstance(r, bytes) else orjson.dumps(r)  # a row may come already encoded
        buf += b"\n"
        n += 1
        if len(buf) >= _WRITE_BYTES:
            write(buf)
            buf.clear()
    if buf:
        write(buf)
    return n


def write_jsonl(path: Path, rows: Iterable[dict | bytes]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        return _lines(rows, f.write)


class JsonlGzWriter:
    """Streaming, deterministic gzip JSON-lines writer (mtime 0): ``write_many`` chunks, then ``close``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = path.open("wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
        self.n = 0

    def write_many(self, rows: Iterable[dict]) -> None:
        self.n += _lines(rows, self._gz.write)

    def close(self) -> int:
        self._gz.close()
        self._raw.close()
        return self.n


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
