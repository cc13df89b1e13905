"""Bad records are quarantined, never dropped: one `rejected_records` table per raw schema.

Each row keeps the resource it came from, the reason, the raw payload as JSON and when it was seen,
so an engineer can tell exactly what was refused and why. The id is a hash of resource, reason and
payload, and the table merges on it, so re-reading the same bad record does not add a row.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import dlt

REJECTED_TABLE = "rejected_records"


def rejected(resource: str, reason: str, payload: Any) -> Any:
    """Wrap a refused record so that dlt routes it to the `rejected_records` table."""
    raw = json.dumps(payload, sort_keys=True, default=str)
    row = {
        "rejected_id": hashlib.sha256(f"{resource}|{reason}|{raw}".encode()).hexdigest(),
        "resource": resource,
        "reason": reason,
        "raw_payload": raw,
        "rejected_at": datetime.now(UTC).isoformat(),
    }
    return dlt.mark.with_hints(
        row,
        dlt.mark.make_hints(
            table_name=REJECTED_TABLE,
            write_disposition="merge",
            primary_key="rejected_id",
            columns=[{"name": "raw_payload", "data_type": "text"}],
        ),
        # Route only this item: without it the first refused record would retarget the whole
        # resource (and every good row after it) to rejected_records.
        create_table_variant=True,
    )


def split_page(
    resource: str, records: Iterable[dict], shape: Callable[[dict], tuple[dict | None, str | None]]
) -> tuple[list[dict], list]:
    """A page's clean rows, and its refused records wrapped by `rejected`, yielded apart: the rows as
    one item (a list or an Arrow table), each refused record as its own (it goes to another table)."""
    rows, refused = [], []
    for record in records:
        clean, reason = shape(record)
        if clean:
            rows.append(clean)
        else:
            refused.append(rejected(resource, reason, record))
    return rows, refused
