"""Link-header paging and record shaping for the Shopify Admin REST API."""

import re
from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal

from ingestion.common.http import ApiClient
from ingestion.common.pii import scrub
from ingestion.common.validation import KNOWN_CURRENCIES, first_problem, parse_amount, parse_timestamp

from .settings import ADDRESS_FIELDS

_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="?next"?')


def next_link(link_header: str | None) -> str | None:
    """The `rel="next"` URL of a Link header (`<url>; rel="previous", <url>; rel="next"`)."""
    if not link_header:
        return None
    match = _NEXT_LINK.search(link_header)
    return match.group(1) if match else None


def paginate(client: ApiClient, path: str, collection: str, params: dict) -> Iterator[list[dict]]:
    """Yield pages of `collection` (e.g. "orders"), following the `Link: <...>; rel="next"` header."""
    url: str = path
    query: dict | None = params
    page = 1
    while True:
        body, response = client.get(url, page=page, params=query)
        yield body.get(collection, [])
        url = next_link(response.headers.get("Link"))
        if not url:
            return
        # The next URL carries `page_info` (and the filters inside it); Shopify refuses repeated filters.
        query, page = None, page + 1


def _strip_addresses(record: dict) -> None:
    for field in ADDRESS_FIELDS:
        value = record.pop(field, None)
        if isinstance(value, dict) and value.get("country_code"):
            record[f"{field}_country_code"] = value["country_code"]
    customer = record.get("customer")
    if isinstance(customer, dict):
        _strip_addresses(customer)


def shape_order(order: dict, pii: dict[str, str]) -> tuple[dict | None, str | None]:
    total = parse_amount(order.get("total_price"))
    reason = first_problem(
        [
            (order.get("id") is not None, "missing id"),
            (parse_timestamp(order.get("created_at")) is not None, "unparseable created_at"),
            (parse_timestamp(order.get("updated_at")) is not None, "unparseable updated_at"),
            (total is not None, "unparseable total_price"),
            (total is None or total >= 0, "negative total_price"),
            (order.get("currency") in KNOWN_CURRENCIES, "unknown currency"),
        ]
    )
    if reason:
        return None, reason
    _strip_addresses(order)
    _timestamps_to_utc(order, ("created_at", "updated_at", "processed_at", "cancelled_at", "closed_at"))
    order["total_refunded"] = refunded_amount(order)
    return scrub(order, pii), None


def refunded_amount(order: dict) -> Decimal:
    """Money returned to the customer: the successful `refund` transactions of every refund."""
    total = Decimal(0)
    for refund in order.get("refunds") or []:
        for transaction in refund.get("transactions") or []:
            if transaction.get("kind", "refund") == "refund" and transaction.get("status", "success") == "success":
                total += parse_amount(transaction.get("amount")) or Decimal(0)
    return total


def shape_customer(customer: dict, pii: dict[str, str]) -> tuple[dict | None, str | None]:
    reason = first_problem(
        [
            (customer.get("id") is not None, "missing id"),
            (parse_timestamp(customer.get("updated_at")) is not None, "unparseable updated_at"),
        ]
    )
    if reason:
        return None, reason
    _strip_addresses(customer)
    _timestamps_to_utc(customer, ("created_at", "updated_at"))
    return scrub(customer, pii), None


def _timestamps_to_utc(record: dict, fields: tuple[str, ...]) -> None:
    """Shop-local offsets (`-05:00`) become aware UTC datetimes, so cursors compare correctly."""
    for field in fields:
        parsed = parse_timestamp(record.get(field))
        if parsed is not None:
            record[field] = parsed.astimezone(UTC)
