"""Bad records are quarantined in `rejected_records` with the reason and the raw payload, never dropped
and never loaded as data; loading the same bad record twice stores it once."""

import json

import pytest
from ingest_support import count, mutate_jsonl, query, run

from ingestion.common.http import SourceFetchError
from ingestion.google_ads.helpers import shape_ad_metric
from ingestion.klaviyo.helpers import shape_event, shape_profile
from ingestion.meta_ads.helpers import shape_insight
from ingestion.shopify.helpers import shape_customer, shape_order
from ingestion.tiktok_ads import helpers as tiktok_helpers
from ingestion.tiktok_ads.helpers import get_report_page, shape_report_row
from ingestion.tracking.helpers import shape_event as shape_tracking_event
from sandbox.server import start_server


def _serve_changed_copy(world_copy, monkeypatch):
    server = start_server(world_copy, host="127.0.0.1")
    monkeypatch.setenv("TOUCHPATH_SANDBOX_URL", server.base_url)
    return server



CHANGES = {
    # google_ads: an unknown currency (the sandbox serves customer.currency_code from the row)
    "google_ads": ("google_ads/ad_metrics.jsonl", "ad_metrics", "unknown currency",
                   lambda r: {**r, "currency": "XXX"} if r["ad_id"].endswith("0101") and r["date"] == "2026-03-02" else None),
    # tiktok_ads: a negative spend
    "tiktok_ads": ("tiktok/report.jsonl", "report", "negative spend",
                   lambda r: {**r, "spend": -1.0} if r["date"] == "2026-03-03" and r["ad_id"].endswith("1010000000000") else None),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_bad_ad_rows_are_quarantined_with_reason_and_payload(name, warehouse, world_copy, expected, monkeypatch):
    rel, table, reason, change = CHANGES[name]
    bad = sum(1 for r in json.loads("[" + ",".join((world_copy / rel).read_text().split()) + "]") if change(r))
    assert bad >= 1
    mutate_jsonl(world_copy / rel, change)
    server = _serve_changed_copy(world_copy, monkeypatch)
    try:
        run(name)
        run(name)
    finally:
        server.shutdown()
    schema = f"raw_{name}"
    assert count(warehouse, schema, table) == expected[name][table] - bad
    rejected = query(warehouse, f"select resource, reason, raw_payload from {schema}.rejected_records")
    assert len(rejected) == bad  # the second load re-read the same bad rows: merged, not duplicated
    assert {(r[0], r[1]) for r in rejected} == {(table, reason)}
    assert all(json.loads(r[2]) for r in rejected)


def test_klaviyo_event_without_metric_is_quarantined(warehouse, world_copy, expected, monkeypatch):
    events = world_copy / "klaviyo/events.jsonl"
    first_id = json.loads(events.read_text().splitlines()[0])["id"]

    def drop_metric(row):
        if row["id"] == first_id:
            return {**row, "relationships": {"profile": row["relationships"]["profile"]}}
        return None

    mutate_jsonl(events, drop_metric)
    server = _serve_changed_copy(world_copy, monkeypatch)
    try:
        run("klaviyo")
    finally:
        server.shutdown()
    assert count(warehouse, "raw_klaviyo", "events") == expected["klaviyo"]["events"] - 1
    rejected = query(warehouse, "select resource, reason, raw_payload from raw_klaviyo.rejected_records")
    assert [(r[0], r[1]) for r in rejected] == [("events", "missing metric relationship")]
    assert json.loads(rejected[0][2])["id"] == first_id


@pytest.mark.parametrize(
    "shape, record, reason",
    [
        (lambda r: shape_insight(r), {"ad_id": "1", "date_start": "2026-03-01", "spend": "-2", "account_currency": "USD"}, "negative spend"),
        (lambda r: shape_insight(r), {"ad_id": "1", "date_start": "2026-03-01", "spend": "2", "account_currency": "ZZZ"}, "unknown currency"),
        (lambda r: shape_order(r, {}), {"id": 1, "created_at": "yesterday", "updated_at": "x", "total_price": "1", "currency": "USD"}, "unparseable created_at"),
        (lambda r: shape_customer(r, {}), {"updated_at": "2026-03-01T00:00:00Z"}, "missing id"),
        (lambda r: shape_tracking_event(r), {"messageId": "m", "type": "track", "timestamp": "2026-03-01T00:00:00Z",
                                             "receivedAt": "2026-03-01T00:00:00Z"}, "missing anonymousId and userId"),
        (lambda r: shape_ad_metric(r), {"segments": {"date": "2026-03-01"}, "customer": {"currencyCode": "USD"}}, "missing ad_group_ad.ad.id"),
        (lambda r: shape_ad_metric(r), {"adGroupAd": {"ad": {"id": "1"}}, "segments": {"date": "2026-03-01"},
                                        "customer": {"currencyCode": "USD"}, "metrics": {"costMicros": "-5"}}, "negative cost_micros"),
        (lambda r: shape_report_row(r, "1"), {"dimensions": {"ad_id": "1", "stat_time_day": "not a day"}, "metrics": {"currency": "USD"}}, "unparseable stat_time_day"),
        (lambda r: shape_event(r, {}), {"id": "e1", "attributes": {"datetime": None}}, "unparseable datetime"),
        (lambda r: shape_profile(r), {"attributes": {"updated": "2026-03-01T00:00:00+00:00"}}, "missing id"),
    ],
)
def test_shaping_functions_name_the_reason(shape, record, reason):
    assert shape(record) == (None, reason)


class _FakeClient:
    """Answers the queued TikTok bodies in order (every one an HTTP 200)."""

    max_attempts, backoff = 4, 0.0

    def __init__(self, bodies):
        self.bodies, self.calls = list(bodies), 0

    def get(self, path, page=1, params=None):
        self.calls += 1
        return self.bodies.pop(0), None


def test_tiktok_rate_limit_code_in_a_200_body_is_retried():
    limited = {"code": 40100, "message": "Requests made too frequently.", "data": {}}
    ok = {"code": 0, "message": "OK", "data": {"list": [], "page_info": {"total_page": 0}}}
    client = _FakeClient([limited, limited, ok])
    assert get_report_page(client, "/open_api/v1.3/report/integrated/get/", {}, "1") == ok["data"]
    assert client.calls == 3

    always = _FakeClient([limited] * 4)
    with pytest.raises(SourceFetchError, match=r"tiktok_ads: GET /open_api/v1.3/report/integrated/get/ \(page 2 of"):
        get_report_page(always, "/open_api/v1.3/report/integrated/get/", {}, "2 of advertiser 1")


def test_tiktok_refusal_code_fails_at_once_naming_the_page(sandbox, warehouse, monkeypatch):
    monkeypatch.setattr(tiktok_helpers.time, "sleep", lambda s: None)
    with pytest.raises(Exception) as failure:
        run("tiktok_ads", access_token="revoked", base_url=sandbox.base_url)
    assert "code 40105" in str(failure.value) and "(page 1 of advertiser" in str(failure.value)
    assert sandbox.request_count("tiktok") == 1  # not retried
