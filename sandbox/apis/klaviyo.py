"""Klaviyo API (JSON:API): GET /api/events/, /api/metrics/, /api/profiles/ with page[cursor] paging."""

from __future__ import annotations

import re

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response, request_id
from sandbox.timeutil import parse_iso

ENDPOINT = "klaviyo"
_FN = re.compile(r"(greater-or-equal|greater-than|less-than|less-or-equal|equals)\(([\w.]+),([^()]*)\)")
OPS = {"greater-or-equal": lambda a, b: a >= b, "greater-than": lambda a, b: a > b,
       "less-than": lambda a, b: a < b, "less-or-equal": lambda a, b: a <= b, "equals": lambda a, b: a == b}
# filterable fields per resource -> getter(record) returning a comparable value
FIELDS = {
    "events": {"datetime": lambda r: parse_iso(r["attributes"]["datetime"]),
               "timestamp": lambda r: r["attributes"]["timestamp"] * 1000,
               "metric_id": lambda r: r["relationships"]["metric"]["data"]["id"],
               "profile_id": lambda r: r["relationships"]["profile"]["data"]["id"]},
    "profiles": {"email": lambda r: r["attributes"]["email"], "id": lambda r: r["id"],
                 "external_id": lambda r: r["attributes"]["external_id"],
                 "created": lambda r: parse_iso(r["attributes"]["created"]),
                 "updated": lambda r: parse_iso(r["attributes"]["updated"])},
    "metrics": {"integration.category": lambda r: r["attributes"]["integration"]["category"]},
}
TIME_FIELDS = {"datetime", "timestamp", "created", "updated"}
MAX_SIZE = {"events": settings.KLAVIYO_MAX_PAGE_SIZE, "profiles": 100, "metrics": settings.KLAVIYO_MAX_PAGE_SIZE}


def _errors(status: int, code: str, title: str, detail: str, source: dict | None = None) -> Response:
    err = {"id": request_id("k"), "status": status, "code": code, "title": title, "detail": detail}
    if source:
        err["source"] = source
    return Response(status, {"errors": [err]})


def fault_error(status: int) -> Response:
    if status == 429:
        return _errors(429, "throttled", "Request was throttled.", "Request was throttled. Expected available in 1 second.")
    return _errors(500, "error", "A server error occurred.", "A server error occurred.")


def parse_filter(expr: str, resource: str) -> list[tuple]:
    """``and(f1,f2)`` or ``f1,f2`` of ``op(field,value)`` -> [(getter, op, value)]."""
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
        conds.append((FIELDS[resource][field], OPS[m.group(1)], value))
        pos = m.end()
        if pos < len(s):
            if s[pos] != ",":
                raise ValueError(expr)
            pos += 1
    return conds


def _list(req: Request, resource: str) -> Response:
    auth = req.header("authorization") or ""
    if auth != f"Klaviyo-API-Key {settings.KLAVIYO_API_KEY}":
        return _errors(401, "not_authenticated", "Authentication credentials were not provided.",
                       "Missing or invalid private key.")
    if not req.header("revision"):
        return _errors(400, "invalid", "Invalid input.", "Missing required header 'revision'.",
                       {"header": "revision"})
    records = req.store.klaviyo[resource]
    try:
        conds = parse_filter(req.q("filter"), resource) if req.q("filter") else []
    except ValueError:
        return _errors(400, "invalid", "Invalid input.", f"Invalid filter provided: {req.q('filter')}",
                       {"parameter": "filter"})
    sort = req.q("sort") or ""
    rows = [r for r in records if all(op(get(r), value) for get, op, value in conds)]
    if sort.lstrip("-") in ("datetime", "timestamp") and resource == "events":
        rows.sort(key=lambda r: (r["attributes"]["datetime"], r["id"]), reverse=sort.startswith("-"))
    elif sort.lstrip("-") in ("created", "updated", "id") and resource == "profiles":
        f = sort.lstrip("-")
        rows.sort(key=lambda r: (r["id"] if f == "id" else r["attributes"][f], r["id"]), reverse=sort.startswith("-"))
    elif sort:
        return _errors(400, "invalid", "Invalid input.", f"'{sort}' is not a valid sort field", {"parameter": "sort"})
    try:
        size = int(req.q("page[size]") or settings.KLAVIYO_DEFAULT_PAGE_SIZE[resource])
        if not 1 <= size <= MAX_SIZE[resource]:
            raise ValueError
        offset = int(cursors.decode(req.q("page[cursor]"))["o"]) if req.q("page[cursor]") else 0
    except (ValueError, KeyError, TypeError, cursors.BadCursor):
        return _errors(400, "invalid", "Invalid input.", "Invalid page[size] or page[cursor].",
                       {"parameter": "page"})
    page = rows[offset: offset + size]
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
