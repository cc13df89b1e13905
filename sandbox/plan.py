"""The causal core of the world: a per-person *plan* drawn once, and ``realize(plan, off)`` that turns it into
visits and purchases.

Everything that decides whether and when a person buys is drawn here, up front, from the person's own
``random.Random(f"{seed}:plan:{idx}")`` - independent of what happens later. ``realize`` is a pure
function of (plan, switched-off channels, channel effects), so the factual world (``off=()``) and each
counterfactual world (one channel switched off) share every random number: the only difference between
them is the removed channel (common random numbers). See ``sandbox/groundtruth.py``.

Model: each person has a latent purchase intent and, per purchase, an engagement threshold. Every
realized visit adds ``effect[channel] * (0.5 + u)`` engagement; the visit where the running sum crosses the
threshold ends in an order. A person only has a limited number of opportunities (slots, each with its own
pre-drawn gap and channel draw); a switched-off channel's slots vanish (or, with the channel's
substitution probability, happen anyway through its fallback channel, e.g. brand search -> organic).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.timeutil import DAY_MS, HOUR_MS, MINUTE_MS

PERSONAS = ("deal_seeker", "loyal", "browser", "impulse")
PERSONA_WEIGHTS = (0.30, 0.20, 0.35, 0.15)
LATENT_BUY = {"deal_seeker": 0.46, "loyal": 0.62, "browser": 0.15, "impulse": 0.56}
REPEAT_PROB = {"deal_seeker": 0.25, "loyal": 0.55, "browser": 0.10, "impulse": 0.15}
BOUNCE_PROB = {"deal_seeker": 0.30, "loyal": 0.20, "browser": 0.40, "impulse": 0.35}
CART_PROB = {"deal_seeker": 0.25, "loyal": 0.25, "browser": 0.10, "impulse": 0.25}
REVIEW_PROB = {"deal_seeker": 0.10, "loyal": 0.35, "browser": 0.10, "impulse": 0.15}
REFERRAL_PROB = {"deal_seeker": 0.05, "loyal": 0.15, "browser": 0.03, "impulse": 0.08}

# Channel keys (the switch unit of the ground truth) and their contract channel.
CHANNELS = ("meta", "tiktok", "google_ads", "display", "affiliate", "organic_search", "organic_social",
            "referral", "direct", "email", "sms")
CHANNEL_GROUP = {"meta": "paid_social", "tiktok": "paid_social", "google_ads": "paid_search", "display": "display",
                 "affiliate": "affiliate", "organic_search": "organic_search", "organic_social": "organic_social",
                 "referral": "referral", "direct": "direct", "email": "email", "sms": "sms"}
# channel pick weights by state: first touch / later (no consent) / later with consent / after a purchase
W_FIRST = (0.26, 0.09, 0.18, 0.06, 0.04, 0.14, 0.07, 0.06, 0.10, 0.0, 0.0)
W_LATER = (0.23, 0.07, 0.20, 0.05, 0.04, 0.14, 0.05, 0.04, 0.18, 0.0, 0.0)
W_SUBSCRIBED = (0.14, 0.05, 0.16, 0.03, 0.03, 0.09, 0.03, 0.02, 0.15, 0.22, 0.08)
W_REPEAT = (0.09, 0.03, 0.14, 0.02, 0.03, 0.07, 0.02, 0.01, 0.27, 0.22, 0.10)
# True causal effect of one visit through each channel (engagement units; a purchase needs ~8 on average).
DEFAULT_EFFECTS = {"meta": 1.25, "tiktok": 0.95, "google_ads": 0.75, "display": 0.45, "affiliate": 0.6,
                   "organic_search": 1.0, "organic_social": 0.7, "referral": 1.2, "direct": 0.9, "email": 0.8,
                   "sms": 0.7}
# When a channel is switched off, the share of its visits that happen anyway through the fallback channel
# (people who would have searched the brand, typed the URL, or used a coupon site anyway).
SUBSTITUTION = {"meta": 0.10, "tiktok": 0.05, "google_ads": 0.55, "display": 0.05, "affiliate": 0.45,
                "organic_search": 0.35, "organic_social": 0.10, "referral": 0.05, "direct": 0.30, "email": 0.30,
                "sms": 0.30}
FALLBACK = {"meta": "direct", "tiktok": "direct", "google_ads": "organic_search", "display": "direct",
            "affiliate": "direct", "organic_search": "direct", "organic_social": "direct", "referral": "direct",
            "direct": "organic_search", "email": "direct", "sms": "direct"}
MAX_SLOTS = 40
VISIT_SPACING_MS = 55 * MINUTE_MS  # next visit starts >= 35 min after the previous one ends (visits < 20 min)
DISCOUNT_CODES = (("SAVE10", 0.10), ("WINTER20", 0.20))


@dataclass(slots=True)
class Plan:
    idx: int
    persona: str
    latent: bool
    thresholds: list[float]  # engagement needed per purchase (first, repeats)
    pauses: list[int]  # ms pause after each purchase
    baskets: list[tuple]  # per purchase: ((product_index, qty), ...), discount code, pct
    n_slots: int
    tail: int  # slots still used after the last planned purchase
    t0: int
    gaps: list[int]
    u_ch: list[float]
    u_sub: list[float]
    u_w: list[float]
    u_bounce: list[float]
    u_cart: list[float]
    jitter: list[int]
    signup_at: int | None  # realized-visit index where the newsletter popup converts
    consent_at_checkout: bool
    has_phone: bool
    sms_consent: bool
    review: list[tuple[float, float]]  # per purchase: (u_review, u_referral)


def draw_plan(seed: int, idx: int, start_ms: int, end_ms: int, n_products: int) -> Plan:
    rng = random.Random(f"{seed}:plan:{idx}")
    persona = rng.choices(PERSONAS, PERSONA_WEIGHTS)[0]
    latent = rng.random() < LATENT_BUY[persona]
    if latent:
        thresholds = [1.0 + rng.gammavariate(1.5, 5.6)]
        if rng.random() < REPEAT_PROB[persona]:
            thresholds.append(0.5 + rng.gammavariate(1.2, 1.4))
            if rng.random() < 0.3:
                thresholds.append(0.5 + rng.gammavariate(1.2, 1.2))
        patience = 1.25 + 0.8 * rng.random()
        n_slots = min(MAX_SLOTS, int(sum(thresholds) * patience) + 2 + len(thresholds))
        tail = rng.choice((0, 0, 1, 1, 2, 3))
    else:
        thresholds = []
        n_slots = min(1 + int(rng.expovariate(1 / 1.8)), 10)
        tail = 0
    pauses = [DAY_MS + int(rng.expovariate(1 / (6 * DAY_MS))) for _ in thresholds]
    baskets = []
    for _ in thresholds:
        k = rng.choices((1, 2, 3), (0.55, 0.3, 0.15))[0]
        items = tuple((pi, 1 if rng.random() < 0.85 else 2) for pi in rng.sample(range(n_products), k))
        code, pct = None, 0.0
        if (persona == "deal_seeker" and rng.random() < 0.7) or rng.random() < 0.1:
            code, pct = rng.choice(DISCOUNT_CODES)
        baskets.append((items, code, pct))
    review = [(rng.random(), rng.random()) for _ in thresholds]
    n = n_slots + tail
    gaps = [int(rng.expovariate(1 / (4 * HOUR_MS if rng.random() < 0.35 else 30 * HOUR_MS))) for _ in range(n)]
    u_ch = [rng.random() for _ in range(n)]
    u_sub = [rng.random() for _ in range(n)]
    u_w = [rng.random() for _ in range(n)]
    u_bounce = [rng.random() for _ in range(n)]
    u_cart = [rng.random() for _ in range(n)]
    jitter = [rng.randrange(0, 600_000) for _ in range(n)]
    if latent and rng.random() < 0.6:
        signup_at = rng.randrange(0, max(1, int(thresholds[0] * 0.8)))
    elif not latent and rng.random() < 0.3:
        signup_at = rng.randrange(0, n_slots)
    else:
        signup_at = None
    consent = rng.random() < 0.6
    has_phone = rng.random() < 0.5
    sms_consent = has_phone and rng.random() < 0.5
    t0 = start_ms + int(rng.uniform(0, (end_ms - start_ms) * 0.85))
    return Plan(idx, persona, latent, thresholds, pauses, baskets, n_slots, tail, t0, gaps, u_ch, u_sub, u_w,
                u_bounce, u_cart, jitter, signup_at, consent, has_phone, sms_consent, review)


@dataclass(slots=True)
class Visit:
    slot: int
    ms: int
    channel: str  # channel key (CHANNELS)
    purchase: int  # purchase index, -1 when no order
    signup: bool
    bounce: bool
    carted: bool  # added to cart without ordering (abandoned cart)
    crm_message: str | None  # Klaviyo message for email/SMS visits
    review: bool = False
    referral: bool = False


def _pick(u: float, weights: tuple, mix: dict | None, allowed_crm: tuple[bool, bool]) -> str:
    w = list(weights)
    if mix:
        w = [x * mix.get(c, 1.0) for x, c in zip(w, CHANNELS, strict=True)]
    if not allowed_crm[0]:
        w[9] = 0.0
    if not allowed_crm[1]:
        w[10] = 0.0
    total = sum(w)
    acc = 0.0
    x = u * total
    for c, wi in zip(CHANNELS, w, strict=True):
        acc += wi
        if x < acc and wi > 0:
            return c
    return "direct"


def realize(plan: Plan, end_ms: int, *, off: frozenset = frozenset(), effects: dict | None = None,
            mix: dict | None = None) -> list[Visit]:
    """Visits (and which of them end in an order) of one person, with the channels in ``off`` switched off."""
    eff = DEFAULT_EFFECTS if not effects else effects if len(effects) == len(DEFAULT_EFFECTS) \
        else {**DEFAULT_EFFECTS, **effects}
    visits: list[Visit] = []
    t = plan.t0
    prev_start: int | None = None
    subscribed_at: int | None = None
    sms_at: int | None = None
    purchase_k = 0
    cum = 0.0
    carted_pending = False
    welcome_used = False
    last_order_ms: int | None = None
    review_pending = -1
    limit = plan.n_slots
    for j in range(len(plan.gaps)):
        if j >= limit:
            break
        if j > 0:
            t += plan.gaps[j]
        if prev_start is not None:
            t = max(t, prev_start + VISIT_SPACING_MS + plan.jitter[j])
        if t >= end_ms - HOUR_MS:
            break
        first = not visits
        if purchase_k > 0:
            w = W_REPEAT if subscribed_at is not None else W_LATER
        elif first:
            w = W_FIRST
        else:
            w = W_SUBSCRIBED if subscribed_at is not None else W_LATER
        crm_ok = (subscribed_at is not None and t >= subscribed_at + HOUR_MS,
                  sms_at is not None and t >= sms_at + HOUR_MS)
        ch = _pick(plan.u_ch[j], w, mix, crm_ok)
        if ch in off:
            if plan.u_sub[j] < SUBSTITUTION[ch] and FALLBACK[ch] not in off:
                ch = FALLBACK[ch]
            else:
                continue  # the opportunity is lost; time still passes
        prev_start = t
        buying = purchase_k < len(plan.thresholds)
        cum += eff[ch] * (0.5 + plan.u_w[j])
        purchase = buying and cum >= plan.thresholds[purchase_k]
        signup = purchase_k == 0 and plan.signup_at is not None and len(visits) == plan.signup_at \
            and subscribed_at is None
        bounce = not purchase and not signup and plan.u_bounce[j] < BOUNCE_PROB[plan.persona]
        carted = not purchase and not bounce and plan.u_cart[j] < CART_PROB[plan.persona]
        msg = None
        if ch == "sms":
            msg = "Abandoned Cart" if carted_pending else "SMS Flash Sale"
        elif ch == "email":
            if not welcome_used and subscribed_at is not None and t - subscribed_at < 3 * DAY_MS:
                welcome_used, msg = True, "Welcome Series"
            elif carted_pending:
                msg = "Abandoned Cart"
            elif plan.u_cart[j] < 0.3:
                msg = "Browse Abandonment"
            else:
                msg = "Weekly Newsletter" if plan.u_sub[j] < 0.5 else "Winter Sale"
        v = Visit(j, t, ch, purchase_k if purchase else -1, signup, bounce, carted, msg)
        if review_pending >= 0 and last_order_ms is not None and t >= last_order_ms + 3 * DAY_MS:
            u_rev, u_ref = plan.review[review_pending]
            v.review = u_rev < REVIEW_PROB[plan.persona]
            v.referral = u_ref < REFERRAL_PROB[plan.persona]
            review_pending = -1
        visits.append(v)
        if signup:
            subscribed_at = t
            if plan.sms_consent:
                sms_at = t
        if carted:
            carted_pending = True
        if purchase:
            carted_pending = False
            if plan.consent_at_checkout and subscribed_at is None:
                subscribed_at = t
                if plan.sms_consent and sms_at is None:
                    sms_at = t
            last_order_ms, review_pending = t, purchase_k
            t += plan.pauses[purchase_k]
            purchase_k += 1
            cum = 0.0
            if purchase_k == len(plan.thresholds):
                limit = min(len(plan.gaps), j + 1 + plan.tail)
    return visits
