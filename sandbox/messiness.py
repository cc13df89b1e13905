"""Messiness: which faults the generator injects, at which rates, and the manifest of what it injected.

``generate(..., messiness=None)`` (the default) writes the clean world. ``messiness="realistic"`` turns every
kind on at the rates below; a dict overrides single rates (``{"duplicate_events": 0.05}``; unspecified kinds
are off) and may start from the preset with ``{"preset": "realistic", "late_events": 0.1}``.

Rates are probabilities per eligible record (see ``KINDS``); switches are booleans.
Every injected fault is listed in ``messiness.json`` (see ``Manifest``).
"""

from __future__ import annotations

from sandbox.io import write_json

# kind -> (source, eligible records, what is done)
KINDS = {
    "duplicate_events": ("tracking", "delivered events", "the same event (same messageId) is delivered again 1 s - 6 h later"),
    "late_events": ("tracking", "events", "sentAt/receivedAt 1 - 72 h after the event's timestamp (lands in a later dt= partition)"),
    "out_of_order_events": ("tracking", "events with a successor in the visit", "received 5 - 300 s after the next event of its visit"),
    "bot_bursts": ("tracking", "clean events (share of bot events)", "bursts of 40-200 page/track events from one anonymous id within seconds, user agent containing 'bot'"),
    "malformed_events": ("tracking", "delivered events", "missing_ids | bad_timestamp | negative_amount | unknown_currency"),
    "malformed_orders": ("shopify", "orders", "missing_customer | bad_timestamp | negative_amount | unknown_currency"),
    "edited_orders": ("shopify", "orders with >= 2 lines", "a line item removed after the fact; totals change and updated_at moves"),
    "malformed_ad_rows": ("ads", "ad x day rows", "missing_ad_id | negative_amount | unknown_currency"),
    "multi_currency": ("all", "switch", "customers pay in USD/EUR/GBP/CAD; the second Meta ad account reports in EUR"),
    "account_timezones": ("ads", "switch", "ad accounts report days in their own time zone (Meta LA/Berlin, Google New York, TikTok Seoul)"),
    "restatement": ("ads", "switch", "platform conversions arrive 0-72 h late: the trailing 3 days change with the server's as-of clock"),
}
SWITCHES = ("multi_currency", "account_timezones", "restatement")
REALISTIC = {
    "duplicate_events": 0.01,
    "late_events": 0.02,
    "out_of_order_events": 0.02,
    "bot_bursts": 0.01,
    "malformed_events": 0.002,
    "malformed_orders": 0.01,
    "edited_orders": 0.05,
    "malformed_ad_rows": 0.005,
    "multi_currency": True,
    "account_timezones": True,
    "restatement": True,
}
PRESETS = {"realistic": REALISTIC, "none": {}, "off": {}}
# Clean world's own delivery quirks (kept exactly as before when messiness is off).
CUSTOMER_CURRENCIES = {"USD": 0.70, "EUR": 0.15, "GBP": 0.10, "CAD": 0.05}
FX = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CAD": 1.36}  # units of currency per 1 USD (fixed)
ACCOUNT_TIMEZONES = {"meta": ("America/Los_Angeles", "Europe/Berlin"), "google_ads": "America/New_York",
                     "tiktok": "Asia/Seoul"}
UNKNOWN_CURRENCY = "XXX"
BAD_TIMESTAMP = "2026-02-30T25:61:00Z"
RESTATEMENT_HOURS = 72


def resolve(messiness) -> dict:
    """Normalise the ``messiness`` argument into {kind: rate or bool} (only known kinds)."""
    if messiness in (None, False, "", "none", "off"):
        return {}
    if messiness is True:
        messiness = "realistic"
    if isinstance(messiness, str):
        if messiness not in PRESETS:
            raise ValueError(f"unknown messiness preset {messiness!r}; use one of {sorted(PRESETS)} or a dict")
        return dict(PRESETS[messiness])
    if not isinstance(messiness, dict):
        raise TypeError("messiness must be None, a preset name or a dict of rates")
    cfg = dict(messiness)
    base = dict(PRESETS[cfg.pop("preset")]) if "preset" in cfg else {}
    for k, v in cfg.items():
        if k not in KINDS:
            raise ValueError(f"unknown messiness kind {k!r}; known: {sorted(KINDS)}")
        if k in SWITCHES:
            base[k] = bool(v)
        else:
            if not 0 <= float(v) <= 1:
                raise ValueError(f"rate of {k} must be in [0, 1]")
            base[k] = float(v)
    return {k: v for k, v in base.items() if v}


class Manifest:
    """Collects every injected fault: per kind the ids (and details) and the eligible count."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self.kinds: dict[str, dict] = {}

    def _kind(self, kind: str) -> dict:
        if kind not in self.kinds:
            self.kinds[kind] = {"source": KINDS[kind][0], "rate": self.config.get(kind), "eligible": 0,
                                "count": 0, "ids": [], "details": []}
        return self.kinds[kind]

    def eligible(self, kind: str, n: int = 1) -> None:
        self._kind(kind)["eligible"] += n

    def add(self, kind: str, record_id, detail: dict | None = None) -> None:
        k = self._kind(kind)
        k["count"] += 1
        k["ids"].append(record_id)
        if detail is not None:
            k["details"].append({"id": record_id, **detail})

    def merge(self, kinds: dict) -> None:
        """Append another manifest's ``kinds`` (a worker process's share, in the order of its people)."""
        for name, other in kinds.items():
            k = self._kind(name)
            k["eligible"] += other["eligible"]
            k["count"] += other["count"]
            k["ids"].extend(other["ids"])
            k["details"].extend(other["details"])

    def to_json(self) -> dict:
        kinds = {}
        for name in sorted(self.kinds):
            k = dict(self.kinds[name])
            if not k["details"]:
                k.pop("details")
            kinds[name] = k
        return {"enabled": bool(self.config), "config": self.config,
                "kinds_doc": {k: {"source": v[0], "eligible": v[1], "what": v[2]} for k, v in KINDS.items()},
                "kinds": kinds}

    def write(self, path) -> None:
        write_json(path, self.to_json())
