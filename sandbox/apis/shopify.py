"""Shopify Admin REST: orders.json, customers.json, orders/{id}/refunds.json, */count.json.

Cursor paging through the ``Link`` header (``page_info``); with ``page_info`` only ``limit`` and ``fields``
may be passed, the filters travel inside the token (as in the real API)."""

from __future__ import annotations

from urllib.parse import urlencode

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response
from sandbox.timeutil import parse_iso

ENDPOINT = "shopify"
FILTERS = (
    "status",
    "financial_status",
    "fulfillment_status",
    "updated_at_min",
    "updated_at_max",
    "created_at_min",
    "created_at_max",
    "since_id",
    "ids",
    "order",
)
SORTABLE = {"id": None, "updated_at": "_updated_ms", "created_at": "_created_ms"}


def fault_error(status: int) -> Response:
    if status == 429:
        return Response(
            429,
            {
                "errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                "resume uninterrupted service."
            },
        )
    return Response(500, {"errors": "Internal Server Error"})


def _auth(req: Request) -> Response | None:
    if req.header("x-shopify-access-token") != settings.SHOPIFY_ACCESS_TOKEN:
        return Response(
            401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
        )
    return None


def id_key(value) -> tuple:
    """Sort key of a Shopify id: integer ids numerically, then anything else (a drifted world's string id,
    e.g. a GraphQL gid) as text. A digit string sorts with the integers, just after the same number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value, 0)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return (0, int(value), 1)
    return (1, 0, str(value))


def _number(key: tuple) -> tuple:
    """The numeric part of an ``id_key`` (what ``since_id`` and ``ids`` compare)."""
    return key[:2]


class Filters:
    """The list filters of one request, parsed once (ValueError on a bad date or id)."""

    def __init__(self, f: dict, resource: str) -> None:
        self.resource = resource
        self.status = f.get("status") or ("open" if resource == "orders" else "any")
        self.financial = f.get("financial_status")
        self.fulfillment = f.get("fulfillment_status")
        self.bounds = {
            k: parse_iso(f[k])
            for k in ("updated_at_min", "updated_at_max", "created_at_min", "created_at_max")
            if f.get(k)
        }
        self.ids = {(0, int(x)) for x in f["ids"].split(",")} if f.get("ids") else None
        self.since = (0, int(f["since_id"])) if f.get("since_id") else None

    def keep(self, r: dict) -> bool:
        if self.resource == "orders" and not self._keep_order(r):
            return False
        b = self.bounds
        if "updated_at_min" in b and r["_updated_ms"] < b["updated_at_min"]:
            return False
        if "updated_at_max" in b and r["_updated_ms"] > b["updated_at_max"]:
            return False
        if "created_at_min" in b and r["_created_ms"] < b["created_at_min"]:
            return False
        if "created_at_max" in b and r["_created_ms"] > b["created_at_max"]:
            return False
        if self.ids is None and self.since is None:
            return True
        number = _number(id_key(r["id"]))
        return (self.ids is None or number in self.ids) and (self.since is None or number > self.since)

    def _keep_order(self, r: dict) -> bool:
        if self.status == "open" and (r.get("cancelled_at") or r.get("closed_at")):
            return False
        if self.status == "closed" and not r.get("closed_at"):
            return False
        if self.status == "cancelled" and not r.get("cancelled_at"):
            return False
        if self.financial and self.financial != "any" and r.get("financial_status") != self.financial:
            return False
        ffs = self.fulfillment
        return not (ffs and ffs != "any" and (r.get("fulfillment_status") or "unfulfilled") != ffs)

    def key_bounds(self, field: str) -> tuple[tuple | None, tuple | None]:
        """[lower, upper) on the sort keys of ``field`` that no kept record lies outside of (a bisect then
        skips the records these filters reject anyway)."""
        if field == "id":
            return (((0, self.since[1], 2),) if self.since else None), None
        lo, hi = self.bounds.get(f"{field}_min"), self.bounds.get(f"{field}_max")
        return ((lo,) if lo is not None else None), ((hi + 1,) if hi is not None else None)


def _index(store, resource: str, records: list[dict], field: str):
    """``records`` sorted by (field, id), ascending; built once per (resource, field)."""
    attr = SORTABLE[field]
    if attr is None:
        return store.sorted_index(("shopify", resource, field), records, lambda r: (id_key(r["id"]),))
    return store.sorted_index(("shopify", resource, field), records, lambda r: (r[attr], id_key(r["id"])))


def _public_key(r: dict, field: str) -> list:
    """The cursor key of a record as it travels in page_info: [id] or [epoch ms, id]."""
    attr = SORTABLE[field]
    return [r[attr], r["id"]] if attr else [r["id"]]


def _sort_key(token_key: list, field: str) -> tuple:
    """A page_info key back as the index's sort key (ValueError when it has the wrong shape)."""
    if SORTABLE[field] is None:
        (oid,) = token_key
        return (id_key(oid),)
    ms, oid = token_key
    if type(ms) is not int:
        raise ValueError(token_key)
    return (ms, id_key(oid))


class _Scan:
    """Records of a view within [lo, hi) that the filters keep, found by walking from a position."""

    def __init__(self, view, lo: int, hi: int, filters: Filters) -> None:
        self.view, self.lo, self.hi, self.keep = view, lo, hi, filters.keep

    def forward(self, start: int, want: int, stop: int | None = None) -> list[int]:
        """Up to ``want`` kept positions from ``start`` on (before ``stop``, if given)."""
        out = []
        records = self.view.records
        for p in range(max(start, self.lo), self.hi if stop is None else min(stop, self.hi)):
            if len(out) == want:
                break
            if self.keep(records[p]):
                out.append(p)
        return out

    def backward(self, end: int, want: int) -> list[int]:
        """Up to ``want`` kept positions before ``end``, nearest first."""
        out = []
        records = self.view.records
        for p in range(min(end, self.hi) - 1, self.lo - 1, -1):
            if len(out) == want:
                break
            if self.keep(records[p]):
                out.append(p)
        return out


def _page(scan: _Scan, view, key: tuple | None, direction: str, limit: int) -> list[int]:
    """Positions of the page: the first ``limit`` kept records, those after ``key`` ("next"), or the
    ``limit`` before the record with ``key`` ("prev"; the first page when fewer precede it)."""
    if key is None:
        return scan.forward(scan.lo, limit)
    if direction == "next":
        return scan.forward(view.after(key), limit)
    lo, hi = view.equal(key)
    found = scan.forward(lo, 1, stop=hi)
    if found:
        before = scan.backward(found[0], limit)
        if len(before) == limit:
            return before[::-1]
    return scan.forward(scan.lo, limit)


def _public(r: dict, fields: list[str] | None) -> dict:
    d = {k: v for k, v in r.items() if not k.startswith("_")}
    return {k: d[k] for k in fields if k in d} if fields else d


def _request_state(req: Request) -> tuple[dict, list | None, str] | Response:
    """(filters, cursor key, direction) from the page_info token or from the query; or a 400."""
    token = req.q("page_info")
    if not token:
        return {k: req.q(k) for k in FILTERS if req.q(k)}, None, "next"
    extra = [k for k in req.query if k not in ("page_info", "limit", "fields")]
    if extra:
        return Response(400, {"errors": {"page_info": [f"page_info cannot be combined with {extra[0]}"]}})
    try:
        state = cursors.decode(token)
        return state["f"], list(state["k"]), state["d"]
    except (cursors.BadCursor, KeyError, TypeError):
        return Response(400, {"errors": {"page_info": ["Invalid value."]}})


def _links(
    req: Request,
    fields,
    limit: int,
    filters: dict,
    view,
    field: str,
    page: list[int],
    more_before: bool,
    more_after: bool,
) -> str | None:
    base = f"{req.base_url}{req.path}"
    extra_q = {"fields": req.q("fields")} if fields else {}
    links = []
    for direction, rel, pos, more in (
        ("prev", "previous", page[0], more_before),
        ("next", "next", page[-1], more_after),
    ):
        if more:
            tok = cursors.encode({"f": filters, "k": _public_key(view.records[pos], field), "d": direction})
            links.append(f'<{base}?{urlencode({"limit": limit, **extra_q, "page_info": tok})}>; rel="{rel}"')
    return ", ".join(links) or None


def _list(req: Request, resource: str, records: list[dict]) -> Response:
    """One page in (order field, id) order. The records are sorted once per field (``Store.sorted_index``);
    a page bisects to its start (the cursor key, or the bound of an updated_at/created_at/since_id filter
    on the sort field) and walks forward over the other filters until it is full."""
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
    state = _request_state(req)
    if isinstance(state, Response):
        return state
    filters, token_key, direction = state
    order = (filters.get("order") if resource == "orders" else None) or "id asc"
    field, _, way = order.partition(" ")
    if field not in SORTABLE:
        return Response(400, {"errors": {"order": ["Invalid value."]}})
    try:
        parsed = Filters(filters, resource)
    except ValueError:
        return Response(400, {"errors": "Invalid date or id filter"})
    try:
        key = _sort_key(token_key, field) if token_key is not None else None
    except (ValueError, TypeError):
        return Response(400, {"errors": {"page_info": ["Invalid value."]}})
    view = _index(req.store, resource, records, field).view(way.lower() == "desc")
    scan = _Scan(view, *view.key_range(*parsed.key_bounds(field)), parsed)
    page = _page(scan, view, key, direction, limit)
    headers = {}
    if page:
        link = _links(
            req,
            fields,
            limit,
            filters,
            view,
            field,
            page,
            more_before=bool(scan.backward(page[0], 1)),
            more_after=bool(scan.forward(page[-1] + 1, 1)),
        )
        if link:
            headers["Link"] = link
    headers["X-Shopify-Shop-Api-Call-Limit"] = "1/40"
    return Response(200, {resource: [_public(view.records[p], fields) for p in page]}, headers)


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
    try:
        parsed = Filters({k: req.q(k) for k in FILTERS if req.q(k)}, resource)
    except ValueError:
        return Response(400, {"errors": "Invalid date or id filter"})
    field = "updated_at" if any(k.startswith("updated") for k in parsed.bounds) else "id"
    view = _index(req.store, resource, records, field).view(False)
    lo, hi = view.key_range(*parsed.key_bounds(field))
    return Response(200, {"count": sum(1 for p in range(lo, hi) if parsed.keep(view.records[p]))})


def refunds(req: Request) -> Response:
    err = _auth(req)
    if err:
        return err
    order = req.store.order_by_id(int(req.match[1]))
    if order is None:
        return Response(404, {"errors": "Not Found"})
    return Response(200, {"refunds": order["refunds"]})


ROUTES = [
    ("GET", r"^/admin/api/(\d{4}-\d{2})/orders\.json$", orders),
    ("GET", r"^/admin/api/(\d{4}-\d{2})/customers\.json$", customers),
    ("GET", r"^/admin/api/(\d{4}-\d{2})/(orders|customers)/count\.json$", count),
    ("GET", r"^/admin/api/(\d{4}-\d{2})/orders/(\d+)/refunds\.json$", refunds),
]
