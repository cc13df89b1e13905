"""Klaviyo API constants (JSON:API, dated `revision` header)."""

BASE_URL = "https://a.klaviyo.com"
REVISION = "2024-10-15"
EVENTS_PATH = "/api/events/"
PROFILES_PATH = "/api/profiles/"
METRICS_PATH = "/api/metrics/"
# Page sizes: the API maxima (events 200, profiles 100).
EVENTS_PAGE_SIZE = 200
PROFILES_PAGE_SIZE = 100
# Events go to dlt as Arrow tables of this many rows (about 50 pages): dlt's work per table (schema
# hints computed and checked again) is then paid once per 10,000 events, not once per page.
EVENTS_BATCH_ROWS = 10_000
# Personal data of profiles: hashed as records are extracted (same salt and normalisation as Shopify).
PROFILE_PII = {"email": "email", "phone_number": "phone"}
# Profile attributes we have no use for and do not keep: names, postal location, avatar.
PROFILE_DROPPED = ("first_name", "last_name", "location", "image")
# `event_properties` keys of Klaviyo's own email/SMS metrics, lifted into columns.
EVENT_PROPERTY_COLUMNS = {
    "Campaign Name": "campaign_name",
    "Flow Name": "flow_name",
    "$flow": "flow_id",
    "$message": "message_id",
    "Subject": "subject",
    "URL": "url",
}
EVENT_COLUMNS = {
    "datetime": {"data_type": "timestamp"},
    "metric_id": {"data_type": "text"},
    "metric_name": {"data_type": "text"},
    "profile_id": {"data_type": "text"},
    **{name: {"data_type": "text"} for name in EVENT_PROPERTY_COLUMNS.values()},
    "event_properties": {"data_type": "json"},
}
# Every column of a shaped event, in the raw table's order: the schema of the Arrow tables events are
# yielded as (ingestion/common/arrow.py). The last three are no resource hints: those would also add
# columns to the resource's `rejected_records` (which takes its hints, as it always has).
EVENT_ROW_COLUMNS = {
    **EVENT_COLUMNS,
    "id": {"data_type": "text", "nullable": False},
    "timestamp": {"data_type": "bigint"},
    "uuid": {"data_type": "text"},
}
PROFILE_COLUMNS = {
    "email_hash": {"data_type": "text"},
    "phone_number_hash": {"data_type": "text"},
    "external_id": {"data_type": "text"},
    "created": {"data_type": "timestamp"},
    "updated": {"data_type": "timestamp"},
    "properties": {"data_type": "json"},
}
