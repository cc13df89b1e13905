"""`make demo`: generate a sandbox world, serve its APIs on 127.0.0.1, run the daily Dagster job
into the warehouse, and print a summary.

Knobs (env): TOUCHPATH_WAREHOUSE, TOUCHPATH_DEMO_CUSTOMERS (default 2000), TOUCHPATH_DEMO_DAYS (30),
TOUCHPATH_DEMO_SEED (7), TOUCHPATH_DEMO_START (2026-09-01).
"""

import os
import sys
import time

from touchpath.config import PROJECT_ROOT, warehouse_path


def main() -> int:
    customers = int(os.environ.get("TOUCHPATH_DEMO_CUSTOMERS", 2000))
    days = int(os.environ.get("TOUCHPATH_DEMO_DAYS", 30))
    seed = int(os.environ.get("TOUCHPATH_DEMO_SEED", 7))
    start = os.environ.get("TOUCHPATH_DEMO_START", "2026-09-01")
    world_dir = PROJECT_ROOT / "data" / "sandbox" / f"world-{seed}-{customers}-{days}-{start}"

    from dagster import DagsterInstance

    from touchpath.runner import run_daily_job
    from touchpath.sandbox_session import ensure_world, sandbox_apis
    from touchpath.summary import summarize

    started = time.monotonic()
    print(f"generating the sandbox world ({customers} customers × {days} days, seed {seed}) ...", flush=True)
    ensure_world(world_dir, customers=customers, days=days, seed=seed, start_date=start)
    warehouse = warehouse_path()
    with sandbox_apis(world_dir, start) as url:
        print(f"sandbox APIs on {url}; running the daily job into {warehouse} ...", flush=True)
        # DAGSTER_HOME (set by the Makefile) keeps the run visible in `make dev`.
        instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
        result = run_daily_job(instance=instance, raise_on_error=False)
    if not result.success:
        for event in result.all_events:
            if event.is_failure:
                print(event.message, file=sys.stderr)
        print("the daily job failed", file=sys.stderr)
        return 1
    print()
    print(summarize(warehouse))
    print(f"\ndone in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
