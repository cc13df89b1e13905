"""The `touchpath` command.

    touchpath journey CUSTOMER_KEY [--warehouse PATH]   one person's journey, orders and credits per model
    touchpath report [--out PATH] [--warehouse PATH] [--ground-truth WORLD_DIR_OR_FILE] [--model markov]

Both open the warehouse read-only (default: TOUCHPATH_WAREHOUSE, else data/warehouse.duckdb).
Also runnable as `python -m touchpath.cli ...`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _warehouse(arg: str | None) -> Path:
    if arg:
        return Path(arg).expanduser().resolve()
    from touchpath.config import DEFAULT_WAREHOUSE

    # Resolved like touchpath.config.warehouse_path(), without creating folders for a read-only command.
    return Path(os.environ.get("TOUCHPATH_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser().resolve()


def default_report_path(warehouse: Path) -> Path:
    return warehouse.parent / "reports" / "touchpath_report.html"


def cmd_journey(args: argparse.Namespace) -> int:
    from touchpath.report.journey import UnknownCustomer, fetch, format_journey

    warehouse = _warehouse(args.warehouse)
    try:
        journey = fetch(warehouse, args.customer_key)
    except FileNotFoundError as exc:
        print(f"touchpath journey: {exc}", file=sys.stderr)
        return 2
    except UnknownCustomer:
        print(f"touchpath journey: unknown customer {args.customer_key!r}: no sessions, orders or profile "
              f"in {warehouse} (customer keys are marts.dim_customers.customer_key)", file=sys.stderr)
        return 1
    print(format_journey(journey))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from touchpath.report import render

    warehouse = _warehouse(args.warehouse)
    out = Path(args.out).expanduser().resolve() if args.out else default_report_path(warehouse)
    try:
        path = render(warehouse, out, ground_truth=args.ground_truth, model=args.model)
    except FileNotFoundError as exc:
        print(f"touchpath report: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="touchpath", description="touchpath: customer-journey analytics.")
    sub = parser.add_subparsers(dest="command", required=True)

    journey = sub.add_parser("journey", help="print one person's journey: sessions, touches, events, orders, credits")
    journey.add_argument("customer_key", help="marts.dim_customers.customer_key (e.g. a Shopify customer id)")
    journey.add_argument("--warehouse", help="DuckDB file (default: TOUCHPATH_WAREHOUSE or data/warehouse.duckdb)")
    journey.set_defaults(func=cmd_journey)

    report = sub.add_parser("report", help="render the HTML report and print its path")
    report.add_argument("--out", help="output file (default: reports/touchpath_report.html beside the warehouse)")
    report.add_argument("--warehouse", help="DuckDB file (default: TOUCHPATH_WAREHOUSE or data/warehouse.duckdb)")
    report.add_argument("--ground-truth", help="sandbox world folder or its ground_truth.json/.csv (optional)")
    report.add_argument("--model", default="markov", help="attribution model of the ROAS/CPA/CAC panels")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
