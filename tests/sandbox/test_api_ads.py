"""Meta, Google Ads and TikTok endpoints: auth errors in the real shapes, complete paging, figures."""

from __future__ import annotations

import json

import requests

from sandbox import settings as S
from sandbox.io import read_jsonl

META_FIELDS = "account_id,account_currency,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,spend," \
              "impressions,clicks,actions,action_values"


def _meta_url(base, account):
    return f"{base}/{S.META_API_VERSION}/act_{account}/insights"


def test_meta_rejects_bad_token(server):
    r = requests.get(_meta_url(server.base_url, S.META_ACCOUNT_IDS[0]), params={"access_token": "nope"})
    assert r.status_code in (400, 401)
    err = r.json()["error"]
    assert err["code"] == 190 and err["type"] == "OAuthException" and err["fbtrace_id"]
    assert requests.get(_meta_url(server.base_url, S.META_ACCOUNT_IDS[0])).json()["error"]["code"] == 190


def test_meta_pages_every_row_once(server, world_dir):
    expected = {}
    for r in read_jsonl(world_dir / "meta/insights.jsonl"):
        expected[(r["account_id"], r["ad_id"], r["date"])] = r
    got = {}
    for account in S.META_ACCOUNT_IDS:
        url = _meta_url(server.base_url, account)
        params = {"level": "ad", "time_increment": "1", "fields": META_FIELDS, "limit": 37,
                  "time_range": json.dumps({"since": "2026-01-01", "until": "2026-01-14"})}
        headers = {"Authorization": f"Bearer {S.META_ACCESS_TOKEN}"}
        pages = 0
        while url:
            body = requests.get(url, params=params, headers=headers).json()
            params = None  # the next link is absolute and complete
            pages += 1
            for row in body["data"]:
                key = (row["account_id"], row["ad_id"], row["date_start"])
                assert key not in got, key
                assert row["date_start"] == row["date_stop"]
                got[key] = row
            url = body.get("paging", {}).get("next")
        assert pages > 2
    assert set(got) == set(expected)
    for key, row in got.items():
        exp = expected[key]
        assert row["spend"] == f"{exp['spend']:.2f}" and isinstance(row["spend"], str)
        assert row["clicks"] == str(exp["clicks"]) and row["impressions"] == str(exp["impressions"])
        assert row["account_currency"] == "USD"
        purchases = {a["action_type"]: a["value"] for a in row.get("actions", [])}.get("purchase")
        assert purchases == (str(exp["conversions"]) if exp["conversions"] else None)


def test_meta_time_range_filters_and_other_account_is_rejected(server):
    params = {"access_token": S.META_ACCESS_TOKEN, "level": "ad", "time_increment": "1", "limit": 500,
              "time_range": json.dumps({"since": "2026-01-03", "until": "2026-01-03"})}
    body = requests.get(_meta_url(server.base_url, S.META_ACCOUNT_IDS[1]), params=params).json()
    assert body["data"] and {r["date_start"] for r in body["data"]} == {"2026-01-03"}
    assert "next" not in body["paging"]
    r = requests.get(_meta_url(server.base_url, "999"), params=params)
    assert r.status_code == 400 and r.json()["error"]["code"] == 100


GAQL = ("SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, segments.date, "
        "metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value, "
        "customer.currency_code FROM ad_group_ad WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-31'")


def _gheaders(token=S.GOOGLE_ADS_ACCESS_TOKEN, dev=S.GOOGLE_ADS_DEVELOPER_TOKEN):
    return {"Authorization": f"Bearer {token}", "developer-token": dev, "login-customer-id": "9876543210"}


def _gurl(base, method="searchStream", cid=S.GOOGLE_ADS_CUSTOMER_ID):
    return f"{base}/{S.GOOGLE_ADS_API_VERSION}/customers/{cid}/googleAds:{method}"


def test_google_ads_auth_errors(server):
    r = requests.post(_gurl(server.base_url), json={"query": GAQL}, headers=_gheaders(token="bad"))
    assert r.status_code == 401 and r.json()["error"]["status"] == "UNAUTHENTICATED"
    r = requests.post(_gurl(server.base_url), json={"query": GAQL}, headers=_gheaders(dev="bad"))
    assert r.status_code == 401
    r = requests.post(_gurl(server.base_url, cid="1111111111"), json={"query": GAQL}, headers=_gheaders())
    assert r.status_code == 403 and r.json()["error"]["status"] == "PERMISSION_DENIED"


def test_google_ads_stream_returns_every_row_once(server, world_dir):
    server.options["google_stream_batch"] = 50
    try:
        r = requests.post(_gurl(server.base_url), json={"query": GAQL}, headers=_gheaders())
    finally:
        server.options["google_stream_batch"] = S.GOOGLE_ADS_STREAM_BATCH
    assert r.status_code == 200
    batches = r.json()
    assert isinstance(batches, list) and len(batches) > 2
    rows = [res for b in batches for res in b["results"]]
    assert all(b["fieldMask"].startswith("campaign.id,campaign.name,adGroup.id") for b in batches)
    expected = {(r["ad_id"], r["date"]): r for r in read_jsonl(world_dir / "google_ads/ad_metrics.jsonl")}
    keys = [(x["adGroupAd"]["ad"]["id"], x["segments"]["date"]) for x in rows]
    assert len(keys) == len(set(keys)) == len(expected) and set(keys) == set(expected)
    for x in rows:
        exp = expected[(x["adGroupAd"]["ad"]["id"], x["segments"]["date"])]
        assert x["metrics"]["costMicros"] == str(round(exp["spend"] * 1_000_000))
        assert x["metrics"]["clicks"] == str(exp["clicks"])
        assert x["metrics"]["conversions"] == float(exp["conversions"])
        assert x["customer"]["currencyCode"] == "USD"
        assert x["campaign"]["resourceName"] == f"customers/{S.GOOGLE_ADS_CUSTOMER_ID}/campaigns/{exp['campaign_id']}"


def test_google_ads_search_paging_and_gaql_errors(server):
    server.options["google_page_size"] = 40
    try:
        q = GAQL.replace("BETWEEN '2026-01-01' AND '2026-01-31'", ">= '2026-01-02' AND segments.date <= '2026-01-03'")
        token, seen = None, []
        while True:
            body = requests.post(_gurl(server.base_url, "search"), json={"query": q, "pageToken": token},
                                 headers=_gheaders()).json()
            seen += [(x["adGroupAd"]["ad"]["id"], x["segments"]["date"]) for x in body["results"]]
            token = body.get("nextPageToken")
            if not token:
                break
    finally:
        server.options["google_page_size"] = S.GOOGLE_ADS_SEARCH_PAGE
    assert len(seen) == len(set(seen)) == 2 * 12
    bad = requests.post(_gurl(server.base_url), json={"query": "SELECT metrics.foo FROM ad_group_ad"},
                        headers=_gheaders())
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"
    no_range = requests.post(_gurl(server.base_url), json={"query": "SELECT segments.date FROM ad_group_ad"},
                             headers=_gheaders())
    assert no_range.status_code == 400


def _tt(server, **params):
    base = {"advertiser_id": S.TIKTOK_ADVERTISER_ID, "report_type": "BASIC", "data_level": "AUCTION_AD",
            "dimensions": json.dumps(["ad_id", "stat_time_day"]),
            "metrics": json.dumps(["spend", "impressions", "clicks", "conversion", "campaign_id", "campaign_name",
                                   "adgroup_id", "adgroup_name", "ad_name", "currency"]),
            "start_date": "2026-01-01", "end_date": "2026-01-14"}
    headers = {"Access-Token": params.pop("token", S.TIKTOK_ACCESS_TOKEN)}
    return requests.get(f"{server.base_url}/open_api/v1.3/report/integrated/get/", params={**base, **params},
                        headers=headers)


def test_tiktok_bad_token_is_http_200_with_code(server):
    r = _tt(server, token="nope")
    assert r.status_code == 200 and r.json()["code"] == 40105
    assert _tt(server, advertiser_id="1").json()["code"] == 40001
    assert _tt(server, end_date="2026-03-01").json()["code"] == 40002  # > 30 days with stat_time_day


def test_tiktok_pages_every_row_once(server, world_dir):
    expected = {(r["ad_id"], r["date"]): r for r in read_jsonl(world_dir / "tiktok/report.jsonl")}
    got, page = {}, 1
    while True:
        body = _tt(server, page=page, page_size=9).json()
        assert body["code"] == 0
        for row in body["data"]["list"]:
            key = (row["dimensions"]["ad_id"], row["dimensions"]["stat_time_day"][:10])
            assert key not in got
            got[key] = row
        info = body["data"]["page_info"]
        assert info["total_number"] == len(expected)
        if page >= info["total_page"]:
            break
        page += 1
    assert set(got) == set(expected)
    for key, row in got.items():
        assert row["metrics"]["spend"] == f"{expected[key]['spend']:.2f}"
        assert row["metrics"]["conversion"] == str(expected[key]["conversions"])
        assert row["dimensions"]["stat_time_day"].endswith(" 00:00:00")
