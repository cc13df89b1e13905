"""The benchmark's measured stages that run as their own process (so their process tree is theirs):

    python -m bench.stages ingest --sources tracking_files,shopify --start 2026-01-01 [--end 2026-01-30]
    python -m bench.stages sessionize-bare [--variants narrow,wide]
    python -m bench.stages attribution [--ca-python PY]

Each prints one JSON line (its own timings) last. The warehouse is TOUCHPATH_WAREHOUSE.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

SESSION_EVENT_TYPES = "('page', 'track', 'screen', 'identify')"


def ingest(sources: list[str], start: str, end: str | None) -> dict:
    from ingestion.common.pipeline import make_pipeline
    from ingestion.registry import build_source
    from ingestion.run import finish_load

    out, steps = {}, {}
    for name in sources:
        t = time.perf_counter()
        pipeline = make_pipeline(name)
        pipeline.run(build_source(name, start_date=start, end_date=end))
        finish_load(name, pipeline)
        out[name] = time.perf_counter() - t
        try:  # dlt's own step timings: extract (includes the source's reading), normalize, load
            steps[name] = {
                step.step: (step.finished_at - step.started_at).total_seconds()
                for step in pipeline.last_trace.steps
            }
        except Exception:  # noqa: BLE001 - the trace is informative only
            pass
    return {"seconds_by_source": out, "dlt_steps_by_source": steps}


def _bare_sql(relation: str, target: str, columns: str) -> str:
    """The bare DuckDB limit of sessionization: one lag window and one running sum (30-minute rule) over
    the device's events, written to a table. ``columns``: what the sorts carry and the table keeps."""
    return f"""
        create or replace table {target} as
        with keyed as (
            select {columns}, coalesce(anonymous_id, 'user:' || user_id) as device_key
            from {relation}
            where event_type in {SESSION_EVENT_TYPES} and not coalesce(is_bot, false)
        ),
        gaps as (
            select *, lag(event_at) over (partition by device_key order by event_at, event_id) as previous_event_at
            from keyed
        )
        select *,
            sum(case when previous_event_at is null
                      or date_diff('second', previous_event_at, event_at) > 1800 then 1 else 0 end)
                over (partition by device_key order by event_at, event_id
                      rows between unbounded preceding and current row) as session_number
        from gaps
    """


def sessionize_bare(variants: tuple[str, ...] = ("narrow", "wide")) -> dict:
    import duckdb

    from touchpath.config import duckdb_memory_limit, warehouse_path

    con = duckdb.connect(str(warehouse_path()))
    # the dbt profile's settings
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
    con.execute("create schema if not exists bench")
    out = {"threads": con.execute("select current_setting('threads')").fetchone()[0]}
    staged = "staging.stg_tracking__events"
    steps = {
        # issue 5's limit: the sort carries the event id, device and time only (what int_event_sessions
        # carries besides the campaign key), the table keeps them and the session number
        "bare_narrow": _bare_sql(staged, "bench.bare_sessions", "event_id, event_at"),
        # the same windows carrying every staged column (what a wide sessionized-events table costs)
        "bare_wide": _bare_sql(staged, "bench.bare_sessions_wide", "*"),
    }
    steps = {name: sql for name, sql in steps.items() if name.removeprefix("bare_") in variants}
    for name, sql in steps.items():
        t = time.perf_counter()
        con.execute(sql)
        out[name] = time.perf_counter() - t
    out["staged_rows"] = con.execute(f"select count(*) from {staged}").fetchone()[0]
    out["raw_file_rows"] = con.execute("select count(*) from raw_tracking_files.events").fetchone()[0]
    if "bare_narrow" in steps:
        out["sessionized_rows"] = con.execute("select count(*) from bench.bare_sessions").fetchone()[0]
        out["bare_sessions"] = con.execute(
            "select count(*) from (select distinct device_key, session_number from bench.bare_sessions)"
        ).fetchone()[0]
    out["model_rows"] = con.execute("select count(*) from intermediate.int_event_sessions").fetchone()[0]
    out["model_sessions"] = con.execute(
        "select count(distinct session_id) from intermediate.int_event_sessions"
    ).fetchone()[0]
    for table in ("bench.bare_sessions", "bench.bare_sessions_wide"):
        con.execute(f"drop table if exists {table}")
    con.close()
    return out


def attribution(ca_python: str | None, nsim: float, conv_par: float) -> dict:
    import duckdb

    from bench.bench_attribution import run_channelattribution
    from touchpath.attribution import encode_paths, fit_markov, path_credits
    from touchpath.config import warehouse_path

    con = duckdb.connect(str(warehouse_path()), read_only=True)
    summary = con.sql("select * from intermediate.int_path_summary").df()
    con.close()
    summary = summary[summary["channel_path"].notna() & (summary["channel_path"] != "")].reset_index(
        drop=True
    )
    for col in ("conversions", "nulls"):
        summary[col] = summary[col].astype("int64")
    summary["revenue"] = summary["revenue"].astype("float64")
    out = {
        "distinct_paths": len(summary),
        "conversions": int(summary["conversions"].sum()),
        "journeys": int(summary["conversions"].sum() + summary["nulls"].sum()),
    }
    t = time.perf_counter()
    table, _ = encode_paths(summary["channel_path"], summary["conversions"], summary["revenue"], summary["nulls"])
    fit = fit_markov(table, 1)
    # path strings -> credits: parse + exact order-1 fit with every removal (CA's timed call also parses)
    out["ours_markov_seconds"] = time.perf_counter() - t
    ours = dict(zip(fit.channels, fit.credits().tolist(), strict=True))
    out["channels"] = len(fit.channels)
    out["markov_states"] = int(fit.n_states)
    t = time.perf_counter()
    path_credits(summary, models=("markov", "shapley"), markov_order=1)
    out["ours_path_credits_seconds"] = time.perf_counter() - t  # what int_data_driven_path_credits runs
    out["ours_credit_total"] = sum(ours.values())
    ca = run_channelattribution(summary, 1, nsim, conv_par, ca_python)
    if ca is None:
        out["ca"] = None
    else:
        ca_s, ca_credits = ca
        diff = max(abs(ca_credits.get(ch, 0.0) - v) for ch, v in ours.items())
        out["ca"] = {
            "seconds": ca_s,
            "nsim_start": nsim,
            "conv_par": conv_par,
            "max_abs_credit_diff": diff,
            "max_abs_credit_diff_share": diff / out["ours_credit_total"]
            if out["ours_credit_total"]
            else None,
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.stages")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ingest")
    p.add_argument("--sources", required=True)
    p.add_argument("--start", required=True)
    p.add_argument("--end", default=None)
    p = sub.add_parser("sessionize-bare")
    # which bare queries: the narrow one is the limit; the wide one (every staged column) is for scale
    p.add_argument("--variants", default="narrow,wide")
    p = sub.add_parser("attribution")
    p.add_argument("--ca-python", default=None)
    p.add_argument("--ca-nsim", type=float, default=1e6)
    p.add_argument("--ca-conv-par", type=float, default=0.05)
    args = ap.parse_args(argv)
    if args.cmd == "ingest":
        result = ingest([s for s in args.sources.split(",") if s], args.start, args.end)
    elif args.cmd == "sessionize-bare":
        result = sessionize_bare(tuple(v for v in args.variants.split(",") if v))
    else:
        result = attribution(args.ca_python, args.ca_nsim, args.ca_conv_par)
    sys.stdout.flush()
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
