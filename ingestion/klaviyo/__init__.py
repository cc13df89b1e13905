"""Klaviyo: email / SMS engagement events and the profiles they belong to (JSON:API).

Args of `klaviyo_source`:
    api_key: a private API key with `events:read`, `metrics:read` and `profiles:read`
        (`Authorization: Klaviyo-API-Key ...`, secret).
    start_date: first `datetime` (events) / `updated` (profiles) loaded on the first run.
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

from ingestion.common.http import ApiClient
from ingestion.common.quarantine import rejected
from ingestion.common.validation import as_iso

from . import settings
from .helpers import metric_names, paginate, shape_event, shape_profile


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

    @dlt.resource(name="events", primary_key="id", write_disposition="merge", columns=settings.EVENT_COLUMNS)
    def events(
        happened_at=dlt.sources.incremental(
            "datetime", initial_value=_start(start_date), on_cursor_value_missing="include"
        ),
    ) -> Iterator[dict]:
        metrics = metric_names(client, settings.METRICS_PATH)
        params = {
            "filter": f"greater-or-equal(datetime,{_iso_z(happened_at.last_value)})",
            "sort": "datetime",
            "page[size]": events_page_size,
        }
        for page in paginate(client, settings.EVENTS_PATH, params):
            for event in page:
                clean, reason = shape_event(event, metrics)
                yield clean if clean else rejected("events", reason, event)

    @dlt.resource(name="profiles", primary_key="id", write_disposition="merge", columns=settings.PROFILE_COLUMNS)
    def profiles(
        updated=dlt.sources.incremental("updated", initial_value=_start(start_date), on_cursor_value_missing="include"),
    ) -> Iterator[dict]:
        params = {
            "filter": f"greater-or-equal(updated,{_iso_z(updated.last_value)})",
            "sort": "updated",
            "page[size]": profiles_page_size,
        }
        for page in paginate(client, settings.PROFILES_PATH, params):
            for profile in page:
                clean, reason = shape_profile(profile)
                yield clean if clean else rejected("profiles", reason, profile)

    return events, profiles
