"""First-party tracking API constants (Segment-style events)."""

EVENTS_PATH = "/tracking/v1/events"
PAGE_LIMIT = 1000
EVENT_TYPES = frozenset({"page", "track", "identify", "screen", "alias", "group"})
# Personal data inside events, hashed as they are extracted.
EVENT_PII = {
    "traits.email": "email",
    "traits.phone": "phone",
    "context.ip": "ip",
    "context.traits.email": "email",
    "context.traits.phone": "phone",
    "properties.email": "email",
}
# Names a tracker may send in traits: not needed for journeys, so never stored.
DROPPED_TRAITS = ("first_name", "last_name", "name", "address", "birthday")
# Top-level camelCase keys of the Segment spec, renamed to the warehouse's snake_case.
TOP_LEVEL_RENAMES = {
    "messageId": "message_id",
    "anonymousId": "anonymous_id",
    "userId": "user_id",
    "receivedAt": "received_at",
    "sentAt": "sent_at",
    "originalTimestamp": "original_timestamp",
}

# Columns staging relies on, declared up front so they exist even before any event carries them.
_TEXT = (
    "type", "event", "name", "anonymous_id", "user_id",
    "context__campaign__source", "context__campaign__medium", "context__campaign__name",
    "context__campaign__content", "context__campaign__term",
    "context__page__url", "context__page__path", "context__page__referrer", "context__page__title",
    "context__user_agent", "context__ip_hash", "context__device__type",
    "properties__order_id", "properties__currency", "properties__product_id",
    "traits__email_hash", "traits__phone_hash",
)
EVENT_COLUMNS = {
    **{name: {"data_type": "text"} for name in _TEXT},
    "timestamp": {"data_type": "timestamp"},
    "received_at": {"data_type": "timestamp"},
    "properties__revenue": {"data_type": "decimal", "precision": 18, "scale": 4},
    "properties__price": {"data_type": "decimal", "precision": 18, "scale": 4},
}
