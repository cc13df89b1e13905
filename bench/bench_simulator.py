"""Benchmark the sandbox simulator: ``python -m bench.bench_simulator --events N``.

Generates a world of about N tracking events (customers scaled at ~32 events each over --days days) with
``python -m sandbox generate`` as a measured child process, then prints the events written, events/s and
the peak RSS of the whole process tree (the generator's worker processes included; see bench/procmon.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.procmon import run_measured

EVENTS_PER_CUSTOMER_30D = 32.0  # measured: ~32 delivered events per simulated person over 30 days
ROOT = Path(__file__).resolve().parent.parent


def customers_for(events: int, days: int) -> int:
    return max(1, round(events / (EVENTS_PER_CUSTOMER_30D * min(1.0, (days / 30) ** 0.5))))


def generate_measured(
    out: Path,
    *,
    customers: int,
    days: int,
    seed: int,
    start_date: str | None = None,
    messiness: str | None = None,
    ground_truth: bool = True,
    workers: int | None = None,
    export_format: str = "jsonl.gz",
) -> dict:
    """Run the generator CLI as a measured process tree; its summary plus seconds, events/s and peak RSS."""
    cmd = [
        sys.executable,
        "-m",
        "sandbox",
        "generate",
        "--customers",
        str(customers),
        "--days",
        str(days),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--format",
        export_format,
    ]
    if start_date:
        cmd += ["--start", start_date]
    if messiness:
        cmd += ["--messiness", messiness]
    if not ground_truth:
        cmd.append("--no-ground-truth")
    if workers:
        cmd += ["--workers", str(workers)]
    m = run_measured(cmd, cwd=ROOT, interval=0.5)
    if m.returncode != 0:
        raise RuntimeError(f"generation failed (rc {m.returncode}):\n{m.stderr[-3000:]}")
    summary = json.loads(m.stdout)
    return {
        **summary,
        "seconds": round(m.seconds, 2),
        "events_per_second": round(summary["tracking_events"] / m.seconds),
        "peak_rss_gb": round(m.peak_rss_gb, 3),
        "load_before": m.load_before,
        "load_after": m.load_after,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_simulator")
    ap.add_argument("--events", type=int, default=1_000_000, help="target number of tracking events")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--messiness", default=None, help='e.g. "realistic" (default: clean)')
    ap.add_argument("--no-ground-truth", action="store_true")
    ap.add_argument("--workers", type=int, default=None, help="simulating processes (default: one per core)")
    ap.add_argument("--format", dest="export_format", default="jsonl.gz", choices=("jsonl.gz", "parquet"))
    ap.add_argument("--out", default=None, help="output directory (default: a temporary one, removed)")
    args = ap.parse_args(argv)
    customers = customers_for(args.events, args.days)
    with tempfile.TemporaryDirectory(prefix="touchpath_bench_") as tmp:
        out = Path(args.out or tmp)
        summary = generate_measured(
            out,
            customers=customers,
            days=args.days,
            seed=args.seed,
            messiness=args.messiness,
            ground_truth=not args.no_ground_truth,
            workers=args.workers,
            export_format=args.export_format,
        )
    result = {
        "target_events": args.events,
        "customers": customers,
        "days": args.days,
        "events": summary["tracking_events"],
        "orders": summary["n_orders"],
        "klaviyo_events": summary["counts"]["klaviyo/events.jsonl"],
        "seconds": summary["seconds"],
        "events_per_second": summary["events_per_second"],
        "peak_rss_gb": summary["peak_rss_gb"],
        "workers": args.workers or "auto",
        "format": args.export_format,
        "ground_truth": not args.no_ground_truth,
        "messiness": args.messiness,
        "load_before": summary["load_before"],
        "load_after": summary["load_after"],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
