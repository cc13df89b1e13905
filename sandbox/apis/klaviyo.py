"""Klaviyo API (JSON:API): GET /api/events/, /api/metrics/, /api/profiles/ with page[cursor] paging."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response, request_id
from sandbox.lazy_records import JsonlRecords, lean_sorted_index
from sandbox.timeutil import parse_iso

ENDPOINT = "klaviyo"
_FN = re.compile(r"(greater-or-equal|greater-than|less-than|less-or-equal|equals)\(([\w.]+),([^()]*)\)")
OPS = {"greater-or-equal": ">=", "greater-than": ">", "less-than": "<", "less-or-equal": "<=", "equals": "=="}
OP_FNS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
}
# filterable fields per resource -> getter(record) returning a comparable value
FIELDS = {
    "events": {
        "datetime": lambda r: parse_iso(r["attributes"]["datetime"]),
        "timestamp": lambda r: r["attributes"]["timestamp"] * 1000,
        "metric_id": lambda r: r["relationships"]["metric"]["data"]["id"],
        "profile_id": lambda r: r["relationships"]["profile"]["data"]["id"],
    },
    "profiles": {
        "email": lambda r: r["attributes"]["email"],
        "id": lambda r: r["id"],
        "external_id": lambda r: r["attributes"]["external_id"],
        "created": lambda r: parse_iso(r["attributes"]["created"]),
        "updated": lambda r: parse_iso(r["attributes"]["updated"]),
    },
    "metrics": {"integration.category": lambda r: r["attributes"]["integration"]["category"]},
}
TIME_FIELDS = {"datetime", "timestamp", "created", "updated"}
MAX_SIZE = {
    "events": settings.KLAVIYO_MAX_PAGE_SIZE,
    "profiles": 100,
    "metrics": settings.KLAVIYO_MAX_PAGE_SIZE,
}


def _errors(status: int, code: str, title: str, detail: str, source: dict | None = None) -> Response:
    err = {"id": request_id("k"), "status": status, "code": code, "title": title, "detail": detail}
    if source:
        err["source"] = source
    return Response(status, {"errors": [err]})


def fault_error(status: int) -> Response:
    if status == 429:
        return _errors(
            429,
            "throttled",
            "Request was throttled.",
            "Request was throttled. Expected available in 1 second.",
        )
    return _errors(500, "error", "A server error occurred.", "A server error occurred.")


def parse_filter(expr: str, resource: str) -> list[tuple]:
    """``and(f1,f2)`` or ``f1,f2`` of ``op(field,value)`` -> [(getter, op symbol, value, field)]."""
    s = expr.strip()
    if s.startswith("and(") and s.endswith(")"):
        s = s[4:-1]
    conds, pos = [], 0
    while pos < len(s):
        m = _FN.match(s, pos)
        if not m or m.group(2) not in FIELDS[resource]:
            raise ValueError(expr)
        field, raw = m.group(2), m.group(3).strip().strip('"')
        value = parse_iso(raw) if field in TIME_FIELDS else raw
        if field == "timestamp" and raw.isdigit():
            value = int(raw) * 1000
        conds.append((FIELDS[resource][field], OPS[m.group(1)], value, field))
        pos = m.end()
        if pos < len(s):
            if s[pos] != ",":
                raise ValueError(expr)
            pos += 1
    return conds


# sortable fields per resource -> the sort key (the id breaks ties); "timestamp" sorts events as "datetime"
SORTS = {
    "events": {
        "datetime": lambda r: (r["attributes"]["datetime"], r["id"]),
        "timestamp": lambda r: (r["attributes"]["datetime"], r["id"]),
    },
    "profiles": {
        "created": lambda r: (r["attributes"]["created"], r["id"]),
        "updated": lambda r: (r["attributes"]["updated"], r["id"]),
        "id": lambda r: (r["id"], r["id"]),
    },
}


def _time_columns(resource: str) -> dict:
    return {f: get for f, get in FIELDS[resource].items() if f in TIME_FIELDS}


def prepare(data_dir: Path) -> None:
    """Saves the events' index by datetime (what a client paging with `sort=datetime` uses) beside their
    file, as the server's first such request would (``Store.sorted_index``), so that it pays nothing."""
    records = JsonlRecords(Path(data_dir) / "klaviyo/events.jsonl")
    lean_sorted_index(records, ("klaviyo", "events", "datetime"), SORTS["events"]["datetime"], _time_columns("events"))


def _ordered(store, resource: str, sort: str):
    """(records in served order, their sort index or None when unsorted)."""
    field = sort.lstrip("-")
    if not field:
        return store.klaviyo[resource], None
    name = "datetime" if field == "timestamp" else field  # one index serves both names
    index = store.sorted_index(
        ("klaviyo", resource, name), store.klaviyo[resource], SORTS[resource][field], _time_columns(resource)
    )
    view = index.view(sort.startswith("-"))
    return view.records, view


def _rows(store, resource: str, expr: str, sort: str, conds: list[tuple]):
    """The filtered, sorted records as a sequence (a slice of a sorted index, or a list).

    A time filter on the sort field (``greater-or-equal(datetime, ..)`` with ``sort=datetime``) is a range
    of the sorted index, found by bisect. Any other filter is evaluated once per (filter, sort) over that
    range and the matching list is kept (``Store.memo``) for the following pages of the same query."""
    records, view = _ordered(store, resource, sort)
    lo, hi = 0, len(records)
    rest = []
    for cond in conds:
        getter, op, value, field = cond
        usable = view is not None and field in TIME_FIELDS and type(value) is int
        column = view.index.column(field, getter) if usable else None
        if column is None:
            rest.append(cond)
            continue
        a, b = view.column_range(column, op, value)
        lo, hi = max(lo, a), min(hi, b)
    hi = max(lo, hi)
    if not rest:
        return _Slice(records, lo, hi)
    return store.memo(
        ("klaviyo", resource, expr, sort),
        lambda: [
            r for r in _Slice(records, lo, hi) if all(OP_FNS[op](get(r), value) for get, op, value, _ in rest)
        ],
    )


class _Slice:
    """records[lo:hi] without copying them."""

    def __init__(self, records: list[dict], lo: int, hi: int) -> None:
        self.records, self.lo, self.hi = records, lo, hi

    def __len__(self) -> int:
        return self.hi - self.lo

    def __iter__(self):
        return (self.records[p] for p in range(self.lo, self.hi))

    def __getitem__(self, part: slice) -> list[dict]:
        return [self.records[self.lo + i] for i in range(len(self))[part]]  # a list's slice semantics


def _list(req: Request, resource: str) -> Response:
    auth = req.header("authorization") or ""
    if auth != f"Klaviyo-API-Key {settings.KLAVIYO_API_KEY}":
        return _errors(
            401,
            "not_authenticated",
            "Authentication credentials were not provided.",
            "Missing or invalid private key.",
        )
    if not req.header("revision"):
        return _errors(
            400, "invalid", "Invalid input.", "Missing required header 'revision'.", {"header": "revision"}
        )
    expr = req.q("filter") or ""
    try:
        conds = parse_filter(expr, resource) if expr else []
    except ValueError:
        return _errors(
            400,
            "invalid",
            "Invalid input.",
            f"Invalid filter provided: {req.q('filter')}",
            {"parameter": "filter"},
        )
    sort = req.q("sort") or ""
    if sort and sort.lstrip("-") not in SORTS.get(resource, {}):
        return _errors(
            400, "invalid", "Invalid input.", f"'{sort}' is not a valid sort field", {"parameter": "sort"}
        )
    rows = _rows(req.store, resource, expr, sort, conds)
    try:
        size = int(req.q("page[size]") or settings.KLAVIYO_DEFAULT_PAGE_SIZE[resource])
        if not 1 <= size <= MAX_SIZE[resource]:
            raise ValueError
        offset = int(cursors.decode(req.q("page[cursor]"))["o"]) if req.q("page[cursor]") else 0
    except (ValueError, KeyError, TypeError, cursors.BadCursor):
        return _errors(
            400, "invalid", "Invalid input.", "Invalid page[size] or page[cursor].", {"parameter": "page"}
        )
    page = rows[offset : offset + size]
    links = {"self": req.url_with(), "next": None, "prev": None}
    if offset + size < len(rows):
        links["next"] = req.url_with(**{"page[cursor]": cursors.encode({"o": offset + size})})
    if offset > 0:
        links["prev"] = req.url_with(**{"page[cursor]": cursors.encode({"o": max(0, offset - size)})})
    data = [{**r, "links": {"self": f"{req.base_url}/api/{resource}/{r['id']}/"}} for r in page]
    return Response(200, {"data": data, "links": links}, {"Content-Type": "application/vnd.api+json"})


def events(req: Request) -> Response:
    return _list(req, "events")


def profiles(req: Request) -> Response:
    return _list(req, "profiles")


def metrics(req: Request) -> Response:
    return _list(req, "metrics")


ROUTES = [
    ("GET", r"^/api/events/?$", events),
    ("GET", r"^/api/profiles/?$", profiles),
    ("GET", r"^/api/metrics/?$", metrics),
]
