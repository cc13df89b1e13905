"""Static-ish world pieces: products, people's names, and the ad campaign hierarchy."""

from __future__ import annotations

import random

from sandbox import settings

PRODUCTS = [
    # (handle, title, category, price)
    ("linen-shirt", "Linen Shirt", "Apparel", 48.0),
    ("merino-tee", "Merino Tee", "Apparel", 35.0),
    ("trail-runner", "Trail Runner Shoes", "Footwear", 120.0),
    ("canvas-sneaker", "Canvas Sneaker", "Footwear", 65.0),
    ("daypack-20l", "Daypack 20L", "Bags", 89.0),
    ("tote-bag", "Everyday Tote", "Bags", 29.0),
    ("wool-beanie", "Wool Beanie", "Accessories", 22.0),
    ("sun-cap", "Sun Cap", "Accessories", 19.0),
    ("rain-jacket", "Rain Jacket", "Outerwear", 149.0),
    ("puffer-vest", "Puffer Vest", "Outerwear", 99.0),
    ("socks-3pack", "Cushioned Socks 3-Pack", "Accessories", 18.0),
    ("water-bottle", "Insulated Bottle", "Accessories", 32.0),
]

FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Felix", "Grace", "Hiro", "Ines", "Jae", "Kira", "Liam",
               "Mina", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor", "Wen", "Yuna"]
LAST_NAMES = ["Kim", "Park", "Lee", "Smith", "Garcia", "Nguyen", "Patel", "Rossi", "Schmidt", "Tanaka",
              "Silva", "Brown", "Cohen", "Dubois", "Larsen", "Novak"]

REFERRAL_SITES = ["https://www.gearblog.example/best-daypacks-2026", "https://news.ycombinator.com/",
                  "https://www.reddit.com/r/onebag/", "https://outdoorreviews.example/trail-runners"]
ORGANIC_SOCIAL_SITES = ["https://www.instagram.com/", "https://l.facebook.com/", "https://www.tiktok.com/",
                        "https://t.co/"]
KLAVIYO_FLOWS = ("Welcome Series", "Abandoned Cart", "Browse Abandonment")
SEARCH_TERMS = ["touchpath", "touchpath shoes", "merino tee", "trail running shoes", "lightweight daypack",
                "rain jacket women", "linen shirt men"]


def build_products() -> list[dict]:
    out = []
    for i, (handle, title, category, price) in enumerate(PRODUCTS):
        out.append({
            "product_id": 8000000000 + i + 1,
            "variant_id": 45000000000 + i + 1,
            "sku": f"TP-{i + 1:04d}",
            "handle": handle,
            "title": title,
            "category": category,
            "price": price,
        })
    return out


def _ad(rng: random.Random, ad_id: str, name: str, cpc: tuple[float, float], ctr: tuple[float, float]) -> dict:
    return {
        "id": ad_id,
        "name": name,
        "cpc": round(rng.uniform(*cpc), 2),
        "ctr": round(rng.uniform(*ctr), 4),
        "daily_budget": float(rng.choice([20, 30, 40, 50, 75, 100])),
        "weight": round(rng.uniform(0.5, 2.0), 3),
        "status": "ACTIVE",
    }


def build_campaigns(rng: random.Random, *, meta_currencies: tuple[str, str] | None = None,
                    timezones: dict | None = None, budgets: dict | None = None) -> dict:
    """Campaign hierarchy for Meta (2 accounts), Google Ads and TikTok. Ids are stable per position.

    ``meta_currencies``: currency of each Meta ad account; ``timezones``: {"meta": (tz1, tz2), "google_ads": tz,
    "tiktok": tz} (IANA names; default Etc/UTC); ``budgets``: {platform: multiplier of the daily budgets}."""
    tz = timezones or {}
    meta_cur = meta_currencies or (settings.CURRENCY, settings.CURRENCY)
    meta_tz = tz.get("meta") or ("Etc/UTC", "Etc/UTC")
    meta_accounts = []
    for a, account_id in enumerate(settings.META_ACCOUNT_IDS):
        campaigns = []
        for c, cname in enumerate(["Prospecting", "Retargeting"]):
            cid = f"12021{a + 1:02d}{c + 1:02d}000000000"
            adsets = []
            for s, sname in enumerate(["Broad 18-44", "Lookalike 1%"] if c == 0 else ["Site visitors 7d", "Cart 14d"]):
                sid = f"12022{a + 1:02d}{c + 1:02d}{s + 1:02d}0000000"
                ads = [_ad(rng, f"12023{a + 1:02d}{c + 1:02d}{s + 1:02d}{k + 1:02d}00000",
                           f"{sname} | {'Video' if k == 0 else 'Carousel'} {k + 1}", (0.6, 1.8), (0.008, 0.02))
                       for k in range(2)]
                adsets.append({"id": sid, "name": sname, "ads": ads})
            campaigns.append({"id": cid, "name": f"TP{a + 1} | {cname} | Jan", "objective": "OUTCOME_SALES",
                              "adsets": adsets})
        meta_accounts.append({"account_id": account_id, "name": f"touchpath Meta {a + 1}",
                              "currency": meta_cur[a], "timezone_name": meta_tz[a], "campaigns": campaigns})

    g_campaigns = []
    for c, (cname, kind) in enumerate([("Search | Brand", "SEARCH"), ("Search | Generic", "SEARCH"),
                                       ("PMax | Catalog", "PERFORMANCE_MAX")]):
        cid = str(21000000000 + (c + 1) * 100)
        groups = []
        for g in range(2):
            gid = str(150000000000 + (c + 1) * 1000 + g + 1)
            ads = [_ad(rng, str(690000000000 + (c + 1) * 10000 + (g + 1) * 100 + k + 1),
                       f"{cname} RSA {g + 1}.{k + 1}", (0.4, 2.5), (0.03, 0.09)) for k in range(2)]
            for ad in ads:
                ad["keyword"] = SEARCH_TERMS[(c * 2 + g) % len(SEARCH_TERMS)]
            groups.append({"id": gid, "name": f"{cname} AG{g + 1}", "ads": ads})
        g_campaigns.append({"id": cid, "name": cname, "channel_type": kind, "ad_groups": groups})

    t_campaigns = []
    for c, cname in enumerate(["TT | Spark Ads | Prospecting", "TT | Catalog | Retargeting"]):
        cid = f"178{c + 1:02d}00000000000000"
        groups = []
        for g in range(2):
            gid = f"178{c + 1:02d}{g + 1:02d}000000000000"
            ads = [_ad(rng, f"178{c + 1:02d}{g + 1:02d}{k + 1:02d}0000000000", f"{cname} Ad {g + 1}.{k + 1}",
                       (0.3, 1.2), (0.005, 0.015)) for k in range(2)]
            groups.append({"id": gid, "name": f"{cname} AG{g + 1}", "ads": ads})
        t_campaigns.append({"id": cid, "name": cname, "objective_type": "WEB_CONVERSIONS", "adgroups": groups})

    for name, mult in (budgets or {}).items():
        for ad in flat_ads_raw({"meta": {"accounts": meta_accounts}, "google_ads": {"campaigns": g_campaigns},
                                "tiktok": {"campaigns": t_campaigns}}).get(name, []):
            ad["daily_budget"] = round(ad["daily_budget"] * mult, 2)
    return {
        "currency": settings.CURRENCY,
        "meta": {"accounts": meta_accounts},
        "google_ads": {"customer_id": settings.GOOGLE_ADS_CUSTOMER_ID, "currency": settings.CURRENCY,
                       "time_zone": tz.get("google_ads", "Etc/UTC"), "campaigns": g_campaigns},
        "tiktok": {"advertiser_id": settings.TIKTOK_ADVERTISER_ID, "currency": settings.CURRENCY,
                   "timezone": tz.get("tiktok", "Etc/UTC"), "campaigns": t_campaigns},
        "klaviyo": {
            "flows": list(KLAVIYO_FLOWS),
            "campaigns": ["Weekly Newsletter", "Winter Sale"],
            "sms_campaigns": ["SMS Flash Sale"],
        },
    }


def flat_ads(campaigns: dict) -> dict[str, list[dict]]:
    """platform -> list of ad dicts enriched with their parents' ids and names (stable order)."""
    out: dict[str, list[dict]] = {"meta": [], "google_ads": [], "tiktok": []}
    for acct in campaigns["meta"]["accounts"]:
        for c in acct["campaigns"]:
            for s in c["adsets"]:
                for ad in s["ads"]:
                    out["meta"].append({**ad, "account_id": acct["account_id"], "currency": acct["currency"],
                                        "timezone": acct["timezone_name"], "campaign_id": c["id"],
                                        "campaign_name": c["name"], "group_id": s["id"], "group_name": s["name"]})
    for c in campaigns["google_ads"]["campaigns"]:
        for g in c["ad_groups"]:
            for ad in g["ads"]:
                out["google_ads"].append({**ad, "currency": campaigns["google_ads"]["currency"],
                                          "timezone": campaigns["google_ads"]["time_zone"],
                                          "campaign_id": c["id"], "campaign_name": c["name"],
                                          "group_id": g["id"], "group_name": g["name"]})
    for c in campaigns["tiktok"]["campaigns"]:
        for g in c["adgroups"]:
            for ad in g["ads"]:
                out["tiktok"].append({**ad, "currency": campaigns["tiktok"]["currency"],
                                      "timezone": campaigns["tiktok"].get("timezone", "Etc/UTC"),
                                      "campaign_id": c["id"], "campaign_name": c["name"],
                                      "group_id": g["id"], "group_name": g["name"]})
    return out


def flat_ads_raw(campaigns: dict) -> dict[str, list[dict]]:
    """platform -> the ad dicts themselves (not copies), for in-place edits."""
    out: dict[str, list[dict]] = {"meta": [], "google_ads": [], "tiktok": []}
    for acct in campaigns["meta"]["accounts"]:
        out["meta"] += [ad for c in acct["campaigns"] for s in c["adsets"] for ad in s["ads"]]
    out["google_ads"] = [ad for c in campaigns["google_ads"]["campaigns"] for g in c["ad_groups"] for ad in g["ads"]]
    out["tiktok"] = [ad for c in campaigns["tiktok"]["campaigns"] for g in c["adgroups"] for ad in g["ads"]]
    return out
