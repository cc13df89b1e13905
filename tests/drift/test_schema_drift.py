"""Schema drift against the sandbox: a new field adds a column; a key changing type stops the load."""

import json
import shutil

import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.common.pipeline import make_pipeline
from ingestion.common.schema import KeyTypeChanged, check_key_types
from ingestion.registry import build_source
from sandbox.server import start_server
from tests.conftest import WORLD


def edited_world(world_dir, tmp_path, edit):
    copy = tmp_path / "world"
    shutil.copytree(world_dir, copy)
    path = copy / "shopify" / "orders.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    edit(rows)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return copy


def load_orders(world, monkeypatch, tmp_path):
    warehouse = tmp_path / "drift.duckdb"
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(warehouse))
    with start_server(world) as server:
        monkeypatch.setenv("TOUCHPATH_SANDBOX", "1")
        monkeypatch.setenv("TOUCHPATH_SANDBOX_URL", server.base_url)
        make_pipeline("shopify").run(build_source("shopify", start_date=WORLD["start_date"]).with_resources("orders"))
    return warehouse


def test_a_new_field_adds_a_column(world_dir, tmp_path, monkeypatch):
    def add_field(rows):
        for row in rows:
            row["loyalty_tier"] = "gold"

    warehouse = load_orders(edited_world(world_dir, tmp_path, add_field), monkeypatch, tmp_path)
    con = duckdb.connect(str(warehouse), read_only=True)
    (tiers,) = con.execute("select count(*) from raw_shopify.orders where loyalty_tier = 'gold'").fetchone()
    (orders,) = con.execute("select count(*) from raw_shopify.orders").fetchone()
    con.close()
    assert tiers == orders > 0


def test_a_key_changing_type_fails_the_load_loudly_and_writes_nothing(world_dir, tmp_path, monkeypatch):
    """The API starts sending string ids mid-page (fed through the connector's own paging seam)."""
    import ingestion.shopify as shopify_package

    orders = [json.loads(line) for line in (world_dir / "shopify" / "orders.jsonl").read_text().splitlines()[:5]]
    orders[3]["id"] = f"gid://shopify/Order/{orders[3]['id']}"
    monkeypatch.setattr(shopify_package, "paginate", lambda *args, **kwargs: iter([orders]))
    monkeypatch.setenv("TOUCHPATH_WAREHOUSE", str(tmp_path / "drift.duckdb"))
    source = shopify_package.shopify_source(shop_url="http://127.0.0.1:9", access_token="unused",
                                            start_date=WORLD["start_date"]).with_resources("orders")
    with pytest.raises(PipelineStepFailed) as failure:
        make_pipeline("shopify").run(source)
    assert "key column `id` arrived as str" in str(failure.value)
    con = duckdb.connect(str(tmp_path / "drift.duckdb"), read_only=True)
    (tables,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw_shopify' and table_name = 'orders'"
    ).fetchone()
    con.close()
    assert tables == 0


def test_key_type_check_accepts_the_declared_type_and_ignores_missing_keys():
    check_key_types({"id": 5}, {"id": int}, "s", "r")
    check_key_types({}, {"id": int}, "s", "r")
    with pytest.raises(KeyTypeChanged):
        check_key_types({"id": True}, {"id": int}, "s", "r")
