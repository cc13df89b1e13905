"""`links.next` paging and record shaping for the Klaviyo JSON:API (events, metrics, profiles)."""

from collections.abc import Iterator
from datetime import UTC

from ingestion.common.http import ApiClient
from ingestion.common.pii import scrub
from ingestion.common.validation import first_problem, parse_timestamp

from .settings import EVENT_PROPERTY_COLUMNS, PROFILE_DROPPED, PROFILE_PII


def paginate(client: ApiClient, path: str, params: dict | None) -> Iterator[list[dict]]:
    """Pages of `data`, following `links.next` (an absolute URL carrying the cursor and the filters)."""
    url: str = path
    query = params
    page = 1
    while True:
        body, _ = client.get(url, page=page, params=query)
        yield body.get("data") or []
        next_url = (body.get("links") or {}).get("next")
        if not next_url:
            return
        url, query, page = next_url, None, page + 1


def metric_names(client: ApiClient, path: str) -> dict[str, str]:
    """Metric id -> name (`Opened Email`, `Clicked SMS`, ...), read from the metrics endpoint."""
    names: dict[str, str] = {}
    for page in paginate(client, path, None):
        for metric in page:
            names[str(metric.get("id"))] = (metric.get("attributes") or {}).get("name")
    return names


def _related_id(record: dict, relation: str) -> str | None:
    data = ((record.get("relationships") or {}).get(relation) or {}).get("data")
    return str(data["id"]) if isinstance(data, dict) and data.get("id") is not None else None


def shape_event(event: dict, metrics: dict[str, str]) -> tuple[dict | None, str | None]:
    """(clean row, None) or (None, reason) for one event resource object."""
    attributes = event.get("attributes") or {}
    happened = parse_timestamp(attributes.get("datetime"))
    metric_id = _related_id(event, "metric")
    reason = first_problem(
        [
            (bool(event.get("id")), "missing id"),
            (happened is not None, "unparseable datetime"),
            (metric_id is not None, "missing metric relationship"),
        ]
    )
    if reason:
        return None, reason
    properties = attributes.get("event_properties") or {}
    row = {
        "id": str(event["id"]),
        "datetime": happened.astimezone(UTC),
        "timestamp": attributes.get("timestamp"),
        "uuid": attributes.get("uuid"),
        "metric_id": metric_id,
        "metric_name": metrics.get(metric_id),
        "profile_id": _related_id(event, "profile"),
        "event_properties": properties,
    }
    for key, column in EVENT_PROPERTY_COLUMNS.items():
        value = properties.get(key) if isinstance(properties, dict) else None
        row[column] = None if value is None else str(value)
    return row, None


def shape_profile(profile: dict) -> tuple[dict | None, str | None]:
    """(clean row, None) or (None, reason): email and phone hashed, names and location dropped."""
    attributes = dict(profile.get("attributes") or {})
    updated = parse_timestamp(attributes.get("updated"))
    reason = first_problem(
        [
            (bool(profile.get("id")), "missing id"),
            (updated is not None, "unparseable updated"),
        ]
    )
    if reason:
        return None, reason
    for field in PROFILE_DROPPED:
        attributes.pop(field, None)
    row = {"id": str(profile["id"]), **scrub(attributes, PROFILE_PII)}
    row["updated"] = updated.astimezone(UTC)
    created = parse_timestamp(attributes.get("created"))
    row["created"] = created.astimezone(UTC) if created else None
    if row.get("external_id") is not None:
        row["external_id"] = str(row["external_id"])
    return row, None
