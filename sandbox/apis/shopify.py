"""Shopify Admin REST: orders.json, customers.json, orders/{id}/refunds.json, */count.json.

Cursor paging through the ``Link`` header (``page_info``); with ``page_info`` only ``limit`` and ``fields``
may be passed, the filters travel inside the token (as in the real API)."""

from __future__ import annotations

from urllib.parse import urlencode

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response
from sandbox.timeutil import parse_iso

ENDPOINT = "shopify"
FILTERS = ("status", "financial_status", "fulfillment_status", "updated_at_min", "updated_at_max",
           "created_at_min", "created_at_max", "since_id", "ids", "order")
SORTABLE = {"id": None, "updated_at": "_updated_ms", "created_at": "_created_ms"}


def fault_error(status: int) -> Response:
    if status == 429:
        return Response(429, {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                                        "resume uninterrupted service."})
    return Response(500, {"errors": "Internal Server Error"})


def _auth(req: Request) -> Response | None:
    if req.header("x-shopify-access-token") != settings.SHOPIFY_ACCESS_TOKEN:
        return Response(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
    return None


def _filtered(records: list[dict], f: dict, resource: str) -> list[dict]:
    status = f.get("status") or ("open" if resource == "orders" else "any")
    bounds = {k: parse_iso(f[k]) for k in ("updated_at_min", "updated_at_max", "created_at_min", "created_at_max")
              if f.get(k)}
    ids = {int(x) for x in f["ids"].split(",")} if f.get("ids") else None
    since = int(f["since_id"]) if f.get("since_id") else None
    out = []
    for r in records:
        if resource == "orders":
            if status == "open" and (r["cancelled_at"] or r["closed_at"]):
                continue
            if status == "closed" and not r["closed_at"]:
                continue
            if status == "cancelled" and not r["cancelled_at"]:
                continue
            fs = f.get("financial_status")
            if fs and fs != "any" and r["financial_status"] != fs:
                continue
            ffs = f.get("fulfillment_status")
            if ffs and ffs != "any" and (r["fulfillment_status"] or "unfulfilled") != ffs:
                continue
        if "updated_at_min" in bounds and r["_updated_ms"] < bounds["updated_at_min"]:
            continue
        if "updated_at_max" in bounds and r["_updated_ms"] > bounds["updated_at_max"]:
            continue
        if "created_at_min" in bounds and r["_created_ms"] < bounds["created_at_min"]:
            continue
        if "created_at_max" in bounds and r["_created_ms"] > bounds["created_at_max"]:
            continue
        if ids is not None and r["id"] not in ids:
            continue
        if since is not None and r["id"] <= since:
            continue
        out.append(r)
    return out


def _sort_key(order: str):
    field, _, direction = order.partition(" ")
    attr = SORTABLE[field]
    return (lambda r: (r[attr], r["id"]) if attr else (r["id"],)), direction.lower() == "desc"


def _public(r: dict, fields: list[str] | None) -> dict:
    d = {k: v for k, v in r.items() if not k.startswith("_")}
    return {k: d[k] for k in fields if k in d} if fields else d


def _list(req: Request, resource: str, records: list[dict]) -> Response:
    err = _auth(req)
    if err:
        return err
    try:
        limit = int(req.q("limit", str(settings.SHOPIFY_DEFAULT_LIMIT)))
        if not 1 <= limit <= settings.SHOPIFY_MAX_LIMIT:
            raise ValueError
    except ValueError:
        return Response(400, {"errors": {"limit": [f"must be between 1 and {settings.SHOPIFY_MAX_LIMIT}"]}})
    fields = [x.strip() for x in req.q("fields").split(",")] if req.q("fields") else None
    token = req.q("page_info")
    if token:
        extra = [k for k in req.query if k not in ("page_info", "limit", "fields")]
        if extra:
            return Response(400, {"errors": {"page_info": [f"page_info cannot be combined with {extra[0]}"]}})
        try:
            state = cursors.decode(token)
            filters, key, direction = state["f"], tuple(state["k"]), state["d"]
        except (cursors.BadCursor, KeyError, TypeError):
            return Response(400, {"errors": {"page_info": ["Invalid value."]}})
    else:
        filters = {k: req.q(k) for k in FILTERS if req.q(k)}
        key, direction = None, "next"
    order = (filters.get("order") if resource == "orders" else None) or "id asc"
    if order.split(" ")[0] not in SORTABLE:
        return Response(400, {"errors": {"order": ["Invalid value."]}})
    try:
        rows = _filtered(records, filters, resource)
    except ValueError:
        return Response(400, {"errors": "Invalid date or id filter"})
    keyfn, desc = _sort_key(order)
    rows.sort(key=keyfn, reverse=desc)
    keys = [list(keyfn(r)) for r in rows]
    if key is None:
        start = 0
    elif direction == "next":
        after = (lambda k: k < list(key)) if desc else (lambda k: k > list(key))
        start = next((i for i, k in enumerate(keys) if after(k)), len(rows))
    else:
        end = next((i for i, k in enumerate(keys) if k == list(key)), 0)
        start = max(0, end - limit)
    page = rows[start: start + limit]
    headers = {}
    links = []
    base = f"{req.base_url}{req.path}"
    extra_q = {"fields": req.q("fields")} if fields else {}
    if page and start > 0:
        tok = cursors.encode({"f": filters, "k": keys[start], "d": "prev"})
        links.append(f'<{base}?{urlencode({"limit": limit, **extra_q, "page_info": tok})}>; rel="previous"')
    if page and start + len(page) < len(rows):
        tok = cursors.encode({"f": filters, "k": keys[start + len(page) - 1], "d": "next"})
        links.append(f'<{base}?{urlencode({"limit": limit, **extra_q, "page_info": tok})}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    headers["X-Shopify-Shop-Api-Call-Limit"] = "1/40"
    return Response(200, {resource: [_public(r, fields) for r in page]}, headers)


def orders(req: Request) -> Response:
    return _list(req, "orders", req.store.orders)


def customers(req: Request) -> Response:
    return _list(req, "customers", req.store.customers)


def count(req: Request) -> Response:
    err = _auth(req)
    if err:
        return err
    resource = req.match[1]
    records = req.store.orders if resource == "orders" else req.store.customers
    filters = {k: req.q(k) for k in FILTERS if req.q(k)}
    return Response(200, {"count": len(_filtered(records, filters, resource))})


def refunds(req: Request) -> Response:
    err = _auth(req)
    if err:
        return err
    order = req.store.orders_by_id.get(int(req.match[1]))
    if order is None:
        return Response(404, {"errors": "Not Found"})
    return Response(200, {"refunds": order["refunds"]})


ROUTES = [
    ("GET", r"^/admin/api/(\d{4}-\d{2})/orders\.json$", orders),
    ("GET", r"^/admin/api/(\d{4}-\d{2})/customers\.json$", customers),
    ("GET", r"^/admin/api/(\d{4}-\d{2})/(orders|customers)/count\.json$", count),
    ("GET", r"^/admin/api/(\d{4}-\d{2})/orders/(\d+)/refunds\.json$", refunds),
]
