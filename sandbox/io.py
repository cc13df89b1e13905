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


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("wb") as f:
        chunk: list[bytes] = []
        for r in rows:
            chunk.append(orjson.dumps(r))
            n += 1
            if len(chunk) >= 10_000:
                f.write(b"\n".join(chunk) + b"\n")
                chunk = []
        if chunk:
            f.write(b"\n".join(chunk) + b"\n")
    return n


class JsonlGzWriter:
    """Streaming, deterministic gzip JSON-lines writer (mtime 0): ``write_many`` chunks, then ``close``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = path.open("wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
        self.n = 0

    def write_many(self, rows: Iterable[dict]) -> None:
        lines = [orjson.dumps(r) for r in rows]
        if lines:
            self._gz.write(b"\n".join(lines) + b"\n")
            self.n += len(lines)

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
