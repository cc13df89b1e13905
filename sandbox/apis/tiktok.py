"""TikTok Business API: GET /open_api/v1.3/report/integrated/get/ (page / page_size paging)."""

from __future__ import annotations

import json
from datetime import date

from sandbox import settings
from sandbox.apis.common import Request, Response, request_id

ENDPOINT = "tiktok"
METRICS = {
    "spend": lambda a: f"{a['spend']:.2f}",
    "impressions": lambda a: str(a["impressions"]),
    "clicks": lambda a: str(a["clicks"]),
    "ctr": lambda a: f"{100 * a['clicks'] / a['impressions'] if a['impressions'] else 0:.2f}",
    "cpc": lambda a: f"{a['spend'] / a['clicks'] if a['clicks'] else 0:.2f}",
    "cpm": lambda a: f"{1000 * a['spend'] / a['impressions'] if a['impressions'] else 0:.2f}",
    "conversion": lambda a: str(a["conversions"]),
    "cost_per_conversion": lambda a: f"{a['spend'] / a['conversions'] if a['conversions'] else 0:.2f}",
    "complete_payment": lambda a: str(a["conversions"]),
    "total_complete_payment_rate": lambda a: (
        f"{a['conversion_value']:.2f}"
    ),  # value of payments (TikTok's name)
    "currency": lambda a: a["currency"],
    "campaign_id": lambda a: a["campaign_id"],
    "campaign_name": lambda a: a["campaign_name"],
    "adgroup_id": lambda a: a["group_id"],
    "adgroup_name": lambda a: a["group_name"],
    "ad_name": lambda a: a["ad_name"],
}
DIMENSIONS = {"ad_id", "stat_time_day"}


def _body(code: int, message: str, data: dict | None = None) -> dict:
    return {"code": code, "message": message, "request_id": request_id("2026"), "data": data or {}}


def fault_error(status: int) -> Response:
    if status == 429:
        return Response(429, _body(51021, "Too many requests. Please retry in some time."))
    return Response(500, _body(50000, "System error. Please try again later."))


def _bad(message: str) -> Response:
    return Response(200, _body(40002, message))


def _aggregate(rows: list[dict], start: str, end: str, daily: bool):
    """({(date?, ad id): summed row}, the keys in order) of the report's date range."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        if start <= r["date"] <= end:
            key = (r["date"], r["ad_id"] or "") if daily else (r["ad_id"] or "",)
            g = groups.get(key)
            if g is None:
                groups[key] = dict(r)
            else:
                for f in ("spend", "impressions", "clicks", "conversions", "conversion_value"):
                    g[f] = round(g[f] + r[f], 2) if isinstance(r[f], float) else g[f] + r[f]
    return groups, sorted(groups)


def report(req: Request) -> Response:
    if req.header("access-token") != settings.TIKTOK_ACCESS_TOKEN:
        return Response(200, _body(40105, "Access token is incorrect or has been revoked."))
    adv = req.q("advertiser_id")
    if not adv:
        return _bad("advertiser_id: Missing data for required field.")
    if adv != settings.TIKTOK_ADVERTISER_ID:
        return Response(200, _body(40001, f"No permission to operate advertiser {adv}."))
    if req.q("report_type", "BASIC") != "BASIC":
        return _bad("report_type: sandbox supports BASIC only.")
    if req.q("data_level") != "AUCTION_AD":
        return _bad("data_level: sandbox supports AUCTION_AD only.")
    try:
        dims = json.loads(req.q("dimensions") or "null")
        metrics = json.loads(req.q("metrics") or '["spend","impressions","clicks"]')
    except ValueError:
        return _bad("dimensions/metrics: Not a valid JSON list.")
    if not isinstance(dims, list) or not dims or set(dims) - DIMENSIONS or "ad_id" not in dims:
        return _bad("dimensions: must be a list containing ad_id (and optionally stat_time_day).")
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        return _bad(f"metrics: Invalid metric {unknown[0]}.")
    start, end = req.q("start_date"), req.q("end_date")
    try:
        d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    except (TypeError, ValueError):
        return _bad("start_date/end_date: required, format YYYY-MM-DD.")
    if d1 < d0:
        return _bad("end_date must be later than or equal to start_date.")
    daily = "stat_time_day" in dims
    if daily and (d1 - d0).days + 1 > settings.TIKTOK_MAX_DAY_SPAN:
        return _bad(
            f"The time span between start_date and end_date cannot exceed "
            f"{settings.TIKTOK_MAX_DAY_SPAN} days when stat_time_day is a dimension."
        )
    try:
        page = int(req.q("page", "1"))
        size = int(req.q("page_size", str(settings.TIKTOK_DEFAULT_PAGE_SIZE)))
        if page < 1 or not 1 <= size <= settings.TIKTOK_MAX_PAGE_SIZE:
            raise ValueError
    except ValueError:
        return _bad(f"page must be >= 1 and page_size in [1, {settings.TIKTOK_MAX_PAGE_SIZE}].")
    as_of = req.as_of_ms()
    # aggregated once per report (cached), so each page costs the page, not a pass over every ad row
    groups, keys = req.store.memo(
        ("tiktok", start, end, daily, as_of),
        lambda: _aggregate(req.store.ad_rows("tiktok", as_of), start, end, daily),
    )
    total = len(keys)
    rows = []
    for key in keys[(page - 1) * size : page * size]:
        agg = groups[key]
        d = {"ad_id": agg["ad_id"]}
        if daily:
            d["stat_time_day"] = f"{agg['date']} 00:00:00"
        rows.append({"dimensions": d, "metrics": {m: METRICS[m](agg) for m in metrics}})
    info = {"page": page, "page_size": size, "total_number": total, "total_page": (total + size - 1) // size}
    return Response(200, _body(0, "OK", {"list": rows, "page_info": info}))


def advertiser_info(req: Request) -> Response:
    """GET /open_api/v1.3/advertiser/info/?advertiser_ids=[..] (currency and time zone of the advertiser)."""
    if req.header("access-token") != settings.TIKTOK_ACCESS_TOKEN:
        return Response(200, _body(40105, "Access token is incorrect or has been revoked."))
    try:
        ids = json.loads(req.q("advertiser_ids") or "[]")
    except ValueError:
        return _bad("advertiser_ids: Not a valid JSON list.")
    tk = req.store.campaigns["tiktok"]
    rows = [
        {
            "advertiser_id": a,
            "name": "touchpath TikTok",
            "currency": tk["currency"],
            "timezone": tk.get("timezone", "Etc/UTC"),
            "status": "STATUS_ENABLE",
        }
        for a in ids
        if a == settings.TIKTOK_ADVERTISER_ID
    ]
    return Response(200, _body(0, "OK", {"list": rows}))


ROUTES = [
    ("GET", r"^/open_api/v1\.3/report/integrated/get/?$", report),
    ("GET", r"^/open_api/v1\.3/advertiser/info/?$", advertiser_info),
]
