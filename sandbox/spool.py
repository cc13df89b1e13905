"""Day-partitioned spill files: records are appended per day while people are simulated (bounded buffers),
then read back one day at a time, so memory holds at most one day's records of a stream."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

from sandbox.io import dumps


class DaySpool:
    def __init__(self, root: Path, name: str, flush_every: int = 20_000) -> None:
        self.dir = Path(root) / name
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.buf: dict[str, list[str]] = defaultdict(list)
        self.buffered = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.flush_every = flush_every

    def add(self, day: str, rec: dict) -> None:
        self.buf[day].append(dumps(rec))
        self.counts[day] += 1
        self.buffered += 1
        if self.buffered >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        for day, lines in self.buf.items():
            with (self.dir / f"{day}.jsonl").open("a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        self.buf.clear()
        self.buffered = 0

    def days(self) -> list[str]:
        self.flush()
        return sorted(self.counts)

    def read(self, day: str) -> list[dict]:
        path = self.dir / f"{day}.jsonl"
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
