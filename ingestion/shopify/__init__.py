"""Shopify Admin REST API: orders (with line items and refunds) and customers.

Args of `shopify_source`:
    shop_url: the shop's base URL (https://{shop}.myshopify.com); the sandbox sets its own.
    access_token: Admin API access token (`X-Shopify-Access-Token`, secret).
    start_date: first `updated_at` loaded on the first run (ISO date or timestamp).
    api_version: Admin API version, e.g. 2024-10.
    end_date: optional exclusive upper bound of `updated_at`. With it the source reads the fixed
        window [start_date, end_date) and leaves the incremental state alone (a backfill).

Orders and customers load by `updated_at` and merge on `id`: a refund or cancellation moves an
order's `updated_at`, so the next run re-reads it and updates the row; it is never duplicated.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dlt

from ingestion.common.http import ApiClient
from ingestion.common.quarantine import split_page
from ingestion.common.schema import check_key_types
from ingestion.common.validation import as_iso

from . import settings
from .helpers import paginate, shape_customer, shape_order


def _start(start_date: str) -> datetime:
    parsed = datetime.fromisoformat(start_date if "T" in start_date else f"{start_date}T00:00:00+00:00")
    return parsed.astimezone(UTC)


@dlt.source(name="shopify")
def shopify_source(
    shop_url: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    start_date: str = "2026-01-01",
    api_version: str = settings.API_VERSION,
    end_date: str | None = None,
):
    client = ApiClient("shopify", shop_url, {"X-Shopify-Access-Token": access_token})
    base = f"/admin/api/{api_version}"
    initial = _start(start_date)
    end = _start(end_date) if end_date else None

    def window(cursor) -> dict:
        bounds = {"updated_at_min": as_iso(cursor.last_value)}
        if end is not None:
            bounds["updated_at_max"] = as_iso(end)
        return bounds

    @dlt.resource(
        name="orders",
        primary_key="id",
        write_disposition="merge",
        columns={
            "total_price": {"data_type": "decimal", "precision": 18, "scale": 4},
            "subtotal_price": {"data_type": "decimal", "precision": 18, "scale": 4},
            "total_tax": {"data_type": "decimal", "precision": 18, "scale": 4},
            "total_discounts": {"data_type": "decimal", "precision": 18, "scale": 4},
            "total_refunded": {"data_type": "decimal", "precision": 18, "scale": 4},
            "cancelled_at": {"data_type": "timestamp"},
            "email_hash": {"data_type": "text"},
            "customer__id": {"data_type": "bigint"},
        },
    )
    def orders(
        # primary_key=(): no boundary deduplication (a hash of every row): the table merges on id,
        # so an order at the cursor re-read by the next run replaces itself.
        updated_at=dlt.sources.incremental(
            "updated_at", initial_value=initial, end_value=end, on_cursor_value_missing="include", primary_key=()
        ),
    ) -> Iterator:
        params = {"status": "any", "limit": settings.PAGE_LIMIT, **window(updated_at)}

        def shape(order: dict) -> tuple[dict | None, str | None]:
            check_key_types(order, {"id": int}, "shopify", "orders")
            return shape_order(order, settings.ORDER_PII)

        for page in paginate(client, f"{base}/orders.json", "orders", params):
            # Dicts (their line items and refunds become child tables through dlt's JSON
            # normaliser), one list a page, which dlt takes as one item.
            rows, refused = split_page("orders", page, shape)
            if rows:
                yield rows
            yield from refused

    @dlt.resource(name="customers", primary_key="id", write_disposition="merge")
    def customers(
        updated_at=dlt.sources.incremental(
            "updated_at", initial_value=initial, end_value=end, on_cursor_value_missing="include", primary_key=()
        ),
    ) -> Iterator:
        params = {"limit": settings.PAGE_LIMIT, **window(updated_at)}

        def shape(customer: dict) -> tuple[dict | None, str | None]:
            check_key_types(customer, {"id": int}, "shopify", "customers")
            return shape_customer(customer, settings.CUSTOMER_PII)

        for page in paginate(client, f"{base}/customers.json", "customers", params):
            rows, refused = split_page("customers", page, shape)
            if rows:
                yield rows
            yield from refused

    return orders, customers
