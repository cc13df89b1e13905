"""Worlds that drift from the generator's shapes: Shopify ids that are strings, tracking days exported as
parquet (or in both formats), a day file holding an event of another day, a one-day tracking cache."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from sandbox import settings as S
from sandbox.apis.shopify import id_key
from sandbox.io import read_jsonl
from sandbox.server import start_server
from sandbox.store import TrackingDays

SHOP = {"X-Shopify-Access-Token": S.SHOPIFY_ACCESS_TOKEN}
TRACK = {"Authorization": f"Bearer {S.TRACKING_WRITE_KEY}"}


def _copy(world_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "world"
    shutil.copytree(world_dir, out)
    return out


# --- Shopify: string ids --------------------------------------------------------------------------


@pytest.fixture()
def string_id_world(world_dir, tmp_path) -> tuple[Path, list[dict]]:
    out = _copy(world_dir, tmp_path)
    path = out / "shopify/orders.jsonl"
    orders = read_jsonl(path)
    orders[3]["id"] = f"gid://shopify/Order/{orders[3]['id']}"  # a GraphQL gid instead of a number
    orders[5]["id"] = str(orders[5]["id"])  # a number sent as a string
    path.write_text("".join(json.dumps(o) + "\n" for o in orders))
    return out, orders


def _orders_pages(base: str, params: dict) -> list[dict]:
    url, seen = f"{base}/admin/api/{S.SHOPIFY_API_VERSION}/orders.json", []
    while url:
        r = requests.get(url, params=params, headers=SHOP, timeout=30)
        assert r.status_code == 200, (r.status_code, r.text, r.headers.get("X-Sandbox-Exception"))
        params = None
        seen += r.json()["orders"]
        url = next(
            (
                p.split(";")[0].strip()[1:-1]
                for p in r.headers.get("Link", "").split(",")
                if 'rel="next"' in p
            ),
            None,
        )
    return seen


def test_id_key_orders_numbers_then_text():
    ids = ["gid://shopify/Order/2", 10, "9", 9, "abc", 2]
    assert sorted(ids, key=id_key) == [2, 9, "9", 10, "abc", "gid://shopify/Order/2"]
    assert id_key(True) == (1, 0, "True")  # a bool is not an id number


def test_string_ids_are_served_as_stored_and_page_once(string_id_world):
    world, orders = string_id_world
    gid, numeric = orders[3]["id"], orders[5]["id"]
    with start_server(world) as srv:
        by_id = _orders_pages(srv.base_url, {"status": "any", "limit": 7})
        assert [o["id"] for o in by_id] == sorted((o["id"] for o in orders), key=id_key)
        assert by_id[-1]["id"] == gid and numeric in [o["id"] for o in by_id]  # strings stay strings
        by_updated = _orders_pages(srv.base_url, {"status": "any", "limit": 5, "order": "updated_at desc"})
        assert sorted(map(str, (o["id"] for o in by_updated))) == sorted(str(o["id"]) for o in orders)
        assert len(by_updated) == len(orders)
        since = _orders_pages(srv.base_url, {"status": "any", "since_id": int(numeric) - 1, "limit": 250})
        assert numeric in [o["id"] for o in since] and gid in [o["id"] for o in since]
        assert all(id_key(o["id"])[:2] > (0, int(numeric) - 1) for o in since)
        picked = _orders_pages(srv.base_url, {"status": "any", "ids": f"{numeric},{orders[0]['id']}"})
        assert [o["id"] for o in picked] == sorted([numeric, orders[0]["id"]], key=id_key)
        count = requests.get(
            f"{srv.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders/count.json",
            params={"status": "any", "since_id": 0},
            headers=SHOP,
        )
        assert count.json() == {"count": len(orders)}
        refunds = requests.get(
            f"{srv.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders/{numeric}/refunds.json", headers=SHOP
        )
        assert refunds.status_code == 200 and refunds.json()["refunds"] == orders[5]["refunds"]


# --- tracking day files ---------------------------------------------------------------------------


def _day_files(world: Path) -> list[Path]:
    return sorted(world.glob("tracking/dt=*/events-*.jsonl.gz"))


def _all_keys(world: Path) -> list[tuple[str, str]]:
    return sorted((e["receivedAt"], e["messageId"]) for f in _day_files(world) for e in read_jsonl(f))


def _page_all(base: str, limit: int) -> list[dict]:
    got, params = [], {"limit": limit}
    while True:
        r = requests.get(f"{base}/tracking/v1/events", params=params, headers=TRACK, timeout=30)
        assert r.status_code == 200, (r.text, r.headers.get("X-Sandbox-Exception"))
        got += r.json()["data"]
        if not r.json()["next_cursor"]:
            return got
        params = {"cursor": r.json()["next_cursor"], "limit": limit}


def _write_parquet(path: Path, events: list[dict]) -> None:
    """The export's parquet shape: the JSON keys as columns, nested objects as structs, properties as JSON."""
    rows = [{**e, "properties": json.dumps(e["properties"])} if "properties" in e else e for e in events]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    pq.write_table(pa.Table.from_pydict({k: [r.get(k) for r in rows] for k in columns}), path)


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def test_one_day_cache_pages_every_event_once(world_dir, events):
    with start_server(world_dir, tracking_cache_days=1) as srv:
        got = _page_all(srv.base_url, 997)
        keys = [(e["receivedAt"], e["messageId"]) for e in got]
        assert keys == sorted((e["receivedAt"], e["messageId"]) for e in events)
        assert srv.store.tracking.loads <= 2 * len(srv.store.tracking.days)  # a day, then a peek at the next
    assert got == sorted(events, key=lambda e: (e["receivedAt"], e["messageId"]))  # served as stored


def test_a_parquet_only_day_is_read_and_a_day_in_both_formats_is_read_once(world_dir, tmp_path):
    world = _copy(world_dir, tmp_path)
    files = _day_files(world)
    expected = _all_keys(world)
    parquet_only, both = files[2], files[4]
    _write_parquet(parquet_only.with_name("events-0000.parquet"), read_jsonl(parquet_only))
    original = read_jsonl(parquet_only)
    parquet_only.unlink()
    _write_parquet(both.with_name("events-0000.parquet"), read_jsonl(both))
    with start_server(world) as srv:
        got = _page_all(srv.base_url, 500)
    assert [(e["receivedAt"], e["messageId"]) for e in got] == expected
    served = {(e["receivedAt"], e["messageId"]): e for e in got}  # a redelivery shares its messageId
    for e in original:
        assert _without_nulls(served[(e["receivedAt"], e["messageId"])]) == _without_nulls(e)


def test_the_generators_parquet_export_is_served(world_dir, tmp_path):
    export = pytest.importorskip("sandbox.export_parquet")  # the parquet export (when present)
    world = _copy(world_dir, tmp_path)
    day = _day_files(world)[1]
    original = read_jsonl(day)
    export.write_events_parquet(day.with_name("events-0000.parquet"), original)
    day.unlink()
    days = TrackingDays(world / "tracking")
    lines, _, _ = days.page((day.parent.name[3:] + "T00:00:00.000Z", ""), None, 10_000)
    served = [json.loads(line) for line in lines[: len(original)]]
    assert [e["messageId"] for e in served] == [e["messageId"] for e in original]
    for got, e in zip(served, original, strict=True):
        assert got["receivedAt"] == e["receivedAt"] and got.get("properties") == e.get("properties")
        assert got["context"].get("page") == e["context"].get("page")


def test_an_event_outside_its_day_folder_fails_loudly_only_for_that_day(world_dir, tmp_path):
    world = _copy(world_dir, tmp_path)
    files = _day_files(world)
    first, second = read_jsonl(files[0]), read_jsonl(files[1])
    stray = {**second[-1], "messageId": "stray"}  # received the next day, stored in the first day's file
    files[0].write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in first + [stray]).encode()))
    with start_server(world) as srv:
        r = requests.get(f"{srv.base_url}/tracking/v1/events", params={"limit": 5}, headers=TRACK)
        assert r.status_code == 500 and r.headers["X-Sandbox-Exception"] == "ValueError"
        later = requests.get(
            f"{srv.base_url}/tracking/v1/events",
            headers=TRACK,
            params={"received_after": second[0]["receivedAt"], "limit": 5},
        )
        assert later.status_code == 200 and later.json()["data"]


def test_bad_cursors_are_400(server):
    from sandbox import cursors

    for cursor in (
        "garbage",
        cursors.encode({"r": 5, "m": "x"}),
        cursors.encode([1, 2]),
        cursors.encode({"m": "x"}),
    ):
        r = requests.get(f"{server.base_url}/tracking/v1/events", params={"cursor": cursor}, headers=TRACK)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"
    bad_key = cursors.encode({"f": {"status": "any"}, "k": ["x", 1], "d": "next"})
    r = requests.get(
        f"{server.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders.json",
        params={"page_info": bad_key},
        headers=SHOP,
    )
    assert r.status_code == 400 and r.json() == {"errors": {"page_info": ["Invalid value."]}}
