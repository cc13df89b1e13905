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
        self.meta = sorted(read_jsonl(self.dir / "meta/insights.jsonl"), key=lambda r: (r["date"], r["ad_id"] or ""))
        self.google = sorted(read_jsonl(self.dir / "google_ads/ad_metrics.jsonl"),
                             key=lambda r: (r["date"], int(r["campaign_id"]), int(r["group_id"]), int(r["ad_id"] or 0)))
        self.tiktok = sorted(read_jsonl(self.dir / "tiktok/report.jsonl"), key=lambda r: (r["date"], r["ad_id"] or ""))
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
        self.klaviyo = {name: read_jsonl(self.dir / f"klaviyo/{name}.jsonl") for name in ("events", "profiles", "metrics")}
        events: list[dict] = []
        for part in sorted((self.dir / "tracking").glob("dt=*/*.jsonl.gz")):
            events.extend(read_jsonl(part))
        events.sort(key=lambda e: (e["receivedAt"], e["messageId"]))
        self.events = events
        self.event_keys = [(e["receivedAt"], e["messageId"]) for e in events]

    def ad_rows(self, platform: str, as_of_ms: int | None) -> list[dict]:
        """Ad rows of ``platform`` as the platform reports them at ``as_of_ms``: conversions that the platform
        attributes later than that are not yet included (spend and clicks never change)."""
        rows = {"meta": self.meta, "google_ads": self.google, "tiktok": self.tiktok}[platform]
        if as_of_ms is None:
            as_of_ms = self.default_as_of
        if as_of_ms is None or not self.restated:
            return rows
        out = []
        for r in rows:
            hidden = [v for ms, v in r.get("_log", ()) if ms > as_of_ms]
            if hidden:
                r = {**r, "conversions": r["conversions"] - len(hidden),
                     "conversion_value": round(r["conversion_value"] - sum(hidden), 2)}
            out.append(r)
        return out

    def events_after(self, key: tuple[str, str]) -> int:
        """Index of the first event whose (receivedAt, messageId) is strictly greater than key."""
        return bisect.bisect_right(self.event_keys, key)

    @property
    def date_range(self) -> tuple[str, str]:
        return self.world["date_range"]["start"], self.world["date_range"]["end"]
