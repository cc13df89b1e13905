"""Ad platform daily figures (ad x day) consistent with the tracked clicks and orders.

Accumulated person by person (``AdLedger.add_person``) and rendered at the end (``rows``), so memory grows
with ads x days, not with events. Days are the ad account's days (its time zone; UTC unless
``account_timezones`` messiness is on); money is in the account's currency.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox import messiness as mz
from sandbox import settings
from sandbox.timeutil import DAY_MS, HOUR_MS, day_of, iso_z


def _day_fn(tz: str):
    if tz in ("Etc/UTC", "UTC"):
        return day_of
    zone = ZoneInfo(tz)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return lambda ms: (epoch + timedelta(milliseconds=ms)).astimezone(zone).strftime("%Y-%m-%d")


class AdLedger:
    def __init__(self, sim, seed: int, restatement: bool, fx: dict) -> None:
        self.sim = sim
        self.seed = seed
        self.restatement = restatement
        self.fx = fx
        self.tracked: dict[tuple, int] = defaultdict(int)
        # (platform, ad_id, day) -> [n, value in store-currency cents, log]; integer cents so that ledgers of
        # worker processes merge to exactly the sums of a single process
        self.conv: dict[tuple, list] = {}
        self.day_fn = {}
        for platform, ads in sim.ads.items():
            for ad in ads:
                self.day_fn[(platform, ad["id"])] = _day_fn(ad.get("timezone", "Etc/UTC"))

    def add_person(self, touches: list, orders: list[dict]) -> None:
        clicks = [t for t in touches if t.platform]
        for t in clicks:
            self.tracked[(t.platform, t.ad["id"], self.day_fn[(t.platform, t.ad["id"])](t.ms))] += 1
        if not clicks or not orders:
            return
        window = settings.PLATFORM_LOOKBACK_DAYS * DAY_MS
        rng = random.Random(f"{self.seed}:claims:{orders[0]['person']}") if self.restatement else None
        for o in orders:
            last_click: dict[tuple, int] = {}
            for t in clicks:
                if o["ms"] - window <= t.ms < o["ms"]:
                    last_click[(t.platform, t.ad["id"])] = t.ms
            for (platform, ad_id), ms in sorted(last_click.items()):
                fn = self.day_fn[(platform, ad_id)]
                # restatement on: reported on the conversion day, 0-72 h late; off: on the click day
                day = fn(o["ms"]) if self.restatement else fn(ms)
                c = self.conv.setdefault((platform, ad_id, day), [0, 0, []])
                c[0] += 1
                c[1] += round(o["total_store"] * 100)
                if rng is not None:
                    reported = o["ms"] + rng.randint(0, mz.RESTATEMENT_HOURS * HOUR_MS)
                    c[2].append((reported, o["total_store"]))

    def merge(self, tracked: dict, conv: dict) -> None:
        """Add another ledger's ``tracked`` and ``conv`` (a worker process's share of the people)."""
        for key, n in tracked.items():
            self.tracked[key] += n
        for key, (n, cents, log) in conv.items():
            c = self.conv.setdefault(key, [0, 0, []])
            c[0] += n
            c[1] += cents
            c[2].extend(log)

    def rows(self, start_ms: int, days: int, cfg: dict, manifest: mz.Manifest) -> dict[str, list[dict]]:
        rng = random.Random(f"{self.seed}:ads")
        mrng = random.Random(f"{self.seed}:mess:ads")
        mal_rate = cfg.get("malformed_ad_rows")
        out: dict[str, list[dict]] = {}
        dates = [day_of(start_ms + i * DAY_MS) for i in range(days)]
        for platform, ads in self.sim.ads.items():
            rows = []
            for day in dates:
                for ad in ads:
                    seen = self.tracked.get((platform, ad["id"], day), 0)
                    clicks = seen + int(round(seen * rng.uniform(0.0, 0.15))) + rng.choice((0, 0, 1, 2))
                    ctr = ad["ctr"] * rng.uniform(0.85, 1.15)
                    impressions = max(clicks, int(round(clicks / ctr))) if clicks else rng.randint(40, 400)
                    cpc = ad["cpc"] * rng.uniform(0.9, 1.1)
                    cur = ad.get("currency", settings.CURRENCY)
                    rate = self.fx.get(cur, 1.0)
                    spend = round(clicks * cpc, 2) if clicks else round(impressions * 0.004, 2)
                    if rate != 1.0:
                        spend = round(spend * rate, 2)
                    n_conv, cents, log = self.conv.get((platform, ad["id"], day), (0, 0, []))
                    value = cents / 100
                    row = {
                        "platform": platform, "account_id": ad.get("account_id"), "campaign_id": ad["campaign_id"],
                        "campaign_name": ad["campaign_name"], "group_id": ad["group_id"],
                        "group_name": ad["group_name"], "ad_id": ad["id"], "ad_name": ad["name"], "date": day,
                        "currency": cur, "impressions": impressions, "clicks": clicks, "spend": spend,
                        "conversions": n_conv, "conversion_value": round(value * rate, 2), "tracked_clicks": seen,
                    }
                    if self.restatement:
                        row["timezone"] = ad.get("timezone", "Etc/UTC")
                        # when each conversion becomes visible in the platform's reports (see server as-of clock)
                        row["conversion_log"] = [[iso_z(ms), round(v * rate, 2)] for ms, v in sorted(log)]
                    if mal_rate:
                        manifest.eligible("malformed_ad_rows")
                        if mrng.random() < mal_rate:
                            reason = mrng.choice(("missing_ad_id", "negative_amount", "unknown_currency"))
                            rid = f"{platform}:{ad['id']}:{day}"
                            if reason == "missing_ad_id":
                                row["ad_id"] = None
                            elif reason == "negative_amount":
                                row["spend"] = -abs(row["spend"]) or -1.0
                            else:
                                row["currency"] = mz.UNKNOWN_CURRENCY
                            manifest.add("malformed_ad_rows", rid, {"reason": reason, "platform": platform,
                                                                    "ad_id": ad["id"], "date": day})
                    rows.append(row)
            out[platform] = rows
        return out
