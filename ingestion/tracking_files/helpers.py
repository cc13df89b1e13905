"""Reading one export file into Arrow with DuckDB: no per-row Python on the fast path.

DuckDB decompresses and parses the file in C++, validates each record, hashes PII and flattens the
fields into the same columns the API connector writes, and hands dlt an Arrow table (which dlt
loads as parquet). A file with a line that is not JSON at all takes the slow path: it is read line by
line (still in DuckDB) so the broken lines can be quarantined with their text instead of vanishing.
"""

import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.common.validation import KNOWN_CURRENCIES

from .settings import EVENT_TYPES, JSON_SCHEMA, sql_type


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


_TYPES = ", ".join(f"'{t}'" for t in EVENT_TYPES)
_CURRENCIES = ", ".join(f"'{c}'" for c in sorted(KNOWN_CURRENCIES))
# An amount that is present but negative or not a number (same rule as the API connector).
_BAD_AMOUNT = " or ".join(
    f"coalesce(try_cast(json_extract_string(properties, '$.{key}') as double) < 0, "
    f"json_extract_string(properties, '$.{key}') is not null)"
    for key in ("revenue", "price", "total")
)

# Why a record is refused, first failing rule wins (same rules as the API connector).
_REASON = f"""
    case
        when nullif(messageId, '') is null then 'missing messageId'
        when type is null or type not in ({_TYPES}) then 'unknown event type'
        when nullif(anonymousId, '') is null and nullif(userId, '') is null then 'missing anonymousId and userId'
        when {_ts('"timestamp"')} is null then 'unparseable timestamp'
        when {_ts('receivedAt')} is null then 'unparseable receivedAt'
        when json_extract_string(properties, '$.currency') is not null
            and upper(json_extract_string(properties, '$.currency')) not in ({_CURRENCIES}) then 'unknown currency'
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
    {_ts('"timestamp"')} at time zone 'UTC' as "timestamp",
    {_ts('sentAt')} at time zone 'UTC' as sent_at,
    {_ts('receivedAt')} at time zone 'UTC' as received_at,
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
    {_hash('context.ip', 'ip')} as context__ip_hash,
    context.device.type as context__device__type,
    {_hash('coalesce(traits.email, context.traits.email)', 'email')} as traits__email_hash,
    {_hash('coalesce(traits.phone, context.traits.phone)', 'phone')} as traits__phone_hash,
    json_extract_string(properties, '$.order_id') as properties__order_id,
    try_cast(json_extract_string(properties, '$.revenue') as decimal(18, 4)) as properties__revenue,
    json_extract_string(properties, '$.currency') as properties__currency,
    json_extract_string(properties, '$.product_id') as properties__product_id,
    try_cast(json_extract_string(properties, '$.price') as decimal(18, 4)) as properties__price,
    cast(properties as varchar) as properties
"""


def _columns_literal() -> str:
    return "{" + ", ".join(f"'{name}': '{sql_type(kind)}'" for name, kind in JSON_SCHEMA.items()) + "}"


def read_files(paths: list[Path], root: Path) -> tuple[pa.Table, pa.Table]:
    """(events, rejected) of a batch of export files, as Arrow tables with a `source_file` column.

    One `read_json` over the whole batch lets DuckDB decompress and parse several files at once (one
    file per core). If a file holds a line that is not JSON, the batch is re-read file by file and
    only the broken file takes the line-by-line path.
    """
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = false")
    names = {str(path): str(path.relative_to(root)) for path in paths}
    try:
        try:
            con.execute(
                f"create temp table parsed as select * from read_json(?, format = 'newline_delimited', "
                f"columns = {_columns_literal()}, compression = 'auto', filename = true)",
                [list(names)],
            )
            broken = pa.table({"reason": pa.array([], pa.string()), "raw_payload": pa.array([], pa.string()),
                               "filename": pa.array([], pa.string())})
        except duckdb.Error:
            broken = _read_one_by_one(con, list(names))
        con.execute("create temp table names as select * from (values " +
                    ", ".join("(?, ?)" for _ in names) + ") as t(filename, source_file)",
                    [value for pair in names.items() for value in pair])
        params = {"salt": _salt()}
        con.execute(f"create temp view judged as select *, {_REASON} as reason from parsed")
        events = con.sql(
            f"select {_FLAT}, names.source_file from judged join names using (filename) where reason is null",
            params=params,
        ).to_arrow_table()
        refused = con.sql(
            "select reason, cast(to_json(judged) as varchar) as raw_payload, names.source_file "
            "from judged join names using (filename) where reason is not null"
        ).to_arrow_table()
        if broken.num_rows:
            broken = broken.append_column(
                "source_file", pa.array([names[f] for f in broken["filename"].to_pylist()], pa.string())
            ).select(["reason", "raw_payload", "source_file"])
            refused = pa.concat_tables([refused, broken])
        return events, refused
    finally:
        con.close()


def _read_one_by_one(con: duckdb.DuckDBPyConnection, files: list[str]) -> pa.Table:
    """Parse each file alone; files with non-JSON lines take the line-by-line path. Returns the broken lines."""
    broken = []
    con.execute(
        f"create temp table parsed as select * from read_json(?, format = 'newline_delimited', "
        f"columns = {_columns_literal()}, compression = 'auto', filename = true) limit 0",
        [files[0]],
    )
    for file in files:
        try:
            con.execute(
                f"insert into parsed by name select * from read_json(?, format = 'newline_delimited', "
                f"columns = {_columns_literal()}, compression = 'auto', filename = true)",
                [file],
            )
        except duckdb.Error:
            broken.append(_read_line_by_line(con, file))
    if not broken:
        return pa.table({"reason": pa.array([], pa.string()), "raw_payload": pa.array([], pa.string()),
                         "filename": pa.array([], pa.string())})
    return pa.concat_tables(broken)


def _read_line_by_line(con: duckdb.DuckDBPyConnection, file: str) -> pa.Table:
    """Slow path for a file with non-JSON lines: its good lines go to `parsed`; returns the broken ones."""
    con.execute("drop table if exists lines")
    con.execute(
        "create temp table lines as select line from read_csv(?, columns = {'line': 'VARCHAR'}, "
        "delim = '\x01', quote = '', escape = '', header = false, compression = 'auto')",
        [file],
    )
    # json_transform (not a cast) ignores keys the schema does not name, as read_json does.
    con.execute(
        "insert into parsed by name select unnest(json_transform(line, ?)), ? as filename from lines where json_valid(line)",
        [json.dumps(JSON_SCHEMA), file],
    )
    return con.sql(
        "select 'malformed JSON' as reason, line as raw_payload, ? as filename from lines where not json_valid(line)",
        params=[file],
    ).to_arrow_table()


def file_fingerprint(path: Path) -> str:
    """What identifies a file version: its size and modification time (a re-export changes them)."""
    stat = path.stat()
    return json.dumps([stat.st_size, int(stat.st_mtime)])
