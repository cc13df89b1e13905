"""Pure helpers to reconcile a (possibly messy) world: what a correct pipeline should keep, drop or fix.

They read only the generated files (``messiness.json`` is the manifest of injected faults), so downstream
tests can assert e.g. "every malformed order is quarantined with its reason" or "events after dedup".
"""

from __future__ import annotations

from pathlib import Path

from sandbox.io import read_json, read_jsonl


def manifest(out_dir) -> dict:
    path = Path(out_dir) / "messiness.json"
    return read_json(path) if path.exists() else {"enabled": False, "config": {}, "kinds": {}}


def injected(out_dir, kind: str) -> list:
    """Ids of the records with fault ``kind`` (empty when the kind was not injected)."""
    return list(manifest(out_dir)["kinds"].get(kind, {}).get("ids", []))


def reasons(out_dir, kind: str) -> dict:
    """{id: reason} of a malformed_* kind."""
    k = manifest(out_dir)["kinds"].get(kind, {})
    return {d["id"]: d["reason"] for d in k.get("details", [])}


def valid_orders(out_dir) -> list[dict]:
    """Shopify orders that are not malformed (as served; edited orders carry their edited totals)."""
    bad = set(injected(out_dir, "malformed_orders"))
    return [o for o in read_jsonl(Path(out_dir) / "shopify/orders.jsonl") if o["id"] not in bad]


def quarantined_orders(out_dir) -> dict[int, str]:
    """{order id: reason} that a pipeline should reject."""
    return reasons(out_dir, "malformed_orders")


def edited_orders(out_dir) -> dict[int, dict]:
    """{order id: {removed_line_item_id, original_total, edited_total, edited_at}}."""
    k = manifest(out_dir)["kinds"].get("edited_orders", {})
    return {d["id"]: {x: v for x, v in d.items() if x != "id"} for d in k.get("details", [])}


def tracking_events(out_dir) -> list[dict]:
    rows: list[dict] = []
    for part in sorted(Path(out_dir).glob("tracking/dt=*/*.jsonl.gz")):
        rows.extend(read_jsonl(part))
    return rows


def bot_anonymous_ids(out_dir) -> set[str]:
    return set(injected(out_dir, "bot_bursts"))


def valid_event_ids(out_dir) -> set[str]:
    """messageIds a pipeline should keep: deduplicated, without bot traffic and without malformed events."""
    bad = set(injected(out_dir, "malformed_events"))
    bots = bot_anonymous_ids(out_dir)
    return {e["messageId"] for e in tracking_events(out_dir)
            if e["messageId"] not in bad and e["anonymousId"] not in bots}


def valid_ad_rows(out_dir, platform_file: str) -> list[dict]:
    """Ad rows (internal files, e.g. "meta/insights.jsonl") minus the malformed ones."""
    bad = {(d["platform"], d["ad_id"], d["date"])
           for d in manifest(out_dir)["kinds"].get("malformed_ad_rows", {}).get("details", [])}
    rows = read_jsonl(Path(out_dir) / platform_file)
    out = []
    for r in rows:
        if (r["platform"], r["ad_id"], r["date"]) in bad or r["ad_id"] is None:
            continue
        out.append(r)
    return out


def expected_counts(out_dir) -> dict:
    """Headline figures after cleaning: distinct valid events, valid orders, quarantined per source."""
    m = manifest(out_dir)["kinds"]
    return {
        "valid_events": len(valid_event_ids(out_dir)),
        "valid_orders": len(valid_orders(out_dir)),
        "quarantined": {k: v["count"] for k, v in m.items() if k.startswith("malformed_")},
        "bot_events": sum(d["events"] for d in m.get("bot_bursts", {}).get("details", [])),
        "duplicate_deliveries": m.get("duplicate_events", {}).get("count", 0),
    }
