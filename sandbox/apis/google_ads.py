"""Google Ads API (REST): POST /{version}/customers/{id}/googleAds:searchStream and :search with a GAQL subset."""

from __future__ import annotations

import re

from sandbox import cursors, settings
from sandbox.apis.common import Request, Response, request_id

ENDPOINT = "google_ads"

# GAQL field -> (JSON path in camelCase, getter(row, customer_id))
FIELDS = {
    "customer.id": (("customer", "id"), lambda r, c: c),
    "customer.currency_code": (("customer", "currencyCode"), lambda r, c: r["currency"]),
    "customer.descriptive_name": (("customer", "descriptiveName"), lambda r, c: "touchpath Google Ads"),
    "customer.time_zone": (("customer", "timeZone"), lambda r, c: r.get("timezone", "Etc/UTC")),
    "campaign.id": (("campaign", "id"), lambda r, c: r["campaign_id"]),
    "campaign.name": (("campaign", "name"), lambda r, c: r["campaign_name"]),
    "campaign.status": (("campaign", "status"), lambda r, c: "ENABLED"),
    "campaign.resource_name": (
        ("campaign", "resourceName"),
        lambda r, c: f"customers/{c}/campaigns/{r['campaign_id']}",
    ),
    "ad_group.id": (("adGroup", "id"), lambda r, c: r["group_id"]),
    "ad_group.name": (("adGroup", "name"), lambda r, c: r["group_name"]),
    "ad_group.status": (("adGroup", "status"), lambda r, c: "ENABLED"),
    "ad_group.resource_name": (
        ("adGroup", "resourceName"),
        lambda r, c: f"customers/{c}/adGroups/{r['group_id']}",
    ),
    "ad_group_ad.ad.id": (("adGroupAd", "ad", "id"), lambda r, c: r["ad_id"]),
    "ad_group_ad.ad.name": (("adGroupAd", "ad", "name"), lambda r, c: r["ad_name"]),
    "ad_group_ad.status": (("adGroupAd", "status"), lambda r, c: "ENABLED"),
    "ad_group_ad.resource_name": (
        ("adGroupAd", "resourceName"),
        lambda r, c: f"customers/{c}/adGroupAds/{r['group_id']}~{r['ad_id']}",
    ),
    "segments.date": (("segments", "date"), lambda r, c: r["date"]),
    "metrics.cost_micros": (("metrics", "costMicros"), lambda r, c: str(int(round(r["spend"] * 1_000_000)))),
    "metrics.impressions": (("metrics", "impressions"), lambda r, c: str(r["impressions"])),
    "metrics.clicks": (("metrics", "clicks"), lambda r, c: str(r["clicks"])),
    "metrics.conversions": (("metrics", "conversions"), lambda r, c: float(r["conversions"])),
    "metrics.conversions_value": (("metrics", "conversionsValue"), lambda r, c: float(r["conversion_value"])),
    "metrics.all_conversions": (("metrics", "allConversions"), lambda r, c: float(r["conversions"])),
    "metrics.ctr": (
        ("metrics", "ctr"),
        lambda r, c: r["clicks"] / r["impressions"] if r["impressions"] else 0.0,
    ),
    "metrics.average_cpc": (
        ("metrics", "averageCpc"),
        lambda r, c: r["spend"] * 1_000_000 / r["clicks"] if r["clicks"] else 0.0,
    ),
}
RESOURCE_NAMES = {
    "customer": lambda r, c: f"customers/{c}",
    "campaign": lambda r, c: f"customers/{c}/campaigns/{r['campaign_id']}",
    "adGroup": lambda r, c: f"customers/{c}/adGroups/{r['group_id']}",
    "adGroupAd": lambda r, c: f"customers/{c}/adGroupAds/{r['group_id']}~{r['ad_id']}",
}
NUMERIC = {
    "campaign.id",
    "ad_group.id",
    "ad_group_ad.ad.id",
    "customer.id",
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
    "metrics.conversions",
    "metrics.conversions_value",
}


class GaqlError(ValueError):
    def __init__(self, message: str, code: dict):
        super().__init__(message)
        self.code = code


def _error(status: int, message: str, rpc_status: str, error_code: dict | None = None) -> Response:
    err: dict = {"code": status, "message": message, "status": rpc_status}
    if error_code:
        err["details"] = [
            {
                "@type": f"type.googleapis.com/google.ads.googleads.{settings.GOOGLE_ADS_API_VERSION}"
                ".errors.GoogleAdsFailure",
                "errors": [{"errorCode": error_code, "message": message}],
                "requestId": request_id("g"),
            }
        ]
    return Response(status, {"error": err})


def fault_error(status: int) -> Response:
    if status == 429:
        return _error(
            429,
            "Resource has been exhausted (e.g. check quota).",
            "RESOURCE_EXHAUSTED",
            {"quotaError": "RESOURCE_EXHAUSTED"},
        )
    return _error(500, "Internal error encountered.", "INTERNAL", {"internalError": "INTERNAL_ERROR"})


_COND = re.compile(
    r"\s*([a-z_.]+)\s+(?:(BETWEEN)\s+'([^']*)'\s+AND\s+'([^']*)'|(IN)\s*\(([^)]*)\)|"
    r"(=|!=|>=|<=|>|<)\s*('([^']*)'|\"([^\"]*)\"|[\w.-]+))\s*",
    re.I,
)


def parse_gaql(query: str) -> dict:
    q = " ".join(query.split())
    m = re.match(
        r"^SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(.+?))?"
        r"(?:\s+LIMIT\s+(\d+))?(?:\s+PARAMETERS\s+.+)?$",
        q,
        re.I,
    )
    if not m:
        raise GaqlError("Error in query: unexpected input.", {"queryError": "UNEXPECTED_INPUT"})
    select = [f.strip() for f in m.group(1).split(",")]
    if m.group(2) != "ad_group_ad":
        raise GaqlError(
            f"Sandbox supports FROM ad_group_ad only, got '{m.group(2)}'.",
            {"queryError": "INVALID_RESOURCE_NAME"},
        )
    for f in select:
        if f not in FIELDS:
            raise GaqlError(f"Unrecognized field in the query: '{f}'.", {"queryError": "UNRECOGNIZED_FIELD"})
    conds = []
    where = m.group(3) or ""
    pos = 0
    while pos < len(where):
        c = _COND.match(where, pos)
        if not c:
            raise GaqlError(
                f"Error in query: unexpected input '{where[pos:]}'.", {"queryError": "UNEXPECTED_INPUT"}
            )
        field = c.group(1)
        if field not in FIELDS:
            raise GaqlError(
                f"Unrecognized field in the query: '{field}'.", {"queryError": "UNRECOGNIZED_FIELD"}
            )
        if c.group(2):
            conds.append((field, ">=", c.group(3)))
            conds.append((field, "<=", c.group(4)))
        elif c.group(5):
            conds.append((field, "IN", [v.strip().strip("'\"") for v in c.group(6).split(",")]))
        else:
            val = (
                c.group(9)
                if c.group(9) is not None
                else c.group(10)
                if c.group(10) is not None
                else c.group(8)
            )
            conds.append((field, c.group(7), val))
        pos = c.end()
        a = re.match(r"AND\s+", where[pos:], re.I)
        if a:
            pos += a.end()
        elif pos < len(where):
            raise GaqlError("Error in query: expected AND.", {"queryError": "UNEXPECTED_INPUT"})
    if "segments.date" in select and not any(f == "segments.date" for f, _, _ in conds):
        raise GaqlError(
            "Filters on segments.date are required when it is selected: a finite date range.",
            {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"},
        )
    order = []
    for part in filter(None, (p.strip() for p in (m.group(4) or "").split(","))):
        bits = part.split()
        if bits[0] not in FIELDS:
            raise GaqlError(
                f"Unrecognized field in ORDER BY: '{bits[0]}'.", {"queryError": "UNRECOGNIZED_FIELD"}
            )
        order.append((bits[0], len(bits) > 1 and bits[1].upper() == "DESC"))
    return {
        "select": select,
        "conds": conds,
        "order": order,
        "limit": int(m.group(5)) if m.group(5) else None,
    }


def _value(field: str, row: dict, cid: str):
    v = FIELDS[field][1](row, cid)
    if v is None:  # malformed rows (missing ad id) still filter and sort
        return -1.0 if field in NUMERIC else ""
    return float(v) if field in NUMERIC else v


def _match(op: str, left, right) -> bool:
    if op == "IN":
        return left in right
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        "<": left < right,
        ">=": left >= right,
        "<=": left <= right,
    }[op]


def run_query(parsed: dict, rows: list[dict], cid: str) -> list[dict]:
    def keep(r: dict) -> bool:
        for field, op, val in parsed["conds"]:
            left = _value(field, r, cid)
            right = [float(v) for v in val] if op == "IN" and field in NUMERIC else val
            if field in NUMERIC and op != "IN":
                right = float(val)
            if not _match(op, left, right):
                return False
        return True

    selected = [r for r in rows if keep(r)]
    for field, desc in reversed(parsed["order"]):
        selected.sort(key=lambda r, f=field: _value(f, r, cid), reverse=desc)
    if parsed["limit"] is not None:
        selected = selected[: parsed["limit"]]
    out = []
    for r in selected:
        res: dict = {}
        for field in parsed["select"]:
            path, getter = FIELDS[field]
            node = res
            for key in path[:-1]:
                if key not in node:
                    node[key] = {}
                    if key in RESOURCE_NAMES:
                        node[key]["resourceName"] = RESOURCE_NAMES[key](r, cid)
                node = node[key]
            node[path[-1]] = getter(r, cid)
        out.append(res)
    return out


def field_mask(select: list[str]) -> str:
    return ",".join(".".join(FIELDS[f][0]) for f in select)


def _auth(req: Request) -> Response | None:
    if req.bearer() != settings.GOOGLE_ADS_ACCESS_TOKEN:
        return _error(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
            "UNAUTHENTICATED",
            {"authenticationError": "OAUTH_TOKEN_INVALID"},
        )
    if req.header("developer-token") != settings.GOOGLE_ADS_DEVELOPER_TOKEN:
        return _error(
            401,
            "The developer token is not valid.",
            "UNAUTHENTICATED",
            {
                "authenticationError": "DEVELOPER_TOKEN_INVALID"
                if req.header("developer-token")
                else "DEVELOPER_TOKEN_PARAMETER_MISSING"
            },
        )
    if req.match[1] != settings.GOOGLE_ADS_CUSTOMER_ID:
        return _error(
            403,
            "The caller does not have permission",
            "PERMISSION_DENIED",
            {"authorizationError": "USER_PERMISSION_DENIED"},
        )
    return None


def _parse(req: Request) -> tuple[dict | None, dict | None, Response | None]:
    try:
        body = req.json() or {}
        parsed = parse_gaql(body["query"])
    except GaqlError as e:
        return None, None, _error(400, "Request contains an invalid argument.", "INVALID_ARGUMENT", e.code)
    except (ValueError, KeyError, TypeError):
        return (
            None,
            None,
            _error(
                400, "Invalid JSON payload received.", "INVALID_ARGUMENT", {"requestError": "BAD_REQUEST"}
            ),
        )
    return body, parsed, None


def search_stream(req: Request) -> Response:
    err = _auth(req)
    if err:
        return err
    _, parsed, err = _parse(req)
    if err:
        return err
    results = run_query(parsed, req.store.ad_rows("google_ads", req.as_of_ms()), req.match[1])
    size = int(req.options["google_stream_batch"])
    mask, rid = field_mask(parsed["select"]), request_id("g")
    batches = [
        {"results": results[i : i + size], "fieldMask": mask, "requestId": rid}
        for i in range(0, len(results), size)
    ] or [{"fieldMask": mask, "requestId": rid}]
    return Response(200, batches, {"request-id": rid})


def search(req: Request) -> Response:
    err = _auth(req)
    if err:
        return err
    body, parsed, err = _parse(req)
    if err:
        return err
    if body.get("pageSize"):
        return _error(
            400,
            "Setting the page size is not supported.",
            "INVALID_ARGUMENT",
            {"requestError": "PAGE_SIZE_NOT_SUPPORTED"},
        )
    as_of = req.as_of_ms()
    # the query runs once (cached); the following pageTokens slice its result
    results = req.store.memo(
        ("google_ads", body["query"], req.match[1], as_of),
        lambda: run_query(parsed, req.store.ad_rows("google_ads", as_of), req.match[1]),
    )
    size = int(req.options["google_page_size"])
    try:
        offset = int(cursors.decode(body["pageToken"])["o"]) if body.get("pageToken") else 0
    except (cursors.BadCursor, KeyError, TypeError, ValueError):
        return _error(
            400, "Page token is not valid.", "INVALID_ARGUMENT", {"requestError": "INVALID_PAGE_TOKEN"}
        )
    out: dict = {"results": results[offset : offset + size], "fieldMask": field_mask(parsed["select"])}
    if offset + size < len(results):
        out["nextPageToken"] = cursors.encode({"o": offset + size})
    if body.get("returnTotalResultsCount"):
        out["totalResultsCount"] = str(len(results))
    return Response(200, out)


ROUTES = [
    ("POST", r"^/(v\d+)/customers/(\d+)/googleAds:searchStream$", search_stream),
    ("POST", r"^/(v\d+)/customers/(\d+)/googleAds:search$", search),
]
