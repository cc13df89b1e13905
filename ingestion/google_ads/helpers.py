"""searchStream calls and record shaping for Google Ads ad × day metrics."""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from ingestion.common.http import ApiClient, SourceFetchError
from ingestion.common.validation import KNOWN_CURRENCIES, first_problem, parse_amount, parse_day

from .settings import AD_METRICS_QUERY, MICROS, WINDOW_DAYS


def date_windows(since: date, until: date, days: int = WINDOW_DAYS) -> Iterator[tuple[date, date]]:
    start = since
    while start <= until:
        end = min(start + timedelta(days=days - 1), until)
        yield start, end
        start = end + timedelta(days=1)


def fetch_ad_metrics(client: ApiClient, version: str, customer_id: str, since: date, until: date) -> Iterator[dict]:
    """All GoogleAdsRow results of the ad × day query for [since, until].

    searchStream answers one JSON array of batches (`[{"results": [...], "fieldMask": ...}, ...]`); an
    error that happens while streaming arrives as a batch carrying `error` instead of `results`.
    """
    path = f"/{version}/customers/{customer_id}/googleAds:searchStream"
    query = AD_METRICS_QUERY.format(since=since.isoformat(), until=until.isoformat())
    page = f"{since}..{until} of customer {customer_id}"
    body, _ = client.post(path, page=page, json={"query": query})
    batches = body if isinstance(body, list) else [body]
    for batch in batches:
        if not isinstance(batch, dict) or batch.get("error"):
            error = batch.get("error") if isinstance(batch, dict) else batch
            raise SourceFetchError(f"google_ads: POST {path} (page {page}) streamed an error: {str(error)[:500]}")
        yield from batch.get("results") or []


def _get(row: dict, *path: str) -> object:
    node: object = row
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def shape_ad_metric(row: dict, customer_id: str | None = None) -> tuple[dict | None, str | None]:
    """(clean row, None) or (None, reason) for one GoogleAdsRow.

    The REST API encodes int64 as JSON strings (`"costMicros": "570000"`) and, like any proto3 JSON,
    leaves out fields at their default: a metric that is 0 may be absent, so absent means 0.
    """
    metrics = row.get("metrics") or {}
    cost_micros = parse_amount(metrics.get("costMicros", 0))
    impressions = parse_amount(metrics.get("impressions", 0))
    clicks = parse_amount(metrics.get("clicks", 0))
    conversions = parse_amount(metrics.get("conversions", 0))
    conversions_value = parse_amount(metrics.get("conversionsValue", 0))
    currency = _get(row, "customer", "currencyCode")
    ad_id = _get(row, "adGroupAd", "ad", "id")
    reason = first_problem(
        [
            (ad_id is not None, "missing ad_group_ad.ad.id"),
            (parse_day(_get(row, "segments", "date")) is not None, "unparseable segments.date"),
            (cost_micros is not None, "unparseable cost_micros"),
            (cost_micros is None or cost_micros >= 0, "negative cost_micros"),
            (impressions is not None and impressions >= 0, "bad impressions"),
            (clicks is not None and clicks >= 0, "bad clicks"),
            (conversions is not None and conversions >= 0, "bad conversions"),
            (conversions_value is not None and conversions_value >= 0, "bad conversions_value"),
            (currency in KNOWN_CURRENCIES, "unknown currency"),
        ]
    )
    if reason:
        return None, reason
    return {
        "customer_id": str(_get(row, "customer", "id") or customer_id),
        "campaign_id": _str_or_none(_get(row, "campaign", "id")),
        "campaign_name": _get(row, "campaign", "name"),
        "ad_group_id": _str_or_none(_get(row, "adGroup", "id")),
        "ad_group_name": _get(row, "adGroup", "name"),
        "ad_id": str(ad_id),
        "ad_name": _get(row, "adGroupAd", "ad", "name"),
        "date": str(_get(row, "segments", "date"))[:10],
        "currency": currency,
        "cost_micros": int(cost_micros),
        "spend": Decimal(int(cost_micros)) / MICROS,
        "impressions": int(impressions),
        "clicks": int(clicks),
        "conversions": conversions,
        "conversions_value": conversions_value,
    }, None


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
