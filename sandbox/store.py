"""Loads a generated world directory into memory for the server (read-only after load)."""

from __future__ import annotations

import bisect
from pathlib import Path

from sandbox.io import read_json, read_jsonl
from sandbox.timeutil import parse_iso


class Store:
    def __init__(self, data_dir) -> None:
        self.dir = Path(data_dir)
        if not (self.dir / "world.json").exists():
            raise FileNotFoundError(f"{self.dir} has no world.json; run `python -m sandbox generate` first")
        self.world = read_json(self.dir / "world.json")
        self.campaigns = read_json(self.dir / "campaigns.json")
        self.meta = sorted(read_jsonl(self.dir / "meta/insights.jsonl"), key=lambda r: (r["date"], r["ad_id"]))
        self.google = sorted(read_jsonl(self.dir / "google_ads/ad_metrics.jsonl"),
                             key=lambda r: (r["date"], int(r["campaign_id"]), int(r["group_id"]), int(r["ad_id"])))
        self.tiktok = sorted(read_jsonl(self.dir / "tiktok/report.jsonl"), key=lambda r: (r["date"], r["ad_id"]))
        self.orders = read_jsonl(self.dir / "shopify/orders.jsonl")
        self.customers = read_jsonl(self.dir / "shopify/customers.jsonl")
        for rec in self.orders + self.customers:
            rec["_updated_ms"] = parse_iso(rec["updated_at"])
            rec["_created_ms"] = parse_iso(rec["created_at"])
        self.orders_by_id = {o["id"]: o for o in self.orders}
        self.klaviyo = {name: read_jsonl(self.dir / f"klaviyo/{name}.jsonl") for name in ("events", "profiles", "metrics")}
        events: list[dict] = []
        for part in sorted((self.dir / "tracking").glob("dt=*/*.jsonl.gz")):
            events.extend(read_jsonl(part))
        events.sort(key=lambda e: (e["receivedAt"], e["messageId"]))
        self.events = events
        self.event_keys = [(e["receivedAt"], e["messageId"]) for e in events]

    def events_after(self, key: tuple[str, str]) -> int:
        """Index of the first event whose (receivedAt, messageId) is strictly greater than key."""
        return bisect.bisect_right(self.event_keys, key)

    @property
    def date_range(self) -> tuple[str, str]:
        return self.world["date_range"]["start"], self.world["date_range"]["end"]
