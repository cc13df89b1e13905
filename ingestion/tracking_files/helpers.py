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


def read_file(path: Path) -> tuple[pa.Table, pa.Table]:
    """(events, rejected) of one export file, as Arrow tables."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    try:
        try:
            con.execute(
                f"create temp table parsed as select * from read_json(?, format = 'newline_delimited', "
                f"columns = {_columns_literal()}, compression = 'auto')",
                [str(path)],
            )
            broken = None
        except duckdb.Error:
            broken = _read_line_by_line(con, path)
        params = {"salt": _salt()}
        con.execute(f"create temp table judged as select *, {_REASON} as reason from parsed")
        events = con.sql(f"select {_FLAT} from judged where reason is null", params=params).to_arrow_table()
        refused = con.sql(
            "select reason, cast(to_json(judged) as varchar) as raw_payload from judged where reason is not null"
        ).to_arrow_table()
        if broken is not None and broken.num_rows:
            refused = pa.concat_tables([refused, broken.select(["reason", "raw_payload"])])
        return events, refused
    finally:
        con.close()


def _read_line_by_line(con: duckdb.DuckDBPyConnection, path: Path) -> pa.Table:
    """Slow path for a file with non-JSON lines: parse the good lines, return the broken ones."""
    con.execute(
        "create temp table lines as select line from read_csv(?, columns = {'line': 'VARCHAR'}, "
        "delim = '\x01', quote = '', escape = '', header = false, compression = 'auto')",
        [str(path)],
    )
    # json_transform (not a cast) ignores keys the schema does not name, as read_json does.
    con.execute(
        "create temp table parsed as select unnest(json_transform(line, ?)) from lines where json_valid(line)",
        [json.dumps(JSON_SCHEMA)],
    )
    return con.sql(
        "select 'malformed JSON' as reason, line as raw_payload from lines where not json_valid(line)"
    ).to_arrow_table()


def file_fingerprint(path: Path) -> str:
    """What identifies a file version: its size and modification time (a re-export changes them)."""
    stat = path.stat()
    return json.dumps([stat.st_size, int(stat.st_mtime)])
