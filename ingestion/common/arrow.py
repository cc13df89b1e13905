"""Flat rows as one Arrow table, typed by column hints: dlt's vectorised path.

dlt takes an Arrow table as one item: the incremental cursor is filtered with Arrow compute, the table
is written to parquet as it is, and normalisation has nothing left to do. Rows yielded as dicts cost
dlt Python per row instead (the incremental, a JSON file written at extraction and read back, the JSON
normaliser): for Klaviyo's events, a third of the CPU (3M-event world: 41 main-thread CPU-s, 12 now).

The schema is the hints (`ingestion/klaviyo/settings.py: EVENT_ROW_COLUMNS`), in their order, never
what a batch happens to hold, so an all-null column keeps its declared type. The table carries dlt's
own columns where its JSON normaliser would have put them (`_dlt_load_id`, filled in by dlt at
extraction, as `NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID` in ingestion/common/pipeline.py asks,
and `_dlt_id`, a random row id of dlt's format), so the raw table has the same columns, order, types
and values either way (tests/ingestion/test_ingest_pages.py loads both ways and compares).

Rows that do not fit the hints (a value of another type than its column's, a field without a hint)
make no table: `rows_table` returns None and the caller yields the rows as dicts, so dlt treats them
as it always has (coerced to the column's type, a variant column, a new column). Only flat rows fit:
nested lists become child tables through the JSON normaliser alone.

dlt logs a warning for every such table: a json column arrives as Arrow text (the serialised value,
as its own parquet writer stores it) and its hint says json. The hint wins, as intended, so the warning
is let through once per resource and process (`_OnceEach` below): a year of Klaviyo events is
thousands of tables, and as many identical warnings would bury the ones that matter.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pyarrow as pa
from dlt.common.json import json
from dlt.common.normalizers.utils import generate_dlt_ids

DLT_LOAD_ID = "_dlt_load_id"
DLT_ID = "_dlt_id"

# dlt data type -> (Arrow type, the Python types a value must have to go in as it is). A json column
# holds objects and arrays, serialised as dlt's parquet writer does (dlt's json.dumps). Types are
# compared exactly (bool is no int, a datetime subclass is refused): what is refused goes to dlt as dicts.
_TYPES: dict[str, tuple[pa.DataType, frozenset[type]]] = {
    "text": (pa.string(), frozenset({str})),
    "bigint": (pa.int64(), frozenset({int})),
    "double": (pa.float64(), frozenset({float})),
    "bool": (pa.bool_(), frozenset({bool})),
    "timestamp": (pa.timestamp("us", tz="UTC"), frozenset({datetime})),
    "json": (pa.string(), frozenset({dict, list})),
}
_NONE = type(None)


class _OnceEach(logging.Filter):
    """Drops repeats of dlt's per-table "arrow schema merged with dlt schema" messages.

    They name the resource (and, at INFO, the column), so each distinct message is logged once: a
    new resource or a column whose hint differs for another reason still shows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.funcName != "_compute_tables" or "when merging arrow schema" not in str(record.msg):
            return True
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


logging.getLogger("dlt").addFilter(_OnceEach())


def page_schema(columns: Mapping[str, Mapping]) -> pa.Schema:
    """The Arrow schema of a resource's column hints (each with a `data_type`), plus dlt's columns."""
    fields = []
    for name, hint in columns.items():
        arrow_type, _ = _TYPES[hint["data_type"]]
        fields.append(pa.field(name, arrow_type, nullable=hint.get("nullable", True)))
    # dlt replaces `_dlt_load_id` in place with the load id: placed here, it keeps the JSON
    # normaliser's column order (`..., _dlt_load_id, _dlt_id`).
    fields.append(pa.field(DLT_LOAD_ID, pa.string(), nullable=False))
    fields.append(pa.field(DLT_ID, pa.string(), nullable=False))
    return pa.schema(fields)


def rows_table(rows: Sequence[Mapping], columns: Mapping[str, Mapping], schema: pa.Schema) -> pa.Table | None:
    """`rows` as one table of `schema` (`page_schema(columns)`), or None when they do not fit it."""
    names = columns.keys()
    if not all(row.keys() <= names for row in rows):
        return None  # a field without a hint: dlt's JSON normaliser adds its column
    arrays = []
    for name, hint in columns.items():
        data_type = hint["data_type"]
        arrow_type, python_types = _TYPES[data_type]
        values = [row.get(name) for row in rows]
        if not set(map(type, values)) - {_NONE} <= python_types:
            return None  # dlt would coerce the value or make a variant column
        try:
            arrays.append(_array(values, data_type, arrow_type))
        except (pa.ArrowException, ValueError, OverflowError):
            return None  # an integer beyond 64 bits, a string Arrow cannot encode: dlt decides
    arrays.append(pa.nulls(len(rows), pa.string()))
    arrays.append(pa.array(generate_dlt_ids(len(rows)), pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: list, data_type: str, arrow_type: pa.DataType) -> pa.Array:
    if data_type == "json":
        return pa.array([None if value is None else json.dumps(value) for value in values], type=arrow_type)
    if data_type == "timestamp":
        # Naive UTC datetimes convert several times faster than aware ones; a naive value is read as
        # UTC, as pyarrow itself does. Labelling the column UTC then leaves the values as they are.
        naive = [value if value is None or value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
                 for value in values]
        return pa.array(naive, type=pa.timestamp("us")).cast(arrow_type)
    return pa.array(values, type=arrow_type)


def as_arrow(rows: list[dict], columns: Mapping[str, Mapping], schema: pa.Schema) -> pa.Table | list[dict]:
    """What to yield for `rows`: their Arrow table, or the rows themselves when they do not fit it."""
    table = rows_table(rows, columns, schema)
    return rows if table is None else table
