"""Rows go to dlt a page (or a batch of pages) at a time: Klaviyo's events as Arrow tables typed by
their column hints, the rest as lists of dicts. Either way the raw tables are what one dict per row
made of them, and a re-read record is merged on its key, never duplicated."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pyarrow as pa
import pytest
from ingest_support import count, mutate_jsonl, query, run

import ingestion.klaviyo as klaviyo_package
from ingestion.common.arrow import page_schema, rows_table
from ingestion.klaviyo.settings import EVENT_ROW_COLUMNS
from sandbox.server import start_server

COLUMNS = {
    "id": {"data_type": "text", "nullable": False},
    "at": {"data_type": "timestamp"},
    "n": {"data_type": "bigint"},
    "props": {"data_type": "json"},
}
SCHEMA = page_schema(COLUMNS)


def test_a_page_table_has_the_hinted_types_whatever_the_page_holds():
    rows = [{"id": "a", "props": {"b": [1, 2.5, None], "é": "x"}}, {"id": "b", "at": None, "n": None}]
    table = rows_table(rows, COLUMNS, SCHEMA)
    # all-null columns keep their declared types; dlt's own columns close the table
    assert table.schema.names == ["id", "at", "n", "props", "_dlt_load_id", "_dlt_id"]
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("n").type == pa.int64()
    assert table.column("at").null_count == 2 and table.column("n").null_count == 2
    # a json value is serialised as dlt's parquet writer would have: compact, keys in their order
    assert table.column("props").to_pylist() == ['{"b":[1,2.5,null],"é":"x"}', None]
    ids = table.column("_dlt_id").to_pylist()
    assert len(set(ids)) == 2 and all(len(i) == 14 for i in ids)


def test_timestamps_land_in_utc_whatever_their_offset():
    local = datetime(2026, 3, 1, 19, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5)))
    rows = [{"id": "a", "at": local}, {"id": "b", "at": datetime(2026, 3, 2, tzinfo=UTC)}]
    values = rows_table(rows, COLUMNS, SCHEMA).column("at").to_pylist()
    assert values == [datetime(2026, 3, 2, 0, 0, 0, 123456, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)]


@pytest.mark.parametrize(
    "row",
    [
        {"id": "a", "n": "7"},  # a text where a bigint is hinted: dlt coerces or makes a variant column
        {"id": "a", "n": True},  # a bool is no bigint
        {"id": "a", "n": 1.5},
        {"id": 5},
        {"id": "a", "at": "2026-03-01T00:00:00Z"},
        {"id": "a", "props": "not an object"},
        {"id": "a", "new_field": 1},  # no hint: dlt's JSON normaliser adds the column
        {"id": "a", "n": 2**70},  # beyond 64 bits
        {"id": "\ud800"},  # not encodable as UTF-8
    ],
)
def test_rows_that_do_not_fit_the_hints_are_no_table(row):
    assert rows_table([{"id": "ok", "n": 1}, row], COLUMNS, SCHEMA) is None


def _table_shape(warehouse, schema: str, table: str) -> list[tuple]:
    return query(
        warehouse,
        "select column_name, data_type, is_nullable from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
    )


def test_klaviyo_events_as_arrow_land_exactly_as_dicts_did(sandbox, warehouse, tmp_path, monkeypatch, expected):
    run("klaviyo")
    as_dicts = tmp_path / "as_dicts.duckdb"
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(as_dicts))
    as_dicts_rows = []

    def as_dicts_instead(rows, *args):  # the JSON normaliser's path, as before events went as Arrow
        as_dicts_rows.extend(rows)
        return rows

    monkeypatch.setattr(klaviyo_package, "as_arrow", as_dicts_instead)
    run("klaviyo")
    assert len(as_dicts_rows) == expected["klaviyo"]["events"]

    for table in ("events", "profiles"):
        assert _table_shape(warehouse, "raw_klaviyo", table) == _table_shape(as_dicts, "raw_klaviyo", table)
    assert [c for c, _, _ in _table_shape(warehouse, "raw_klaviyo", "events")] == [
        *EVENT_ROW_COLUMNS,
        "_dlt_load_id",
        "_dlt_id",
    ]
    data = ", ".join(f'"{c}"' for c in EVENT_ROW_COLUMNS)
    arrow_rows = query(warehouse, f"select {data} from raw_klaviyo.events order by id")
    dict_rows = query(as_dicts, f"select {data} from raw_klaviyo.events order by id")
    assert len(arrow_rows) == expected["klaviyo"]["events"] > 0
    assert arrow_rows == dict_rows
    # every row carries this load's id and its own row id
    assert query(warehouse, "select count(distinct _dlt_load_id), count(distinct _dlt_id) from raw_klaviyo.events")[0] == (
        1,
        len(arrow_rows),
    )


def test_a_klaviyo_rerun_at_the_cursor_merges_the_boundary_event(sandbox, warehouse, expected):
    run("klaviyo")
    run("klaviyo")  # re-reads the events at the stored cursor (no boundary hashes): merged on id
    assert count(warehouse, "raw_klaviyo", "events") == expected["klaviyo"]["events"]
    assert query(warehouse, "select count(*) - count(distinct id) from raw_klaviyo.events")[0][0] == 0
    # the merge went through dlt's staging dataset, emptied after the load (.dlt/config.toml [load]),
    # so the events are not kept on disk twice
    assert count(warehouse, "raw_klaviyo_staging", "events") == 0


def test_an_updated_shopify_order_is_merged_with_its_new_line_items_and_refund(warehouse, world_copy, monkeypatch):
    """A refund and an order edit move `updated_at`: the next run re-reads the order and replaces it,
    its child rows (line items, refunds) included; nothing is duplicated."""
    orders_file = world_copy / "shopify" / "orders.jsonl"
    edited = next(
        json.loads(line)
        for line in orders_file.read_text().splitlines()
        if len(json.loads(line)["line_items"]) >= 2 and not json.loads(line)["refunds"]
    )

    def serve_and_load():
        server = start_server(world_copy, host="127.0.0.1")
        try:
            monkeypatch.setenv("TOUCHPATH_SANDBOX_URL", server.base_url)
            run("shopify")
        finally:
            server.shutdown()

    serve_and_load()
    before = {t: count(warehouse, "raw_shopify", t) for t in ("orders", "orders__line_items", "orders__refunds")}

    refunded_line = edited["line_items"][0]
    refund = {
        "id": edited["id"] * 10 + 9,
        "order_id": edited["id"],
        "created_at": "2026-03-20T10:00:00-05:00",
        "processed_at": "2026-03-20T10:00:00-05:00",
        "note": None,
        "restock": False,
        "refund_line_items": [
            {"id": edited["id"] * 10 + 8, "line_item_id": refunded_line["id"], "quantity": 1, "restock_type": "no_restock"}
        ],
        "transactions": [
            {"id": edited["id"] * 10 + 7, "order_id": edited["id"], "kind": "refund", "gateway": "manual",
             "status": "success", "amount": "10.00"}
        ],
    }

    def edit(order: dict) -> dict | None:
        if order["id"] != edited["id"]:
            return None
        return {
            **order,
            "updated_at": "2026-03-20T10:00:00-05:00",  # after every other order: the next run's window
            "financial_status": "partially_refunded",
            "line_items": order["line_items"][:-1],  # an order edit removed its last line
            "refunds": [refund],
        }

    mutate_jsonl(orders_file, edit)
    serve_and_load()

    assert count(warehouse, "raw_shopify", "orders") == before["orders"]
    assert count(warehouse, "raw_shopify", "orders__line_items") == before["orders__line_items"] - 1
    assert count(warehouse, "raw_shopify", "orders__refunds") == before["orders__refunds"] + 1
    (status, refunded, lines, updated) = query(
        warehouse,
        "select o.financial_status, o.total_refunded, count(l._dlt_id), o.updated_at from raw_shopify.orders o "
        "left join raw_shopify.orders__line_items l on l._dlt_parent_id = o._dlt_id "
        f"where o.id = {edited['id']} group by all",
    )[0]
    assert (status, refunded, lines) == ("partially_refunded", Decimal("10.00"), len(edited["line_items"]) - 1)
    assert updated == datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


def test_dlts_json_hint_warning_is_logged_once_not_per_arrow_table(sandbox, warehouse, monkeypatch):
    # dlt warns on every Arrow table whose json column arrives as text (the hint wins, as intended);
    # a year of events is thousands of tables, so the filter in ingestion/common/arrow.py lets one through
    import logging

    from ingestion.common import arrow
    from ingestion.klaviyo import settings

    once = next(f for f in logging.getLogger("dlt").filters if isinstance(f, arrow._OnceEach))
    monkeypatch.setattr(once, "seen", set())  # earlier loads in this process already logged theirs
    monkeypatch.setattr(settings, "EVENTS_BATCH_ROWS", 7)
    tables = []

    def counted(rows, *args):
        table = arrow.as_arrow(rows, *args)
        tables.append(table)
        return table

    monkeypatch.setattr(klaviyo_package, "as_arrow", counted)
    warnings = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    logging.getLogger("dlt").addHandler(handler)
    try:
        run("klaviyo", events_page_size=5)
    finally:
        logging.getLogger("dlt").removeHandler(handler)
    assert sum(isinstance(t, pa.Table) for t in tables) >= 3
    merged = [w for w in warnings if "when merging arrow schema with dlt schema" in w]
    assert len(merged) == 1, warnings
