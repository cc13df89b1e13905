"""int_event_sessions against a plain-Python reading of the session rules (docs: domain.md, the model's header).

Random staged events full of edge cases (equal timestamps, gaps of exactly the timeout and one second
more, campaigns that change, repeat, or return after a gap that started without one, devices known only
by user id, bots, non-session event types) are sessionized by dbt, once in full and once incrementally
after a second load that also brings late events; both must equal the reference row for row.
"""

import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from touchpath.config import DBT_PROJECT_DIR

TIMEOUT = 1800  # dbt var session_timeout_seconds (the project default)
SESSION_TYPES = {"page", "track", "screen", "identify"}
COLUMNS = (
    "event_id varchar, anonymous_id varchar, user_id varchar, event_type varchar, event_at timestamp, "
    "load_id varchar, utm_source varchar, utm_medium varchar, utm_campaign varchar, fbclid varchar, "
    "ttclid varchar, gclid varchar, msclkid varchar, is_bot boolean"
)
CAMPAIGNS = [("facebook", "paid_social", "spring"), ("klaviyo", "email", "winback"), (None, None, "fall"),
             ("google", None, None)]


def random_events(seed: int, devices: int) -> list[tuple]:
    rnd = random.Random(seed)
    rows = []
    for d in range(devices):
        anonymous_id = f"a{d:04d}" if rnd.random() > 0.05 else None
        user_id = f"u{d % 50}" if anonymous_id is None or rnd.random() < 0.2 else None
        at = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=rnd.randint(0, 86400))
        for _ in range(rnd.choice([1, 2, 5, 12, 40])):
            at += dt.timedelta(seconds=rnd.choice([0, 0, 1, 600, 1799, TIMEOUT, TIMEOUT, TIMEOUT + 1, 7200]))
            utm, clicks, r = (None, None, None), [None] * 4, rnd.random()
            if r < 0.15:
                utm = rnd.choice(CAMPAIGNS)
            elif r < 0.25:
                clicks[rnd.randrange(4)] = rnd.choice(["x1", "x2"])
            rows.append((
                f"{rnd.choice('abc')}{rnd.randint(0, 10**9):09d}",  # ids not in time order
                anonymous_id, user_id, rnd.choice(["page", "page", "track", "identify", "screen", "alias"]),
                at, "1", *utm, *clicks, rnd.random() < 0.02,
            ))
    return rows


def traffic_key(row: tuple):
    click = next((c for c in row[9:13] if c is not None), None)
    if click is not None:
        return "click:" + click
    if any(v is not None for v in row[6:9]):
        return "utm:" + "|".join(v or "" for v in row[6:9])
    return None


def reference(rows: list[tuple]) -> set[tuple]:
    """(event_id, session_id, is_session_start, event_number_in_session) per sessionized event."""
    by_device: dict[str, list[tuple]] = {}
    for row in rows:
        if row[3] in SESSION_TYPES and not row[13]:
            by_device.setdefault(row[1] or "user:" + row[2], []).append(row)
    out = set()
    for events in by_device.values():
        events.sort(key=lambda r: (r[4], r[0]))
        previous_at, gap_campaign, session_id, number = None, None, None, 0
        for row in events:
            key = traffic_key(row)
            is_gap = previous_at is None or (row[4] - previous_at).total_seconds() > TIMEOUT
            if is_gap:
                gap_campaign = None  # the last campaign seen counts only inside the same gap
            start = is_gap or (key is not None and key != gap_campaign)
            if key is not None:
                gap_campaign = key
            if start:
                session_id, number = row[0], 0
            number += 1
            out.add((row[0], session_id, start, number))
            previous_at = row[4]
    return out


def dbt_run(tmp_path: Path, *args: str) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "run", "--select", "int_event_sessions", *args,
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def sessionized(warehouse: Path) -> set[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return set(con.execute(
            # the position in the session, as a reader counts it (the model stores none)
            "select event_id, session_id, is_session_start,"
            " row_number() over (partition by session_id order by event_at, event_id)"
            " from intermediate.int_event_sessions"
        ).fetchall())
    finally:
        con.close()


def stage(warehouse: Path, rows: list[tuple]) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists staging")
        con.execute(f"create table if not exists staging.stg_tracking__events ({COLUMNS})")
        con.executemany(f"insert into staging.stg_tracking__events values ({', '.join(['?'] * 14)})", rows)
    finally:
        con.close()


@pytest.mark.parametrize("seed", [1])
def test_full_and_incremental_sessionization_match_the_rules(seed, tmp_path, monkeypatch):
    warehouse = tmp_path / "sessions.duckdb"
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(warehouse))
    rows = random_events(seed, devices=400)
    # a second load: a quarter of the events, late ones among them, arrive afterwards
    rnd = random.Random(seed)
    later = {i for i in range(len(rows)) if rnd.random() < 0.25}
    first = [r for i, r in enumerate(rows) if i not in later]
    second = [(*r[:5], "2", *r[6:]) for i, r in enumerate(rows) if i in later]

    stage(warehouse, first)
    dbt_run(tmp_path, "--full-refresh")
    assert sessionized(warehouse) == reference(first)

    stage(warehouse, second)
    dbt_run(tmp_path)  # incremental: the devices of load 2, from the first session it can touch
    assert sessionized(warehouse) == reference(first + second)
