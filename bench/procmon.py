"""Run a command and measure it: wall time and peak RSS of its whole process tree.

A thread polls /proc every ``interval`` seconds and sums the resident set of the child and all its
descendants (dbt's Python models, dlt workers, ...). The peak is a sampled maximum: a spike shorter
than the interval can be missed, so the figure is a lower bound within one interval's growth.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _parents() -> dict[int, int]:
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces or parentheses: parse after the last ')'
        rest = stat[stat.rindex(b")") + 2 :].split()
        out[int(entry.name)] = int(rest[1])
    return out


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and all its descendants now."""
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
        stack.extend(children.get(pid, ()))
    return total


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__().replace("'", "")


@dataclass
class Measured:
    seconds: float
    peak_rss_bytes: int
    returncode: int
    stdout: str = ""
    stderr: str = ""
    load_before: str = ""
    load_after: str = ""
    peak_at_seconds: float = 0.0  # when the peak was sampled, seconds after the start
    extra: dict = field(default_factory=dict)

    @property
    def peak_rss_gb(self) -> float:
        return self.peak_rss_bytes / 2**30


def speed_probe() -> dict:
    """Seconds of a fixed amount of CPU work, one thread: this shared VM's speed has varied ~3x from day
    to day (same code, same data), so runs are comparable only through it. Lower is faster."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    python_s = time.perf_counter() - start
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("set threads = 1")
        start = time.perf_counter()
        con.execute("select sum(hash(i)) from range(100000000) t(i)").fetchone()
        duckdb_s = time.perf_counter() - start
    finally:
        con.close()
    return {"python_loop_s": round(python_s, 3), "duckdb_hash_s": round(duckdb_s, 3)}


def run_measured(
    cmd: list[str], *, cwd=None, env=None, interval: float = 0.1, log_path: Path | None = None
) -> Measured:
    """Run ``cmd`` to completion; (seconds, peak tree RSS, return code, output)."""
    load_before = loadavg()
    stdout_f = open(log_path.with_suffix(".out"), "w+") if log_path else subprocess.PIPE
    stderr_f = open(log_path.with_suffix(".err"), "w+") if log_path else subprocess.PIPE
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout_f, stderr=stderr_f, text=True)
    peak, peak_at = 0, 0.0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak, peak_at
        while not done.is_set():
            rss = tree_rss(proc.pid)
            if rss > peak:
                peak, peak_at = rss, time.perf_counter() - t0
            done.wait(interval)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    if log_path:
        proc.wait()
        out = err = ""
    else:
        out, err = proc.communicate()
    secs = time.perf_counter() - t0
    done.set()
    thread.join()
    if log_path:
        for f in (stdout_f, stderr_f):
            f.seek(0)
        out, err = stdout_f.read(), stderr_f.read()
        stdout_f.close()
        stderr_f.close()
    return Measured(secs, peak, proc.returncode, out, err, load_before, loadavg(), peak_at)
