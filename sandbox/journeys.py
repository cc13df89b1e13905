"""Simulate people, their devices and their visits (touches) into Segment-style tracking events.

Everything is driven by per-person ``random.Random`` instances derived from the seed, so the output
depends only on (seed, parameters) and never on global state, dict/set order or the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlencode

from sandbox import catalog, settings
from sandbox.plan import Plan, Visit, draw_plan, realize
from sandbox.timeutil import HOUR_MS

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
DISPLAY_SOURCES = (("criteo", "Retargeting Banners | Jan", "https://www.weather.example/"),
                   ("taboola", "Native | Gear guides", "https://news.example.com/outdoors"))
AFFILIATES = (("impact", "affiliate", "outdoorsdeals", "https://www.outdoorsdeals.example/coupons"),
              ("rakuten", "affiliate", "cashback_hub", "https://www.rakuten.example/"),
              ("instagram", "influencer", "creator_mina_trails", "https://l.instagram.com/"))


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def _token(rng: random.Random, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") -> str:
    return "".join(rng.choices(alphabet, k=n))  # one call per token, not per character


@dataclass(slots=True)
class Person:
    idx: int
    persona: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    devices: list[dict] | None
    currency: str = settings.CURRENCY
    identified_at: int | None = None  # first identify (Shopify customer created)
    subscribed_at: int | None = None  # email consent (Klaviyo profile created)
    sms_at: int | None = None  # SMS consent
    customer_id: int | None = None  # assigned after simulation, chronologically
    profile_id: str | None = None  # Klaviyo profile id (subscribers)


@dataclass(slots=True)
class Touch:
    person: int
    ms: int
    channel: str  # contract channel (paid_social, paid_search, display, affiliate, email, ...)
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
    key: str = "direct"  # channel key of the plan (meta, tiktok, google_ads, display, ...)


@dataclass(slots=True)
class PersonResult:
    person: Person
    plan: Plan
    visits: list[Visit]
    events: list[dict]  # internal events (private "_" keys), creation order
    touches: list[Touch]
    orders: list[dict]  # internal order specs (amounts in the person's currency; "total_store" in store currency)
    cart_reminders: list[tuple[int, str]]  # (ms, "email"|"sms") abandoned-cart reminder sends
    pre_purchase_touches: int | None  # visits before (and incl.) the first purchase


class JourneySimulator:
    """Renders one person at a time: plan -> realized visits -> events, touches and orders."""

    def __init__(self, seed: int, start_ms: int, end_ms: int, campaigns: dict, products: list[dict], *,
                 effects: dict | None = None, mix: dict | None = None, currencies: dict | None = None,
                 fx: dict | None = None):
        self.seed = seed
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.products = products
        self.by_id = {x["product_id"]: x for x in products}
        self.by_handle = {x["handle"]: x for x in products}
        self.effects = effects
        self.mix = mix
        self.currencies = currencies  # {code: weight} for customers' currencies (None: store currency only)
        self.fx = fx or {settings.CURRENCY: 1.0}
        self.ads = catalog.flat_ads(campaigns)
        self.ad_pools = {
            p: {"first": [a for a in ads if "Retargeting" not in a["campaign_name"] and "Brand" not in a["campaign_name"]]
                or ads, "later": ads}
            for p, ads in self.ads.items()
        }

    # ------------------------------------------------------------------ people
    def _make_person(self, i: int, rng: random.Random, plan: Plan) -> Person:
        first, last = rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}.{i + 1}@example.com"
        phone = f"+1555{rng.randrange(10**7):07d}" if plan.has_phone else None
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
        currency = settings.CURRENCY
        if self.currencies:
            crng = random.Random(f"{self.seed}:currency:{i}")
            codes = sorted(self.currencies)
            currency = crng.choices(codes, [self.currencies[c] for c in codes])[0]
        return Person(i, plan.persona, first, last, email, phone, devices, currency)

    def simulate(self, i: int) -> PersonResult:
        plan = draw_plan(self.seed, i, self.start_ms, self.end_ms, len(self.products))
        visits = realize(plan, self.end_ms, effects=self.effects, mix=self.mix)
        rng = random.Random(f"{self.seed}:person:{i}")
        person = self._make_person(i, rng, plan)
        res = PersonResult(person, plan, visits, [], [], [], [], None)
        for n, v in enumerate(visits):
            touch = self._make_touch(person, rng, v, first=(n == 0))
            res.touches.append(touch)
            self._visit(res, rng, touch, v)
            if v.purchase == 0:
                res.pre_purchase_touches = n + 1
        return res

    def _make_touch(self, p: Person, rng: random.Random, v: Visit, first: bool) -> Touch:
        channel, t = v.channel, v.ms
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
                         ad["campaign_name"], f"{base}{landing}?{urlencode(q)}", referrer, channel, ad, click_id,
                         key=channel)
        if channel == "display":
            source, camp, referrer = rng.choice(DISPLAY_SOURCES)
            q = {"utm_source": source, "utm_medium": "display", "utm_campaign": camp}
            return Touch(p.idx, t, "display", "display", source, camp, f"{base}{landing}?{urlencode(q)}", referrer,
                         key=channel)
        if channel == "affiliate":
            source, medium, partner, referrer = rng.choice(AFFILIATES)
            q = {"utm_source": source, "utm_medium": medium, "utm_campaign": partner}
            return Touch(p.idx, t, "affiliate", medium, source, partner, f"{base}{landing}?{urlencode(q)}", referrer,
                         key=channel)
        if channel in ("email", "sms"):
            message = v.crm_message
            q = {"utm_source": "klaviyo", "utm_medium": channel, "utm_campaign": message, "_kx": _token(rng, 22)}
            referrer = "https://mail.google.com/" if channel == "email" and rng.random() < 0.3 else ""
            return Touch(p.idx, t, channel, channel, "klaviyo", message, f"{base}{landing}?{urlencode(q)}",
                         referrer, message=message, is_flow=message in catalog.KLAVIYO_FLOWS, key=channel)
        if channel == "organic_search":
            ref = "https://www.google.com/" if rng.random() < 0.88 else "https://www.bing.com/"
            path = "/" if rng.random() < 0.5 else landing.replace("/collections/sale", "/")
            return Touch(p.idx, t, channel, None, None, None, f"{base}{path}", ref, key=channel)
        if channel == "organic_social":
            return Touch(p.idx, t, channel, None, None, None, f"{base}{landing}",
                         rng.choice(catalog.ORGANIC_SOCIAL_SITES), key=channel)
        if channel == "referral":
            return Touch(p.idx, t, channel, None, None, None, f"{base}{landing}", rng.choice(catalog.REFERRAL_SITES),
                         key=channel)
        return Touch(p.idx, t, "direct", None, None, None, f"{base}/", "", key="direct")

    # ------------------------------------------------------------------ visits and events
    def _visit(self, res: PersonResult, rng: random.Random, touch: Touch, v: Visit) -> None:
        p = res.person
        plan = res.plan
        if touch.channel in ("email", "sms"):
            device = next((d for d in p.devices if d["type"] == "mobile"), p.devices[0])
        elif rng.random() < 0.6:
            device = p.devices[0]
        else:
            device = rng.choice(p.devices)
        ctx = {"device": device, "touch": touch, "t": touch.ms, "rng": rng, "person": p, "out": res.events}
        url = touch.url
        path = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
        search = "?" + url.split("?", 1)[1] if "?" in url else ""
        self._page(ctx, path, url, touch.referrer, search, landing=True)
        if path.startswith("/products/"):
            self._product_viewed(ctx, self.by_handle[path[10:]])
        purchase = v.purchase >= 0
        if p.identified_at is not None and not device["identified"] and (purchase or rng.random() < 0.4):
            self._identify(ctx, "login")
        if v.review or v.referral:
            self._advance(ctx, 10, 60)
            if v.review:
                prod = self.products[plan.baskets[0][0][0][0]]
                self._track(ctx, "Review Submitted", {"product_id": str(prod["product_id"]), "sku": prod["sku"],
                                                      "rating": rng.choice((3, 4, 4, 5, 5, 5)),
                                                      "review_id": f"rev_{rng.getrandbits(48):012x}"})
            if v.referral:
                self._advance(ctx, 5, 30)
                self._track(ctx, "Referral Sent", {"referral_code": f"REF-{p.idx + 1}",
                                                   "share_via": rng.choice(("email", "link", "whatsapp"))})
        if v.bounce:
            return
        basket = plan.baskets[v.purchase] if purchase else None
        n_view = rng.randint(0, 2) if purchase else rng.randint(1, 4)
        viewed = [rng.choice(self.products) for _ in range(n_view)]
        if basket:
            viewed += [self.products[pi] for pi, _ in basket[0]]
        for prod in viewed:
            self._advance(ctx, 8, 90)
            self._page(ctx, f"/products/{prod['handle']}", f"https://{settings.SHOP_DOMAIN}/products/{prod['handle']}",
                       url, "")
            self._product_viewed(ctx, prod)
        if v.signup and p.subscribed_at is None:
            self._advance(ctx, 5, 40)
            self._track(ctx, "Signed Up", {"method": "newsletter_popup", "list": "Newsletter"})
            self._identify(ctx, "signup")
            p.subscribed_at = ctx["t"]
            if plan.sms_consent:
                p.sms_at = ctx["t"]
        if basket:
            self._purchase(res, ctx, v.purchase, basket)
        elif v.carted:
            prod = viewed[-1]
            self._advance(ctx, 10, 60)
            self._track(ctx, "Product Added", self._product_props(prod, 1, p.currency, cart_id=_uuid(rng)))
            if p.subscribed_at is not None:  # Klaviyo's abandoned-cart flow fires a reminder
                res.cart_reminders.append((ctx["t"] + rng.randint(HOUR_MS, 4 * HOUR_MS), "email"))
                if p.sms_at is not None and rng.random() < 0.5:
                    res.cart_reminders.append((ctx["t"] + rng.randint(2 * HOUR_MS, 6 * HOUR_MS), "sms"))

    def _price(self, amount: float, currency: str) -> float:
        return round(amount * self.fx.get(currency, 1.0), 2)

    def _purchase(self, res: PersonResult, ctx: dict, k: int, basket: tuple) -> None:
        rng: random.Random = ctx["rng"]
        p: Person = ctx["person"]
        cur = p.currency
        items_spec, code, pct = basket
        items = [(self.products[pi], qty) for pi, qty in items_spec]
        cart_id = _uuid(rng)
        for prod, qty in items:
            self._advance(ctx, 10, 60)
            self._track(ctx, "Product Added", self._product_props(prod, qty, cur, cart_id=cart_id))
        self._advance(ctx, 10, 40)
        self._page(ctx, "/cart", f"https://{settings.SHOP_DOMAIN}/cart", "", "")

        def amounts(fx_cur: str) -> tuple:
            gross = round(sum(self._price(prod["price"], fx_cur) * qty for prod, qty in items), 2)
            discount = round(gross * pct, 2)
            subtotal = round(gross - discount, 2)
            free_over = self._price(settings.FREE_SHIPPING_OVER, fx_cur)
            shipping = 0.0 if subtotal >= free_over else self._price(settings.SHIPPING_PRICE, fx_cur)
            tax = round(subtotal * settings.TAX_RATE, 2)
            return gross, discount, subtotal, shipping, tax, round(subtotal + shipping + tax, 2)

        gross, discount, subtotal, shipping, tax, total = amounts(cur)
        total_store = amounts(settings.CURRENCY)[5] if cur != settings.CURRENCY else total
        checkout_token = f"{rng.getrandbits(128):032x}"
        products = [self._product_props(prod, qty, cur) for prod, qty in items]
        self._advance(ctx, 10, 40)
        started = {"checkout_id": checkout_token, "order_id": None, "value": total, "revenue": total,
                   "currency": cur, "products": products}
        self._track(ctx, "Checkout Started", started, order_k=k)
        first_identify = p.identified_at is None
        self._advance(ctx, 20, 120)
        self._identify(ctx, "checkout")
        plan = res.plan
        if plan.consent_at_checkout and p.subscribed_at is None:
            p.subscribed_at = ctx["t"]
            if plan.sms_consent and p.sms_at is None:
                p.sms_at = ctx["t"]
        self._advance(ctx, 30, 240)
        self._page(ctx, "/checkouts/thank-you", f"https://{settings.SHOP_DOMAIN}/checkouts/{checkout_token}/thank-you",
                   f"https://{settings.SHOP_DOMAIN}/cart", "")
        completed = {"order_id": None, "checkout_id": checkout_token, "total": total, "revenue": total,
                     "subtotal": subtotal, "tax": tax, "shipping": shipping, "discount": discount,
                     "coupon": code, "currency": cur, "products": products}
        self._advance(ctx, 1, 5)
        self._track(ctx, "Order Completed", completed, order_k=k)
        touch: Touch = ctx["touch"]
        res.orders.append({
            "person": p.idx, "k": k, "ms": ctx["t"], "items": [(prod["product_id"], qty) for prod, qty in items],
            "prices": [self._price(prod["price"], cur) for prod, _ in items], "gross": gross, "discount": discount,
            "discount_code": code, "subtotal": subtotal, "shipping": shipping, "tax": tax, "total": total,
            "total_store": total_store, "currency": cur,
            "checkout_token": checkout_token, "new_customer": first_identify,
            "landing_site": touch.url.split(settings.SHOP_DOMAIN, 1)[1], "referring_site": touch.referrer,
            "browser_ip": ctx["device"]["ip"], "user_agent": ctx["device"]["userAgent"],
            "last_touch": touch.key,
        })

    def _product_viewed(self, ctx: dict, prod: dict) -> None:
        self._advance(ctx, 1, 4)
        self._track(ctx, "Product Viewed", {**self._product_props(prod, 1, ctx["person"].currency), "url": ctx["page"]["url"]})

    def _product_props(self, prod: dict, qty: int, currency: str = settings.CURRENCY,
                       cart_id: str | None = None) -> dict:
        d = {"product_id": str(prod["product_id"]), "variant": str(prod["variant_id"]), "sku": prod["sku"],
             "name": prod["title"], "category": prod["category"], "price": self._price(prod["price"], currency),
             "quantity": qty, "currency": currency}
        if cart_id:
            d["cart_id"] = cart_id
        return d

    @staticmethod
    def _advance(ctx: dict, lo: int, hi: int) -> None:
        ctx["t"] += lo * 1000 + int(ctx["rng"].random() * ((hi - lo) * 1000 + 1))  # uniform, cheaper than randint

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
        ctx["out"].append(ev)

    def _track(self, ctx: dict, name: str, props: dict, order_k: int | None = None) -> None:
        ev = self._base(ctx, "track")
        ev["event"] = name
        ev["properties"] = props
        if order_k is not None:
            ev["_ok"] = order_k  # order_id is filled in once ids are assigned
        ctx["out"].append(ev)

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
        ctx["out"].append(ev)
