"""Tracking files (Segment-style bucket export) constants."""

# Files of one day live under `dt=YYYY-MM-DD/` (the layout of Segment's S3/GCS export and of the
# sandbox); each file is newline-delimited JSON, gzip-compressed.
FILE_GLOB = "dt=*/*.jsonl.gz"
# Files are read in batches of about this many compressed bytes (about 10x that as Arrow in memory).
BATCH_BYTES = 64 * 1024 * 1024

# The JSON schema DuckDB reads with. Declaring it skips type inference (speed) and keeps the raw
# table's columns stable whatever a day's files happen to contain. `properties` stays JSON.
_TRAITS = {"email": "VARCHAR", "phone": "VARCHAR"}
JSON_SCHEMA = {
    "messageId": "VARCHAR",
    "type": "VARCHAR",
    "event": "VARCHAR",
    "name": "VARCHAR",
    "anonymousId": "VARCHAR",
    "userId": "VARCHAR",
    "timestamp": "VARCHAR",
    "sentAt": "VARCHAR",
    "receivedAt": "VARCHAR",
    "context": {
        "campaign": {"source": "VARCHAR", "medium": "VARCHAR", "name": "VARCHAR", "content": "VARCHAR",
                     "term": "VARCHAR"},
        "page": {"url": "VARCHAR", "path": "VARCHAR", "referrer": "VARCHAR", "title": "VARCHAR",
                 "search": "VARCHAR"},
        "userAgent": "VARCHAR",
        "ip": "VARCHAR",
        "device": {"type": "VARCHAR"},
        "traits": _TRAITS,
    },
    "properties": "JSON",
    "traits": _TRAITS,
}


def sql_type(node) -> str:
    """A JSON_SCHEMA node as a DuckDB type (`STRUCT("a" VARCHAR, ...)`)."""
    if isinstance(node, str):
        return node
    return "STRUCT(" + ", ".join(f'"{key}" {sql_type(value)}' for key, value in node.items()) + ")"


EVENT_TYPES = ("page", "track", "identify", "screen", "alias", "group")
