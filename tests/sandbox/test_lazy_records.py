"""Klaviyo events served from disk (sandbox/lazy_records.py): the same records, pages and range columns as
the in-memory sorted index, for a file in key order (read in place) and one out of order (sorted in
memory), and the saved index is reused only while the file is unchanged."""

from __future__ import annotations

import os
import random

import orjson
import pytest

from sandbox import lazy_records
from sandbox.apis.klaviyo import FIELDS, SORTS, TIME_FIELDS
from sandbox.io import read_jsonl
from sandbox.lazy_records import FileOrderIndex, JsonlRecords, lean_sorted_index
from sandbox.store import SortedIndex

NAME = ("klaviyo", "events", "datetime")
KEY = SORTS["events"]["datetime"]
COLUMNS = {f: get for f, get in FIELDS["events"].items() if f in TIME_FIELDS}


def _events(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        second = 1_767_225_600 + rng.randrange(n // 3)  # many equal datetimes, told apart by id
        out.append(
            {
                "type": "event",
                "id": f"{rng.getrandbits(64):016x}",
                "attributes": {
                    "timestamp": second,
                    "datetime": f"2026-01-01T{(second // 3600) % 24:02d}:{(second // 60) % 60:02d}:{second % 60:02d}+00:00",
                    "event_properties": {"n": i},
                },
                "relationships": {"metric": {"data": {"type": "metric", "id": "m1"}}},
            }
        )
    return out


def _write(path, records, *, blank_lines=False, final_newline=True):
    lines = [orjson.dumps(r) for r in records]
    if blank_lines:
        lines.insert(3, b"   ")
        lines.insert(10, b"")
    path.write_bytes(b"\n".join(lines) + (b"\n" if final_newline else b""))


@pytest.mark.parametrize("final_newline", [True, False])
def test_records_read_in_place_equal_the_file_read_whole(tmp_path, final_newline):
    path = tmp_path / "events.jsonl"
    _write(path, _events(500), blank_lines=True, final_newline=final_newline)
    records, whole = JsonlRecords(path), read_jsonl(path)
    assert len(records) == len(whole) == 500
    assert list(records) == whole
    assert [records[i] for i in range(len(whole))] == whole
    assert records[-1] == whole[-1] and records[7:40:3] == whole[7:40:3]
    with pytest.raises(IndexError):
        records[500]


@pytest.mark.parametrize("desc", [False, True])
def test_a_file_in_key_order_is_served_in_place_exactly_as_sorted_in_memory(tmp_path, desc):
    events = sorted(_events(3000), key=KEY)
    path = tmp_path / "events.jsonl"
    _write(path, events)
    lean = lean_sorted_index(JsonlRecords(path), NAME, KEY, COLUMNS)
    assert isinstance(lean, FileOrderIndex)
    memory = SortedIndex(read_jsonl(path), KEY)
    a, b = lean.view(desc), memory.view(desc)
    assert len(a.records) == len(b.records) == 3000
    assert a.records[0:3000] == b.records[0:3000]
    assert list(a.records) == list(b.records) and a.records[-1] == b.records[-1]
    with pytest.raises(IndexError):
        a.records[3000]
    for name, getter in COLUMNS.items():
        column = lean.column(name, getter)
        assert column is not None and list(column) == list(memory.column(name, getter))
        # a range filter finds the same positions either way
        middle = column[1500]
        for op in (">=", ">", "<", "<=", "=="):
            assert a.column_range(column, op, middle) == b.column_range(memory.column(name, getter), op, middle)


def test_a_file_out_of_key_order_is_left_to_the_in_memory_index(tmp_path):
    events = _events(300)
    random.Random(1).shuffle(events)
    path = tmp_path / "events.jsonl"
    _write(path, events)
    assert lean_sorted_index(JsonlRecords(path), NAME, KEY, COLUMNS) is None
    # and the answer is remembered with the file: no second scan
    assert lean_sorted_index(JsonlRecords(path), NAME, KEY, COLUMNS) is None


def test_the_saved_index_is_reused_while_the_file_is_unchanged_and_rebuilt_after(tmp_path, monkeypatch):
    path = tmp_path / "events.jsonl"
    _write(path, sorted(_events(200), key=KEY))
    first = lean_sorted_index(JsonlRecords(path), NAME, KEY, COLUMNS)
    assert (tmp_path / "events.jsonl.index.npz").exists()

    def no_scan(*args, **kwargs):
        raise AssertionError("scanned although the saved index was valid")

    monkeypatch.setattr(lazy_records, "_line_bounds", no_scan)
    monkeypatch.setattr(lazy_records, "_scan", no_scan)
    again = lean_sorted_index(JsonlRecords(path), NAME, KEY, COLUMNS)
    assert again.view(False).records[0:200] == first.view(False).records[0:200]
    assert list(again.column("datetime", COLUMNS["datetime"])) == list(first.column("datetime", COLUMNS["datetime"]))
    monkeypatch.undo()

    # the file changes (one event fewer, out of order now): the saved index no longer applies
    events = read_jsonl(path)[1:]
    events[0], events[1] = events[1], events[0]
    _write(path, events)
    os.utime(path, ns=(1, 1))  # another mtime even on a coarse clock
    records = JsonlRecords(path)
    assert len(records) == 199
    assert lean_sorted_index(records, NAME, KEY, COLUMNS) is None
