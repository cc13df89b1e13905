"""Shopify, Klaviyo and tracking endpoints: auth errors in the real shapes and complete paging."""

from __future__ import annotations

import requests

from sandbox import settings as S
from sandbox.io import read_jsonl

SHOP = {"X-Shopify-Access-Token": S.SHOPIFY_ACCESS_TOKEN}
KLAVIYO = {"Authorization": f"Klaviyo-API-Key {S.KLAVIYO_API_KEY}", "revision": S.KLAVIYO_REVISION}
TRACK = {"Authorization": f"Bearer {S.TRACKING_WRITE_KEY}"}


def _shop_url(base, resource):
    return f"{base}/admin/api/{S.SHOPIFY_API_VERSION}/{resource}.json"


def _follow_link(resp):
    link = resp.headers.get("Link", "")
    for part in link.split(","):
        if 'rel="next"' in part:
            return part.split(";")[0].strip()[1:-1]
    return None


def test_shopify_rejects_bad_token(server):
    r = requests.get(_shop_url(server.base_url, "orders"), headers={"X-Shopify-Access-Token": "x"})
    assert r.status_code == 401
    assert r.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def _page_all(url, params):
    seen, pages = [], 0
    while url:
        r = requests.get(url, params=params, headers=SHOP)
        assert r.status_code == 200, r.text
        params = None
        pages += 1
        seen.extend(r.json()[url.split("/")[-1].split(".json")[0]])
        url = _follow_link(r)
    return seen, pages


def test_shopify_orders_paging_returns_each_once(server, orders):
    seen, pages = _page_all(_shop_url(server.base_url, "orders"), {"status": "any", "limit": 7})
    assert pages == -(-len(orders) // 7)
    assert [o["id"] for o in seen] == sorted(o["id"] for o in orders)
    assert all(isinstance(o["id"], int) and o["name"].startswith("#") for o in seen)
    # default status=open leaves cancelled orders out, as the real API does
    open_only, _ = _page_all(_shop_url(server.base_url, "orders"), {"limit": 50})
    assert len(open_only) == sum(1 for o in orders if not o["cancelled_at"])


def test_shopify_updated_at_min_and_order_and_previous_link(server, orders):
    cut = "2026-01-08T00:00:00-05:00"
    params = {"status": "any", "limit": 5, "updated_at_min": cut, "order": "updated_at asc"}
    seen, _ = _page_all(_shop_url(server.base_url, "orders"), params)
    from sandbox.timeutil import parse_iso
    expected = sorted((o for o in orders if parse_iso(o["updated_at"]) >= parse_iso(cut)),
                      key=lambda o: (parse_iso(o["updated_at"]), o["id"]))
    assert [o["id"] for o in seen] == [o["id"] for o in expected] and expected
    r1 = requests.get(_shop_url(server.base_url, "orders"), params={"status": "any", "limit": 3}, headers=SHOP)
    r2 = requests.get(_follow_link(r1), headers=SHOP)
    prev = [p.split(";")[0].strip()[1:-1] for p in r2.headers["Link"].split(",") if 'rel="previous"' in p][0]
    r3 = requests.get(prev, headers=SHOP)
    assert [o["id"] for o in r3.json()["orders"]] == [o["id"] for o in r1.json()["orders"]]
    bad = requests.get(_follow_link(r1) + "&status=any", headers=SHOP)
    assert bad.status_code == 400


def test_shopify_customers_and_refunds(server, world_dir, orders):
    seen, _ = _page_all(_shop_url(server.base_url, "customers"), {"limit": 11})
    expected = read_jsonl(world_dir / "shopify/customers.jsonl")
    assert [c["id"] for c in seen] == [c["id"] for c in expected]
    refunded = next(o for o in orders if o["refunds"])
    r = requests.get(f"{server.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders/{refunded['id']}/refunds.json",
                     headers=SHOP)
    assert r.json()["refunds"] == refunded["refunds"]
    missing = requests.get(f"{server.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders/1/refunds.json", headers=SHOP)
    assert missing.status_code == 404


def test_klaviyo_auth_and_paging(server, world_dir):
    r = requests.get(f"{server.base_url}/api/events/", headers={"Authorization": "Klaviyo-API-Key nope",
                                                               "revision": S.KLAVIYO_REVISION})
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "not_authenticated"
    for resource, size in (("events", 97), ("profiles", 13), ("metrics", 2)):
        url = f"{server.base_url}/api/{resource}/"
        params = {"page[size]": size}
        if resource == "events":
            params.update({"filter": "greater-or-equal(datetime,2026-01-01T00:00:00Z)", "sort": "datetime"})
        ids = []
        while url:
            body = requests.get(url, params=params, headers=KLAVIYO).json()
            params = None
            ids += [d["id"] for d in body["data"]]
            url = body["links"]["next"]
        expected = [x["id"] for x in read_jsonl(world_dir / f"klaviyo/{resource}.jsonl")]
        assert len(ids) == len(set(ids)) and sorted(ids) == sorted(expected), resource
    metrics = requests.get(f"{server.base_url}/api/metrics/", headers=KLAVIYO).json()["data"]
    assert "Clicked Email" in {m["attributes"]["name"] for m in metrics}
    later = requests.get(f"{server.base_url}/api/events/", headers=KLAVIYO,
                         params={"filter": "and(greater-than(datetime,2026-01-10T00:00:00Z))"}).json()["data"]
    assert later and all(e["attributes"]["datetime"] > "2026-01-10" for e in later)


def test_tracking_auth_and_paging(server, events):
    r = requests.get(f"{server.base_url}/tracking/v1/events", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    got, cursor, pages = [], None, 0
    while True:
        params = {"limit": 997} if cursor is None else {"limit": 997, "cursor": cursor}
        body = requests.get(f"{server.base_url}/tracking/v1/events", params=params, headers=TRACK).json()
        got += body["data"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages > 3
    key = [(e["receivedAt"], e["messageId"]) for e in got]
    assert key == sorted(key) and len(set(key)) == len(key)
    assert sorted(key) == sorted((e["receivedAt"], e["messageId"]) for e in events)
    after = "2026-01-07T12:00:00Z"
    tail = requests.get(f"{server.base_url}/tracking/v1/events", headers=TRACK,
                        params={"received_after": after, "limit": 10000}).json()["data"]
    assert len(tail) == sum(1 for e in events if e["receivedAt"] > "2026-01-07T12:00:00.000Z") > 0
