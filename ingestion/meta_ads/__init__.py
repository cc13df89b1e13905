"""Meta (Facebook/Instagram) Ads: daily ad-level insights from the Marketing API.

Args of `meta_ads_source`:
    account_ids: ad account ids (without the `act_` prefix).
    access_token: a system-user or long-lived user token with `ads_read` (secret).
    start_date: first day loaded on the first run (YYYY-MM-DD).
    base_url: Graph API host; the sandbox sets its own.
    api_version: Graph API version, e.g. v21.0.
    restatement_days: trailing days re-read on every run (Meta restates conversions for ~72h).
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
from .helpers import date_windows, fetch_insights, shape_insight


@dlt.source(name="meta_ads")
def meta_ads_source(
    account_ids: list[str] = dlt.config.value,
    access_token: str = dlt.secrets.value,
    start_date: str = "2026-01-01",
    base_url: str = settings.BASE_URL,
    api_version: str = settings.API_VERSION,
    restatement_days: int = settings.RESTATEMENT_DAYS,
    end_date: str | None = None,
):
    client = ApiClient("meta_ads", base_url, {"Authorization": f"Bearer {access_token}"})
    bounded = end_date is not None
    last_day = date.fromisoformat(end_date) - timedelta(days=1) if bounded else datetime.now(UTC).date()

    @dlt.resource(
        name="insights",
        primary_key=("account_id", "ad_id", "date_start"),
        write_disposition="merge",
        columns={
            "spend": {"data_type": "decimal", "precision": 18, "scale": 4},
            "platform_purchases": {"data_type": "decimal", "precision": 18, "scale": 4},
            "platform_purchase_value": {"data_type": "decimal", "precision": 18, "scale": 4},
            "actions": {"data_type": "json"},
            "action_values": {"data_type": "json"},
            "date_start": {"data_type": "date"},
            "date_stop": {"data_type": "date"},
        },
    )
    def insights() -> Iterator[dict]:
        # State: the last day loaded per account. It is committed by dlt together with the rows,
        # so a failed run leaves it where it was.
        state = dlt.current.resource_state().setdefault("last_day", {})
        for account_id in account_ids:
            account_id = str(account_id).removeprefix("act_")
            loaded = None if bounded else state.get(account_id)
            since = date.fromisoformat(start_date)
            if loaded:
                since = max(since, date.fromisoformat(loaded) - timedelta(days=restatement_days - 1))
            for window_start, window_end in date_windows(since, last_day):
                for row in fetch_insights(client, api_version, account_id, window_start, window_end):
                    clean, reason = shape_insight(row)
                    yield clean if clean else rejected("insights", reason, row)
            if not bounded:
                state[account_id] = last_day.isoformat()

    return insights
