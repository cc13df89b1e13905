"""Payloads in the shape the real APIs document (tests/fixtures/api_examples/<source>/SOURCE.md says
where each comes from), parsed by each connector's shaping function."""

import json
from decimal import Decimal
from pathlib import Path

from ingestion.google_ads.helpers import shape_ad_metric
from ingestion.klaviyo.helpers import shape_event, shape_profile
from ingestion.meta_ads.helpers import shape_insight
from ingestion.shopify.helpers import shape_customer, shape_order
from ingestion.shopify.settings import CUSTOMER_PII, ORDER_PII
from ingestion.tiktok_ads.helpers import shape_report_row
from ingestion.tracking.helpers import shape_event as shape_tracking_event

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "api_examples"


def load(source: str, name: str):
    return json.loads((EXAMPLES / source / name).read_text())


def test_every_source_has_a_documented_example():
    for source in ("google_ads", "tiktok_ads", "klaviyo", "meta_ads", "shopify", "tracking"):
        assert (EXAMPLES / source / "SOURCE.md").read_text().count("https://") >= 1
        assert list((EXAMPLES / source).glob("*.json"))


def test_google_ads_search_stream_rows():
    batches = load("google_ads", "search_stream_response.json")
    rows = [shape_ad_metric(r, "1234567890") for batch in batches for r in batch["results"]]
    assert all(reason is None for _, reason in rows)
    first, sparse = rows[0][0], rows[1][0]
    assert first["cost_micros"] == 12_340_000 and first["spend"] == Decimal("12.34")
    assert (first["customer_id"], first["ad_id"], first["date"]) == ("1234567890", "998877", "2024-10-01")
    assert (first["impressions"], first["clicks"], first["currency"]) == (1500, 42, "USD")
    assert first["conversions_value"] == Decimal("287.5")
    # proto3 JSON leaves zero metrics out: they read as 0
    assert (sparse["cost_micros"], sparse["spend"], sparse["clicks"], sparse["impressions"]) == (0, 0, 0, 12)
    assert sparse["ad_name"] is None


def test_tiktok_report_rows():
    body = load("tiktok_ads", "report_integrated_get_response.json")
    assert body["code"] == 0 and body["data"]["page_info"]["total_page"] == 1
    rows = [shape_report_row(r, "7000000000000000001") for r in body["data"]["list"]]
    assert all(reason is None for _, reason in rows)
    row = rows[0][0]
    assert (row["advertiser_id"], row["ad_id"], row["stat_day"]) == ("7000000000000000001", "1790000000000000001", "2024-10-01")
    assert row["spend"] == Decimal("25.40") and row["complete_payment_value"] == Decimal("118.00")
    assert (row["adgroup_id"], row["impressions"], row["clicks"]) == ("1785000000000000001", 10234, 87)


def test_klaviyo_event_and_profile():
    events = load("klaviyo", "get_events_response.json")
    assert events["links"]["next"]
    row, reason = shape_event(events["data"][0], {"925e38": "Clicked Email"})
    assert reason is None
    assert row["metric_name"] == "Clicked Email" and row["profile_id"] == "01GDDKASAP8TKDDA2GRZDSVP4H"
    assert row["campaign_name"] == "Fall Sale" and row["message_id"] == "01GF3M"
    assert row["datetime"].isoformat() == "2022-11-08T01:23:45+00:00"

    profiles = load("klaviyo", "get_profiles_response.json")
    profile, reason = shape_profile(profiles["data"][0])
    assert reason is None
    assert "email" not in profile and "phone_number" not in profile and len(profile["email_hash"]) == 64
    assert profile["phone_number_hash"] and "first_name" not in profile and "location" not in profile
    assert "sarah" not in json.dumps(profile, default=str).lower()


def test_meta_insights_documented_example_is_campaign_level_and_quarantined():
    docs = load("meta_ads", "insights_response_docs.json")
    assert shape_insight(docs["data"][0]) == (None, "missing ad_id")
    ad_level = load("meta_ads", "insights_response_ad_level.json")
    row, reason = shape_insight(ad_level["data"][0])
    assert reason is None
    assert row["spend"] == Decimal("5339.5") and row["impressions"] == 361324
    assert row["platform_purchases"] == Decimal("12") and row["platform_purchase_value"] == Decimal("1460.25")


def test_shopify_order_and_customer():
    order, reason = shape_order(load("shopify", "orders_response.json")["orders"][0], ORDER_PII)
    assert reason is None
    assert order["total_refunded"] == Decimal("209.00")
    assert order["updated_at"].isoformat() == "2008-01-10T16:00:00+00:00"  # shop offset -> UTC
    assert "email" not in order and order["email_hash"] and "billing_address" not in order
    assert order["billing_address_country_code"] == "US"
    customer, reason = shape_customer(load("shopify", "customers_response.json")["customers"][0], CUSTOMER_PII)
    assert reason is None and "email" not in customer and "addresses" not in customer


def test_tracking_segment_track_call():
    row, reason = shape_tracking_event(load("tracking", "track_event.json"))
    assert reason is None
    assert row["message_id"] == "022bb90c-bbac-11e4-8dfc-aa07a5b093db" and row["user_id"] == "97980cfea0067"
    assert row["context"]["campaign"]["medium"] == "email"
    assert "ip" not in row["context"] and row["context"]["ip_hash"]
    assert "email" not in row["context"]["traits"]
