"""Throughput of the tracking export-file load (dlt + DuckDB), per file format.

    python -m bench.bench_files --events 1000000 --format parquet|jsonl.gz|both [--days 30] [--repeat 1]
        [--baseline /path/to/other/checkout] [--bucket bench/out/worlds/<world>/tracking]

Synthesizes `--events` realistic events from a generated world (messy: duplicates, bot bursts,
malformed events; about 32 events per customer over 30 days, as bench/run.py sizes its worlds, at most
32k customers) tiled with fresh messageIds / anonymousIds / userIds per copy when more events are
asked for than it holds, writes them as daily export files (`dt=YYYY-MM-DD/events-0000.jsonl.gz` like the generator, or `.parquet` with
sandbox.export_parquet), then loads each bucket with the project's pipeline (`tracking_files` source,
`make_pipeline`) into a temporary DuckDB file, in a child process measured like bench/run.py (wall
time and peak RSS of the process tree, polled every 0.1 s). Buckets are cached under
bench/out/files/ by their parameters; warehouses go to a temporary folder.

Prints one JSON line per run: events/s of `pipeline.run` (in the child, imports excluded) and of the
whole child process (interpreter start and imports included), the CPU seconds of `pipeline.run` (all
threads: on a shared machine, CPU time is steadier than wall time), peak RSS, and dlt's extract /
normalize / load seconds. `--load BUCKET` is the child's entry point.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "files"
BASE = {"days": 30, "seed": 7, "start_date": "2026-01-01", "messiness": "realistic"}
EVENTS_PER_CUSTOMER = 32
MAX_CUSTOMERS = 32_000


def _log(msg: str) -> None:
    print(f"[bench_files {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def base_customers(events: int) -> int:
    return max(100, min(MAX_CUSTOMERS, events // EVENTS_PER_CUSTOMER))


def base_world(customers: int) -> Path:
    """The generated world whose tracking files are tiled (cached)."""
    from sandbox.generator import generate

    out = OUT / "base-{}c-{days}d-{seed}s-{messiness}".format(customers, **BASE)
    marker = out / "bench_base.json"
    if not marker.exists():
        _log(f"generating the base world {out.name}")
        generate(out, customers=customers, ground_truth=False, **BASE)
        marker.write_text(json.dumps({"customers": customers, **BASE}))
    return out


def _day_files(world: Path) -> dict[str, Path]:
    return {path.parent.name: path for path in sorted(world.glob("tracking/dt=*/*.jsonl.gz"))}


def _read_day(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _count_lines(path: Path) -> int:
    with gzip.open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def _copy(row: dict, k: int) -> dict:
    """Copy `k` of an event: new messageId / anonymousId / userId (copy 0 is the original)."""
    if k == 0:
        return row
    out = dict(row)
    mid = out.get("messageId")
    if isinstance(mid, str):
        out["messageId"] = f"{k:08x}{mid[8:]}"
    anon = out.get("anonymousId")
    if isinstance(anon, str) and anon.startswith("anon_"):
        out["anonymousId"] = f"anon_{k:05x}{anon[10:]}"
    if out.get("userId"):
        out["userId"] = f"{out['userId']}{k:05d}"
    return out


def _plan(days: dict[str, int], events: int) -> dict[str, list[tuple[int, int]]]:
    """Per day: (copy k, first rows of the day's base file) to write, so the total is exactly `events`."""
    total = sum(days.values())
    full, rest = divmod(events, total)
    plan = {day: [(k, size) for k in range(full)] for day, size in days.items()}
    names = list(days)
    left = rest
    for i, day in enumerate(names):
        n = left if i == len(names) - 1 else min(left, round(rest * days[day] / total))
        if n:
            plan[day].append((full, n))
        left -= n
    return plan


def build_bucket(events: int, fmt: str) -> Path:
    """The bucket of `events` tiled events in format `fmt` (cached by its parameters)."""
    from sandbox.export_parquet import ParquetEventsWriter
    from sandbox.io import JsonlGzWriter

    customers = base_customers(events)
    world = base_world(customers)
    bucket = OUT / "bucket-{}-{}-{}c-{seed}s".format(events, fmt.replace(".", ""), customers, **BASE)
    marker = bucket / "bench_bucket.json"
    if marker.exists():
        return bucket
    if bucket.exists():
        shutil.rmtree(bucket)
    _log(f"writing {events:,} events as {fmt} to {bucket.name}")
    t = time.perf_counter()
    files = _day_files(world)
    for day, parts in _plan({day: _count_lines(path) for day, path in files.items()}, events).items():
        rows = _read_day(files[day])
        path = bucket / day / f"events-0000.{fmt}"
        writer = ParquetEventsWriter(path) if fmt == "parquet" else JsonlGzWriter(path)
        for k, n in parts:
            writer.write_many([_copy(row, k) for row in rows[:n]])
        writer.close()
    marker.write_text(
        json.dumps(
            {
                "events": events,
                "format": fmt,
                "base": {"customers": customers, **BASE},
                "seconds": round(time.perf_counter() - t, 1),
            }
        )
    )
    return bucket


def load(bucket: Path) -> dict:
    """Child process: load the bucket into TOUCHPATH_WAREHOUSE with the project's pipeline."""
    t0 = time.perf_counter()
    import duckdb

    from ingestion.common.pipeline import make_pipeline
    from ingestion.registry import build_source
    from ingestion.run import finish_load
    from touchpath.config import warehouse_path

    imported = time.perf_counter() - t0
    first_day = min(p.name[3:] for p in bucket.glob("dt=*"))
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    pipeline = make_pipeline("tracking_files")
    pipeline.run(build_source("tracking_files", bucket_url=str(bucket), start_date=first_day))
    finish_load("tracking_files", pipeline)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime
    steps = {
        s.step: round((s.finished_at - s.started_at).total_seconds(), 2) for s in pipeline.last_trace.steps
    }
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    (events,) = con.execute("select count(*) from raw_tracking_files.events").fetchone()
    tables = {
        n
        for (n,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw_tracking_files'"
        ).fetchall()
    }
    rejected = 0
    if "rejected_records" in tables:
        (rejected,) = con.execute("select count(*) from raw_tracking_files.rejected_records").fetchone()
    con.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "import_seconds": imported,
        "steps": steps,
        "events": events,
        "rejected": rejected,
    }


def bucket_records(bucket: Path) -> tuple[str, int]:
    """(format, records) of an existing bucket: every line or parquet row of its `dt=*/` files."""
    import duckdb

    parquet = sorted(bucket.glob("dt=*/*.parquet"))
    jsonl = sorted(bucket.glob("dt=*/*.jsonl.gz"))
    if parquet and jsonl:
        raise SystemExit(f"{bucket} holds both formats: measure one at a time")
    if parquet:
        return "parquet", duckdb.execute("select count(*) from read_parquet(?)", [[str(p) for p in parquet]]).fetchone()[0]
    return "jsonl.gz", sum(_count_lines(path) for path in jsonl)


def measure(bucket: Path, fmt: str, events: int, code: Path = ROOT) -> dict:
    from bench.procmon import run_measured, speed_probe

    probe = speed_probe()

    with tempfile.TemporaryDirectory(prefix="bench_files_") as tmp:
        env = {
            **os.environ,
            "TOUCHPATH_WAREHOUSE": str(Path(tmp) / "warehouse.duckdb"),
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DO_NOT_TRACK": "1",
        }
        cmd = [sys.executable, "-m", "bench.bench_files", "--load", str(bucket)]
        m = run_measured(cmd, cwd=code, env=env)
    if m.returncode != 0:
        raise SystemExit(f"load failed ({m.returncode}):\n{m.stderr[-4000:]}")
    child = json.loads(m.stdout.strip().splitlines()[-1])
    loaded = child["events"] + child["rejected"]
    assert loaded == events, f"{loaded} rows loaded or quarantined, {events} in the files"
    return {
        "format": fmt,
        "code": "this checkout" if code == ROOT else str(code),
        "events": events,
        "bucket_mb": round(sum(p.stat().st_size for p in bucket.glob("dt=*/*")) / 2**20, 1),
        "run_seconds": round(child["seconds"], 2),
        "events_per_s": round(events / child["seconds"]),
        "run_cpu_seconds": round(child["cpu_seconds"], 2),
        "process_seconds": round(m.seconds, 2),
        "process_events_per_s": round(events / m.seconds),
        "peak_rss_gb": round(m.peak_rss_gb, 2),
        "dlt_steps": child["steps"],
        "rejected": child["rejected"],
        "load_before": m.load_before,
        "load_after": m.load_after,
        "speed_probe_before": probe,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_files")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--format", choices=("parquet", "jsonl.gz", "both"), default="both")
    ap.add_argument("--repeat", type=int, default=1, help="runs per format (alternated)")
    ap.add_argument(
        "--baseline",
        help="another checkout of the project (e.g. a `git worktree` of an older commit): each run of this "
        "checkout is followed by one of that code on the same bucket, so a change is measured as a ratio",
    )
    ap.add_argument(
        "--bucket",
        help="measure an existing bucket instead of a synthesized one (e.g. a bench world's tracking folder, "
        "bench/out/worlds/<world>/tracking): every file's records are counted first",
    )
    ap.add_argument("--load", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.load:
        print(json.dumps(load(Path(args.load))))
        return 0
    if args.bucket:
        bucket = Path(args.bucket).resolve()
        fmt, events = bucket_records(bucket)
        formats, buckets, args.events = (fmt,), {fmt: bucket}, events
    else:
        formats = ("parquet", "jsonl.gz") if args.format == "both" else (args.format,)
        buckets = {fmt: build_bucket(args.events, fmt) for fmt in formats}
    subprocess.run(["sync"], check=False)
    codes = [ROOT] + ([Path(args.baseline).resolve()] if args.baseline else [])
    for _ in range(args.repeat):
        for fmt in formats:
            for code in codes:
                print(json.dumps(measure(buckets[fmt], fmt, args.events, code)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
