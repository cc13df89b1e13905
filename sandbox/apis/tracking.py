"""First-party tracking API: GET /tracking/v1/events (events ordered by (receivedAt, messageId))."""

from __future__ import annotations

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response
from sandbox.timeutil import iso_z, parse_iso

ENDPOINT = "tracking"


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message}})


def fault_error(status: int) -> Response:
    if status == 429:
        return _error(429, "rate_limited", "Too many requests; retry after the Retry-After delay.")
    return _error(500, "internal", "Internal server error.")


def events(req: Request) -> Response:
    if req.bearer() != settings.TRACKING_WRITE_KEY:
        return _error(401, "unauthorized", "Missing or invalid bearer token.")
    try:
        limit = int(req.q("limit", str(settings.TRACKING_DEFAULT_LIMIT)))
        if not 1 <= limit <= settings.TRACKING_MAX_LIMIT:
            raise ValueError
    except ValueError:
        return _error(400, "invalid_limit", f"limit must be between 1 and {settings.TRACKING_MAX_LIMIT}.")
    store = req.store
    try:
        if req.q("cursor"):
            state = cursors.decode(req.q("cursor"))
            start = store.events_after((state["r"], state["m"]))
            before = state.get("b")
        else:
            after = req.q("received_after")
            start = store.events_after((iso_z(parse_iso(after)), "\uffff")) if after else 0
            before = iso_z(parse_iso(req.q("received_before"))) if req.q("received_before") else None
    except (cursors.BadCursor, KeyError, TypeError, ValueError):
        return _error(400, "invalid_request", "Invalid cursor or timestamp.")
    page = []
    i = start
    while i < len(store.events) and len(page) < limit:
        e = store.events[i]
        if before is not None and e["receivedAt"] >= before:
            break
        page.append(e)
        i += 1
    more = i < len(store.events) and (before is None or store.events[i]["receivedAt"] < before)
    next_cursor = None
    if page and more:
        last = page[-1]
        next_cursor = cursors.encode({"r": last["receivedAt"], "m": last["messageId"], "b": before})
    return Response(200, {"data": page, "next_cursor": next_cursor})


ROUTES = [("GET", r"^/tracking/v1/events/?$", events)]
