"""Paging at scale: every endpoint that pages a large synthetic world returns each record exactly once, in
the documented order, and pages are found by bisect on pre-sorted records (not by re-filtering and
re-sorting everything on each request).

Measured on this machine (2 shared cores; client and server in one process, urllib) over a world of 200k
Klaviyo events, 50k full-size Shopify orders and 280k tracking events: paging all Klaviyo events
(200-event pages) took 1084 s before (every page filtered and sorted all 200k) and 3.3 s after; all
orders (250-order pages, updated_at asc) 63 s before and 2.2 s after. Server start: 17 s / 1.95 GB RSS
before (every tracking event loaded), 6 s / 0.98 GB after. A 1M-event tracking world: 15 s / 3.5 GB
before, 0.01 s / 29 MB at start after (days are read when a page needs them).
These are notes, not assertions: the tests below assert exact record sets only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from scale_world import build_scale_world

from sandbox import settings as S
from sandbox.io import read_jsonl
from sandbox.server import start_server
from sandbox.timeutil import parse_iso

pytestmark = pytest.mark.slow

SHOP = {"X-Shopify-Access-Token": S.SHOPIFY_ACCESS_TOKEN}
KLAVIYO = {"Authorization": f"Klaviyo-API-Key {S.KLAVIYO_API_KEY}", "revision": S.KLAVIYO_REVISION}
TRACK = {"Authorization": f"Bearer {S.TRACKING_WRITE_KEY}"}
KLAVIYO_EVENTS, ORDERS, TRACKING_DAYS, TRACKING_PER_DAY = 200_000, 50_000, 6, 5_000


@pytest.fixture(scope="module")
def big_world(world_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scale_world")
    return build_scale_world(
        world_dir,
        out,
        klaviyo_events=KLAVIYO_EVENTS,
        orders=ORDERS,
        tracking_days=TRACKING_DAYS,
        tracking_per_day=TRACKING_PER_DAY,
    )


@pytest.fixture(scope="module")
def big_server(big_world):
    srv = start_server(big_world, tracking_cache_days=2)
    srv.tracking_loads_at_start = srv.store.tracking.loads
    try:
        yield srv
    finally:
        srv.shutdown()


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:  # keep-alive: thousands of pages, one connection
        yield session


@pytest.fixture(scope="module")
def klaviyo_events(big_world) -> list[dict]:
    return read_jsonl(big_world / "klaviyo/events.jsonl")


@pytest.fixture(scope="module")
def shop_orders(big_world) -> list[dict]:
    return read_jsonl(big_world / "shopify/orders.jsonl")


def _next_link(resp) -> str | None:
    for part in resp.headers.get("Link", "").split(","):
        if 'rel="next"' in part:
            return part.split(";")[0].strip()[1:-1]
    return None


def _prev_link(resp) -> str | None:
    for part in resp.headers.get("Link", "").split(","):
        if 'rel="previous"' in part:
            return part.split(";")[0].strip()[1:-1]
    return None


def _shop_pages(http, base: str, resource: str, params: dict) -> list[list[dict]]:
    url, pages = f"{base}/admin/api/{S.SHOPIFY_API_VERSION}/{resource}.json", []
    while url:
        r = http.get(url, params=params, headers=SHOP, timeout=60)
        assert r.status_code == 200, r.text
        params = None
        pages.append(r.json()[resource])
        url = _next_link(r)
    return pages


def _klaviyo_ids(http, base: str, resource: str, params: dict) -> list[str]:
    url, ids = f"{base}/api/{resource}/", []
    while url:
        r = http.get(url, params=params, headers=KLAVIYO, timeout=60)
        assert r.status_code == 200, r.text
        params = None
        ids += [d["id"] for d in r.json()["data"]]
        url = r.json()["links"]["next"]
    return ids


def _tracking_keys(http, base: str, params: dict) -> list[tuple[str, str]]:
    keys, params = [], dict(params)
    while True:
        body = http.get(f"{base}/tracking/v1/events", params=params, headers=TRACK, timeout=60).json()
        keys += [(e["receivedAt"], e["messageId"]) for e in body["data"]]
        if not body["next_cursor"]:
            return keys
        params = {"cursor": body["next_cursor"], "limit": params["limit"]}


def test_klaviyo_events_page_once_each_in_datetime_order(big_server, http, klaviyo_events):
    events = klaviyo_events
    params = {
        "filter": "and(greater-or-equal(datetime,2026-01-01T00:00:00Z),less-than(datetime,2026-02-01T00:00:00Z))",
        "sort": "datetime",
        "page[size]": 200,
    }
    ids = _klaviyo_ids(http, big_server.base_url, "events", params)
    expected = [e["id"] for e in sorted(events, key=lambda e: (e["attributes"]["datetime"], e["id"]))]
    assert len(ids) == KLAVIYO_EVENTS and ids == expected


def test_klaviyo_window_with_other_filters_and_descending_sort(big_server, http, klaviyo_events):
    events = klaviyo_events
    metric = events[0]["relationships"]["metric"]["data"]["id"]
    lo, hi = "2026-01-04T00:00:00+00:00", "2026-01-06T12:00:00+00:00"  # the world's datetime format
    params = {
        "filter": f"and(greater-than(datetime,2026-01-04T00:00:00Z),less-or-equal(datetime,2026-01-06T12:00:00Z),"
        f'equals(metric_id,"{metric}"))',
        "sort": "-datetime",
        "page[size]": 37,
    }
    ids = _klaviyo_ids(http, big_server.base_url, "events", params)
    kept = [
        e
        for e in events
        if lo < e["attributes"]["datetime"] <= hi and e["relationships"]["metric"]["data"]["id"] == metric
    ]
    expected = [
        e["id"] for e in sorted(kept, key=lambda e: (e["attributes"]["datetime"], e["id"]), reverse=True)
    ]
    assert ids and ids == expected


def test_shopify_orders_page_once_each_connector_style(big_server, http, shop_orders):
    orders = shop_orders
    cut = "2026-01-05T00:00:00-05:00"
    params = {"status": "any", "limit": 250, "updated_at_min": cut, "order": "updated_at asc"}
    got = [o["id"] for page in _shop_pages(http, big_server.base_url, "orders", params) for o in page]
    kept = [o for o in orders if parse_iso(o["updated_at"]) >= parse_iso(cut)]
    expected = [o["id"] for o in sorted(kept, key=lambda o: (parse_iso(o["updated_at"]), o["id"]))]
    assert len(got) == len(set(got)) == len(expected) > ORDERS // 2 and got == expected
    count = http.get(
        f"{big_server.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders/count.json",
        params={"status": "any", "updated_at_min": cut},
        headers=SHOP,
    ).json()["count"]
    assert count == len(expected)


def test_shopify_default_order_filters_and_previous_links(big_server, http, shop_orders):
    orders = shop_orders
    since = sorted(o["id"] for o in orders)[ORDERS // 3]
    params = {
        "limit": 250,
        "since_id": since,
        "financial_status": "paid",
    }  # default status=open, order id asc
    pages = _shop_pages(http, big_server.base_url, "orders", params)
    expected = sorted(
        o["id"]
        for o in orders
        if o["id"] > since and not o["cancelled_at"] and o["financial_status"] == "paid"
    )
    assert [o["id"] for page in pages for o in page] == expected
    # previous links walk back to the same pages
    url = f"{big_server.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders.json"
    r1 = http.get(url, params=params, headers=SHOP)
    r2 = http.get(_next_link(r1), headers=SHOP)
    r3 = http.get(_next_link(r2), headers=SHOP)
    back = http.get(_prev_link(r3), headers=SHOP)
    assert [o["id"] for o in back.json()["orders"]] == [o["id"] for o in r2.json()["orders"]]
    assert _prev_link(r1) is None and _prev_link(r2)


def test_tracking_pages_every_event_once_reading_days_lazily(big_server, http, big_world):
    expected = sorted(
        (e["receivedAt"], e["messageId"])
        for f in sorted(big_world.glob("tracking/dt=*/*.jsonl.gz"))
        for e in read_jsonl(f)
    )
    days = big_server.store.tracking
    assert big_server.tracking_loads_at_start == 0  # the server started without reading a tracking file
    before = days.loads
    keys = _tracking_keys(http, big_server.base_url, {"limit": 1000})
    assert len(keys) == TRACKING_DAYS * TRACKING_PER_DAY and keys == expected
    assert days.loads - before <= TRACKING_DAYS  # a sequential read parses each day once (LRU of 2 days)
    window = _tracking_keys(
        http,
        big_server.base_url,
        {"received_after": "2026-01-02T12:00:00Z", "received_before": "2026-01-04T06:00:00Z", "limit": 777},
    )
    assert window == [k for k in expected if "2026-01-02T12:00:00.000Z" < k[0] < "2026-01-04T06:00:00.000Z"]


def test_klaviyo_profiles_and_metrics_page_once_each(big_server, http, big_world):
    for resource, size in (("profiles", 7), ("metrics", 2)):
        expected = [x["id"] for x in read_jsonl(big_world / f"klaviyo/{resource}.jsonl")]
        assert (
            _klaviyo_ids(http, big_server.base_url, resource, {"page[size]": size}) == expected
        )  # file order
    profiles = read_jsonl(big_world / "klaviyo/profiles.jsonl")
    ids = _klaviyo_ids(
        http,
        big_server.base_url,
        "profiles",
        {"sort": "-updated", "page[size]": 13, "filter": "greater-or-equal(updated,2026-01-03T00:00:00Z)"},
    )
    kept = [p for p in profiles if parse_iso(p["attributes"]["updated"]) >= parse_iso("2026-01-03T00:00:00Z")]
    assert ids == [
        p["id"] for p in sorted(kept, key=lambda p: (p["attributes"]["updated"], p["id"]), reverse=True)
    ]


def test_meta_and_tiktok_pages_are_complete_with_small_pages(big_server, http, big_world):
    rows = read_jsonl(big_world / "meta/insights.jsonl")
    got = []
    for account in S.META_ACCOUNT_IDS:
        url = f"{big_server.base_url}/{S.META_API_VERSION}/act_{account}/insights"
        params = {
            "access_token": S.META_ACCESS_TOKEN,
            "level": "ad",
            "time_increment": "1",
            "limit": 3,
            "fields": "account_id,ad_id",
            "time_range": json.dumps({"since": "2026-01-01", "until": "2026-01-14"}),
        }
        while url:
            body = http.get(url, params=params).json()
            params = None
            got += [(d["account_id"], d["ad_id"], d["date_start"]) for d in body["data"]]
            url = body.get("paging", {}).get("next")
    assert sorted(got) == sorted((r["account_id"], r["ad_id"], r["date"]) for r in rows) and len(
        set(got)
    ) == len(got)
    tiktok = read_jsonl(big_world / "tiktok/report.jsonl")
    seen, page = [], 1
    while True:
        q = {
            "advertiser_id": S.TIKTOK_ADVERTISER_ID,
            "data_level": "AUCTION_AD",
            "page": page,
            "page_size": 7,
            "dimensions": json.dumps(["ad_id", "stat_time_day"]),
            "start_date": "2026-01-01",
            "end_date": "2026-01-14",
        }
        data = http.get(
            f"{big_server.base_url}/open_api/v1.3/report/integrated/get/",
            params=q,
            headers={"Access-Token": S.TIKTOK_ACCESS_TOKEN},
        ).json()["data"]
        seen += [(r["dimensions"]["ad_id"], r["dimensions"]["stat_time_day"][:10]) for r in data["list"]]
        if page >= data["page_info"]["total_page"]:
            break
        page += 1
    assert sorted(seen) == sorted((r["ad_id"], r["date"]) for r in tiktok) and len(set(seen)) == len(seen)
