"""Benchmark the sandbox simulator: ``python -m bench.bench_simulator --events N``.

Generates a world of about N tracking events (customers scaled at ~32 events each over --days days),
then prints the events written, events/s and the process's peak RSS (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time

from sandbox.generator import generate

EVENTS_PER_CUSTOMER_30D = 32.0  # measured: ~32 delivered events per simulated person over 30 days


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_simulator")
    ap.add_argument("--events", type=int, default=1_000_000, help="target number of tracking events")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--messiness", default=None, help='e.g. "realistic" (default: clean)')
    ap.add_argument("--no-ground-truth", action="store_true")
    ap.add_argument("--out", default=None, help="output directory (default: a temporary one, removed)")
    args = ap.parse_args(argv)
    customers = max(1, round(args.events / (EVENTS_PER_CUSTOMER_30D * min(1.0, (args.days / 30) ** 0.5))))
    tmp = None
    out = args.out
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="touchpath_bench_")
        out = tmp.name
    t0 = time.perf_counter()
    summary = generate(out, customers=customers, days=args.days, seed=args.seed, messiness=args.messiness,
                       ground_truth=not args.no_ground_truth)
    secs = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if sys.platform == "darwin":
        peak_kb //= 1024
    result = {
        "target_events": args.events,
        "customers": customers,
        "days": args.days,
        "events": summary["tracking_events"],
        "orders": summary["n_orders"],
        "klaviyo_events": summary["counts"]["klaviyo/events.jsonl"],
        "seconds": round(secs, 2),
        "events_per_second": round(summary["tracking_events"] / secs),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "ground_truth": not args.no_ground_truth,
        "messiness": args.messiness,
    }
    print(json.dumps(result, indent=2))
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
