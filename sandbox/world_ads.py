"""Ad platform daily figures (ad x day) consistent with the tracked clicks and orders."""

from __future__ import annotations

import random
from collections import defaultdict

from sandbox import settings
from sandbox.timeutil import DAY_MS, day_of


def build_ad_metrics(sim, orders: list[dict], seed: int, start_ms: int, days: int) -> dict[str, list[dict]]:
    tracked: dict[tuple, int] = defaultdict(int)
    clicks_by_person: dict[int, list] = defaultdict(list)
    for t in sim.touches:
        if t.platform:
            tracked[(t.platform, t.ad["id"], day_of(t.ms))] += 1
            clicks_by_person[t.person].append(t)
    # platform self-credit: every ad clicked within the lookback before an order claims it (on the click day)
    conv: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    window = settings.PLATFORM_LOOKBACK_DAYS * DAY_MS
    for o in orders:
        last_click: dict[tuple, int] = {}
        for t in clicks_by_person.get(o["person"], []):
            if o["ms"] - window <= t.ms < o["ms"]:
                last_click[(t.platform, t.ad["id"])] = t.ms
        for (platform, ad_id), ms in sorted(last_click.items()):
            c = conv[(platform, ad_id, day_of(ms))]
            c[0] += 1
            c[1] = round(c[1] + o["total"], 2)
    rng = random.Random(f"{seed}:ads")
    out: dict[str, list[dict]] = {}
    dates = [day_of(start_ms + i * DAY_MS) for i in range(days)]
    for platform, ads in sim.ads.items():
        rows = []
        for day in dates:
            for ad in ads:
                seen = tracked.get((platform, ad["id"], day), 0)
                clicks = seen + int(round(seen * rng.uniform(0.0, 0.15))) + rng.choice((0, 0, 1, 2))
                ctr = ad["ctr"] * rng.uniform(0.85, 1.15)
                impressions = max(clicks, int(round(clicks / ctr))) if clicks else rng.randint(40, 400)
                cpc = ad["cpc"] * rng.uniform(0.9, 1.1)
                spend = round(clicks * cpc, 2) if clicks else round(impressions * 0.004, 2)
                n_conv, value = conv.get((platform, ad["id"], day), (0, 0.0))
                rows.append({
                    "platform": platform, "account_id": ad.get("account_id"), "campaign_id": ad["campaign_id"],
                    "campaign_name": ad["campaign_name"], "group_id": ad["group_id"], "group_name": ad["group_name"],
                    "ad_id": ad["id"], "ad_name": ad["name"], "date": day, "currency": settings.CURRENCY,
                    "impressions": impressions, "clicks": clicks, "spend": spend, "conversions": n_conv,
                    "conversion_value": value, "tracked_clicks": seen,
                })
        out[platform] = rows
    return out
