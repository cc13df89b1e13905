"""The compact people store the generator keeps after simulation (sandbox.people)."""

from __future__ import annotations

from array import array

import numpy as np
import pytest

from sandbox.journeys import Person
from sandbox.people import Lookups, People, PeopleBuilder


def _person(idx, identified_at=None, subscribed_at=None, profile_id=None, phone=None):
    return Person(idx, "browser", "Ann", "Lee", f"ann.lee.{idx + 1}@example.com", phone, [{"anonymousId": "x"}],
                  "USD", identified_at=identified_at, subscribed_at=subscribed_at, profile_id=profile_id)


def _people(persons, customers=10, chunk_split=None):
    parts = []
    for group in (chunk_split or [persons]):
        b = PeopleBuilder()
        for p in group:
            b.add(p)
        parts.append(b.columns())
    return People(parts, customers)


def test_customer_ids_grow_with_identify_time_and_ties_go_by_person():
    people = _people([_person(1, identified_at=500), _person(3, subscribed_at=10), _person(4, identified_at=200),
                      _person(7, identified_at=500)])
    ids = people.assign_customer_ids(first_id=1000, step=10)
    assert ids.tolist() == [0, 1020, 0, 0, 1010, 0, 0, 1030, 0, 0]
    assert people[4].customer_id == 1010 and people[3].customer_id is None


def test_a_person_round_trips_through_the_columns():
    src = _person(2, identified_at=123, subscribed_at=456, profile_id="01ABC", phone="+15551234567")
    p = _people([src])[2]
    assert (p.idx, p.first_name, p.last_name, p.email, p.phone, p.currency, p.identified_at, p.subscribed_at,
            p.sms_at, p.profile_id) == (2, "Ann", "Lee", "ann.lee.3@example.com", "+15551234567", "USD", 123, 456,
                                        None, "01ABC")
    with pytest.raises(KeyError):
        _people([src])[3]


def test_shards_must_be_merged_in_person_order():
    with pytest.raises(ValueError, match="person order"):
        _people([], chunk_split=[[_person(5, identified_at=1)], [_person(2, identified_at=1)]])


def test_customers_come_with_their_own_orders_in_rendered_order():
    people = _people([_person(0, identified_at=9), _person(1, identified_at=3), _person(2, identified_at=5)], 3)
    people.assign_customer_ids()
    for person, oid in ((2, 11), (0, 12), (2, 13)):
        people.refs.add(person, oid, oid + 1000, 10.0, 0.0, False, oid * 100)
    got = [(p.idx, [r[0] for r in refs]) for p, refs in people.customers_by_id()]
    assert got == [(1, []), (2, [11, 13]), (0, [12])]


def test_subscribers_by_subscription_time_then_person():
    people = _people([_person(0, subscribed_at=9, profile_id="a"), _person(1, identified_at=1),
                      _person(2, subscribed_at=4, profile_id="b"), _person(3, subscribed_at=4, profile_id="c")], 4)
    assert [p.idx for p in people.subscribers()] == [2, 3, 0]


def test_order_lookup_saved_and_mapped_back(tmp_path):
    person, k, ids = array("q", [5, 5, 2]), array("q", [0, 1, 0]), array("q", [100, 300, 200])
    lookups = Lookups.build(np.array([0, 0, 77, 0, 0, 88]), person, k, ids)
    lookups.save(tmp_path)
    loaded = Lookups.load(tmp_path)
    assert [loaded.order_id(5, 0), loaded.order_id(5, 1), loaded.order_id(2, 0)] == [100, 300, 200]
    assert loaded.customer_id(2) == 77
    with pytest.raises(KeyError):
        loaded.order_id(2, 1)
    with pytest.raises(KeyError):
        loaded.customer_id(1)
