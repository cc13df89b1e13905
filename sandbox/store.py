"""Loads a generated world directory for the server (read-only after load).

Shopify records, Klaviyo profiles and metrics and the ad rows are held in memory as read from their files;
Klaviyo events, the one set that grows with every day and customer, are read from their file per page
(``sandbox/lazy_records.py``). Sorted orders of
them are built lazily, once per (resource, sort key), so a page costs a bisect plus the page itself
(``SortedIndex``). Tracking events are not loaded up front: ``TrackingDays`` reads one ``dt=`` day file at
a time, when a page needs it, and keeps a few days in an LRU cache."""

from __future__ import annotations

import bisect
import gzip
import json
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

from sandbox.io import dumps, read_json, read_jsonl
from sandbox.lazy_records import JsonlRecords, lean_sorted_index
from sandbox.timeutil import parse_iso

TRACKING_CACHE_DAYS = 3  # day files kept parsed: the day being paged, the next one (peeked) and one spare
MEMO_ENTRIES = 32  # cached query results (ad reports, filtered Klaviyo lists): small, recomputed on a miss


class Store:
    def __init__(self, data_dir, tracking_cache_days: int = TRACKING_CACHE_DAYS) -> None:
        self.dir = Path(data_dir)
        if not (self.dir / "world.json").exists():
            raise FileNotFoundError(f"{self.dir} has no world.json; run `python -m sandbox generate` first")
        self.world = read_json(self.dir / "world.json")
        self.campaigns = read_json(self.dir / "campaigns.json")
        self.meta = sorted(
            read_jsonl(self.dir / "meta/insights.jsonl"), key=lambda r: (r["date"], r["ad_id"] or "")
        )
        self.google = sorted(
            read_jsonl(self.dir / "google_ads/ad_metrics.jsonl"),
            key=lambda r: (r["date"], int(r["campaign_id"]), int(r["group_id"]), int(r["ad_id"] or 0)),
        )
        self.tiktok = sorted(
            read_jsonl(self.dir / "tiktok/report.jsonl"), key=lambda r: (r["date"], r["ad_id"] or "")
        )
        self.restated = False
        for r in self.meta + self.google + self.tiktok:
            if r.get("conversion_log"):
                r["_log"] = [(parse_iso(ts), v) for ts, v in r["conversion_log"]]
                self.restated = True
        restatement = self.world.get("restatement") or {}
        self.restated = self.restated or bool(restatement.get("enabled"))
        end = self.world["date_range"]["end"]
        # the default "now" of a restating world: the end of its last day (the trailing 3 days still move)
        self.default_as_of = parse_iso(end) + 86_400_000 if self.restated else None
        self.orders = read_jsonl(self.dir / "shopify/orders.jsonl")
        self.customers = read_jsonl(self.dir / "shopify/customers.jsonl")
        for rec in self.orders + self.customers:
            rec["_updated_ms"] = parse_iso(rec["updated_at"])
            rec["_created_ms"] = parse_iso(rec["created_at"])
        self.orders_by_id = {o["id"]: o for o in self.orders}
        self.klaviyo = {
            "events": JsonlRecords(self.dir / "klaviyo/events.jsonl"),
            **{name: read_jsonl(self.dir / f"klaviyo/{name}.jsonl") for name in ("profiles", "metrics")},
        }
        self.tracking = TrackingDays(self.dir / "tracking", tracking_cache_days)
        self._indexes: dict[Hashable, SortedIndex] = {}
        self._memo: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # the server is threaded: one thread builds an index, the others wait

    def sorted_index(
        self,
        name: Hashable,
        records: list[dict] | JsonlRecords,
        key: Callable[[dict], tuple],
        columns: dict[str, Callable[[dict], object]] | None = None,
    ):
        """``records`` sorted by ``key``, built on first use and kept (``name`` identifies records + key).

        Records read from disk that the file already holds in key order get an index of the file's order
        (their integer ``columns``, name -> getter, computed in the same pass); anything else is sorted
        in memory."""
        with self._lock:
            index = self._indexes.get(name)
            if index is None:
                if isinstance(records, JsonlRecords):
                    index = lean_sorted_index(records, name, key, columns or {})
                index = self._indexes[name] = index or SortedIndex(records, key)
            return index

    def memo(self, key: Hashable, compute: Callable[[], object]):
        """A small LRU of computed, read-only query results (callers must not mutate them)."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = compute()  # outside the lock: a slow query does not block other endpoints
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
        return value

    def ad_rows(self, platform: str, as_of_ms: int | None) -> list[dict]:
        """Ad rows of ``platform`` as the platform reports them at ``as_of_ms``: conversions that the platform
        attributes later than that are not yet included (spend and clicks never change)."""
        rows = {"meta": self.meta, "google_ads": self.google, "tiktok": self.tiktok}[platform]
        if as_of_ms is None:
            as_of_ms = self.default_as_of
        if as_of_ms is None or not self.restated:
            return rows
        return self.memo(("ad_rows", platform, as_of_ms), lambda: _as_of(rows, as_of_ms))

    def order_by_id(self, order_id: int) -> dict | None:
        """The order with this id; a drifted world may store the id as a string."""
        order = self.orders_by_id.get(order_id)
        return order if order is not None else self.orders_by_id.get(str(order_id))

    @property
    def date_range(self) -> tuple[str, str]:
        return self.world["date_range"]["start"], self.world["date_range"]["end"]


def _as_of(rows: list[dict], as_of_ms: int) -> list[dict]:
    out = []
    for r in rows:
        hidden = [v for ms, v in r.get("_log", ()) if ms > as_of_ms]
        if hidden:
            r = {
                **r,
                "conversions": r["conversions"] - len(hidden),
                "conversion_value": round(r["conversion_value"] - sum(hidden), 2),
            }
        out.append(r)
    return out


# --- sorted views of in-memory records ---------------------------------------------------------------


class SortedIndex:
    """References to ``records`` sorted once by ``key`` (ascending, stable: ties keep file order), with the
    keys for bisect. ``view(desc)`` is the order a descending sort would give, built on first use.

    Positions of a view are 0..n-1 in served order; bounds are computed on the ascending keys and mirrored
    for a descending view (a descending stable sort is the ascending order reversed, except that records
    with equal keys keep their file order; equal keys are contiguous either way)."""

    def __init__(self, records: list[dict], key: Callable[[dict], tuple]) -> None:
        keys = [key(r) for r in records]
        order = sorted(range(len(records)), key=keys.__getitem__)
        self.keys = [keys[i] for i in order]
        self.records = [records[i] for i in order]
        self._desc: list[dict] | None = None
        self._columns: dict[str, array | None] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.records)

    def view(self, desc: bool) -> View:
        if not desc:
            return View(self, self.records, False)
        with self._lock:
            if self._desc is None:
                self._desc = self._descending()
        return View(self, self._desc, True)

    def _descending(self) -> list[dict]:
        out: list[dict] = []
        i = len(self.keys)
        while i > 0:  # groups of equal keys from the last, each in its (file) order
            j = bisect.bisect_left(self.keys, self.keys[i - 1], 0, i)
            out.extend(self.records[j:i])
            i = j
        return out

    def column(self, name: str, getter: Callable[[dict], object]) -> array | None:
        """``getter`` of every record in ascending key order, if those are integers that never decrease along
        it (so a range filter on them is a slice found by bisect); else None (the caller filters by scanning)."""
        with self._lock:
            if name not in self._columns:
                self._columns[name] = _monotonic_ints(self.records, getter)
            return self._columns[name]


def _monotonic_ints(records: list[dict], getter: Callable[[dict], object]) -> array | None:
    out = array("q")
    last = None
    for r in records:
        try:
            v = getter(r)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if type(v) is not int or (last is not None and v < last):
            return None
        out.append(v)
        last = v
    return out


class View:
    """One served order of a ``SortedIndex``: ``records[p]`` is the record at position p."""

    def __init__(self, index: SortedIndex, records: list[dict], desc: bool) -> None:
        self.index, self.records, self.desc = index, records, desc
        self.n = len(records)

    def _mirror(self, lo: int, hi: int) -> tuple[int, int]:
        return (self.n - hi, self.n - lo) if self.desc else (lo, hi)

    def key_range(self, lower: tuple | None, upper: tuple | None) -> tuple[int, int]:
        """Positions of the records with ``lower <= key < upper`` (None: unbounded)."""
        keys = self.index.keys
        lo = bisect.bisect_left(keys, lower) if lower is not None else 0
        hi = bisect.bisect_left(keys, upper) if upper is not None else self.n
        return self._mirror(lo, max(lo, hi))

    def after(self, key: tuple) -> int:
        """First position whose key comes strictly after ``key`` in served order."""
        keys = self.index.keys
        return self.n - bisect.bisect_left(keys, key) if self.desc else bisect.bisect_right(keys, key)

    def equal(self, key: tuple) -> tuple[int, int]:
        """Positions of the records whose key equals ``key``."""
        keys = self.index.keys
        return self._mirror(bisect.bisect_left(keys, key), bisect.bisect_right(keys, key))

    def column_range(self, column: array, op: str, value: int) -> tuple[int, int]:
        """Positions of the records whose column value satisfies ``value``-comparison ``op`` (>=, >, <, <=,
        ==), the column being ascending along the index."""
        lo, hi = 0, len(column)
        if op in (">=", "=="):
            lo = bisect.bisect_left(column, value)
        elif op == ">":
            lo = bisect.bisect_right(column, value)
        if op in ("<=", "=="):
            hi = bisect.bisect_right(column, value)
        elif op == "<":
            hi = bisect.bisect_left(column, value)
        return self._mirror(lo, max(lo, hi))


# --- tracking day files, read lazily -----------------------------------------------------------------


class DayEvents:
    """One day's events in (receivedAt, messageId) order: their keys, and each event's compact JSON (bytes),
    which the API splices into its response as stored."""

    __slots__ = ("keys", "lines")

    def __init__(self, keys: list[tuple[str, str]], lines: list[bytes]) -> None:
        self.keys, self.lines = keys, lines


class TrackingDays:
    """The tracking export ``tracking/dt=YYYY-MM-DD/events-*.{jsonl.gz,parquet}`` as one stream ordered by
    (receivedAt, messageId), read a day at a time.

    It relies on the export's layout: a day folder holds exactly the events received that (UTC) day (the
    generator partitions by ``receivedAt``), so the stream is the days in order, each sorted. A day is
    parsed when first needed and kept in an LRU of ``cache_days`` days; a day that breaks the layout raises
    (paging across it would skip or repeat events)."""

    def __init__(self, root: Path, cache_days: int = TRACKING_CACHE_DAYS) -> None:
        self.files = _day_files(root)
        self.days = sorted(self.files)
        self.cache_days = max(1, cache_days)
        self._cache: OrderedDict[str, DayEvents] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # day files parsed so far (tests check the cache)

    def day(self, day: str) -> DayEvents:
        with self._lock:
            cached = self._cache.get(day)
            if cached is not None:
                self._cache.move_to_end(day)
                return cached
            events = _load_day(day, self.files[day])  # under the lock: one thread parses a day, once
            self.loads += 1
            self._cache[day] = events
            while len(self._cache) > self.cache_days:
                self._cache.popitem(last=False)
            return events

    def page(
        self, after: tuple[str, str] | None, before: str | None, limit: int
    ) -> tuple[list[bytes], tuple | None, bool]:
        """Up to ``limit`` events with key > ``after`` and receivedAt < ``before`` (None: unbounded), as
        (JSON lines, key of the last one, whether another event follows within ``before``)."""
        lines: list[bytes] = []
        last = None
        i = bisect.bisect_left(self.days, after[0][:10]) if after is not None else 0
        for day in self.days[i:]:
            if before is not None and before <= _day_start(day):
                return lines, last, False  # every event of this day and later ones is at or after `before`
            events = self.day(day)
            start = bisect.bisect_right(events.keys, after) if after is not None else 0
            for k in range(start, len(events.keys)):
                key = events.keys[k]
                if before is not None and key[0] >= before:
                    return lines, last, False
                if len(lines) == limit:
                    return lines, last, True
                lines.append(events.lines[k])
                last = key
        return lines, last, False


def _day_start(day: str) -> str:
    return f"{day}T00:00:00.000Z"


def _day_files(root: Path) -> dict[str, list[Path]]:
    """{day: files}: a day's JSON-lines files, or its parquet files when it has no JSON-lines file (the two
    formats of one day are the same events, so only one is read)."""
    jsonl: dict[str, list[Path]] = {}
    parquet: dict[str, list[Path]] = {}
    for path in sorted(root.glob("dt=*/*")):
        day = path.parent.name[3:]
        if path.name.endswith(".jsonl.gz"):
            jsonl.setdefault(day, []).append(path)
        elif path.name.endswith(".parquet"):
            parquet.setdefault(day, []).append(path)
    return {**parquet, **jsonl}


def _load_day(day: str, files: list[Path]) -> DayEvents:
    pairs: list[tuple[tuple[str, str], bytes]] = []
    for path in files:
        if path.name.endswith(".parquet"):
            pairs.extend(
                ((e["receivedAt"], e["messageId"]), dumps(e).encode()) for e in read_parquet_events(path)
            )
        else:
            pairs.extend(_jsonl_pairs(path))
    if any(pairs[i][0] > pairs[i + 1][0] for i in range(len(pairs) - 1)):
        pairs.sort(key=lambda p: p[0])  # several files of a day, or a file not written in order
    # sorted, so checking the first and last keys checks them all: every receivedAt starts with the day and
    # is at or after its start (what `TrackingDays.page` relies on to skip days without reading them)
    for key, _ in pairs[:1] + pairs[-1:]:
        if not (
            isinstance(key[1], str)
            and isinstance(key[0], str)
            and key[0][:10] == day
            and key[0] >= _day_start(day)
        ):
            raise ValueError(f"tracking/dt={day} holds an event received at {key[0]!r}, outside that day")
    return DayEvents([k for k, _ in pairs], [line for _, line in pairs])


def _jsonl_pairs(path: Path):
    with gzip.open(path, "rb") as f:
        for raw in f:
            line = raw.strip()
            if line:
                e = json.loads(line)
                yield (e["receivedAt"], e["messageId"]), line


# Segment identity keys the JSON export always writes, null or not (a parquet file cannot tell a null from
# an absent key, so the reader restores these two and drops other nulls).
_ALWAYS = ("anonymousId", "userId")


def read_parquet_events(path: Path) -> list[dict]:
    """Events of a parquet export file (``sandbox/export_parquet.py``: the JSON keys as columns, ``context`` /
    ``traits`` as structs, ``properties`` as JSON text, ``_raw`` for a record that fits no column) as the
    dicts the JSON-lines file would hold."""
    import pyarrow.parquet as pq  # only worlds exported as parquet need it

    out = []
    for rec in pq.read_table(path).to_pylist():
        raw = rec.pop("_raw", None)
        if raw is not None:  # a record the exporter could not fit: served as it was written
            try:
                out.append(json.loads(raw))
            except ValueError:  # not even JSON: its text, which a client quarantines
                out.append(raw)
            continue
        ev = {}
        for k, v in rec.items():
            if k == "properties" and v is not None:
                ev[k] = json.loads(v)
            elif v is not None:
                ev[k] = _drop_nulls(v)
            elif k in _ALWAYS:
                ev[k] = None
        out.append(ev)
    return out


def _drop_nulls(value):
    """A struct read back from parquet has every field of its type; the JSON object had only its own keys."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value
