"""Cursor paging and record shaping for first-party tracking events."""

from collections.abc import Iterator
from datetime import UTC

from ingestion.common.http import ApiClient
from ingestion.common.pii import scrub
from ingestion.common.validation import KNOWN_CURRENCIES, first_problem, parse_amount, parse_timestamp

from .settings import DROPPED_TRAITS, EVENT_PII, EVENT_TYPES, EVENTS_PATH, PAGE_LIMIT, TOP_LEVEL_RENAMES


def fetch_events(client: ApiClient, received_after: str, received_before: str | None = None) -> Iterator[list[dict]]:
    """Pages of events received in [received_after, received_before), in (receivedAt, messageId) order."""
    params = {"received_after": received_after, "limit": PAGE_LIMIT}
    if received_before:
        params["received_before"] = received_before
    page = 1
    while True:
        body, _ = client.get(EVENTS_PATH, page=page, params=params)
        yield body.get("data", [])
        cursor = body.get("next_cursor")
        if not cursor:
            return
        params = {"cursor": cursor, "limit": PAGE_LIMIT}
        page += 1


def shape_event(event: dict) -> tuple[dict | None, str | None]:
    timestamp = parse_timestamp(event.get("timestamp"))
    received = parse_timestamp(event.get("receivedAt"))
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}
    currency = properties.get("currency")
    amounts = [parse_amount(properties[key]) for key in ("revenue", "price", "total") if properties.get(key) is not None]
    reason = first_problem(
        [
            (bool(event.get("messageId")), "missing messageId"),
            (event.get("type") in EVENT_TYPES, "unknown event type"),
            (bool(event.get("anonymousId") or event.get("userId")), "missing anonymousId and userId"),
            (timestamp is not None, "unparseable timestamp"),
            (received is not None, "unparseable receivedAt"),
            (currency is None or str(currency).upper() in KNOWN_CURRENCIES, "unknown currency"),
            (all(a is not None and a >= 0 for a in amounts), "negative or unparseable amount"),
        ]
    )
    if reason:
        return None, reason
    shaped = {TOP_LEVEL_RENAMES.get(key, key): value for key, value in event.items()}
    shaped["timestamp"] = timestamp.astimezone(UTC)
    shaped["received_at"] = received.astimezone(UTC)
    if shaped.get("user_id") is not None:
        shaped["user_id"] = str(shaped["user_id"])
    properties = shaped.get("properties")
    if isinstance(properties, dict) and properties.get("order_id") is not None:
        properties["order_id"] = str(properties["order_id"])  # Shopify ids are ints; keys are text
    for container in (shaped.get("traits"), (shaped.get("context") or {}).get("traits")):
        if isinstance(container, dict):
            for key in DROPPED_TRAITS:
                container.pop(key, None)
    return scrub(shaped, EVENT_PII), None
