"""Messiness: every kind is really produced, at the configured rate, and listed in messiness.json."""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from datetime import datetime

import pytest
import requests

from sandbox import expectations, messiness
from sandbox import settings as S
from sandbox.generator import generate
from sandbox.io import read_json, read_jsonl
from sandbox.server import start_server

RATES = {"duplicate_events": 0.05, "late_events": 0.05, "out_of_order_events": 0.05, "bot_bursts": 0.05,
         "malformed_events": 0.02, "malformed_orders": 0.1, "edited_orders": 0.3, "malformed_ad_rows": 0.05,
         "multi_currency": True, "account_timezones": True, "restatement": True}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    out = tmp_path_factory.mktemp("messy_world")
    summary = generate(out, customers=500, days=14, seed=23, messiness=RATES)
    return out, summary, read_json(out / "messiness.json")


def _ts(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def _within_rate(kind: dict, rate: float) -> None:
    n, k = kind["eligible"], kind["count"]
    assert n > 0
    sd = math.sqrt(n * rate * (1 - rate))
    assert abs(k - n * rate) <= 4 * sd + 2, (k, n, rate)


def test_resolve_presets_and_validation():
    assert messiness.resolve(None) == {}
    assert messiness.resolve("realistic") == messiness.REALISTIC
    assert messiness.resolve({"preset": "realistic", "late_events": 0.5})["late_events"] == 0.5
    assert messiness.resolve({"duplicate_events": 0.1}) == {"duplicate_events": 0.1}
    with pytest.raises(ValueError):
        messiness.resolve({"nonsense": 0.1})
    with pytest.raises(ValueError):
        messiness.resolve({"late_events": 2})


def test_clean_default_has_an_empty_manifest(world_dir):
    m = read_json(world_dir / "messiness.json")
    assert m["enabled"] is False and m["config"] == {}
    assert not any(k.startswith("malformed_") or k in ("bot_bursts", "edited_orders") for k in m["kinds"])
    orders = read_jsonl(world_dir / "shopify/orders.jsonl")
    assert expectations.valid_orders(world_dir) == orders
    assert {o["currency"] for o in orders} == {"USD"}


def test_every_kind_is_injected_at_its_rate(messy):
    _, summary, m = messy
    for kind, rate in RATES.items():
        if kind in messiness.SWITCHES:
            continue
        assert kind in m["kinds"], kind
        assert m["kinds"][kind]["count"] > 0, kind
        if kind == "bot_bursts":  # share of bot events among all events
            bot_events = sum(d["events"] for d in m["kinds"][kind]["details"])
            total = bot_events + m["kinds"][kind]["eligible"]
            share = bot_events / total
            assert rate - 200 / total - 0.002 <= share <= rate + 0.002, share  # whole bursts of <= 200 events
            assert all(40 <= d["events"] <= 200 for d in m["kinds"][kind]["details"])
        else:
            _within_rate(m["kinds"][kind], rate)
    assert summary["messiness"]["duplicate_events"] == m["kinds"]["duplicate_events"]["count"]


def test_tracking_faults_are_in_the_files(messy):
    out, _, m = messy
    events = expectations.tracking_events(out)
    kinds = m["kinds"]
    per_id = Counter(e["messageId"] for e in events)
    assert {i for i, n in per_id.items() if n > 1} == set(kinds["duplicate_events"]["ids"])
    by_id = {}
    for e in events:
        by_id.setdefault(e["messageId"], e)
    for mid in kinds["late_events"]["ids"]:
        e = by_id[mid]
        if e["timestamp"] != messiness.BAD_TIMESTAMP:
            lag = _ts(e["receivedAt"]) - _ts(e["timestamp"])
            assert 3600 - 1 <= lag <= 72 * 3600 + 700, lag
    # out of order: received after the next event of its visit (listed in the details)
    ooo = kinds["out_of_order_events"]["details"]
    assert ooo
    for d in ooo:
        assert by_id[d["id"]]["receivedAt"] > by_id[d["received_after"]]["receivedAt"]
        assert by_id[d["id"]]["timestamp"] <= by_id[d["received_after"]]["timestamp"] or \
            messiness.BAD_TIMESTAMP in (by_id[d["id"]]["timestamp"], by_id[d["received_after"]]["timestamp"])
    # bots: one anonymous id, "bot" user agent, within seconds
    bots = expectations.bot_anonymous_ids(out)
    bot_events = [e for e in events if e["anonymousId"] in bots]
    assert bot_events and all("bot" in e["context"]["userAgent"].lower() for e in bot_events)
    spans = defaultdict(list)
    for e in bot_events:
        spans[e["anonymousId"]].append(_ts(e["timestamp"]))
    assert all(max(v) - min(v) < 120 for v in spans.values())
    # malformed events carry the fault they are listed with
    for mid, reason in expectations.reasons(out, "malformed_events").items():
        e = by_id[mid]
        if reason == "missing_ids":
            assert e["anonymousId"] is None and e["userId"] is None
        elif reason == "bad_timestamp":
            assert e["timestamp"] == messiness.BAD_TIMESTAMP
        elif reason == "negative_amount":
            assert any(e["properties"].get(k) is not None and e["properties"][k] < 0 for k in ("revenue", "total"))
        else:
            assert e["properties"]["currency"] == messiness.UNKNOWN_CURRENCY
    assert expectations.valid_event_ids(out) < set(per_id)


def test_order_and_ad_faults_are_in_the_files(messy):
    out, _, m = messy
    orders = {o["id"]: o for o in read_jsonl(out / "shopify/orders.jsonl")}
    for oid, reason in expectations.quarantined_orders(out).items():
        o = orders[oid]
        if reason == "missing_customer":
            assert o["customer"] is None
        elif reason == "negative_amount":
            assert float(o["total_price"]) < 0
        elif reason == "unknown_currency":
            assert o["currency"] == messiness.UNKNOWN_CURRENCY
        else:
            with pytest.raises(ValueError):
                datetime.fromisoformat(o["processed_at"])
    edited = expectations.edited_orders(out)
    assert edited
    for oid, d in edited.items():
        o = orders[oid]
        assert o["total_price"] == d["edited_total"] != d["original_total"]
        assert d["removed_line_item_id"] not in {li["id"] for li in o["line_items"]}
        assert _ts(o["updated_at"]) >= _ts(d["edited_at"])
    assert len(expectations.valid_orders(out)) == len(orders) - len(expectations.quarantined_orders(out))
    details = m["kinds"]["malformed_ad_rows"]["details"]
    files = {"meta": "meta/insights.jsonl", "google_ads": "google_ads/ad_metrics.jsonl", "tiktok": "tiktok/report.jsonl"}
    for d in details:
        rows = read_jsonl(out / files[d["platform"]])
        hit = [r for r in rows if r["date"] == d["date"] and r["ad_name"] and
               (r["ad_id"] == d["ad_id"] or (d["reason"] == "missing_ad_id" and r["ad_id"] is None))]
        assert any((d["reason"] == "missing_ad_id" and r["ad_id"] is None) or
                   (d["reason"] == "negative_amount" and r["spend"] < 0) or
                   (d["reason"] == "unknown_currency" and r["currency"] == messiness.UNKNOWN_CURRENCY)
                   for r in hit), d


def test_currencies_and_account_time_zones(messy):
    out, _, _ = messy
    orders = read_jsonl(out / "shopify/orders.jsonl")
    currencies = Counter(o["currency"] for o in orders)
    assert currencies["USD"] > currencies["EUR"] > 0
    completed = {e["properties"]["order_id"]: e for e in expectations.tracking_events(out)
                 if e.get("event") == "Order Completed" and e["properties"].get("order_id")}
    for o in orders:
        e = completed.get(str(o["id"]))
        if e and o["currency"] != messiness.UNKNOWN_CURRENCY and e["properties"]["currency"] != "XXX":
            assert e["properties"]["currency"] == o["currency"]
    meta_rows = read_jsonl(out / "meta/insights.jsonl")
    assert {r["currency"] for r in meta_rows if r["account_id"] == S.META_ACCOUNT_IDS[1]} - {"XXX"} == {"EUR"}
    world = read_json(out / "world.json")
    assert [a["timezone_name"] for a in world["accounts"]["meta"]] == ["America/Los_Angeles", "Europe/Berlin"]
    with start_server(out) as srv:
        r = requests.get(f"{srv.base_url}/{S.META_API_VERSION}/act_{S.META_ACCOUNT_IDS[1]}",
                         params={"fields": "timezone_name,currency", "access_token": S.META_ACCESS_TOKEN})
        assert r.json() == {"timezone_name": "Europe/Berlin", "currency": "EUR", "id": f"act_{S.META_ACCOUNT_IDS[1]}"}
        r = requests.get(f"{srv.base_url}/open_api/v1.3/advertiser/info/",
                         params={"advertiser_ids": f'["{S.TIKTOK_ADVERTISER_ID}"]'},
                         headers={"Access-Token": S.TIKTOK_ACCESS_TOKEN})
        assert r.json()["data"]["list"][0]["timezone"] == "Asia/Seoul"


def test_messy_world_is_deterministic(tmp_path):
    def digest(root):
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    a = generate(tmp_path / "a", customers=120, days=7, seed=5, messiness="realistic")
    b = generate(tmp_path / "b", customers=120, days=7, seed=5, messiness="realistic")
    assert a == b and digest(tmp_path / "a") == digest(tmp_path / "b")
    assert (tmp_path / "a/messiness.json").read_bytes() == (tmp_path / "b/messiness.json").read_bytes()
