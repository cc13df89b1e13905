"""Tracking events as a parquet export file (the columnar twin of `events-0000.jsonl.gz`).

One parquet file holds the same events as one JSON-lines file, in the same order, with the JSON keys as
column names (camelCase, nested objects as structs) so a loader reads both with the same rules:

- identity and timing keys (`messageId`, `type`, `event`, `name`, `anonymousId`, `userId`, `timestamp`,
  `sentAt`, `receivedAt`) are strings, exactly as in the JSON: a bad timestamp stays representable (and is
  quarantined by the loader, not by the writer);
- `context` and `traits` are structs of the keys a loader reads (`context.campaign`, `.page`, `.userAgent`,
  `.ip`, `.device.type`, `.traits.email|phone`; `traits.email|phone`); other keys (`locale`, `library`,
  `traits.first_name`, ...) are not exported, as a reader with a declared JSON schema ignores them;
- `properties` is the Segment properties object serialized as compact JSON (a string column): its keys
  differ per event, and any JSON value (even a non-object) round-trips;
- `_raw` holds a record that does not fit the schema at all, with every other column null: a line that
  is not JSON (a `str` row that does not parse), a row that is not an object (a list, a number), or an
  object whose `context`/`traits` (or one of their nested objects) is not an object. It keeps the line's
  exact text (a `str` row) or the compact JSON of the row, so nothing vanishes: the loader quarantines
  it with reason `malformed JSON` (not JSON) or `malformed record` (JSON of another shape), as it does
  for the same line in a JSON-lines file.

A scalar where the schema has a string (`"userId": 42`) is kept as its JSON text (`"42"`), as a JSON
reader with a declared VARCHAR column does. A `str` row is a raw export line: it is parsed, and kept as a
record if it is a JSON object.

Deterministic: zstd level 3, dictionary encoding, no timestamps or pandas metadata; the same rows
written in the same chunks give a byte-identical file (for one pyarrow version).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.io import dumps

_S = pa.string()
_TRAITS = pa.struct([("email", _S), ("phone", _S)])
_CONTEXT = pa.struct(
    [
        (
            "campaign",
            pa.struct([("source", _S), ("medium", _S), ("name", _S), ("content", _S), ("term", _S)]),
        ),
        ("page", pa.struct([("url", _S), ("path", _S), ("referrer", _S), ("title", _S), ("search", _S)])),
        ("userAgent", _S),
        ("ip", _S),
        ("device", pa.struct([("type", _S)])),
        ("traits", _TRAITS),
    ]
)
RAW_COLUMN = "_raw"
EVENT_SCHEMA = pa.schema(
    [
        ("messageId", _S),
        ("type", _S),
        ("event", _S),
        ("name", _S),
        ("anonymousId", _S),
        ("userId", _S),
        ("timestamp", _S),
        ("sentAt", _S),
        ("receivedAt", _S),
        ("context", _CONTEXT),
        ("properties", _S),  # compact JSON text of the properties value
        ("traits", _TRAITS),
        (RAW_COLUMN, _S),  # a record that fits no column: its raw text; every other column is null
    ]
)
# The parquet writer settings that make the file reproducible.
WRITE_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}
# Rows per row group: big enough for a parallel scan and good compression, small enough to buffer.
ROW_GROUP_ROWS = 128 * 1024
# JSON-typed columns: the value is serialized, whatever it is.
_JSON_COLUMNS = frozenset({"properties"})


class _Unrepresentable(Exception):
    """A row whose shape the schema cannot hold (kept whole in `_raw`)."""


_dumps = dumps  # compact JSON text, exactly as the jsonl.gz export writes it


def _convert(obj: dict, struct: pa.StructType | pa.Schema) -> dict:
    out = {}
    top = struct is EVENT_SCHEMA
    for field in struct:
        value = obj.get(field.name)
        if value is None or (top and field.name == RAW_COLUMN):
            continue
        if top and field.name in _JSON_COLUMNS:
            out[field.name] = _dumps(value)
        elif pa.types.is_struct(field.type):
            if not isinstance(value, dict):
                raise _Unrepresentable(field.name)
            out[field.name] = _convert(value, field.type)
        else:
            out[field.name] = value if isinstance(value, str) else _dumps(value)
    return out


def to_record(row) -> dict:
    """One event (a dict as the JSON export writes it, or a raw line) as a dict of EVENT_SCHEMA columns."""
    raw = row if isinstance(row, str) else None
    if raw is not None:
        try:
            row = json.loads(raw)
        except ValueError:
            return {RAW_COLUMN: raw}
    if isinstance(row, dict):
        try:
            return _convert(row, EVENT_SCHEMA)
        except _Unrepresentable:
            pass
    return {RAW_COLUMN: raw if raw is not None else _dumps(row)}


def to_table(rows: Iterable) -> pa.Table:
    """Rows (event dicts or raw lines) as an Arrow table of EVENT_SCHEMA, in order."""
    rows = rows if isinstance(rows, list) else list(rows)
    table = _columnar(rows)
    if table is not None:
        return table
    return pa.Table.from_pylist([to_record(row) for row in rows], schema=EVENT_SCHEMA)


def _columnar(rows: list) -> pa.Table | None:
    """The same table built column by column (Arrow converts the nested dicts in C++, ignoring keys the
    schema does not name), or None when a row needs `to_record`'s care: a raw line, a non-object, or a
    value of another type than its column's (Arrow refuses those, and the whole chunk takes the slow
    path, so the result never depends on which path ran)."""
    if not all(type(row) is dict for row in rows):
        return None
    try:
        arrays = []
        for field in EVENT_SCHEMA:
            if field.name == RAW_COLUMN:
                arrays.append(pa.nulls(len(rows), field.type))
            elif field.name in _JSON_COLUMNS:
                arrays.append(pa.array([None if (v := row.get(field.name)) is None else _dumps(v) for row in rows],
                                       field.type))
            else:
                arrays.append(pa.array([row.get(field.name) for row in rows], field.type))
        return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None


class ParquetEventsWriter:
    """Streaming, deterministic parquet writer of one export file: `write_many` chunks, then `close`
    (returns the number of rows). Creates the parent folder.

    Chunks are buffered into row groups of `row_group_rows` rows (the last one smaller), so the file
    depends only on the sequence of rows, not on how they were chunked (one hour per call gives the
    same bytes as the whole day at once), and readers get row groups big enough to scan in parallel.
    Memory holds at most one row group of Arrow data.
    """

    def __init__(self, path: Path | str, row_group_rows: int = ROW_GROUP_ROWS) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(str(path), EVENT_SCHEMA, **WRITE_OPTIONS)
        self._row_group_rows = row_group_rows
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.n = 0

    def write_many(self, rows: Iterable) -> None:
        self.write_table(to_table(rows))

    def write_table(self, table: pa.Table) -> None:
        """Append rows already in EVENT_SCHEMA (e.g. a `to_table` result)."""
        if not table.num_rows:
            return
        self._pending.append(table.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA))
        self._pending_rows += table.num_rows
        self.n += table.num_rows
        if self._pending_rows >= self._row_group_rows:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        if not self._pending_rows:
            return
        combined = pa.concat_tables(self._pending).combine_chunks()  # pages do not depend on chunks
        size = self._row_group_rows
        full = combined.num_rows if final else combined.num_rows // size * size
        for start in range(0, full, size):
            self._writer.write_table(combined.slice(start, min(size, full - start)), row_group_size=size)
        rest = combined.slice(full)
        self._pending, self._pending_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)

    def close(self) -> int:
        self._flush(final=True)
        self._writer.close()
        return self.n

    def __enter__(self) -> ParquetEventsWriter:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self._writer.close()


def write_events_parquet(path: Path | str, rows: Iterable) -> int:
    """Write `rows` (event dicts or raw lines) as one parquet export file; returns the row count."""
    writer = ParquetEventsWriter(path)
    writer.write_many(rows)
    return writer.close()
