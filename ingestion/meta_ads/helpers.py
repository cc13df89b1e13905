"""Paging and record shaping for Meta insights."""

import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from ingestion.common.http import ApiClient
from ingestion.common.validation import KNOWN_CURRENCIES, first_problem, parse_amount, parse_day

from .settings import INSIGHT_FIELDS, PAGE_LIMIT, PURCHASE_ACTION_TYPES, WINDOW_DAYS


def date_windows(since: date, until: date, days: int = WINDOW_DAYS) -> Iterator[tuple[date, date]]:
    start = since
    while start <= until:
        end = min(start + timedelta(days=days - 1), until)
        yield start, end
        start = end + timedelta(days=1)


def fetch_insights(client: ApiClient, version: str, account_id: str, since: date, until: date) -> Iterator[dict]:
    """All ad × day insight rows of one account for [since, until], following `paging.next`."""
    params = {
        "level": "ad",
        "time_increment": 1,
        "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        "fields": INSIGHT_FIELDS,
        "limit": PAGE_LIMIT,
    }
    path: str = f"/{version}/act_{account_id}/insights"
    page = 1
    while True:
        body, _ = client.get(path, page=f"{page} of act_{account_id} {since}..{until}", params=params)
        yield from body.get("data", [])
        next_url = (body.get("paging") or {}).get("next")
        if not next_url:
            return
        # `next` is absolute and carries every parameter (and the `after` cursor).
        path, params, page = next_url, None, page + 1


def _action_sum(actions: list | None) -> Decimal:
    total = Decimal(0)
    for action in actions or []:
        if action.get("action_type") in PURCHASE_ACTION_TYPES:
            total += parse_amount(action.get("value")) or Decimal(0)
    return total


def shape_insight(row: dict) -> tuple[dict | None, str | None]:
    """(clean row, None) or (None, reason) for one insight row."""
    spend = parse_amount(row.get("spend", "0"))
    impressions = parse_amount(row.get("impressions", "0"))
    clicks = parse_amount(row.get("clicks", "0"))
    reason = first_problem(
        [
            (bool(row.get("ad_id")), "missing ad_id"),
            (parse_day(row.get("date_start")) is not None, "unparseable date_start"),
            (spend is not None, "unparseable spend"),
            (spend is None or spend >= 0, "negative spend"),
            (impressions is not None and impressions >= 0, "bad impressions"),
            (clicks is not None and clicks >= 0, "bad clicks"),
            (row.get("account_currency") in KNOWN_CURRENCIES, "unknown currency"),
        ]
    )
    if reason:
        return None, reason
    purchases = _action_sum(row.get("actions"))
    return {
        "account_id": str(row.get("account_id")),
        "account_currency": row["account_currency"],
        "campaign_id": str(row.get("campaign_id")),
        "campaign_name": row.get("campaign_name"),
        "adset_id": str(row.get("adset_id")),
        "adset_name": row.get("adset_name"),
        "ad_id": str(row["ad_id"]),
        "ad_name": row.get("ad_name"),
        "date_start": row["date_start"][:10],
        "date_stop": (row.get("date_stop") or row["date_start"])[:10],
        "spend": spend,
        "impressions": int(impressions),
        "clicks": int(clicks),
        "platform_purchases": purchases,
        "platform_purchase_value": _action_sum(row.get("action_values")),
        "actions": row.get("actions") or [],
        "action_values": row.get("action_values") or [],
    }, None
