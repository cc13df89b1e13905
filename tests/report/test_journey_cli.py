"""`touchpath journey` prints a known customer's orders with credits that sum to 1 per model and order;
an unknown customer exits non-zero with a clear message; `touchpath report` prints the file it wrote."""

import re
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "touchpath.cli", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def known_customer(warehouse) -> tuple[str, list[str]]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        key = con.execute(
            "select customer_key from marts.fct_attribution group by customer_key "
            "having count(distinct order_id) >= 2 order by customer_key limit 1"
        ).fetchall()[0][0]
        orders = [r[0] for r in con.execute(
            "select order_id from marts.fct_conversion_paths where customer_key = ? order by ordered_at", [key]
        ).fetchall()]
    finally:
        con.close()
    return key, orders


def order_blocks(output: str) -> dict[str, str]:
    parts = re.split(r"^ORDER (\S+) ", output, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_journey_prints_orders_and_credits_summing_to_one(warehouse, known_customer):
    key, orders = known_customer
    result = run_cli("journey", key, "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"customer {key}")
    assert "TIMELINE" in out and "session" in out
    blocks = order_blocks(out)
    assert set(orders) <= set(blocks), (orders, list(blocks))
    header = re.search(r"^\s+#\s+touched at.*$", out, flags=re.MULTILINE).group(0)
    models = header.split()[-8:]
    assert models == ["first", "last", "last_nd", "linear", "decay", "position", "markov", "shapley"]
    for order_id in orders:
        block = blocks[order_id]
        assert "ORDER" not in block
        touch_lines = re.findall(r"^\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d .*$", block, flags=re.MULTILINE)
        assert touch_lines, block
        credits = [[float(x) for x in line.split()[-8:]] for line in touch_lines]
        for m, model in enumerate(models):
            total = sum(row[m] for row in credits)
            assert total == pytest.approx(1.0, abs=0.002 * len(credits)), (order_id, model, total)
        sums = re.search(r"^\s+sum\s+(.*)$", block, flags=re.MULTILINE).group(1).split()
        assert [float(s) for s in sums] == pytest.approx([1.0] * 8, abs=1e-3), (order_id, sums)


def test_journey_events_are_in_time_order(warehouse, known_customer):
    result = run_cli("journey", known_customer[0], "--warehouse", str(warehouse))
    timeline = result.stdout.split("TIMELINE", 1)[1].split("\nORDER ", 1)[0]
    stamps = re.findall(r"^\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s", timeline, flags=re.MULTILINE)
    assert stamps and stamps == sorted(stamps)


def test_unknown_customer_exits_non_zero_with_a_message(warehouse):
    result = run_cli("journey", "no-such-customer-42", "--warehouse", str(warehouse))
    assert result.returncode != 0
    assert "unknown customer 'no-such-customer-42'" in result.stderr
    assert result.stdout == ""


def test_missing_warehouse_exits_non_zero(tmp_path):
    result = run_cli("journey", "x", "--warehouse", str(tmp_path / "nope.duckdb"))
    assert result.returncode != 0 and "no warehouse" in result.stderr


def test_report_command_renders_and_prints_the_path(warehouse, tmp_path):
    out = tmp_path / "sub" / "r.html"
    result = run_cli("report", "--warehouse", str(warehouse), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == out.resolve()
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
