"""Google Ads: daily ad-level metrics through `googleAds:searchStream` (GAQL over REST).

Args of `google_ads_source`:
    customer_id: the Google Ads account (10 digits, no dashes) whose ads are read.
    developer_token: the API developer token of your manager account (`developer-token` header, secret).
    access_token: an OAuth 2.0 access token with the `https://www.googleapis.com/auth/adwords` scope
        (`Authorization: Bearer`, secret). Real users obtain it from Google's OAuth flow: exchange their
        refresh token (client id + client secret) at https://oauth2.googleapis.com/token before the run;
        it lasts about an hour. The sandbox accepts a fixed token.
    login_customer_id: the manager (MCC) account id when access goes through one (`login-customer-id`
        header); leave None when the token's user has direct access to `customer_id`.
    start_date: first day loaded on the first run (YYYY-MM-DD).
    base_url: API host; the sandbox sets its own.
    api_version: Google Ads API version in the path, e.g. v18.
    restatement_days: trailing days re-read on every run (conversions are restated for days).
    end_date: optional exclusive end day. With it the source reads the fixed window
        [start_date, end_date) and leaves the incremental state alone (a backfill); without it, it
        reads from the last loaded day minus the restatement window up to today.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import dlt

from ingestion.common.http import ApiClient
from ingestion.common.quarantine import rejected

from . import settings
from .helpers import date_windows, fetch_ad_metrics, shape_ad_metric


@dlt.source(name="google_ads")
def google_ads_source(
    customer_id: str = dlt.config.value,
    developer_token: str = dlt.secrets.value,
    access_token: str = dlt.secrets.value,
    login_customer_id: str | None = None,
    start_date: str = "2026-01-01",
    base_url: str = settings.BASE_URL,
    api_version: str = settings.API_VERSION,
    restatement_days: int = settings.RESTATEMENT_DAYS,
    end_date: str | None = None,
):
    headers = {"Authorization": f"Bearer {access_token}", "developer-token": developer_token}
    if login_customer_id:
        headers["login-customer-id"] = str(login_customer_id).replace("-", "")
    client = ApiClient("google_ads", base_url, headers)
    customer = str(customer_id).replace("-", "")
    bounded = end_date is not None
    last_day = date.fromisoformat(end_date) - timedelta(days=1) if bounded else datetime.now(UTC).date()

    @dlt.resource(
        name="ad_metrics",
        primary_key=("customer_id", "ad_id", "date"),
        write_disposition="merge",
        columns={
            "spend": {"data_type": "decimal", "precision": 18, "scale": 6},
            "cost_micros": {"data_type": "bigint"},
            "conversions": {"data_type": "decimal", "precision": 18, "scale": 4},
            "conversions_value": {"data_type": "decimal", "precision": 18, "scale": 4},
            "date": {"data_type": "date"},
        },
    )
    def ad_metrics() -> Iterator[dict]:
        # State: the last day loaded per customer, committed by dlt together with the rows, so a
        # failed run leaves it where it was and the next run re-reads the same days.
        state = dlt.current.resource_state().setdefault("last_day", {})
        loaded = None if bounded else state.get(customer)
        since = date.fromisoformat(start_date)
        if loaded:
            since = max(since, date.fromisoformat(loaded) - timedelta(days=restatement_days - 1))
        for window_start, window_end in date_windows(since, last_day):
            for row in fetch_ad_metrics(client, api_version, customer, window_start, window_end):
                clean, reason = shape_ad_metric(row, customer)
                yield clean if clean else rejected("ad_metrics", reason, row)
        if not bounded:
            state[customer] = last_day.isoformat()

    return ad_metrics
