"""Simulate people, their devices and their visits (touches) into Segment-style tracking events.

Everything is driven by per-person ``random.Random`` instances derived from the seed, so the output
depends only on (seed, parameters) and never on global state, dict/set order or the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sandbox import catalog, settings
from sandbox.timeutil import DAY_MS, HOUR_MS

PERSONAS = ("deal_seeker", "loyal", "browser", "impulse")
PERSONA_WEIGHTS = (0.30, 0.20, 0.35, 0.15)
BUY_PROB = {"deal_seeker": 0.40, "loyal": 0.55, "browser": 0.12, "impulse": 0.50}
REPEAT_PROB = {"deal_seeker": 0.25, "loyal": 0.55, "browser": 0.10, "impulse": 0.15}
BOUNCE_PROB = {"deal_seeker": 0.30, "loyal": 0.20, "browser": 0.40, "impulse": 0.35}

# channel weights: (first touch, later touches without email consent, later touches with consent)
CHANNELS = ("meta", "tiktok", "google_ads", "organic_search", "organic_social", "referral", "direct", "email", "sms")
W_FIRST = (0.28, 0.10, 0.20, 0.15, 0.08, 0.07, 0.12, 0.0, 0.0)
W_LATER = (0.25, 0.08, 0.22, 0.15, 0.06, 0.04, 0.20, 0.0, 0.0)
W_SUBSCRIBED = (0.15, 0.05, 0.18, 0.10, 0.03, 0.02, 0.17, 0.22, 0.08)
W_REPEAT = (0.10, 0.03, 0.15, 0.07, 0.02, 0.01, 0.30, 0.22, 0.10)

USER_AGENTS = {
    "mobile": ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/17.2 Mobile/15E148 Safari/604.1",
               "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 Mobile Safari/537.36"],
    "desktop": ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/120.0.0.0 Safari/537.36",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"],
    "tablet": ["Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/17.2 Mobile/15E148 Safari/604.1"],
}
DISCOUNT_CODES = (("SAVE10", 0.10), ("WINTER20", 0.20))


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def _token(rng: random.Random, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


@dataclass
class Person:
    idx: int
    persona: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    devices: list[dict]
    identified_at: int | None = None  # first identify (Shopify customer created)
    subscribed_at: int | None = None  # email consent (Klaviyo profile created)
    sms_at: int | None = None  # SMS consent
    customer_id: int | None = None  # assigned after simulation, chronologically
    carted_pending: bool = False
    viewed: bool = False
    welcome_clicked: bool = False
    order_refs: list[dict] = field(default_factory=list)


@dataclass
class Touch:
    person: int
    ms: int
    channel: str
    medium: str | None
    source: str | None
    campaign: str | None
    url: str
    referrer: str
    platform: str | None = None
    ad: dict | None = None
    click_id: str | None = None
    message: str | None = None  # Klaviyo message (flow or campaign) for email/SMS clicks
    is_flow: bool = False


class JourneySimulator:
    def __init__(self, seed: int, start_ms: int, end_ms: int, campaigns: dict, products: list[dict]):
        self.seed = seed
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.products = products
        self.ads = catalog.flat_ads(campaigns)
        self.ad_pools = {
            p: {"first": [a for a in ads if "Retargeting" not in a["campaign_name"] and "Brand" not in a["campaign_name"]]
                or ads, "later": ads}
            for p, ads in self.ads.items()
        }
        self.persons: list[Person] = []
        self.events: list[dict] = []  # internal events (with private "_" keys), creation order
        self.touches: list[Touch] = []
        self.orders: list[dict] = []  # internal order specs
        self.pre_purchase_touches: list[int] = []  # touches before (and incl.) each first purchase

    # ------------------------------------------------------------------ people
    def _make_person(self, i: int, rng: random.Random) -> Person:
        persona = rng.choices(PERSONAS, PERSONA_WEIGHTS)[0]
        first, last = rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}.{i + 1}@example.com"
        phone = f"+1555{rng.randrange(10**7):07d}" if rng.random() < 0.5 else None
        n_dev = rng.choices((1, 2, 3), (0.5, 0.35, 0.15))[0]
        devices = []
        types = rng.sample(["mobile", "desktop", "tablet"], 3) if n_dev > 1 else [rng.choice(["mobile", "desktop"])]
        for d in range(n_dev):
            t = types[d]
            devices.append({
                "anonymousId": f"anon_{rng.getrandbits(64):016x}",
                "type": t,
                "userAgent": rng.choice(USER_AGENTS[t]),
                "ip": f"{rng.randint(23, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                "identified": False,
            })
        return Person(i, persona, first, last, email, phone, devices)

    def run(self, customers: int) -> None:
        for i in range(customers):
            rng = random.Random(f"{self.seed}:person:{i}")
            person = self._make_person(i, rng)
            self.persons.append(person)
            self._simulate_person(person, rng)

    # ------------------------------------------------------------------ journeys
    def _simulate_person(self, p: Person, rng: random.Random) -> None:
        buyer = rng.random() < BUY_PROB[p.persona]
        if buyer:
            n_pre = min(1 + int(rng.gammavariate(1.6, 3.8)), 30)
            segments = [n_pre]
            if rng.random() < REPEAT_PROB[p.persona]:
                segments.append(rng.randint(1, 4))
                if rng.random() < 0.3:
                    segments.append(rng.randint(1, 3))
        else:
            segments = [min(1 + int(rng.expovariate(1 / 1.8)), 10)]
        # signup plan: index of the (first-segment) visit where the email popup converts
        signup_at = None
        if buyer and segments[0] >= 2 and rng.random() < 0.6:
            signup_at = rng.randrange(0, segments[0] - 1)
        elif not buyer and rng.random() < 0.3:
            signup_at = rng.randrange(0, segments[0])
        consent_at_checkout = rng.random() < 0.6
        sms_consent = p.phone is not None and rng.random() < 0.5

        span = self.end_ms - self.start_ms
        t = self.start_ms + int(rng.uniform(0, span * 0.85))
        prev_end: int | None = None
        n_touch = 0
        for s, n in enumerate(segments):
            if s > 0:
                t += DAY_MS + int(rng.expovariate(1 / (6 * DAY_MS)))
            for j in range(n):
                if j > 0:
                    mean = 4 * HOUR_MS if rng.random() < 0.35 else 30 * HOUR_MS
                    t += int(rng.expovariate(1 / mean))
                if prev_end is not None:
                    t = max(t, prev_end + settings.MIN_VISIT_GAP_SECONDS * 1000 + rng.randrange(0, 600_000))
                if t >= self.end_ms - HOUR_MS:
                    return
                n_touch += 1
                purchase = buyer and j == n - 1
                touch = self._pick_touch(p, rng, t, first=(n_touch == 1), repeat=(s > 0))
                signup = s == 0 and j == signup_at
                prev_end = self._visit(p, rng, touch, purchase=purchase, signup=signup,
                                       consent_at_checkout=consent_at_checkout, sms_consent=sms_consent)
                if purchase and s == 0:
                    self.pre_purchase_touches.append(n_touch)

    def _pick_touch(self, p: Person, rng: random.Random, t: int, first: bool, repeat: bool) -> Touch:
        if first:
            w = W_FIRST
        elif p.subscribed_at is not None:
            w = W_REPEAT if repeat else W_SUBSCRIBED
        else:
            w = W_LATER
        channel = rng.choices(CHANNELS, w)[0]
        if channel == "email" and (p.subscribed_at is None or t < p.subscribed_at + HOUR_MS):
            channel = "direct"
        if channel == "sms" and (p.sms_at is None or t < p.sms_at + HOUR_MS):
            channel = "direct"
        product = rng.choice(self.products)
        landing = f"/products/{product['handle']}" if rng.random() < 0.7 else "/collections/sale"
        base = f"https://{settings.SHOP_DOMAIN}"
        if channel in ("meta", "tiktok", "google_ads"):
            pool = self.ad_pools[channel]["first" if first else "later"]
            ad = rng.choices(pool, [a["weight"] for a in pool])[0]
            if channel == "meta":
                source = rng.choices(("facebook", "instagram"), (0.6, 0.4))[0]
                medium, cid_key = "paid_social", "fbclid"
                click_id = "IwAR" + _token(rng, 40)
                referrer = "https://l.facebook.com/" if source == "facebook" else "https://l.instagram.com/"
                term = ad["group_name"]
            elif channel == "tiktok":
                source, medium, cid_key = "tiktok", "paid_social", "ttclid"
                click_id = "E.C.P." + _token(rng, 32)
                referrer = "https://www.tiktok.com/" if rng.random() < 0.5 else ""
                term = ad["group_name"]
            else:
                source, medium, cid_key = "google", "cpc", "gclid"
                click_id = "Cj0KCQiA" + _token(rng, 60)
                referrer = "https://www.google.com/"
                term = ad["keyword"]
            q = {"utm_source": source, "utm_medium": medium, "utm_campaign": ad["campaign_name"],
                 "utm_content": ad["id"], "utm_term": term, cid_key: click_id}
            return Touch(p.idx, t, "paid_social" if medium == "paid_social" else "paid_search", medium, source,
                         ad["campaign_name"], f"{base}{landing}?{urlencode(q)}", referrer, channel, ad, click_id)
        if channel in ("email", "sms"):
            message, is_flow = self._pick_message(p, rng, t, channel)
            q = {"utm_source": "klaviyo", "utm_medium": channel, "utm_campaign": message, "_kx": _token(rng, 22)}
            referrer = "https://mail.google.com/" if channel == "email" and rng.random() < 0.3 else ""
            return Touch(p.idx, t, channel, channel, "klaviyo", message, f"{base}{landing}?{urlencode(q)}",
                         referrer, message=message, is_flow=is_flow)
        if channel == "organic_search":
            ref = "https://www.google.com/" if rng.random() < 0.88 else "https://www.bing.com/"
            path = "/" if rng.random() < 0.5 else landing.replace("/collections/sale", "/")
            return Touch(p.idx, t, channel, None, None, None, f"{base}{path}", ref)
        if channel == "organic_social":
            return Touch(p.idx, t, channel, None, None, None, f"{base}{landing}", rng.choice(catalog.ORGANIC_SOCIAL_SITES))
        if channel == "referral":
            return Touch(p.idx, t, channel, None, None, None, f"{base}{landing}", rng.choice(catalog.REFERRAL_SITES))
        return Touch(p.idx, t, "direct", None, None, None, f"{base}/", "")

    def _pick_message(self, p: Person, rng: random.Random, t: int, medium: str) -> tuple[str, bool]:
        if medium == "sms":
            return ("Abandoned Cart", True) if p.carted_pending else ("SMS Flash Sale", False)
        if not p.welcome_clicked and t - (p.subscribed_at or t) < 3 * DAY_MS:
            p.welcome_clicked = True
            return "Welcome Series", True
        if p.carted_pending:
            return "Abandoned Cart", True
        if p.viewed and rng.random() < 0.3:
            return "Browse Abandonment", True
        return rng.choice(("Weekly Newsletter", "Winter Sale")), False

    # ------------------------------------------------------------------ visits and events
    def _visit(self, p: Person, rng: random.Random, touch: Touch, *, purchase: bool, signup: bool,
               consent_at_checkout: bool, sms_consent: bool) -> int:
        self.touches.append(touch)
        if touch.channel in ("email", "sms"):
            device = next((d for d in p.devices if d["type"] == "mobile"), p.devices[0])
        elif len(self.touches) and rng.random() < 0.6:
            device = p.devices[0]
        else:
            device = rng.choice(p.devices)
        ctx = {"device": device, "touch": touch, "t": touch.ms, "rng": rng, "person": p}
        url = touch.url
        path = url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
        path = "/" + path
        search = "?" + url.split("?", 1)[1] if "?" in url else ""
        self._page(ctx, path, url, touch.referrer, search, landing=True)
        if path.startswith("/products/"):
            self._product_viewed(ctx, next(x for x in self.products if x["handle"] == path[10:]))
        if p.identified_at is not None and not device["identified"] and (purchase or rng.random() < 0.4):
            self._identify(ctx, "login")
        bounce = not purchase and not signup and rng.random() < BOUNCE_PROB[p.persona]
        if bounce:
            return ctx["t"]
        viewed = []
        for _ in range(rng.randint(1, 4)):
            prod = rng.choice(self.products)
            self._advance(ctx, 8, 90)
            self._page(ctx, f"/products/{prod['handle']}", f"https://{settings.SHOP_DOMAIN}/products/{prod['handle']}",
                       url, "")
            self._product_viewed(ctx, prod)
            viewed.append(prod)
        p.viewed = True
        if signup and p.subscribed_at is None:
            self._advance(ctx, 5, 40)
            self._track(ctx, "Signed Up", {"method": "newsletter_popup", "list": "Newsletter"})
            self._identify(ctx, "signup")
            p.subscribed_at = ctx["t"]
            if sms_consent:
                p.sms_at = ctx["t"]
        if purchase:
            self._purchase(ctx, viewed, consent_at_checkout, sms_consent)
            p.carted_pending = False
        elif rng.random() < (0.25 if p.persona != "browser" else 0.1):
            prod = viewed[-1]
            self._advance(ctx, 10, 60)
            self._track(ctx, "Product Added", self._product_props(prod, 1, cart_id=_uuid(rng)))
            p.carted_pending = True
        return ctx["t"]

    def _purchase(self, ctx: dict, viewed: list[dict], consent: bool, sms_consent: bool) -> None:
        rng: random.Random = ctx["rng"]
        p: Person = ctx["person"]
        items_prod = list(dict.fromkeys(x["product_id"] for x in viewed))[: rng.randint(1, 3)]
        by_id = {x["product_id"]: x for x in self.products}
        items = [(by_id[pid], 1 if rng.random() < 0.85 else 2) for pid in items_prod]
        cart_id = _uuid(rng)
        for prod, qty in items:
            self._advance(ctx, 10, 60)
            self._track(ctx, "Product Added", self._product_props(prod, qty, cart_id=cart_id))
        self._advance(ctx, 10, 40)
        self._page(ctx, "/cart", f"https://{settings.SHOP_DOMAIN}/cart", "", "")
        code, pct = (None, 0.0)
        if p.persona == "deal_seeker" and rng.random() < 0.7 or rng.random() < 0.1:
            code, pct = rng.choice(DISCOUNT_CODES)
        gross = round(sum(prod["price"] * qty for prod, qty in items), 2)
        discount = round(gross * pct, 2)
        subtotal = round(gross - discount, 2)
        shipping = 0.0 if subtotal >= settings.FREE_SHIPPING_OVER else settings.SHIPPING_PRICE
        tax = round(subtotal * settings.TAX_RATE, 2)
        total = round(subtotal + shipping + tax, 2)
        checkout_token = f"{rng.getrandbits(128):032x}"
        products = [self._product_props(prod, qty) for prod, qty in items]
        self._advance(ctx, 10, 40)
        started = {"checkout_id": checkout_token, "order_id": None, "value": total, "revenue": total,
                   "currency": settings.CURRENCY, "products": products}
        self._track(ctx, "Checkout Started", started)
        first_identify = p.identified_at is None
        self._advance(ctx, 20, 120)
        self._identify(ctx, "checkout")
        if consent and p.subscribed_at is None:
            p.subscribed_at = ctx["t"]
            if sms_consent and p.sms_at is None:
                p.sms_at = ctx["t"]
        self._advance(ctx, 30, 240)
        self._page(ctx, "/checkouts/thank-you", f"https://{settings.SHOP_DOMAIN}/checkouts/{checkout_token}/thank-you",
                   f"https://{settings.SHOP_DOMAIN}/cart", "")
        completed = {"order_id": None, "checkout_id": checkout_token, "total": total, "revenue": total,
                     "subtotal": subtotal, "tax": tax, "shipping": shipping, "discount": discount,
                     "coupon": code, "currency": settings.CURRENCY, "products": products}
        self._advance(ctx, 1, 5)
        self._track(ctx, "Order Completed", completed)
        touch: Touch = ctx["touch"]
        self.orders.append({
            "person": p.idx, "ms": ctx["t"], "items": items, "gross": gross, "discount": discount,
            "discount_code": code, "subtotal": subtotal, "shipping": shipping, "tax": tax, "total": total,
            "checkout_token": checkout_token, "props": [started, completed], "new_customer": first_identify,
            "landing_site": touch.url.split(settings.SHOP_DOMAIN, 1)[1], "referring_site": touch.referrer,
            "browser_ip": ctx["device"]["ip"], "user_agent": ctx["device"]["userAgent"],
        })

    def _product_viewed(self, ctx: dict, prod: dict) -> None:
        self._advance(ctx, 1, 4)
        self._track(ctx, "Product Viewed", {**self._product_props(prod, 1), "url": ctx["page"]["url"]})

    @staticmethod
    def _product_props(prod: dict, qty: int, cart_id: str | None = None) -> dict:
        d = {"product_id": str(prod["product_id"]), "variant": str(prod["variant_id"]), "sku": prod["sku"],
             "name": prod["title"], "category": prod["category"], "price": prod["price"], "quantity": qty,
             "currency": settings.CURRENCY}
        if cart_id:
            d["cart_id"] = cart_id
        return d

    @staticmethod
    def _advance(ctx: dict, lo: int, hi: int) -> None:
        ctx["t"] += ctx["rng"].randint(lo * 1000, hi * 1000)

    def _base(self, ctx: dict, etype: str) -> dict:
        dev = ctx["device"]
        rng: random.Random = ctx["rng"]
        ev = {"messageId": _uuid(rng), "type": etype, "anonymousId": dev["anonymousId"],
              "userId": None, "_p": ctx["person"].idx, "_uid": dev["identified"], "_ts": ctx["t"],
              "_mobile": dev["type"] != "desktop",
              "context": {"page": dict(ctx.get("page") or {}), "userAgent": dev["userAgent"], "ip": dev["ip"],
                          "device": {"type": dev["type"]}, "locale": "en-US",
                          "library": {"name": "analytics.js", "version": "next-1.70.0"}}}
        return ev

    def _page(self, ctx: dict, path: str, url: str, referrer: str, search: str, landing: bool = False) -> None:
        title = "touchpath | " + (path.rsplit("/", 1)[-1].replace("-", " ").title() or "Home")
        ctx["page"] = {"path": path, "url": url, "referrer": referrer, "title": title, "search": search}
        ev = self._base(ctx, "page")
        ev["name"] = title
        ev["properties"] = dict(ctx["page"])
        if landing and ctx["touch"].source:
            t: Touch = ctx["touch"]
            camp = {"source": t.source, "medium": t.medium, "name": t.campaign}
            q = dict(x.split("=", 1) for x in search[1:].split("&")) if search else {}
            if "utm_content" in q:
                camp["content"] = t.ad["id"] if t.ad else q["utm_content"]
            if t.ad and "utm_term" in q:
                camp["term"] = t.ad["keyword"] if t.platform == "google_ads" else t.ad["group_name"]
            ev["context"]["campaign"] = camp
        self.events.append(ev)

    def _track(self, ctx: dict, name: str, props: dict) -> None:
        ev = self._base(ctx, "track")
        ev["event"] = name
        ev["properties"] = props
        self.events.append(ev)

    def _identify(self, ctx: dict, reason: str) -> None:
        p: Person = ctx["person"]
        dev = ctx["device"]
        if p.identified_at is None:
            p.identified_at = ctx["t"]
        dev["identified"] = True
        ev = self._base(ctx, "identify")
        ev["_uid"] = True
        traits = {"email": p.email, "first_name": p.first_name, "last_name": p.last_name}
        if p.phone:
            traits["phone"] = p.phone
        ev["traits"] = traits
        ev["context"]["traits"] = {"email": p.email}
        ev["_reason"] = reason
        self.events.append(ev)
