"""Shopify customers and orders (real Admin REST shapes), with later refunds and cancellations."""

from __future__ import annotations

import random

from sandbox import settings
from sandbox.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, iso_offset

OFF = settings.SHOP_UTC_OFFSET_HOURS


def _ts(ms: int) -> str:
    return iso_offset(ms, OFF)


def _money(x: float) -> str:
    return f"{x:.2f}"


def assign_ids(sim) -> list[dict]:
    """Customer and order ids grow with time, like Shopify's. Fills the ids into the tracking events."""
    identified = sorted((p for p in sim.persons if p.identified_at is not None), key=lambda p: (p.identified_at, p.idx))
    for k, p in enumerate(identified):
        p.customer_id = 7400000000000 + 17 * (k + 1)
    orders = sorted(sim.orders, key=lambda o: (o["ms"], o["person"]))
    for k, o in enumerate(orders):
        o["id"] = 5600000000000 + 31 * (k + 1)
        o["number"] = 1001 + k
        for props in o["props"]:
            props["order_id"] = str(o["id"])
    return orders


def build_orders(sim, orders: list[dict], seed: int, end_ms: int) -> list[dict]:
    rng = random.Random(f"{seed}:shop")
    out = []
    for o in orders:
        p = sim.persons[o["person"]]
        created = o["ms"]
        line_items = []
        for j, (prod, qty) in enumerate(o["items"]):
            share = prod["price"] * qty / o["gross"] if o["gross"] else 0
            line_items.append({
                "id": o["id"] * 10 + j + 1, "admin_graphql_api_id": f"gid://shopify/LineItem/{o['id'] * 10 + j + 1}",
                "product_id": prod["product_id"], "variant_id": prod["variant_id"], "title": prod["title"],
                "name": prod["title"], "sku": prod["sku"], "vendor": "touchpath", "quantity": qty,
                "price": _money(prod["price"]), "total_discount": _money(round(o["discount"] * share, 2)),
                "taxable": True, "requires_shipping": True, "gift_card": False, "fulfillment_status": None,
            })
        updated = created + rng.randint(1, 5) * MINUTE_MS
        financial_status, fulfillment_status, cancelled_at, cancel_reason = "paid", None, None, None
        refunds = []
        roll = rng.random()
        if roll < 0.03:
            c = created + rng.randint(10 * MINUTE_MS, 24 * HOUR_MS)
            if c < end_ms:
                cancelled_at, cancel_reason, financial_status, updated = c, "customer", "voided", c
        if cancelled_at is None:
            f = created + rng.randint(HOUR_MS, 2 * DAY_MS)
            if f < end_ms:
                fulfillment_status, updated = "fulfilled", f
                for li in line_items:
                    li["fulfillment_status"] = "fulfilled"
            if 0.03 <= roll < 0.10:
                r = created + rng.randint(2 * DAY_MS, 15 * DAY_MS)
                if r < end_ms:
                    full = rng.random() < 0.5 or len(line_items) == 1
                    refunded_items = line_items if full else line_items[-1:]
                    amount = o["total"] if full else round(
                        float(refunded_items[0]["price"]) * refunded_items[0]["quantity"]
                        - float(refunded_items[0]["total_discount"]), 2)
                    if not full:
                        amount = round(amount * (1 + settings.TAX_RATE), 2)
                    rid = o["id"] * 100 + 1
                    refunds.append({
                        "id": rid, "order_id": o["id"], "admin_graphql_api_id": f"gid://shopify/Refund/{rid}",
                        "created_at": _ts(r), "processed_at": _ts(r), "note": "Customer return", "restock": True,
                        "refund_line_items": [{"id": rid * 10 + k, "line_item_id": li["id"], "quantity": li["quantity"],
                                               "restock_type": "return"} for k, li in enumerate(refunded_items)],
                        "transactions": [{"id": rid * 10 + 9, "order_id": o["id"], "kind": "refund",
                                          "gateway": "shopify_payments", "status": "success",
                                          "amount": _money(amount), "currency": settings.CURRENCY,
                                          "created_at": _ts(r), "processed_at": _ts(r)}],
                    })
                    financial_status = "refunded" if full else "partially_refunded"
                    updated = max(updated, r)
        refunded = sum(float(t["amount"]) for r in refunds for t in r["transactions"])
        o["refunded"] = round(refunded, 2)
        o["cancelled"] = cancelled_at is not None
        o["updated_ms"] = updated
        out.append({
            "id": o["id"], "admin_graphql_api_id": f"gid://shopify/Order/{o['id']}",
            "name": f"#{o['number']}", "order_number": o["number"], "number": o["number"] - 1000,
            "email": p.email, "contact_email": p.email, "phone": p.phone,
            "created_at": _ts(created), "updated_at": _ts(updated), "processed_at": _ts(created),
            "cancelled_at": _ts(cancelled_at) if cancelled_at else None, "cancel_reason": cancel_reason,
            "closed_at": None, "currency": settings.CURRENCY, "presentment_currency": settings.CURRENCY,
            "total_price": _money(o["total"]), "subtotal_price": _money(o["subtotal"]),
            "total_line_items_price": _money(o["gross"]), "total_tax": _money(o["tax"]),
            "total_discounts": _money(o["discount"]), "total_shipping_price": _money(o["shipping"]),
            "current_total_price": _money(0.0 if cancelled_at else o["total"] - refunded),
            "financial_status": financial_status, "fulfillment_status": fulfillment_status,
            "confirmed": True, "test": False, "taxes_included": False,
            "buyer_accepts_marketing": p.subscribed_at is not None and p.subscribed_at <= created,
            "discount_codes": ([{"code": o["discount_code"], "amount": _money(o["discount"]), "type": "percentage"}]
                               if o["discount_code"] else []),
            "shipping_lines": [{"id": o["id"] * 10, "title": "Standard", "code": "STANDARD",
                                "price": _money(o["shipping"])}],
            "tax_lines": [{"title": "Sales tax", "rate": settings.TAX_RATE, "price": _money(o["tax"])}],
            "payment_gateway_names": ["shopify_payments"], "source_name": "web", "tags": "",
            "token": o["checkout_token"][::-1], "checkout_token": o["checkout_token"],
            "landing_site": o["landing_site"], "referring_site": o["referring_site"] or None,
            "browser_ip": o["browser_ip"],
            "client_details": {"browser_ip": o["browser_ip"], "user_agent": o["user_agent"],
                               "accept_language": "en-US"},
            "customer": _customer_stub(p),
            "line_items": line_items, "refunds": refunds,
        })
    return out


def _customer_stub(p) -> dict:
    return {"id": p.customer_id, "email": p.email, "first_name": p.first_name, "last_name": p.last_name,
            "phone": p.phone, "created_at": _ts(p.identified_at), "state": "enabled", "verified_email": True,
            "currency": settings.CURRENCY, "tags": "", "admin_graphql_api_id": f"gid://shopify/Customer/{p.customer_id}"}


def build_customers(sim, orders: list[dict]) -> list[dict]:
    by_person: dict[int, list[dict]] = {}
    for o in orders:
        by_person.setdefault(o["person"], []).append(o)
    out = []
    for p in sorted((p for p in sim.persons if p.customer_id), key=lambda p: p.customer_id):
        mine = by_person.get(p.idx, [])
        spent = sum(o["total"] - o["refunded"] for o in mine if not o["cancelled"])
        updated = max([p.identified_at] + [o["updated_ms"] for o in mine])
        email_state = "subscribed" if p.subscribed_at is not None else "not_subscribed"
        sms_state = "subscribed" if p.sms_at is not None else "not_subscribed"
        out.append({
            **_customer_stub(p), "updated_at": _ts(updated), "orders_count": len(mine),
            "total_spent": _money(round(spent, 2)),
            "last_order_id": mine[-1]["id"] if mine else None,
            "last_order_name": f"#{mine[-1]['number']}" if mine else None,
            "state": "enabled" if mine else "disabled",
            "email_marketing_consent": {"state": email_state, "opt_in_level": "single_opt_in",
                                        "consent_updated_at": _ts(p.subscribed_at) if p.subscribed_at else None},
            "sms_marketing_consent": ({"state": sms_state, "opt_in_level": "single_opt_in",
                                       "consent_updated_at": _ts(p.sms_at) if p.sms_at else None,
                                       "consent_collected_from": "SHOPIFY"} if p.phone else None),
            "addresses": [], "note": None,
        })
    return out
