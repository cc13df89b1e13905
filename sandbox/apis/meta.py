"""Meta Marketing API: GET /{version}/act_{id}/insights (level=ad, time_increment=1, cursor paging)."""

from __future__ import annotations

import json

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response, as_int, request_id

ENDPOINT = "meta"
LEVEL_KEYS = {
    "account": ("account_id",),
    "campaign": ("account_id", "campaign_id"),
    "adset": ("account_id", "campaign_id", "group_id"),
    "ad": ("account_id", "campaign_id", "group_id", "ad_id"),
}
DIM_FIELDS = {
    "account_id": "account_id",
    "campaign_id": "campaign_id",
    "campaign_name": "campaign_name",
    "adset_id": "group_id",
    "adset_name": "group_name",
    "ad_id": "ad_id",
    "ad_name": "ad_name",
}
LEVEL_DIMS = {
    "account": {"account_id"},
    "campaign": {"account_id", "campaign_id", "campaign_name"},
    "adset": {"account_id", "campaign_id", "campaign_name", "adset_id", "adset_name"},
    "ad": set(DIM_FIELDS),
}
METRIC_FIELDS = {
    "spend",
    "impressions",
    "clicks",
    "inline_link_clicks",
    "ctr",
    "cpc",
    "cpm",
    "actions",
    "action_values",
    "purchase_roas",
}
OTHER_FIELDS = {"account_currency", "account_name", "date_start", "date_stop"}
DEFAULT_FIELDS = ["account_id", "campaign_id", "adset_id", "ad_id", "spend", "impressions", "clicks"]


def _error(
    status: int, message: str, code: int, etype: str = "OAuthException", subcode: int | None = None
) -> Response:
    err = {"message": message, "type": etype, "code": code, "fbtrace_id": request_id("A")}
    if subcode:
        err["error_subcode"] = subcode
    return Response(status, {"error": err})


def fault_error(status: int) -> Response:
    if status == 429:
        return _error(
            429,
            "(#80004) There have been too many calls to this ad-account. Wait a bit and try again.",
            80004,
            subcode=2446079,
        )
    return _error(
        500, "An unexpected error has occurred. Please retry your request later.", 2, "OAuthException"
    )


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _render(rows: list[dict], fields: list[str], level: str, account: str) -> dict:
    first, last = rows[0], rows[-1]
    spend = round(sum(r["spend"] for r in rows), 2)
    imps = sum(r["impressions"] for r in rows)
    clicks = sum(r["clicks"] for r in rows)
    conv = sum(r["conversions"] for r in rows)
    value = round(sum(r["conversion_value"] for r in rows), 2)
    out: dict = {}
    for f in fields:
        if f in DIM_FIELDS:
            out[f] = first[DIM_FIELDS[f]]
        elif f == "account_currency":
            out[f] = first["currency"]
        elif f == "account_name":
            out[f] = f"touchpath Meta {account}"
        elif f == "spend":
            out[f] = _fmt(spend)
        elif f == "impressions":
            out[f] = str(imps)
        elif f in ("clicks", "inline_link_clicks"):
            out[f] = str(clicks)
        elif f == "ctr":
            out[f] = f"{(100 * clicks / imps) if imps else 0:.6f}"
        elif f == "cpc" and clicks:
            out[f] = f"{spend / clicks:.6f}"
        elif f == "cpm" and imps:
            out[f] = f"{1000 * spend / imps:.6f}"
        elif f == "actions":
            acts = [
                ("link_click", clicks),
                ("purchase", conv),
                ("offsite_conversion.fb_pixel_purchase", conv),
                ("omni_purchase", conv),
            ]
            acts = [{"action_type": t, "value": str(v)} for t, v in acts if v]
            if acts:  # the real API omits the field when there is nothing to report
                out[f] = acts
        elif f == "action_values" and conv:
            out[f] = [
                {"action_type": t, "value": _fmt(value)}
                for t in ("purchase", "offsite_conversion.fb_pixel_purchase", "omni_purchase")
            ]
        elif f == "purchase_roas" and conv and spend:
            out[f] = [{"action_type": "omni_purchase", "value": f"{value / spend:.6f}"}]
    out["date_start"] = first["date"]
    out["date_stop"] = last["date"]
    return out


def _group(rows: list[dict], account: str, level: str, increment: str, since: str, until: str):
    """({(date?, ids...): ad rows}, the group keys in order) of one account's report."""
    keys = LEVEL_KEYS[level]
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["account_id"] == account and since <= r["date"] <= until:
            k = ((r["date"],) if increment == "1" else ()) + tuple(r[x] or "" for x in keys)
            groups.setdefault(k, []).append(r)
    return groups, sorted(groups)  # (date, ids...) - deterministic


def insights(req: Request) -> Response:
    token = req.q("access_token") or req.bearer()
    if token != settings.META_ACCESS_TOKEN:
        return _error(400, "Invalid OAuth access token - Cannot parse access token", 190)
    account = req.match[1]
    if account not in settings.META_ACCOUNT_IDS:
        return _error(
            400,
            f"Unsupported get request. Object with ID 'act_{account}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            100,
            "GraphMethodException",
            33,
        )
    level = req.q("level", "ad")
    if level not in LEVEL_KEYS:
        return _error(
            400, "(#100) level must be one of the following values: ad, adset, campaign, account", 100
        )
    increment = req.q("time_increment", "all_days")
    if increment not in ("1", "all_days"):
        return _error(400, "(#100) time_increment: only 1 and all_days are supported by the sandbox", 100)
    fields = [f.strip() for f in (req.q("fields") or ",".join(DEFAULT_FIELDS)).split(",") if f.strip()]
    allowed = METRIC_FIELDS | OTHER_FIELDS | LEVEL_DIMS[level]
    bad = [f for f in fields if f not in allowed]
    if bad:
        return _error(400, f"(#100) {bad[0]} is not valid for fields param", 100)
    start, end = req.store.date_range
    if req.q("time_range"):
        try:
            tr = json.loads(req.q("time_range"))
            since, until = tr["since"], tr["until"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "(#100) param time_range must be an object with since and until", 100)
    else:
        since, until = start, end
    if since > until:
        return _error(400, "(#100) Must be a valid date range: since must be before until", 100)
    try:
        limit = as_int(req.q("limit"), settings.META_DEFAULT_LIMIT, 1, settings.META_MAX_LIMIT)
    except ValueError:
        return _error(400, "(#100) param limit must be a positive integer", 100)

    try:
        as_of = req.as_of_ms()
    except ValueError:
        return _error(400, "(#100) X-Sandbox-As-Of must be an ISO timestamp", 100)
    # grouped once per report (cached), so following a cursor costs the page, not a pass over every ad row
    groups, ordered = req.store.memo(
        ("meta", account, level, increment, since, until, as_of),
        lambda: _group(req.store.ad_rows("meta", as_of), account, level, increment, since, until),
    )
    try:
        if req.q("after"):
            offset = int(cursors.decode(req.q("after"))["o"]) + 1
        elif req.q("before"):
            offset = max(0, int(cursors.decode(req.q("before"))["o"]) - limit)
        else:
            offset = 0
    except (cursors.BadCursor, KeyError, TypeError, ValueError):
        return _error(400, "(#100) Invalid cursor", 100)
    page = ordered[offset : offset + limit]
    data = [_render(groups[k], fields, level, account) for k in page]
    body: dict = {"data": data}
    if page:
        paging: dict = {
            "cursors": {
                "before": cursors.encode({"o": offset}),
                "after": cursors.encode({"o": offset + len(page) - 1}),
            }
        }
        if offset + len(page) < len(ordered):
            paging["next"] = req.url_with(after=paging["cursors"]["after"], before=None)
        if offset > 0:
            paging["previous"] = req.url_with(before=paging["cursors"]["before"], after=None)
        body["paging"] = paging
    return Response(200, body)


ACCOUNT_FIELDS = {
    "id",
    "account_id",
    "name",
    "currency",
    "timezone_name",
    "timezone_offset_hours_utc",
    "account_status",
}


def account(req: Request) -> Response:
    """GET /{version}/act_{id}?fields=timezone_name,currency (the ad account object)."""
    token = req.q("access_token") or req.bearer()
    if token != settings.META_ACCESS_TOKEN:
        return _error(400, "Invalid OAuth access token - Cannot parse access token", 190)
    acct = next((a for a in req.store.campaigns["meta"]["accounts"] if a["account_id"] == req.match[1]), None)
    if acct is None:
        return _error(
            400,
            f"Unsupported get request. Object with ID 'act_{req.match[1]}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            100,
            "GraphMethodException",
            33,
        )
    fields = [f.strip() for f in (req.q("fields") or "id,account_id,name").split(",") if f.strip()]
    bad = [f for f in fields if f not in ACCOUNT_FIELDS]
    if bad:
        return _error(
            400, f"(#100) Tried accessing nonexisting field ({bad[0]}) on node type (AdAccount)", 100
        )
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime.fromisoformat(req.store.date_range[0] + "T12:00:00").replace(
        tzinfo=ZoneInfo(acct["timezone_name"])
    )
    values = {
        "id": f"act_{acct['account_id']}",
        "account_id": acct["account_id"],
        "name": acct["name"],
        "currency": acct["currency"],
        "timezone_name": acct["timezone_name"],
        "timezone_offset_hours_utc": start.utcoffset().total_seconds() / 3600,
        "account_status": 1,
    }
    body = {f: values[f] for f in fields}
    body["id"] = values["id"]
    return Response(200, body)


ROUTES = [
    ("GET", r"^/(v\d+\.\d+)/act_(\d+)/insights/?$", insights),
    ("GET", r"^/(v\d+\.\d+)/act_(\d+)/?$", account),
]
