"""Attribution accuracy report: generate a sandbox world, build a warehouse from it through the daily job, compare
every attribution model with the world's ground truth and write ``docs/attribution_accuracy.md``.

    python -m touchpath.evaluate [--customers 3000 --days 45 --seed 7 --start 2026-01-01]
                                 [--out docs/attribution_accuracy.md] [--workdir DIR [--reuse]] [--keep] [--quiet]

The warehouse is a temporary file (``TOUCHPATH_WAREHOUSE`` is set to it for the run), never
``data/warehouse.duckdb``. See :mod:`touchpath.evaluation` for the mapping and the metrics.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from touchpath.config import PROJECT_ROOT

DEFAULTS = {"customers": 3000, "days": 45, "seed": 7, "start": "2026-01-01"}
DEFAULT_OUT = PROJECT_ROOT / "docs" / "attribution_accuracy.md"


@contextlib.contextmanager
def _env(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build_warehouse(workdir: Path, *, customers: int, days: int, seed: int, start: str) -> tuple[Path, Path]:
    """Generate the world into ``workdir/world`` and build ``workdir/warehouse.duckdb`` through the daily job.

    Returns (world folder, warehouse path)."""
    from touchpath.runner import run_daily_job
    from touchpath.sandbox_session import ensure_world, sandbox_apis, world_run_days

    world = workdir / "world"
    world.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "warehouse.duckdb"
    ensure_world(world, customers=customers, days=days, seed=seed, start_date=start)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    with _env(TOUCHPATH_WAREHOUSE=str(warehouse)), sandbox_apis(world, start):
        result = run_daily_job(*world_run_days(world))
        if not result.success:
            raise RuntimeError("the daily job failed")
    return world, warehouse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m touchpath.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=DEFAULTS["customers"])
    parser.add_argument("--days", type=int, default=DEFAULTS["days"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--start", default=DEFAULTS["start"], help="first day of the world (YYYY-MM-DD)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown report to write")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for the world and the warehouse (default: a temporary folder, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--reuse", action="store_true",
                        help="evaluate the world and warehouse already built in --workdir (same parameters) "
                             "instead of building them again")
    parser.add_argument("--quiet", action="store_true", help="silence Dagster/dlt/dbt logging")
    args = parser.parse_args(argv)
    if args.quiet:
        logging.disable(logging.INFO)

    from touchpath.evaluation import evaluate, render_markdown

    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = Path(tempfile.mkdtemp(prefix="touchpath-eval-"))
        workdir = tmp
    workdir = workdir.resolve()
    if workdir == (PROJECT_ROOT / "data").resolve():
        parser.error("--workdir must not be data/ (the real warehouse lives there)")
    t0 = time.monotonic()
    try:
        if args.reuse:
            world, warehouse = _reuse(workdir, parser, customers=args.customers, days=args.days, seed=args.seed,
                                      start=args.start)
        else:
            world, warehouse = build_warehouse(workdir, customers=args.customers, days=args.days, seed=args.seed,
                                               start=args.start)
        built = time.monotonic() - t0
        ev = evaluate(warehouse, world)
        command = (f"python -m touchpath.evaluate --customers {args.customers} --days {args.days} "
                   f"--seed {args.seed} --start {args.start}")
        params = {"customers": args.customers, "days": args.days, "seed": args.seed, "start_date": args.start,
                  "messiness": "none (clean world)", "attribution_lookback_days": _dbt_var("attribution_lookback_days"),
                  "attribution_reset_on_order": _dbt_var("attribution_reset_on_order"),
                  "markov_order": _dbt_var("markov_order")}
        text = render_markdown(ev, command=command, params=params)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    how = "reused the warehouse in" if args.reuse else "built the warehouse in"
    print(f"{how} {workdir} ({built:.0f}s); wrote {args.out}", file=sys.stderr)
    for s in ev.summaries:
        print(f"{s.model:16s} sum|share err| {100 * s.share_abs_error_total:5.1f} pp  spearman {s.spearman:5.2f}  "
              f"top-2 {', '.join(s.top2)}{'' if s.top2_matches_truth else '  (truth: ' + ', '.join(ev.truth_ranking[:2]) + ')'}")
    return 0


def _reuse(workdir: Path, parser: argparse.ArgumentParser, **params) -> tuple[Path, Path]:
    """The world and warehouse of an earlier build in ``workdir``; refuses if the world's parameters differ."""
    import json

    world, warehouse = workdir / "world", workdir / "warehouse.duckdb"
    marker = world / "touchpath_params.json"
    if not (marker.exists() and warehouse.exists()):
        parser.error(f"--reuse: no world/warehouse built in {workdir}")
    built = json.loads(marker.read_text())["params"]
    wanted = {"customers": params["customers"], "days": params["days"], "seed": params["seed"],
              "start_date": params["start"]}
    if built != wanted:
        parser.error(f"--reuse: {workdir} holds a world built with {built}, not {wanted}")
    return world, warehouse


def _dbt_var(name: str):
    """A var's default from dbt_project.yml (the value the build used: the job passes only the window)."""
    import yaml

    project = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    return project.get("vars", {}).get(name)


if __name__ == "__main__":
    raise SystemExit(main())
