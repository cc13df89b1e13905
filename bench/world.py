"""The benchmark's simulated world, generated once per parameter set and cached under ``bench/out/``.

    python -m bench.world --events 10000000      # generate (or reuse) the world for ~10M events

The generator streams (day spools on disk), so its memory stays bounded at any size; it runs at
~9k events/s, which is why generation is never part of the measured stages.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.bench_simulator import EVENTS_PER_CUSTOMER_30D

OUT_ROOT = Path(__file__).resolve().parent / "out"
START_DATE = "2026-01-01"


def world_params(events: int, days: int = 30, seed: int = 7, start_date: str = START_DATE) -> dict:
    customers = max(1, round(events / (EVENTS_PER_CUSTOMER_30D * min(1.0, (days / 30) ** 0.5))))
    return {"customers": customers, "days": days, "seed": seed, "start_date": start_date}


def world_dir(params: dict) -> Path:
    return OUT_ROOT / "worlds" / "world-{seed}-{customers}-{days}-{start_date}".format(**params)


def ensure_world(params: dict, log=print) -> tuple[Path, dict]:
    """(directory, summary) of the world with these parameters, generating it unless cached."""
    from sandbox.generator import generate

    out = world_dir(params)
    marker = out / "bench_world.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("params") == params:
            return out, saved["summary"]
    log(f"generating world {out.name} (not cached; ~9k events/s) ...")
    t = time.perf_counter()
    summary = generate(out, ground_truth=False, **params)
    secs = time.perf_counter() - t
    marker.write_text(
        json.dumps({"params": params, "summary": summary, "generate_seconds": secs}, default=str)
    )
    log(f"generated {summary['tracking_events']:,} events in {secs:.0f}s")
    return out, summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.world")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    out, summary = ensure_world(world_params(args.events, args.days, args.seed))
    print(out, summary["tracking_events"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
