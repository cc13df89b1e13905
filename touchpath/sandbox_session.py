"""Run something against the local sandbox: generate a world (once), serve it on 127.0.0.1, and point
every connector at it (`TOUCHPATH_SANDBOX=1`, `TOUCHPATH_SANDBOX_URL`)."""

import contextlib
import json
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


def ensure_world(
    out_dir: Path, *, customers: int, days: int, seed: int, start_date: str, messiness: str | None = None
) -> dict:
    """Generate the world into `out_dir` unless the same parameters were generated there already.

    `messiness="realistic"` adds the faults of real data (duplicates, late and malformed records,
    bots, several currencies and time zones, restated ad conversions, edited orders).
    """
    from sandbox.generator import generate

    params = {"customers": customers, "days": days, "seed": seed, "start_date": start_date}
    if messiness:
        params["messiness"] = messiness
    marker = out_dir / "touchpath_params.json"
    if marker.exists() and json.loads(marker.read_text()).get("params") == params:
        return json.loads(marker.read_text())["summary"]
    summary = generate(out_dir, **params)
    marker.write_text(json.dumps({"params": params, "summary": summary}, default=str))
    return summary


def world_run_days(world_dir: Path) -> tuple[date, date]:
    """The daily partitions one run over a generated world covers, first and last (inclusive): from the
    world's first day to the day of its newest record (an order edited after the last day, say), in the
    partitions' time zone; never past yesterday, the newest partition.

    Partitions after the newest record would load nothing, and each partition of a run costs Dagster two
    events per asset (planned and materialized, ~5 ms together): running the tests' 14-day world up to a
    yesterday months later spent 80 of the job's 128 s on them (281 partitions, 2026-12-07). A world
    generated before its newest record was recorded runs up to yesterday, as every world did then.
    """
    from touchpath.runner import last_complete_day

    date_range = json.loads((world_dir / "world.json").read_text())["date_range"]
    yesterday = last_complete_day()
    if "last_record_at" not in date_range:
        return date.fromisoformat(date_range["start"]), yesterday
    from orchestration.constants import SCHEDULE_TIMEZONE

    newest = datetime.fromisoformat(date_range["last_record_at"].replace("Z", "+00:00"))
    last = newest.astimezone(ZoneInfo(SCHEDULE_TIMEZONE)).date()
    return date.fromisoformat(date_range["start"]), min(last, yesterday)


@contextlib.contextmanager
def sandbox_apis(data_dir: Path, start_date: str) -> Iterator[str]:
    """Serve `data_dir` on 127.0.0.1 and set the env vars that point connectors at it."""
    from sandbox.server import start_server

    server = start_server(data_dir, host="127.0.0.1", port=0)
    saved = {k: os.environ.get(k) for k in ("TOUCHPATH_SANDBOX", "TOUCHPATH_SANDBOX_URL", "TOUCHPATH_START_DATE")}
    os.environ.update(
        {"TOUCHPATH_SANDBOX": "1", "TOUCHPATH_SANDBOX_URL": server.base_url, "TOUCHPATH_START_DATE": start_date}
    )
    try:
        yield server.base_url
    finally:
        server.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
