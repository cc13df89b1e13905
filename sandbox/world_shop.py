"""Shopify customers and orders (real Admin REST shapes), with later refunds and cancellations."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator

from sandbox import settings
from sandbox.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, iso_offset

OFF = settings.SHOP_UTC_OFFSET_HOURS


def _ts(ms: int) -> str:
    return iso_offset(ms, OFF)


def _money(x: float) -> str:
    return f"{x:.2f}"


def order_id(k: int) -> int:
    """Id of the k-th order (0-based, chronological)."""
    return 5600000000000 + 31 * (k + 1)


def render_orders(day_orders: list[dict], persons, first_k: int, seed: int, end_ms: int, cfg: dict,
                  manifest, products_by_id: dict) -> list[dict]:
    """Shopify orders of one day (internal specs sorted chronologically), numbered from ``first_k``."""
    out = []
    for n, o in enumerate(day_orders):
        k = first_k + n
        o["id"] = order_id(k)
        o["number"] = 1001 + k
        out.append(_render(o, persons[o["person"]], seed, end_ms, cfg, manifest, products_by_id))
    return out


def _render(o: dict, p, seed: int, end_ms: int, cfg: dict, manifest, products_by_id: dict) -> dict:
    rng = random.Random(f"{seed}:shop:{o['person']}:{o['k']}")
    cur = o["currency"]
    created = o["ms"]
    line_items = []
    for j, ((pid, qty), price) in enumerate(zip(o["items"], o["prices"], strict=True)):
        prod = products_by_id[pid]
        share = price * qty / o["gross"] if o["gross"] else 0
        line_items.append({
            "id": o["id"] * 10 + j + 1, "admin_graphql_api_id": f"gid://shopify/LineItem/{o['id'] * 10 + j + 1}",
            "product_id": prod["product_id"], "variant_id": prod["variant_id"], "title": prod["title"],
            "name": prod["title"], "sku": prod["sku"], "vendor": "touchpath", "quantity": qty,
            "price": _money(price), "total_discount": _money(round(o["discount"] * share, 2)),
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
        if 0.03 <= roll < 0.13:  # ~10% refunded (full or one line)
            r = created + rng.randint(DAY_MS, 10 * DAY_MS)
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
                                      "amount": _money(amount), "currency": cur,
                                      "created_at": _ts(r), "processed_at": _ts(r)}],
                })
                financial_status = "refunded" if full else "partially_refunded"
                updated = max(updated, r)
    totals = {k: o[k] for k in ("gross", "discount", "subtotal", "shipping", "tax", "total")}
    # messiness: a line removed after the fact (only open, unrefunded orders with >= 2 lines)
    edit_rate = cfg.get("edited_orders")
    if edit_rate and len(line_items) >= 2:
        manifest.eligible("edited_orders")
        mrng = random.Random(f"{seed}:mess:edit:{o['person']}:{o['k']}")
        if mrng.random() < edit_rate and cancelled_at is None and not refunds:
            removed = line_items.pop()
            edit_ms = created + mrng.randint(30 * MINUTE_MS, 2 * DAY_MS)
            keep = [(float(li["price"]), li["quantity"]) for li in line_items]
            gross = round(sum(pr * q for pr, q in keep), 2)
            pct = o["discount"] / o["gross"] if o["gross"] else 0.0
            discount = round(gross * pct, 2)
            subtotal = round(gross - discount, 2)
            shipping = o["shipping"] if subtotal >= settings.FREE_SHIPPING_OVER else settings.SHIPPING_PRICE
            tax = round(subtotal * settings.TAX_RATE, 2)
            totals = {"gross": gross, "discount": discount, "subtotal": subtotal, "shipping": shipping, "tax": tax,
                      "total": round(subtotal + shipping + tax, 2)}
            updated = max(updated, edit_ms)
            manifest.add("edited_orders", o["id"], {"removed_line_item_id": removed["id"],
                                                    "original_total": _money(o["total"]),
                                                    "edited_total": _money(totals["total"]), "edited_at": _ts(edit_ms)})
    refunded = sum(float(t["amount"]) for r in refunds for t in r["transactions"])
    o["refunded"] = round(refunded, 2)
    o["cancelled"] = cancelled_at is not None
    o["updated_ms"] = updated
    o["final_total"] = totals["total"]
    rec = {
        "id": o["id"], "admin_graphql_api_id": f"gid://shopify/Order/{o['id']}",
        "name": f"#{o['number']}", "order_number": o["number"], "number": o["number"] - 1000,
        "email": p.email, "contact_email": p.email, "phone": p.phone,
        "created_at": _ts(created), "updated_at": _ts(updated), "processed_at": _ts(created),
        "cancelled_at": _ts(cancelled_at) if cancelled_at else None, "cancel_reason": cancel_reason,
        "closed_at": None, "currency": cur, "presentment_currency": cur,
        "total_price": _money(totals["total"]), "subtotal_price": _money(totals["subtotal"]),
        "total_line_items_price": _money(totals["gross"]), "total_tax": _money(totals["tax"]),
        "total_discounts": _money(totals["discount"]), "total_shipping_price": _money(totals["shipping"]),
        "current_total_price": _money(0.0 if cancelled_at else totals["total"] - refunded),
        "financial_status": financial_status, "fulfillment_status": fulfillment_status,
        "confirmed": True, "test": False, "taxes_included": False,
        "buyer_accepts_marketing": p.subscribed_at is not None and p.subscribed_at <= created,
        "discount_codes": ([{"code": o["discount_code"], "amount": _money(totals["discount"]), "type": "percentage"}]
                           if o["discount_code"] else []),
        "shipping_lines": [{"id": o["id"] * 10, "title": "Standard", "code": "STANDARD",
                            "price": _money(totals["shipping"])}],
        "tax_lines": [{"title": "Sales tax", "rate": settings.TAX_RATE, "price": _money(totals["tax"])}],
        "payment_gateway_names": ["shopify_payments"], "source_name": "web", "tags": "",
        "token": o["checkout_token"][::-1], "checkout_token": o["checkout_token"],
        "landing_site": o["landing_site"], "referring_site": o["referring_site"] or None,
        "browser_ip": o["browser_ip"],
        "client_details": {"browser_ip": o["browser_ip"], "user_agent": o["user_agent"],
                           "accept_language": "en-US"},
        "customer": _customer_stub(p),
        "line_items": line_items, "refunds": refunds,
    }
    mal_rate = cfg.get("malformed_orders")
    if mal_rate:
        manifest.eligible("malformed_orders")
        mrng = random.Random(f"{seed}:mess:order:{o['person']}:{o['k']}")
        if mrng.random() < mal_rate:
            reason = mrng.choice(("missing_customer", "bad_timestamp", "negative_amount", "unknown_currency"))
            if reason == "missing_customer":
                rec["customer"] = None
                rec["email"] = rec["contact_email"] = None
            elif reason == "bad_timestamp":
                rec["processed_at"] = "2026-02-30T25:61:00-05:00"
            elif reason == "negative_amount":
                rec["total_price"] = _money(-float(rec["total_price"]))
            else:
                rec["currency"] = rec["presentment_currency"] = "XXX"
            manifest.add("malformed_orders", o["id"], {"reason": reason})
    return rec


def _customer_stub(p) -> dict:
    return {"id": p.customer_id, "email": p.email, "first_name": p.first_name, "last_name": p.last_name,
            "phone": p.phone, "created_at": _ts(p.identified_at), "state": "enabled", "verified_email": True,
            "currency": p.currency, "tags": "", "admin_graphql_api_id": f"gid://shopify/Customer/{p.customer_id}"}


def build_customers(customers: Iterable[tuple]) -> Iterator[dict]:
    """Shopify customers from (person, their order refs) ordered by customer id (``People.customers_by_id``);
    a ref is (id, number, total, refunded, cancelled, updated_ms)."""
    for p, mine in customers:
        spent = sum(r[2] - r[3] for r in mine if not r[4])
        updated = max([p.identified_at] + [r[5] for r in mine])
        email_state = "subscribed" if p.subscribed_at is not None else "not_subscribed"
        sms_state = "subscribed" if p.sms_at is not None else "not_subscribed"
        yield {
            **_customer_stub(p), "updated_at": _ts(updated), "orders_count": len(mine),
            "total_spent": _money(round(spent, 2)),
            "last_order_id": mine[-1][0] if mine else None,
            "last_order_name": f"#{mine[-1][1]}" if mine else None,
            "state": "enabled" if mine else "disabled",
            "email_marketing_consent": {"state": email_state, "opt_in_level": "single_opt_in",
                                        "consent_updated_at": _ts(p.subscribed_at) if p.subscribed_at else None},
            "sms_marketing_consent": ({"state": sms_state, "opt_in_level": "single_opt_in",
                                       "consent_updated_at": _ts(p.sms_at) if p.sms_at else None,
                                       "consent_collected_from": "SHOPIFY"} if p.phone else None),
            "addresses": [], "note": None,
        }
