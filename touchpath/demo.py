"""`make demo`: generate a sandbox world, serve its APIs on 127.0.0.1, run the daily Dagster job
into the warehouse, and print a summary.

Knobs (env): TOUCHPATH_WAREHOUSE, TOUCHPATH_DEMO_CUSTOMERS (default 2000), TOUCHPATH_DEMO_DAYS (30),
TOUCHPATH_DEMO_SEED (7), TOUCHPATH_DEMO_START (2026-09-01), TOUCHPATH_DEMO_MESSINESS (realistic | none).
"""

import contextlib
import os
import sys
import time
from pathlib import Path

from touchpath.config import PROJECT_ROOT, warehouse_path


def demo_world() -> tuple[Path, dict]:
    """Where the demo world lives and the parameters it is generated with (env knobs above)."""
    params = {
        "customers": int(os.environ.get("TOUCHPATH_DEMO_CUSTOMERS", 2000)),
        "days": int(os.environ.get("TOUCHPATH_DEMO_DAYS", 30)),
        "seed": int(os.environ.get("TOUCHPATH_DEMO_SEED", 7)),
        "start_date": os.environ.get("TOUCHPATH_DEMO_START", "2026-09-01"),
        # Real data is messy; the demo world is too (TOUCHPATH_DEMO_MESSINESS=none for a clean one).
        "messiness": os.environ.get("TOUCHPATH_DEMO_MESSINESS", "realistic"),
    }
    if params["messiness"] in ("", "none"):
        params["messiness"] = None
    name = "world-{seed}-{customers}-{days}-{start_date}-{messiness}".format(**params)
    return PROJECT_ROOT / "data" / "sandbox" / name, params


def main() -> int:
    # dlt's notes on empty columns are for engineers tuning a connector, not for the demo's reader.
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
    world_dir, params = demo_world()
    customers, days, seed, start = params["customers"], params["days"], params["seed"], params["start_date"]

    from dagster import DagsterInstance

    from touchpath.runner import run_daily_job
    from touchpath.sandbox_session import ensure_world, sandbox_apis, world_run_days
    from touchpath.summary import summarize

    started = time.monotonic()
    print(f"generating the sandbox world ({customers} customers × {days} days, seed {seed}) ...", flush=True)
    ensure_world(world_dir, **params)
    warehouse = warehouse_path()
    # The report compares the models with the simulator's ground truth when the world has one.
    os.environ.setdefault("TOUCHPATH_GROUND_TRUTH", str(world_dir))
    with sandbox_apis(world_dir, start) as url:
        print(f"sandbox APIs on {url}; running the daily job into {warehouse} ...", flush=True)
        # DAGSTER_HOME (set by the Makefile) keeps the run visible in `make dev`.
        instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
        # One run over the world's days, as a backfill of them would.
        # The run's step-by-step output (dlt, dbt) goes to a log file and the Dagster UI (`make dev`);
        # the terminal keeps the summary.
        run_log = warehouse.parent / "demo-run.log"
        print(f"(step-by-step output: {run_log})", flush=True)
        with open(run_log, "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            result = run_daily_job(*world_run_days(world_dir), instance=instance, raise_on_error=False,
                                   log_level="INFO")
    if not result.success:
        for event in result.all_events:
            if event.is_failure:
                print(event.message, file=sys.stderr)
        print(f"the daily job failed; its output is in {run_log}", file=sys.stderr)
        return 1
    print()
    print(summarize(warehouse))
    report = warehouse.parent / "reports" / "touchpath_report.html"
    if report.exists():
        print(f"\nreport: {report}")
    print(f"\ndone in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
