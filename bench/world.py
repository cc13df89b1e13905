"""The benchmark's simulated world, generated once per parameter set and cached under ``bench/out/``.

    python -m bench.world --events 10000000      # generate (or reuse) the world for ~10M events

The generator streams (day spools on disk), so its memory stays bounded at any size; it simulates people
in one process per core (see sandbox/shards.py). Generation is never part of the measured stages; its
own throughput is measured by ``python -m bench.bench_simulator``.

The bench world's tracking export is parquet (the volume format, ``--format``); ``bench.stages`` measures
the jsonl.gz path on a sample of the same events.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.bench_simulator import customers_for, generate_measured

OUT_ROOT = Path(__file__).resolve().parent / "out"
START_DATE = "2026-01-01"


def world_params(
    events: int, days: int = 30, seed: int = 7, start_date: str = START_DATE, export_format: str = "parquet"
) -> dict:
    customers = customers_for(events, days)
    return {
        "customers": customers,
        "days": days,
        "seed": seed,
        "start_date": start_date,
        "export_format": export_format,
    }


def world_dir(params: dict) -> Path:
    return (
        OUT_ROOT / "worlds" / "world-{seed}-{customers}-{days}-{start_date}-{export_format}".format(**params)
    )


def ensure_world(params: dict, log=print) -> tuple[Path, dict]:
    """(directory, summary) of the world with these parameters, generating it unless cached."""
    out = world_dir(params)
    marker = out / "bench_world.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("params") == params:
            prepare_sandbox(out, log)
            return out, saved["summary"]
    log(f"generating world {out.name} (not cached) ...")
    summary = generate_measured(out, ground_truth=False, **params)
    marker.write_text(
        json.dumps(
            {
                "params": params,
                "summary": summary,
                "generate_seconds": summary["seconds"],
                "generate_peak_rss_gb": summary["peak_rss_gb"],
            },
            default=str,
        )
    )
    log(
        f"generated {summary['tracking_events']:,} events in {summary['seconds']:.0f}s "
        f"({summary['events_per_second']:,} events/s, peak {summary['peak_rss_gb']:.2f} GB)"
    )
    prepare_sandbox(out, log)
    return out, summary


def prepare_sandbox(out: Path, log=print) -> None:
    """The sandbox server's index of the Klaviyo events, saved beside their file before any timed stage
    (sandbox/lazy_records.py): otherwise the first events request of the measured ingestion builds it.
    Instant when already saved for this file."""
    from sandbox.apis.klaviyo import prepare

    started = time.perf_counter()
    prepare(out)
    log(f"sandbox indexes ready ({time.perf_counter() - started:.0f}s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.world")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--format", dest="export_format", default="parquet", choices=("parquet", "jsonl.gz"))
    args = ap.parse_args(argv)
    out, summary = ensure_world(
        world_params(args.events, args.days, args.seed, export_format=args.export_format)
    )
    print(out, summary["tracking_events"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
