"""TikTok Ads: daily ad-level metrics from the API for Business synchronous report (v1.3).

Args of `tiktok_ads_source`:
    advertiser_ids: advertiser account ids the token may read (a single id is accepted too).
    access_token: a long-lived advertiser access token from TikTok's OAuth flow (`Access-Token`
        header, secret).
    start_date: first day loaded on the first run (YYYY-MM-DD).
    base_url: API host; the sandbox sets its own.
    api_version: API version in the path, e.g. v1.3.
    restatement_days: trailing days re-read on every run (TikTok restates conversions).
    end_date: optional exclusive end day. With it the source reads the fixed window
        [start_date, end_date) and leaves the incremental state alone (a backfill); without it, it
        reads from the last loaded day minus the restatement window up to today.
    page_size: rows per report page (1..1000).
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import dlt

from ingestion.common.http import ApiClient
from ingestion.common.quarantine import rejected

from . import settings
from .helpers import date_windows, fetch_report, shape_report_row


@dlt.source(name="tiktok_ads")
def tiktok_ads_source(
    advertiser_ids: list[str] = dlt.config.value,
    access_token: str = dlt.secrets.value,
    start_date: str = "2026-01-01",
    base_url: str = settings.BASE_URL,
    api_version: str = settings.API_VERSION,
    restatement_days: int = settings.RESTATEMENT_DAYS,
    end_date: str | None = None,
    page_size: int = settings.PAGE_SIZE,
):
    client = ApiClient("tiktok_ads", base_url, {"Access-Token": access_token})
    bounded = end_date is not None
    last_day = date.fromisoformat(end_date) - timedelta(days=1) if bounded else datetime.now(UTC).date()
    accounts = [advertiser_ids] if isinstance(advertiser_ids, str | int) else list(advertiser_ids)

    @dlt.resource(
        name="report",
        primary_key=("advertiser_id", "ad_id", "stat_day"),
        write_disposition="merge",
        columns={
            "spend": {"data_type": "decimal", "precision": 18, "scale": 4},
            "conversion": {"data_type": "decimal", "precision": 18, "scale": 4},
            "complete_payment": {"data_type": "decimal", "precision": 18, "scale": 4},
            "complete_payment_value": {"data_type": "decimal", "precision": 18, "scale": 4},
            "stat_day": {"data_type": "date"},
        },
    )
    def report() -> Iterator[dict]:
        # State: the last day loaded per advertiser, committed by dlt with the rows (not on failure).
        state = dlt.current.resource_state().setdefault("last_day", {})
        for advertiser_id in accounts:
            advertiser_id = str(advertiser_id)
            loaded = None if bounded else state.get(advertiser_id)
            since = date.fromisoformat(start_date)
            if loaded:
                since = max(since, date.fromisoformat(loaded) - timedelta(days=restatement_days - 1))
            for window_start, window_end in date_windows(since, last_day):
                for row in fetch_report(client, api_version, advertiser_id, window_start, window_end, page_size):
                    clean, reason = shape_report_row(row, advertiser_id)
                    yield clean if clean else rejected("report", reason, row)
            if not bounded:
                state[advertiser_id] = last_day.isoformat()

    return report
