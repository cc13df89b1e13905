"""Ground truth: each channel's true incremental orders and revenue, by switching it off in the same world.

For every person the plan (``sandbox.plan.draw_plan``) is drawn once; ``realize`` is replayed with one channel
(or one channel group) switched off. Common random numbers: the counterfactual world reuses every random
draw of the factual one (same intents, thresholds, slot times, channel draws, baskets), so the difference in
orders and revenue is the channel's causal effect, not noise. Observed last-click credit (the channel of the
visit that ended in the order) and the platforms' self-reported conversions are written beside it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sandbox import settings
from sandbox.io import write_json
from sandbox.plan import CHANNEL_GROUP, CHANNELS, DEFAULT_EFFECTS, FALLBACK, SUBSTITUTION, realize

GROUPS = {"paid_social": ("meta", "tiktok"), "all_paid": ("meta", "tiktok", "google_ads", "display", "affiliate"),
          "crm": ("email", "sms")}
PLATFORM_OF = {"meta": "meta", "tiktok": "tiktok", "google_ads": "google_ads"}


def basket_total(basket: tuple, products: list[dict]) -> float:
    """Order total in the store currency (the same arithmetic as the checkout)."""
    items, _code, pct = basket
    gross = round(sum(products[pi]["price"] * qty for pi, qty in items), 2)
    subtotal = round(gross - round(gross * pct, 2), 2)
    shipping = 0.0 if subtotal >= settings.FREE_SHIPPING_OVER else settings.SHIPPING_PRICE
    return round(subtotal + shipping + round(subtotal * settings.TAX_RATE, 2), 2)


class GroundTruth:
    def __init__(self, end_ms: int, products: list[dict], effects: dict | None, mix: dict | None) -> None:
        self.end_ms = end_ms
        self.products = products
        self.effects = effects
        self.mix = mix
        self.switches = {c: frozenset([c]) for c in CHANNELS} | {g: frozenset(cs) for g, cs in GROUPS.items()}
        # orders, revenue in cents, first orders (integer cents: worker processes' tallies merge exactly)
        self.base = [0, 0, 0]
        self.off = {k: [0, 0, 0] for k in self.switches}
        self.last_click = {c: [0, 0] for c in CHANNELS}

    def _outcome(self, plan, visits) -> tuple[int, int, int]:
        n, rev, first = 0, 0, 0
        for v in visits:
            if v.purchase >= 0:
                n += 1
                rev += round(basket_total(plan.baskets[v.purchase], self.products) * 100)
                first += v.purchase == 0
        return n, rev, first

    def state(self) -> tuple:
        return self.base, self.off, self.last_click

    def merge(self, state: tuple) -> None:
        """Add another tally's ``state()`` (a worker process's share of the people)."""
        base, off, last_click = state
        for i in range(3):
            self.base[i] += base[i]
        for key, acc in off.items():
            for i in range(3):
                self.off[key][i] += acc[i]
        for channel, acc in last_click.items():
            for i in range(2):
                self.last_click[channel][i] += acc[i]

    def add(self, res) -> None:
        plan = res.plan
        n, rev, first = self._outcome(plan, res.visits)
        self.base[0] += n
        self.base[1] += rev
        self.base[2] += first
        for v in res.visits:
            if v.purchase >= 0:
                lc = self.last_click[v.channel]
                lc[0] += 1
                lc[1] += round(basket_total(plan.baskets[v.purchase], self.products) * 100)
        if not plan.latent:  # never buys in any world
            return
        used = {v.channel for v in res.visits}
        for key, off in self.switches.items():
            acc = self.off[key]
            if not used & off:  # the person never used the channel: same outcome (CRN)
                cn, crev, cfirst = n, rev, first
            else:
                cn, crev, cfirst = self._outcome(plan, realize(plan, self.end_ms, off=off, effects=self.effects,
                                                               mix=self.mix))
            acc[0] += cn
            acc[1] += crev
            acc[2] += cfirst

    def table(self, ad_rows: dict[str, list[dict]] | None = None) -> dict:
        effects = self.effects or DEFAULT_EFFECTS
        reported: dict[str, int] = {}
        for platform, rows in (ad_rows or {}).items():
            reported[platform] = sum(r["conversions"] for r in rows)
        rows = []
        for key in list(CHANNELS) + list(GROUPS):
            on_n, on_rev, on_first = self.base
            off_n, off_rev, off_first = self.off[key]
            members = GROUPS.get(key, (key,))
            lc_n = sum(self.last_click[c][0] for c in members)
            lc_rev = sum(self.last_click[c][1] for c in members) / 100
            row = {
                "channel": key,
                "channel_group": CHANNEL_GROUP.get(key, key),
                "members": list(members),
                "true_incremental_conversions": on_n - off_n,
                "true_incremental_first_orders": on_first - off_first,
                "true_incremental_revenue": round((on_rev - off_rev) / 100, 2),
                "last_click_conversions": lc_n,
                "last_click_revenue": round(lc_rev, 2),
                "platform_reported_conversions": (sum(reported.get(PLATFORM_OF.get(c, ""), 0) for c in members)
                                                  if any(c in PLATFORM_OF for c in members) else None),
                "effect_per_visit": effects[key] if key in effects else None,
                "substitution": SUBSTITUTION.get(key),
                "fallback": FALLBACK.get(key),
            }
            rows.append(row)
        return {
            "method": "counterfactual replay with common random numbers: every person's plan (intent, thresholds, "
                      "slot times, channel draws, baskets) is drawn once; the world is re-realized with each channel "
                      "(or group) switched off; incremental = factual - counterfactual. Revenue in the store "
                      "currency, gross of refunds/cancellations.",
            "currency": settings.CURRENCY,
            "factual": {"orders": self.base[0], "revenue": round(self.base[1] / 100, 2), "first_orders": self.base[2]},
            "channels": rows,
        }


def write(out: Path, table: dict) -> None:
    write_json(out / "ground_truth.json", table)
    cols = ["channel", "channel_group", "true_incremental_conversions", "true_incremental_first_orders",
            "true_incremental_revenue", "last_click_conversions", "last_click_revenue",
            "platform_reported_conversions", "effect_per_visit", "substitution"]
    with (out / "ground_truth.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in table["channels"]:
            w.writerow(["" if r[c] is None else r[c] for c in cols])
