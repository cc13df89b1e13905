"""Klaviyo: email / SMS engagement events and the profiles they belong to (JSON:API).

Args of `klaviyo_source`:
    api_key: a private API key with `events:read`, `metrics:read` and `profiles:read`
        (`Authorization: Klaviyo-API-Key ...`, secret).
    start_date: first `datetime` (events) / `updated` (profiles) loaded on the first run.
    end_date: optional exclusive end (day or timestamp). With it the source reads the fixed window
        [start_date, end_date) and leaves the incremental state alone (a backfill).
    base_url: API host; the sandbox sets its own.
    revision: the dated API revision sent in the `revision` header, e.g. 2024-10-15.
    events_page_size: events per page (1..200).
    profiles_page_size: profiles per page (1..100).

Events load by `datetime` and merge on `id`; each carries its metric's name (read from
`/api/metrics/` first) and its profile id. Profiles load by `updated` and merge on `id`; emails and
phone numbers are hashed as they are extracted, names and locations are not kept.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dlt

from ingestion.common.arrow import as_arrow, page_schema
from ingestion.common.http import ApiClient
from ingestion.common.quarantine import split_page
from ingestion.common.schema import check_key_types
from ingestion.common.validation import as_iso

from . import settings
from .helpers import metric_names, paginate, shape_event, shape_profile

EVENT_SCHEMA = page_schema(settings.EVENT_ROW_COLUMNS)


def _start(start_date: str) -> datetime:
    parsed = datetime.fromisoformat(start_date if "T" in start_date else f"{start_date}T00:00:00+00:00")
    return parsed.astimezone(UTC)


def _iso_z(value: object) -> str:
    """A cursor as Klaviyo's filter wants it: ISO-8601 with an explicit offset."""
    text = as_iso(value)
    return text if ("+" in text[10:] or text.endswith("Z")) else f"{text}+00:00"


@dlt.source(name="klaviyo")
def klaviyo_source(
    api_key: str = dlt.secrets.value,
    start_date: str = "2026-01-01",
    end_date: str | None = None,
    base_url: str = settings.BASE_URL,
    revision: str = settings.REVISION,
    events_page_size: int = settings.EVENTS_PAGE_SIZE,
    profiles_page_size: int = settings.PROFILES_PAGE_SIZE,
):
    client = ApiClient(
        "klaviyo",
        base_url,
        {"Authorization": f"Klaviyo-API-Key {api_key}", "revision": revision, "Accept": "application/vnd.api+json"},
    )
    initial = _start(start_date)
    # With an end the cursors run in dlt's backfill mode: a fixed window, no state read or written.
    end = _start(end_date) if end_date else None

    def window_filter(field: str, cursor) -> str:
        since = f"greater-or-equal({field},{_iso_z(cursor.last_value)})"
        if cursor.end_value is None:
            return since
        return f"and({since},less-than({field},{_iso_z(cursor.end_value)}))"

    @dlt.resource(name="events", primary_key="id", write_disposition="merge", columns=settings.EVENT_COLUMNS)
    def events(
        # primary_key=(): no boundary deduplication (a hash of every row): the table merges on id,
        # so an event at the cursor re-read by the next run replaces itself.
        happened_at=dlt.sources.incremental(
            "datetime", initial_value=initial, end_value=end, on_cursor_value_missing="include", primary_key=()
        ),
    ) -> Iterator:
        metrics = metric_names(client, settings.METRICS_PATH)
        params = {
            "filter": window_filter("datetime", happened_at),
            "sort": "datetime",
            "page[size]": events_page_size,
        }

        def shape(event: dict) -> tuple[dict | None, str | None]:
            check_key_types(event, {"id": str}, "klaviyo", "events")
            return shape_event(event, metrics)

        # Arrow tables of EVENTS_BATCH_ROWS events, typed by EVENT_ROW_COLUMNS (ingestion/common/arrow.py):
        # dlt filters, writes and normalises a table at once, where dicts cost it Python per row.
        batch: list[dict] = []
        for page in paginate(client, settings.EVENTS_PATH, params):
            rows, refused = split_page("events", page, shape)
            yield from refused
            batch.extend(rows)
            if len(batch) >= settings.EVENTS_BATCH_ROWS:
                yield as_arrow(batch, settings.EVENT_ROW_COLUMNS, EVENT_SCHEMA)
                batch = []
        if batch:
            yield as_arrow(batch, settings.EVENT_ROW_COLUMNS, EVENT_SCHEMA)

    @dlt.resource(name="profiles", primary_key="id", write_disposition="merge", columns=settings.PROFILE_COLUMNS)
    def profiles(
        updated=dlt.sources.incremental(
            "updated", initial_value=initial, end_value=end, on_cursor_value_missing="include", primary_key=()
        ),
    ) -> Iterator:
        params = {
            "filter": window_filter("updated", updated),
            "sort": "updated",
            "page[size]": profiles_page_size,
        }

        def shape(profile: dict) -> tuple[dict | None, str | None]:
            check_key_types(profile, {"id": str}, "klaviyo", "profiles")
            return shape_profile(profile)

        for page in paginate(client, settings.PROFILES_PATH, params):
            # Profiles keep every attribute Klaviyo sends (a new one becomes a column): dicts, one
            # list a page, which dlt takes as one item.
            rows, refused = split_page("profiles", page, shape)
            if rows:
                yield rows
            yield from refused

    return events, profiles
