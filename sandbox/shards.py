"""Simulating people in worker processes: each worker takes a contiguous range of people, spills their
events, orders and Klaviyo events to its own day spools and returns its tallies, which are merged in
range order.

Every random draw is seeded per person (``{seed}:person:{i}`` and friends) and every tally is an integer
(cents for money), so the merged world is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sandbox import groundtruth
from sandbox import messiness as mz
from sandbox.journeys import JourneySimulator
from sandbox.people import PeopleBuilder
from sandbox.spool import DaySpool
from sandbox.timeutil import day_of
from sandbox.tracking_export import sort_key
from sandbox.world_ads import AdLedger
from sandbox.world_klaviyo import KlaviyoBuilder
from sandbox.world_klaviyo import sort_key as klaviyo_sort_key
from sandbox.world_tracking import deliver_person


@dataclass(frozen=True)
class WorldSpec:
    """Everything a worker needs to rebuild the simulator (plain data: it is pickled to the worker)."""

    seed: int
    start_ms: int
    end_ms: int
    campaigns: dict
    products: list
    effects: dict | None
    mix: dict | None
    currencies: dict | None
    fx: dict
    cfg: dict
    want_truth: bool


@dataclass
class ShardResult:
    lo: int
    hi: int
    spool_dir: Path
    people: dict = field(default_factory=dict)  # identified or subscribed people, as columns (sandbox.people)
    visits: int = 0
    buyers: int = 0
    pre_sum: int = 0  # touches before the first order, summed over buyers (and their count)
    pre_n: int = 0
    ledger: tuple = ({}, {})  # AdLedger (tracked, conv)
    truth: tuple | None = None  # GroundTruth.state()
    manifest: dict = field(default_factory=dict)  # Manifest.kinds
    tracking_hours: dict = field(default_factory=dict)  # events spooled per receivedAt hour


def simulate_range(spec: WorldSpec, lo: int, hi: int, spool_dir: Path) -> ShardResult:
    """Simulate people ``lo`` .. ``hi - 1`` into spools under ``spool_dir`` (tracking per receivedAt hour,
    orders and Klaviyo events per day)."""
    sim = JourneySimulator(spec.seed, spec.start_ms, spec.end_ms, spec.campaigns, spec.products,
                           effects=spec.effects, mix=spec.mix, currencies=spec.currencies, fx=spec.fx)
    ev_spool, kl_spool, ord_spool = (DaySpool(spool_dir, n) for n in ("tracking", "klaviyo", "orders"))
    manifest = mz.Manifest(spec.cfg)
    ledger = AdLedger(sim, spec.seed, bool(spec.cfg.get("restatement")), spec.fx)
    klaviyo = KlaviyoBuilder(spec.seed, spec.start_ms, spec.end_ms, spec.campaigns)
    truth = groundtruth.GroundTruth(spec.end_ms, spec.products, spec.effects, spec.mix) if spec.want_truth else None
    out = ShardResult(lo, hi, Path(spool_dir))
    people = PeopleBuilder()
    for i in range(lo, hi):
        res = sim.simulate(i)
        deliver_person(res.events, spec.seed, i, spec.end_ms, spec.cfg, manifest,
                       lambda hour, e: ev_spool.add(hour, e, key=sort_key(e)))
        for o in res.orders:
            ord_spool.add(day_of(o["ms"]), o)
        klaviyo.add_person(res, lambda day, e: kl_spool.add(day, e, key=klaviyo_sort_key(e)))
        ledger.add_person(res.touches, res.orders)
        if truth is not None:
            truth.add(res)
        out.visits += len(res.visits)
        out.buyers += bool(res.orders)
        if res.pre_purchase_touches:
            out.pre_sum += res.pre_purchase_touches
            out.pre_n += 1
        p = res.person
        if p.identified_at is not None or p.subscribed_at is not None:
            people.add(p)
    for spool in (ev_spool, kl_spool, ord_spool):
        spool.flush()
    out.people = people.columns()
    out.ledger = (dict(ledger.tracked), ledger.conv)
    out.truth = truth.state() if truth is not None else None
    out.manifest = manifest.kinds
    out.tracking_hours = dict(ev_spool.counts)
    return out


def _ranges(customers: int, parts: int) -> list[tuple[int, int]]:
    step, extra = divmod(customers, parts)
    bounds, lo = [], 0
    for k in range(parts):
        hi = lo + step + (k < extra)
        if hi > lo:
            bounds.append((lo, hi))
        lo = hi
    return bounds


def simulate_people(spec: WorldSpec, customers: int, workers: int, spool_root: Path) -> list[ShardResult]:
    """Every person simulated, in ``workers`` processes (1: in this process); results in person order."""
    ranges = _ranges(customers, max(1, workers))
    dirs = [Path(spool_root) / f"shard-{k:03d}" for k in range(len(ranges))]
    if len(ranges) == 1:
        return [simulate_range(spec, *ranges[0], dirs[0])]
    # spawn, not fork: the caller may be a multi-threaded process (dagster, pytest with DuckDB loaded)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=ctx) as pool:
        futures = [pool.submit(simulate_range, spec, lo, hi, d) for (lo, hi), d in zip(ranges, dirs, strict=True)]
        return [f.result() for f in futures]


def default_workers(customers: int) -> int:
    """Processes worth starting: one per core, but not for small worlds (a worker costs ~0.5 s to start)."""
    cores = multiprocessing.cpu_count() or 1
    return max(1, min(cores, customers // 20_000))
