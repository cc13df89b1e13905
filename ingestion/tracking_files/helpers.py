"""Reading export files into the lake with DuckDB: no per-row Python on the fast path.

Both export formats go through ONE definition (`_judged`, used by `lake_sql`):
DuckDB decompresses and parses the files in C++, validates each record (`_REASON`), hashes PII and
flattens the fields into the same columns the API connector writes, and writes every record with its
verdict as a parquet file of the lake (lake.py). Only the source relation differs per format:

- `*.jsonl.gz`: `read_json` with the declared schema (`settings.JSON_SCHEMA`), parsed once into a temp
  table. A file with a line read_json refuses (not JSON, or JSON of another shape) takes the slow path:
  it is read line by line (still in DuckDB) so those lines are quarantined with their text instead of
  vanishing.
- `*.parquet` (`sandbox.export_parquet.EVENT_SCHEMA`: the same keys as columns, `properties` as JSON
  text): `read_parquet`, where the files lie. A record the exporter could not fit in the schema is a row
  whose `_raw` column holds its text (every other column null); it is quarantined as `malformed JSON`
  or `malformed record`, as the same line of a JSON file is.

Refused records are written to the same file with their reason and payload (`lake_sql`), read back from
it for the quarantine, and left out by the view.
"""

import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.common.validation import KNOWN_CURRENCIES

from .lake import PAYLOAD_COLUMN, REASON_COLUMN, copy_sql
from .settings import EVENT_TYPES, JSON_SCHEMA, RAW_COLUMN, is_parquet, sql_type


def _salt() -> str:
    return os.environ.get("TOUCHPATH_PII_SALT", "touchpath")


def _hash(expr: str, kind: str) -> str:
    """SQL twin of ingestion.common.pii.hash_pii (same normalisation, same salt, same digest)."""
    if kind == "email":
        value = f"lower(trim({expr}))"
    elif kind == "phone":
        value = f"regexp_replace({expr}, '[^0-9+]', '', 'g')"
    else:
        value = f"trim({expr})"
    return f"case when nullif({value}, '') is null then null else sha256($salt || ':' || {value}) end"


def _ts(expr: str) -> str:
    return f"try_cast({expr} as timestamptz)"


# The properties the rules and the flat columns read: extracted with one JSON parse per record (null
# when `properties` is not JSON, possible only in a parquet file, where it is text).
_PROPS = ("order_id", "revenue", "currency", "product_id", "price", "total")


def _prop(key: str) -> str:
    return f"_props[{_PROPS.index(key) + 1}]"


_EXTRACT_PROPS = (
    "try(json_extract_string(properties, [" + ", ".join(f"'$.{key}'" for key in _PROPS) + "])) as _props"
)

_TYPES = ", ".join(f"'{t}'" for t in EVENT_TYPES)
_CURRENCIES = ", ".join(f"'{c}'" for c in sorted(KNOWN_CURRENCIES))
# An amount that is present but negative or not a number (same rule as the API connector).
_BAD_AMOUNT = " or ".join(
    f"coalesce(try_cast({_prop(key)} as double) < 0, {_prop(key)} is not null)"
    for key in ("revenue", "price", "total")
)

# Why a record is refused, first failing rule wins (same rules as the API connector). The first two
# rules only fire on parquet rows (a `_raw` record, `properties` text that is not JSON); JSON lines
# that do not parse are split off before (`_read_line_by_line`).
_REASON = f"""
    case
        when {RAW_COLUMN} is not null then
            case when json_valid({RAW_COLUMN}) then 'malformed record' else 'malformed JSON' end
        when properties is not null and _props is null then 'malformed record'
        when nullif(messageId, '') is null then 'missing messageId'
        when type is null or type not in ({_TYPES}) then 'unknown event type'
        when nullif(anonymousId, '') is null and nullif(userId, '') is null then 'missing anonymousId and userId'
        when _timestamp is null then 'unparseable timestamp'
        when _received_at is null then 'unparseable receivedAt'
        when {_prop("currency")} is not null
            and upper({_prop("currency")}) not in ({_CURRENCIES}) then 'unknown currency'
        when {_BAD_AMOUNT} then 'negative or unparseable amount'
    end
"""

_FLAT = f"""
    messageId as message_id,
    type,
    event,
    name,
    anonymousId as anonymous_id,
    userId as user_id,
    _timestamp as "timestamp",
    {_ts("sentAt")} as sent_at,
    _received_at as received_at,
    context.campaign.source as context__campaign__source,
    context.campaign.medium as context__campaign__medium,
    context.campaign.name as context__campaign__name,
    context.campaign.content as context__campaign__content,
    context.campaign.term as context__campaign__term,
    context.page.url as context__page__url,
    context.page.path as context__page__path,
    context.page.referrer as context__page__referrer,
    context.page.title as context__page__title,
    context.userAgent as context__user_agent,
    {_hash("context.ip", "ip")} as context__ip_hash,
    context.device.type as context__device__type,
    {_hash("coalesce(traits.email, context.traits.email)", "email")} as traits__email_hash,
    {_hash("coalesce(traits.phone, context.traits.phone)", "phone")} as traits__phone_hash,
    {_prop("order_id")} as properties__order_id,
    try_cast({_prop("revenue")} as decimal(18, 4)) as properties__revenue,
    {_prop("currency")} as properties__currency,
    {_prop("product_id")} as properties__product_id,
    try_cast({_prop("price")} as decimal(18, 4)) as properties__price,
    cast(properties as varchar) as properties
"""

# A refused record as the JSON object of its schema's keys (what was read; the file is `source_file`).
# `properties` is embedded as JSON when it is JSON (text in a parquet file), else as a string.
_RECORD = (
    "to_json({"
    + ", ".join(
        f"'{key}': coalesce(try_cast(properties as json), to_json(properties))"
        if key == "properties"
        else f"'{key}': \"{key}\""
        for key in JSON_SCHEMA
    )
    + "})"
)
_PAYLOAD = f"coalesce({RAW_COLUMN}, cast({_RECORD} as varchar))"


# The two times a rule reads, parsed once for the rule and the flat column.
_PARSED_TIMES = f"""{_ts('"timestamp"')} as _timestamp, {_ts("receivedAt")} as _received_at"""


def _judged(relation: str) -> str:
    """`relation` (the JSON_SCHEMA columns, `_raw` and `filename`) with each record's verdict."""
    return (
        f"(select *, {_REASON} as reason from (select *, {_EXTRACT_PROPS}, {_PARSED_TIMES} from {relation}) "
        "join names using (filename))"
    )


def lake_sql(relation: str) -> str:
    """Every record of `relation` as the flat columns of the raw table, with its verdict: `_reason`
    (null for a good record) and, for a refused one only, `_payload` (the record as JSON, or its text).
    One pass writes both: the view over the lake keeps the good records, the refused ones are read
    back from the file for the quarantine (a second pass over the batch cost ~20% more)."""
    return (
        f"select {_FLAT}, source_file, reason as {REASON_COLUMN}, "
        f"case when reason is not null then {_PAYLOAD} end as {PAYLOAD_COLUMN} from {_judged(relation)}"
    )


def _columns_literal() -> str:
    return "{" + ", ".join(f"'{name}': '{sql_type(kind)}'" for name, kind in JSON_SCHEMA.items()) + "}"


def _read_json_sql(param: str) -> str:
    return (
        f"read_json({param}, format = 'newline_delimited', columns = {_columns_literal()}, "
        "compression = 'auto', filename = true)"
    )


def _read_parquet_sql(param: str, present: set[str]) -> str:
    """The batch's parquet files by column name: extra columns are ignored, a top-level key no file has
    (`_raw` from an exporter that never needs it, say) is null. `properties` stays the JSON text."""
    wanted = {**{key: sql_type(kind) for key, kind in JSON_SCHEMA.items()}, RAW_COLUMN: "VARCHAR"}
    columns = ", ".join(
        f'"{key}"' if key in present else f'null::{"VARCHAR" if key == "properties" else kind} as "{key}"'
        for key, kind in wanted.items()
    )
    return f"(select {columns}, filename from read_parquet({param}, filename = true, union_by_name = true))"


_EMPTY_REFUSED = pa.schema(
    [("reason", pa.string()), ("raw_payload", pa.string()), ("source_file", pa.string())]
)


def connect() -> duckdb.DuckDBPyConnection:
    """The private in-memory DuckDB that reads a batch of files."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = false")
    # Pushing `reason is null` below the projections makes DuckDB evaluate the rules several times per
    # row (3x slower at 1M events); the verdict is computed once per record without it.
    con.execute("set disabled_optimizers = 'filter_pushdown'")
    return con


def copy_files(paths: list[Path], root: Path, target: Path) -> tuple[dict[str, int], pa.Table]:
    """Writes the records of a batch of export files to the parquet file `target` (one DuckDB COPY,
    nothing passes through Python); returns the good events written per source file and the refused
    records (reason / raw_payload / source_file).

    One scan per format over the whole batch lets DuckDB read several files at once. Parquet files are
    read where they lie; JSON files are parsed once into a temp table (if a file holds a line that is
    not JSON, file by file, the broken file line by line). `target` is not left behind when no record
    of the batch was read.
    """
    con = connect()
    names = {str(path): str(path.relative_to(root)) for path in paths}
    json_files = [name for name in names if not is_parquet(name)]
    parquet_files = [name for name in names if is_parquet(name)]
    try:
        con.execute(
            "create temp table names as select * from (values "
            + ", ".join("(?, ?)" for _ in names)
            + ") as t(filename, source_file)",
            [value for pair in names.items() for value in pair],
        )
        relations, params = [], {"salt": _salt()}
        broken = _EMPTY_REFUSED.empty_table()
        if parquet_files:
            present = {
                name
                for (name, *_) in con.execute(
                    "describe select * from read_parquet(?, union_by_name = true)", [parquet_files]
                ).fetchall()
            }
            relations.append(_read_parquet_sql("$parquet", present))
            params["parquet"] = parquet_files
        if json_files:
            broken = _parse_json(con, json_files)
            relations.append(f"(select *, null::varchar as {RAW_COLUMN} from parsed)")
        relation = (
            relations[0]
            if len(relations) == 1
            else ("(" + " union all by name ".join(f"select * from {r}" for r in relations) + ")")
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = copy_sql(lake_sql(relation), target)
        (written,) = con.execute(copy, _used(params, copy)).fetchone()
        if not written:
            target.unlink(missing_ok=True)
            return {}, broken
        per_file = dict(
            con.execute(
                f"select source_file, count(*) filter (where {REASON_COLUMN} is null) from read_parquet(?) "
                "group by source_file",
                [str(target)],
            ).fetchall()
        )
        refused = con.sql(
            f"select {REASON_COLUMN} as reason, {PAYLOAD_COLUMN} as raw_payload, source_file "
            f"from read_parquet($target) where {REASON_COLUMN} is not null",
            params={"target": str(target)},
        ).to_arrow_table()
        return per_file, pa.concat_tables([refused, broken]) if broken.num_rows else refused
    finally:
        con.close()


def _used(params: dict, sql: str) -> dict:
    """The named parameters `sql` refers to (DuckDB refuses unused ones)."""
    return {key: value for key, value in params.items() if f"${key}" in sql}


def _parse_json(con: duckdb.DuckDBPyConnection, files: list[str]) -> pa.Table:
    """Parse JSON export files into the temp table `parsed`; returns the lines that are not JSON."""
    try:
        con.execute(f"create temp table parsed as select * from {_read_json_sql('?')}", [files])
        return _EMPTY_REFUSED.empty_table()
    except duckdb.Error:
        con.execute("drop table if exists parsed")
        return _read_one_by_one(con, files)


def _struct_paths(node: dict, prefix: str = "$") -> list[str]:
    paths = []
    for key, value in node.items():
        if isinstance(value, dict):
            paths += [f"{prefix}.{key}", *_struct_paths(value, f"{prefix}.{key}")]
    return paths


# A JSON line the schema can hold: an object whose nested objects (context, context.page, ...) are
# objects or null. Anything else is quarantined as `malformed record` (as the parquet exporter does).
_FITS = "json_type(line) = 'OBJECT' and " + " and ".join(
    f"coalesce(json_type(line, '{path}'), 'NULL') in ('OBJECT', 'NULL')"
    for path in _struct_paths(JSON_SCHEMA)
)
_LINE_REASON = (
    f"case when not json_valid(line) then 'malformed JSON' when not ({_FITS}) then 'malformed record' end"
)


def _read_one_by_one(con: duckdb.DuckDBPyConnection, files: list[str]) -> pa.Table:
    """Parse each JSON file alone into `parsed`; files with non-JSON lines take the line-by-line path.
    Returns the broken lines (reason, raw_payload, source_file)."""
    broken = []
    columns = ", ".join(f'"{name}" {sql_type(kind)}' for name, kind in JSON_SCHEMA.items())
    con.execute(f"create temp table parsed ({columns}, filename varchar)")
    for file in files:
        try:
            con.execute(f"insert into parsed by name select * from {_read_json_sql('?')}", [file])
        except duckdb.Error:
            broken.append(_read_line_by_line(con, file))
    return pa.concat_tables(broken) if broken else _EMPTY_REFUSED.empty_table()


def _read_line_by_line(con: duckdb.DuckDBPyConnection, file: str) -> pa.Table:
    """Slow path for a file with lines read_json refuses: its good lines go to `parsed`; returns the
    others (not JSON, or JSON of another shape) with their text."""
    con.execute("drop table if exists lines")
    con.execute(
        "create temp table lines as select line, "
        f"{_LINE_REASON} as reason from read_csv(?, columns = {{'line': 'VARCHAR'}}, "
        "delim = '\x01', quote = '', escape = '', header = false, compression = 'auto')",
        [file],
    )
    # json_transform (not a cast) ignores keys the schema does not name, as read_json does.
    con.execute(
        "insert into parsed by name select unnest(json_transform(line, ?)), ? as filename from lines where reason is null",
        [json.dumps(JSON_SCHEMA), file],
    )
    return con.sql(
        "select reason, line as raw_payload, names.source_file from lines, names "
        "where names.filename = ? and reason is not null",
        params=[file],
    ).to_arrow_table()


def file_fingerprint(path: Path) -> str:
    """What identifies a file version: its size and modification time (a re-export changes them)."""
    stat = path.stat()
    return json.dumps([stat.st_size, int(stat.st_mtime)])
