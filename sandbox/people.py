"""The people a world remembers after simulation, as compact columns.

Only identified or subscribed people are remembered (they become Shopify customers and Klaviyo profiles);
their orders are remembered as order references. At 100M events that is ~1.7M people and ~3M orders: as
``Person`` objects, dicts and tuples it took ~1 KB per simulated person in every process that held them
(worker, then parent), so the world's memory grew with its size. Here a person is ~150 bytes of numpy
columns and an order reference 50 bytes, built in bounded chunks (``PeopleBuilder``) and merged once.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np

from sandbox.journeys import Person

NONE_MS = -1  # an absent timestamp (identified_at, subscribed_at, sms_at)
_TEXT = ("first_name", "last_name", "email", "phone", "currency", "profile_id")
_TIMES = ("identified_at", "subscribed_at", "sms_at")
_CHUNK = 50_000  # people per builder chunk: bounds the Python objects alive at once


class PeopleBuilder:
    """Collects remembered people in a worker, a chunk of plain lists at a time turned into numpy columns."""

    def __init__(self) -> None:
        self.chunks: list[dict[str, np.ndarray]] = []
        self._rows: dict[str, list] = {}
        self._reset()

    def _reset(self) -> None:
        self._rows = {name: [] for name in ("idx", *_TEXT, *_TIMES)}

    def add(self, p: Person) -> None:
        rows = self._rows
        rows["idx"].append(p.idx)
        for name in _TEXT:
            value = getattr(p, name)
            rows[name].append(b"" if value is None else value.encode())
        for name in _TIMES:
            value = getattr(p, name)
            rows[name].append(NONE_MS if value is None else value)
        if len(rows["idx"]) >= _CHUNK:
            self._seal()

    def _seal(self) -> None:
        if self._rows["idx"]:
            self.chunks.append({name: np.array(values, dtype=np.int64 if name in ("idx", *_TIMES) else np.bytes_)
                                for name, values in self._rows.items()})
        self._reset()

    def columns(self) -> dict[str, np.ndarray]:
        """Every person added, in the order added (callers add in person order)."""
        self._seal()
        return _concat(self.chunks)


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if not parts:
        return {name: np.array([], dtype=np.int64 if name in ("idx", *_TIMES) else "S1")
                for name in ("idx", *_TEXT, *_TIMES)}
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


class OrderRefs:
    """(person, order id, number, final total, refunded, cancelled, updated ms) of every rendered order, in
    the order rendered (chronological), as typed arrays."""

    def __init__(self) -> None:
        self.person, self.id, self.number, self.updated_ms = (array("q") for _ in range(4))
        self.total, self.refunded = array("d"), array("d")
        self.cancelled = array("b")

    def add(self, person: int, order_id: int, number: int, total: float, refunded: float, cancelled: bool,
            updated_ms: int) -> None:
        self.person.append(person)
        self.id.append(order_id)
        self.number.append(number)
        self.total.append(total)
        self.refunded.append(refunded)
        self.cancelled.append(cancelled)
        self.updated_ms.append(updated_ms)

    def grouped(self) -> tuple[np.ndarray, np.ndarray]:
        """(person of each ref, permutation) with the refs of a person together, in the order rendered."""
        person = np.frombuffer(self.person, dtype=np.int64)
        order = np.argsort(person, kind="stable")
        return person[order], order


class People:
    """Remembered people of every shard, merged in person order; customer ids assigned chronologically."""

    def __init__(self, parts: list[dict[str, np.ndarray]], customers: int) -> None:
        self.cols = _concat(parts)
        idx = self.cols["idx"]
        if len(idx) > 1 and not (np.diff(idx) > 0).all():
            raise ValueError("people must be merged in person order")
        self.customers = customers
        self.customer_id_by_idx = np.zeros(customers, dtype=np.int64)  # 0: not a Shopify customer
        self.refs = OrderRefs()

    def __len__(self) -> int:
        return len(self.cols["idx"])

    def assign_customer_ids(self, first_id: int = 7400000000000, step: int = 17) -> np.ndarray:
        """Customer ids grow with time, like Shopify's: the k-th identified person by (identified_at, idx)
        gets ``first_id + step * (k + 1)``. Returns the dense {person idx: customer id} array (0: none)."""
        identified = np.flatnonzero(self.cols["identified_at"] != NONE_MS)
        order = identified[np.lexsort((self.cols["idx"][identified], self.cols["identified_at"][identified]))]
        self.customer_id_by_idx[self.cols["idx"][order]] = first_id + step * np.arange(1, len(order) + 1)
        return self.customer_id_by_idx

    def _row(self, idx: int) -> int:
        row = int(np.searchsorted(self.cols["idx"], idx))
        if row >= len(self) or self.cols["idx"][row] != idx:
            raise KeyError(idx)
        return row

    def person(self, row: int) -> Person:
        c = self.cols
        text = {name: (c[name][row].decode() or None) for name in _TEXT}
        times = {name: (None if c[name][row] == NONE_MS else int(c[name][row])) for name in _TIMES}
        idx = int(c["idx"][row])
        return Person(idx, "", text["first_name"], text["last_name"], text["email"], text["phone"], None,
                      currency=text["currency"], customer_id=int(self.customer_id_by_idx[idx]) or None,
                      profile_id=text["profile_id"], **times)

    def __getitem__(self, idx: int) -> Person:
        return self.person(self._row(idx))

    def customers_by_id(self) -> Iterator[tuple[Person, list[tuple]]]:
        """(person, their order refs (id, number, total, refunded, cancelled, updated_ms) in order) of every
        Shopify customer, ordered by customer id."""
        cid = self.customer_id_by_idx[self.cols["idx"]]
        rows = np.flatnonzero(cid)
        rows = rows[np.argsort(cid[rows], kind="stable")]
        ref_person, perm = self.refs.grouped()
        r = self.refs
        for row in rows:
            p = self.person(int(row))
            lo, hi = np.searchsorted(ref_person, [p.idx, p.idx + 1])
            mine = [(r.id[j], r.number[j], r.total[j], r.refunded[j], bool(r.cancelled[j]), r.updated_ms[j])
                    for j in perm[lo:hi].tolist()]
            yield p, mine

    def subscribers(self) -> Iterator[Person]:
        """People with a Klaviyo profile, by (subscribed_at, idx)."""
        rows = np.flatnonzero(self.cols["profile_id"] != b"")
        rows = rows[np.lexsort((self.cols["idx"][rows], self.cols["subscribed_at"][rows]))]
        for row in rows.tolist():
            yield self.person(row)


class Lookups:
    """The ids known only after simulation that tracking events carry: a person's Shopify customer id and
    an order's id by (person, order number of that person). Dense and sorted numpy arrays, saved as .npy
    files that day-writer processes map read-only instead of unpickling a copy each."""

    _SHIFT = 16  # (person, k) -> person << 16 | k; a person has far fewer than 65,536 orders

    def __init__(self, customer_id_by_idx: np.ndarray, order_keys: np.ndarray, order_ids: np.ndarray) -> None:
        self.customer_id_by_idx = customer_id_by_idx
        self.order_keys = order_keys  # sorted
        self.order_ids = order_ids

    @classmethod
    def build(cls, customer_id_by_idx: np.ndarray, order_person, order_k, order_ids) -> Lookups:
        person = np.frombuffer(order_person, dtype=np.int64)
        k = np.frombuffer(order_k, dtype=np.int64)
        if len(k) and k.max() >= 1 << cls._SHIFT:
            raise ValueError("a person has more orders than the order key can hold")
        keys = (person << cls._SHIFT) | k
        order = np.argsort(keys, kind="stable")
        return cls(customer_id_by_idx, keys[order], np.frombuffer(order_ids, dtype=np.int64)[order])

    def customer_id(self, person: int) -> int:
        cid = int(self.customer_id_by_idx[person])
        if not cid:
            raise KeyError(f"person {person} has no customer id")
        return cid

    def order_id(self, person: int, k: int) -> int:
        key = (person << self._SHIFT) | k
        pos = int(np.searchsorted(self.order_keys, key))
        if pos >= len(self.order_keys) or self.order_keys[pos] != key:
            raise KeyError(f"no order {k} of person {person}")
        return int(self.order_ids[pos])

    def save(self, folder) -> None:
        for name in ("customer_id_by_idx", "order_keys", "order_ids"):
            np.save(f"{folder}/{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder) -> Lookups:
        return cls(*(np.load(f"{folder}/{name}.npy", mmap_mode="r")
                     for name in ("customer_id_by_idx", "order_keys", "order_ids")))
