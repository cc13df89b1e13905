"""Deterministic file writing/reading (sorted-free JSON, gzip with mtime=0)."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable
from pathlib import Path


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(dumps(r) + "\n")
            n += 1
    return n


def write_jsonl_gz(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    n = 0
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
        for r in rows:
            gz.write((dumps(r) + "\n").encode("utf-8"))
            n += 1
    path.write_bytes(buf.getvalue())
    return n


class JsonlGzWriter:
    """Streaming, deterministic gzip JSON-lines writer (mtime 0): ``write_many`` chunks, then ``close``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = path.open("wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
        self.n = 0

    def write_many(self, rows: Iterable[dict]) -> None:
        for r in rows:
            self._gz.write((dumps(r) + "\n").encode("utf-8"))
            self.n += 1

    def close(self) -> int:
        self._gz.close()
        self._raw.close()
        return self.n


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
