"""Page/page_size paging, `code` checking and record shaping for TikTok ad × day reports."""

import json
import logging
import time
from collections.abc import Iterator
from datetime import date, timedelta

from ingestion.common.http import ApiClient, SourceFetchError
from ingestion.common.validation import KNOWN_CURRENCIES, first_problem, parse_amount, parse_day

from .settings import DATA_LEVEL, DIMENSIONS, METRICS, REPORT_PATH, REPORT_TYPE, RETRYABLE_CODES, WINDOW_DAYS

log = logging.getLogger(__name__)


def date_windows(since: date, until: date, days: int = WINDOW_DAYS) -> Iterator[tuple[date, date]]:
    start = since
    while start <= until:
        end = min(start + timedelta(days=days - 1), until)
        yield start, end
        start = end + timedelta(days=1)


def get_report_page(client: ApiClient, path: str, params: dict, page_label: str) -> dict:
    """The `data` of one report page. TikTok answers most errors with HTTP 200 and a non-zero `code`.

    HTTP-level failures (429, 5xx, timeouts, broken JSON) are retried by the ApiClient; rate-limit and
    system-error codes inside a 200 body are retried here with the same attempts and backoff. Any other
    non-zero code (bad token, no permission, bad parameter) fails at once.
    """
    for attempt in range(1, client.max_attempts + 1):
        body, _ = client.get(path, page=page_label, params=params)
        code = body.get("code") if isinstance(body, dict) else None
        if code == 0:
            return body.get("data") or {}
        problem = f"code {code}: {body.get('message') if isinstance(body, dict) else body!r}"
        if code not in RETRYABLE_CODES:
            raise SourceFetchError(f"tiktok_ads: GET {path} (page {page_label}) was refused with {problem}")
        if attempt < client.max_attempts:
            wait = client.backoff * (2 ** (attempt - 1))
            log.warning("tiktok_ads: GET %s (page %s) %s; retrying in %.1fs", path, page_label, problem, wait)
            time.sleep(wait)
    raise SourceFetchError(
        f"tiktok_ads: GET {path} (page {page_label}) still failing after {client.max_attempts} attempts: {problem}"
    )


def fetch_report(
    client: ApiClient, version: str, advertiser_id: str, since: date, until: date, page_size: int
) -> Iterator[dict]:
    """All ad × day rows of one advertiser for [since, until], page by page until `total_page`."""
    path = REPORT_PATH.format(version=version)
    params = {
        "advertiser_id": advertiser_id,
        "report_type": REPORT_TYPE,
        "data_level": DATA_LEVEL,
        "dimensions": json.dumps(list(DIMENSIONS)),
        "metrics": json.dumps(list(METRICS)),
        "start_date": since.isoformat(),
        "end_date": until.isoformat(),
        "page_size": page_size,
    }
    page = 1
    while True:
        data = get_report_page(
            client, path, {**params, "page": page}, f"{page} of advertiser {advertiser_id} {since}..{until}"
        )
        yield from data.get("list") or []
        total_pages = int((data.get("page_info") or {}).get("total_page") or 0)
        if page >= total_pages:
            return
        page += 1


def shape_report_row(row: dict, advertiser_id: str) -> tuple[dict | None, str | None]:
    """(clean row, None) or (None, reason) for one `data.list[]` entry (`dimensions` + `metrics`)."""
    dims = row.get("dimensions") or {}
    metrics = row.get("metrics") or {}
    spend = parse_amount(metrics.get("spend", "0"))
    impressions = parse_amount(metrics.get("impressions", "0"))
    clicks = parse_amount(metrics.get("clicks", "0"))
    conversion = parse_amount(metrics.get("conversion", "0"))
    payments = parse_amount(metrics.get("complete_payment", "0"))
    payment_value = parse_amount(metrics.get("total_complete_payment_rate", "0"))
    reason = first_problem(
        [
            (bool(dims.get("ad_id")), "missing ad_id"),
            (parse_day(dims.get("stat_time_day")) is not None, "unparseable stat_time_day"),
            (spend is not None, "unparseable spend"),
            (spend is None or spend >= 0, "negative spend"),
            (impressions is not None and impressions >= 0, "bad impressions"),
            (clicks is not None and clicks >= 0, "bad clicks"),
            (conversion is not None and conversion >= 0, "bad conversion"),
            (payments is not None and payments >= 0, "bad complete_payment"),
            (payment_value is not None and payment_value >= 0, "bad total_complete_payment_rate"),
            (metrics.get("currency") in KNOWN_CURRENCIES, "unknown currency"),
        ]
    )
    if reason:
        return None, reason
    return {
        "advertiser_id": str(advertiser_id),
        "campaign_id": _text(metrics.get("campaign_id")),
        "campaign_name": metrics.get("campaign_name"),
        "adgroup_id": _text(metrics.get("adgroup_id")),
        "adgroup_name": metrics.get("adgroup_name"),
        "ad_id": str(dims["ad_id"]),
        "ad_name": metrics.get("ad_name"),
        "stat_day": str(dims["stat_time_day"])[:10],
        "currency": metrics["currency"],
        "spend": spend,
        "impressions": int(impressions),
        "clicks": int(clicks),
        "conversion": conversion,
        "complete_payment": payments,
        "complete_payment_value": payment_value,
    }, None


def _text(value: object) -> str | None:
    return None if value in (None, "", "-") else str(value)
