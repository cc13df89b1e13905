"""Klaviyo API constants (JSON:API, dated `revision` header)."""

BASE_URL = "https://a.klaviyo.com"
REVISION = "2024-10-15"
EVENTS_PATH = "/api/events/"
PROFILES_PATH = "/api/profiles/"
METRICS_PATH = "/api/metrics/"
# Page sizes: the API maxima (events 200, profiles 100).
EVENTS_PAGE_SIZE = 200
PROFILES_PAGE_SIZE = 100
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
PROFILE_COLUMNS = {
    "email_hash": {"data_type": "text"},
    "phone_number_hash": {"data_type": "text"},
    "external_id": {"data_type": "text"},
    "created": {"data_type": "timestamp"},
    "updated": {"data_type": "timestamp"},
    "properties": {"data_type": "json"},
}
