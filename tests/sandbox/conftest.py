"""Shared small world (300 customers x 14 days) and a running server for the sandbox tests."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from sandbox.generator import generate
from sandbox.io import read_jsonl
from sandbox.server import start_server

CUSTOMERS, DAYS, SEED = 300, 14, 11


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sandbox_world")
    summary = generate(out, customers=CUSTOMERS, days=DAYS, seed=SEED, start_date="2026-01-01")
    return out, summary


@pytest.fixture(scope="session")
def world_dir(world) -> Path:
    return world[0]


@pytest.fixture(scope="session")
def events(world_dir) -> list[dict]:
    rows: list[dict] = []
    for f in sorted(world_dir.glob("tracking/dt=*/events-*.jsonl.gz")):
        rows.extend(read_jsonl(f))
    return rows


@pytest.fixture(scope="session")
def orders(world_dir) -> list[dict]:
    return read_jsonl(world_dir / "shopify/orders.jsonl")


@pytest.fixture(scope="session")
def by_anon(events) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for e in sorted(events, key=lambda e: (e["timestamp"], e["messageId"])):
        out[e["anonymousId"]].append(e)
    return out


@pytest.fixture()
def server(world_dir):
    srv = start_server(world_dir)
    try:
        yield srv
    finally:
        srv.shutdown()
