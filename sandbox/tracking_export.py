"""Writing the tracking export (``tracking/dt=YYYY-MM-DD/events-0000.<ext>``) from the spooled events, one
day per task, optionally in worker processes.

A day's events were spooled per receivedAt hour by every shard; each hour is read, its events get the
ids known only after simulation (Shopify customer id as ``userId``, order id on "Order Completed"),
bot bursts are added, and the hour is written sorted by (receivedAt, messageId), so memory holds one
hour. Bot traffic is owed as a running budget (rate x events so far, paid in whole bursts); the budget
at the start of each hour is computed first from the hours' event counts (``bot_budgets``), so days can
be written independently and still carry the budget over as one sequential pass would.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import orjson

from sandbox import messiness as mz
from sandbox.io import JsonlGzWriter
from sandbox.people import Lookups
from sandbox.spool import SUFFIX, read_keyed_lines
from sandbox.timeutil import parse_iso
from sandbox.world_tracking import bot_burst_events

EXPORT_FORMATS = ("jsonl.gz", "parquet")
# Events parsed and written at a time. An hour is held as JSON text and parsed one batch at a time: at
# 100M events an hour holds ~140k events, ~1.2 GB per writer process as dicts, ~0.15 GB as text.
WRITE_BATCH = 20_000

# ids resolved after simulation (sandbox.people.Lookups), set once per worker process (see ``_load_lookups``)
_LOOKUPS: dict = {}


@dataclass(frozen=True)
class DayTask:
    day: str
    hours: tuple[str, ...]
    spool_dirs: tuple[Path, ...]
    out: Path
    seed: int
    end_ms: int
    cfg: dict
    export_format: str
    bot_budget: float = 0.0  # bot events owed when the day starts


def bot_budgets(seed: int, hour_counts: dict[str, int], end_ms: int, cfg: dict) -> dict[str, float]:
    """{day: bot events owed at its start}: the bursts of every hour, drawn and discarded, in order."""
    rate = cfg.get("bot_bursts")
    out: dict[str, float] = {}
    budget = 0.0
    for hour in sorted(hour_counts):
        out.setdefault(hour[:10], budget)
        if rate:
            n = hour_counts[hour]
            budget += n * rate / (1 - rate) if rate < 1 else n
            _, budget = bot_burst_events(seed, hour, parse_iso(hour + ":00:00Z"), budget, end_ms,
                                         mz.Manifest(cfg))
    return out


def _writer(path: Path, export_format: str):
    if export_format == "parquet":
        from sandbox.export_parquet import ParquetEventsWriter

        return ParquetEventsWriter(path)
    return JsonlGzWriter(path)


def write_day(task: DayTask) -> tuple[str, int, dict]:
    """(relative path, events written, manifest kinds of the bot bursts) of one day's export file."""
    ids: Lookups = _LOOKUPS["ids"]
    manifest = mz.Manifest(task.cfg)
    rel = f"tracking/dt={task.day}/events-0000.{task.export_format}"
    writer = _writer(task.out / rel, task.export_format)
    bot_rate = task.cfg.get("bot_bursts")
    bot_budget = task.bot_budget  # bot events owed (rate x clean events so far), paid in whole bursts
    for hour in task.hours:
        # the hour as (sort key, JSON text): sorted first, parsed a batch at a time (see sort_key)
        rows: list[tuple[bytes, bytes | dict]] = read_keyed_lines(list(task.spool_dirs), hour)
        for spool_dir in task.spool_dirs:  # read once: free the disk as the export grows
            (spool_dir / f"{hour}{SUFFIX}").unlink(missing_ok=True)
        if bot_rate:
            manifest.eligible("bot_bursts", len(rows))
            bot_budget += len(rows) * bot_rate / (1 - bot_rate) if bot_rate < 1 else len(rows)
            bots, bot_budget = bot_burst_events(task.seed, hour, parse_iso(hour + ":00:00Z"), bot_budget,
                                                task.end_ms, manifest)
            rows.extend((sort_key(e).encode(), e) for e in bots)
        rows.sort(key=itemgetter(0))  # stable: equal keys keep spool order, bots last
        for start in range(0, len(rows), WRITE_BATCH):
            writer.write_many(_resolved(rows[start:start + WRITE_BATCH], ids))
        del rows
    return rel, writer.close(), manifest.kinds


def sort_key(event: dict) -> str:
    """The export's order, (receivedAt, messageId), as one string: receivedAt is always ISO-8601 UTC with
    milliseconds (fixed width), so comparing the concatenations compares the pairs."""
    return event["receivedAt"] + (event["messageId"] or "")


def _resolved(batch: list[tuple[bytes, bytes | dict]], ids: Lookups) -> list[dict]:
    """The batch's events as dicts, with the ids known only after simulation filled in."""
    out = []
    for _, item in batch:
        e = orjson.loads(item) if isinstance(item, bytes) else item
        if "_p" in e:
            pidx = e.pop("_p")
            if e.pop("_uid", False):
                e["userId"] = str(ids.customer_id(pidx))
            if "_ok" in e:
                e["properties"]["order_id"] = str(ids.order_id(pidx, e.pop("_ok")))
        out.append(e)
    return out


def _load_lookups(folder: str) -> None:
    _LOOKUPS["ids"] = Lookups.load(folder)


def write_days(tasks: list[DayTask], lookups: Lookups, workers: int, scratch: Path) -> list[tuple[str, int, dict]]:
    """``write_day`` of every task, in task order; ``workers`` > 1 writes days in parallel processes."""
    if workers <= 1 or len(tasks) <= 1:
        _LOOKUPS["ids"] = lookups
        try:
            return [write_day(t) for t in tasks]
        finally:
            _LOOKUPS.clear()
    folder = Path(scratch) / "lookups"
    folder.mkdir(parents=True, exist_ok=True)
    lookups.save(folder)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_load_lookups,
                             initargs=(str(folder),)) as pool:
        return list(pool.map(write_day, tasks))
