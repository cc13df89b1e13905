"""Tracking files (Segment-style bucket export) constants."""

# Files of one day live under `dt=YYYY-MM-DD/` (the layout of Segment's S3/GCS export and of the
# sandbox); each file is newline-delimited JSON, gzip-compressed, or parquet (the columnar export of
# sandbox/export_parquet.py: the same keys as columns). A day may hold both formats.
FILE_GLOBS = ("dt=*/*.jsonl.gz", "dt=*/*.parquet")
# Files are read in batches of about this many bytes on disk, each batch written as one parquet file of
# the lake. A batch of JSON files is parsed into DuckDB memory (about 10x its compressed size); a batch
# of parquet files is streamed, so it can be bigger: fewer, larger COPYs keep both cores busy and the
# lake's files few (a year of 100M events: ~10 files). 1 GB rather than 512 MB: a COPY pays a fixed
# start and end (bench_files' 10M events, 623 MB, went through two COPYs at 491k and 421k events/s: the
# smaller one ran slower); a 10M-event month (623-834 MB) now takes one. Peak memory stayed at 0.68 GB.
BATCH_BYTES = {"json": 64 * 1024 * 1024, "parquet": 1024 * 1024 * 1024}
# The table dlt loads for the resource `events`: one row per export file read (the events are the
# lake's files, lake.py).
MANIFEST_TABLE = "export_files"
# The parquet column of a record the exporter could not fit in the schema (its text; quarantined).
RAW_COLUMN = "_raw"


def is_parquet(path) -> bool:
    return str(path).endswith(".parquet")


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
        "campaign": {
            "source": "VARCHAR",
            "medium": "VARCHAR",
            "name": "VARCHAR",
            "content": "VARCHAR",
            "term": "VARCHAR",
        },
        "page": {
            "url": "VARCHAR",
            "path": "VARCHAR",
            "referrer": "VARCHAR",
            "title": "VARCHAR",
            "search": "VARCHAR",
        },
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
