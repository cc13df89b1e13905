"""First-party tracking events (Segment-style `page` / `track` / `identify`).

Args of `tracking_source`:
    base_url: the tracking API host; the sandbox sets its own.
    write_key: the API key (`Authorization: Bearer`, secret).
    start_date: first `receivedAt` loaded on the first run.
    end_date: optional exclusive upper bound of `receivedAt`: the source then reads the fixed window
        [start_date, end_date) and leaves the incremental state alone (a backfill).

Events load by `receivedAt` (when the collector got them), not by `timestamp` (when they happened):
an event delivered three days late still arrives after the cursor and is loaded. They merge on
`message_id`, so a re-delivered event is stored once.
"""

from collections.abc import Iterator
from datetime import timedelta

import dlt

from ingestion.common.http import ApiClient
from ingestion.common.quarantine import rejected
from ingestion.common.schema import check_key_types
from ingestion.common.validation import as_iso, to_utc

from .helpers import fetch_events, shape_event
from .settings import EVENT_COLUMNS


@dlt.source(name="tracking")
def tracking_source(
    base_url: str = dlt.config.value,
    write_key: str = dlt.secrets.value,
    start_date: str = "2026-01-01",
    end_date: str | None = None,
):
    client = ApiClient("tracking", base_url, {"Authorization": f"Bearer {write_key}"})
    initial = to_utc(start_date)
    end = to_utc(end_date) if end_date else None

    @dlt.resource(
        name="events",
        primary_key="message_id",
        write_disposition="merge",
        columns=EVENT_COLUMNS,
    )
    def events(
        received_at=dlt.sources.incremental(
            "received_at", initial_value=initial, end_value=end, on_cursor_value_missing="include"
        ),
    ) -> Iterator[dict]:
        # The API's `received_after` is exclusive: step back a millisecond so an event received exactly
        # at the cursor (or at a backfill window's start) is read; dlt drops the ones already loaded.
        after = to_utc(as_iso(received_at.last_value)) - timedelta(milliseconds=1)
        for page in fetch_events(client, as_iso(after), as_iso(end) if end else None):
            for event in page:
                check_key_types(event, {"messageId": str}, "tracking", "events")
                clean, reason = shape_event(event)
                yield clean if clean else rejected("events", reason, event)

    return events
