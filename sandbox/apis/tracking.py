"""First-party tracking API: GET /tracking/v1/events (events ordered by (receivedAt, messageId))."""

from __future__ import annotations

import json

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


def _start(req: Request) -> tuple[tuple[str, str] | None, str | None]:
    """(key after which the page starts, receivedAt bound) of a request: from its cursor or its params."""
    if req.q("cursor"):
        state = cursors.decode(req.q("cursor"))
        after, before = (state["r"], state["m"]), state.get("b")
        if not all(isinstance(x, str) for x in after) or not isinstance(before, str | None):
            raise TypeError("cursor")
        return after, before
    received_after = req.q("received_after")
    after = (iso_z(parse_iso(received_after)), "\uffff") if received_after else None  # exclusive
    before = iso_z(parse_iso(req.q("received_before"))) if req.q("received_before") else None
    return after, before


def events(req: Request) -> Response:
    if req.bearer() != settings.TRACKING_WRITE_KEY:
        return _error(401, "unauthorized", "Missing or invalid bearer token.")
    try:
        limit = int(req.q("limit", str(settings.TRACKING_DEFAULT_LIMIT)))
        if not 1 <= limit <= settings.TRACKING_MAX_LIMIT:
            raise ValueError
    except ValueError:
        return _error(400, "invalid_limit", f"limit must be between 1 and {settings.TRACKING_MAX_LIMIT}.")
    try:
        after, before = _start(req)
    except (cursors.BadCursor, KeyError, TypeError, ValueError):
        return _error(400, "invalid_request", "Invalid cursor or timestamp.")
    lines, last, more = req.store.tracking.page(after, before, limit)
    next_cursor = None
    if lines and more:
        next_cursor = cursors.encode({"r": last[0], "m": last[1], "b": before})
    # the events are spliced in as stored (compact JSON lines): no parse and re-encode per page
    body = b'{"data":[' + b",".join(lines) + b'],"next_cursor":' + json.dumps(next_cursor).encode() + b"}"
    return Response(200, body)


ROUTES = [("GET", r"^/tracking/v1/events/?$", events)]
