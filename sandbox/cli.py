"""CLI: ``python -m sandbox generate ...`` and ``python -m sandbox serve ...``."""

from __future__ import annotations

import argparse
import json
import sys
import time

from sandbox import settings
from sandbox.faults import parse_spec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sandbox", description="touchpath sandbox world + fake APIs")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a deterministic world to --out")
    g.add_argument("--customers", type=int, default=settings.DEFAULT_CUSTOMERS)
    g.add_argument("--days", type=int, default=settings.DEFAULT_DAYS)
    g.add_argument("--seed", type=int, default=settings.DEFAULT_SEED)
    g.add_argument("--start", default=settings.DEFAULT_START_DATE, help="first day, YYYY-MM-DD")
    g.add_argument("--out", required=True)
    g.add_argument("--messiness", default=None,
                   help='"realistic", or JSON rates e.g. \'{"duplicate_events": 0.05, "restatement": true}\' '
                        "(default: clean)")
    g.add_argument("--channel-mix", default=None, help='JSON {channel: multiplier}, e.g. \'{"meta": 2}\'')
    g.add_argument("--budgets", default=None, help='JSON {platform: multiplier}, e.g. \'{"google_ads": 0.5}\'')
    g.add_argument("--channel-effects", default=None, help="JSON {channel: engagement per visit}")
    g.add_argument("--store-utc-offset", type=int, default=None, help="shop's UTC offset in hours (default -5)")
    g.add_argument("--no-ground-truth", action="store_true", help="skip the counterfactual ground-truth replays")
    g.add_argument("--workers", type=int, default=None,
                   help="processes simulating people (default: one per core for 40k+ customers); same output")
    g.add_argument("--format", dest="export_format", default="jsonl.gz", choices=("jsonl.gz", "parquet"),
                   help="tracking export file format (default jsonl.gz, Segment's bucket export)")
    s = sub.add_parser("serve", help="serve a generated world over HTTP")
    s.add_argument("--data", required=True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--as-of", default=None, help="ad platforms' reporting clock (ISO); default: the world's end")
    s.add_argument("--fault", action="append", default=[],
                   help='e.g. "meta:rate_limit_every=3,error_500_every=5" (repeatable; also env '
                        f"{settings.FAULTS_ENV})")
    args = ap.parse_args(argv)

    if args.cmd == "generate":
        from sandbox.generator import generate

        t0 = time.perf_counter()
        mess = args.messiness
        if mess and mess.lstrip().startswith("{"):
            mess = json.loads(mess)

        def js(v):
            return json.loads(v) if v else None

        summary = generate(args.out, customers=args.customers, days=args.days, seed=args.seed, start_date=args.start,
                           messiness=mess, channel_mix=js(args.channel_mix), budgets=js(args.budgets),
                           channel_effects=js(args.channel_effects), store_utc_offset_hours=args.store_utc_offset,
                           ground_truth=not args.no_ground_truth, workers=args.workers,
                           export_format=args.export_format)
        secs = time.perf_counter() - t0
        summary = {**summary, "seconds": round(secs, 2),
                   "events_per_second": round(summary["tracking_events"] / secs) if secs else None}
        print(json.dumps(summary, indent=2))
        return 0

    from sandbox.server import SandboxServer

    server = SandboxServer(args.data, args.host, args.port, as_of=args.as_of)
    for spec in args.fault:
        for endpoint, cfg in parse_spec(spec).items():
            server.set_faults(endpoint, **cfg)
    print(f"touchpath sandbox serving {args.data} at {server.base_url}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
