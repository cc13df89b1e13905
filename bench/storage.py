"""Where a warehouse's disk goes: the blocks each schema's tables hold, and the largest tables.

    python -m bench.storage bench/out/runs/events-10000000/warehouse.duckdb

"How big can it get on one machine" is a question of disk as much as of time: the bench records the
file's size, and this splits it by schema (raw, staging, intermediate, marts, ...) so the per-event
cost of each layer can be extrapolated. Read-only; metadata only (DuckDB's `pragma_storage_info`).

A table's size is the number of distinct storage blocks its column segments use (their own block and
any additional ones a long string segment spills into) times the block size. Segments of one table
can share a block, so this is close to, not exactly, its share of the file; views hold nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb


def storage_by_table(warehouse: Path) -> dict:
    """{"block_bytes", "file_bytes", "tables": [{"schema", "table", "rows", "bytes"}, ...] largest first}."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        block_bytes = con.execute("select block_size from pragma_database_size()").fetchone()[0]
        tables = con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where database_name = current_database() and not temporary"
        ).fetchall()
        out = []
        for schema, table, rows in tables:
            qualified = f'"{schema}"."{table}"'.replace("'", "''")
            blocks = con.execute(
                f"""
                select count(distinct b) from (
                    select block_id as b from pragma_storage_info('{qualified}') where persistent
                    union all
                    select unnest(additional_block_ids) from pragma_storage_info('{qualified}') where persistent
                ) where b is not null
                """
            ).fetchone()[0]
            out.append({"schema": schema, "table": table, "rows": rows, "bytes": blocks * block_bytes})
    finally:
        con.close()
    out.sort(key=lambda t: -t["bytes"])
    return {"block_bytes": block_bytes, "file_bytes": warehouse.stat().st_size, "tables": out}


def by_schema(storage: dict) -> dict[str, int]:
    """Bytes per schema, largest first."""
    totals: dict[str, int] = {}
    for t in storage["tables"]:
        totals[t["schema"]] = totals.get(t["schema"], 0) + t["bytes"]
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.storage", description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--json", action="store_true", help="print the whole breakdown as JSON")
    args = ap.parse_args(argv)
    storage = storage_by_table(args.warehouse)
    if args.json:
        json.dump(storage, sys.stdout, indent=2)
        return 0
    gib = 2**30
    print(f"file {storage['file_bytes'] / gib:.2f} GiB; tables hold {sum(by_schema(storage).values()) / gib:.2f} GiB")
    for schema, size in by_schema(storage).items():
        print(f"  {schema:<28} {size / gib:7.2f} GiB")
    for t in storage["tables"][: args.top]:
        print(f"  {t['schema'] + '.' + t['table']:<52} {t['rows']:>12,} rows {t['bytes'] / gib:7.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
