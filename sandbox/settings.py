"""Sandbox constants: credentials, API versions, ids and world defaults.

Connectors read these when ``TOUCHPATH_SANDBOX=1`` so that the same code that talks to the real
APIs talks to the local sandbox server.
"""

from __future__ import annotations

# --- credentials accepted by the sandbox server -------------------------------------------------
META_ACCESS_TOKEN = "sandbox-meta-token"
META_ACCOUNT_IDS = ("1000000000000001", "1000000000000002")  # without the "act_" prefix
GOOGLE_ADS_DEVELOPER_TOKEN = "sandbox-google-dev-token"
GOOGLE_ADS_ACCESS_TOKEN = "sandbox-google-oauth-token"
GOOGLE_ADS_CUSTOMER_ID = "1234567890"
GOOGLE_ADS_LOGIN_CUSTOMER_ID = "9876543210"  # optional manager account; any value is accepted
TIKTOK_ACCESS_TOKEN = "sandbox-tiktok-token"
TIKTOK_ADVERTISER_ID = "7000000000000000001"
SHOPIFY_ACCESS_TOKEN = "shpat_sandbox"
SHOPIFY_SHOP = "touchpath-demo"
KLAVIYO_API_KEY = "pk_sandbox"
TRACKING_WRITE_KEY = "sandbox-tracking-key"

# --- API versions (paths / headers) --------------------------------------------------------------
META_API_VERSION = "v21.0"
SHOPIFY_API_VERSION = "2024-10"
GOOGLE_ADS_API_VERSION = "v18"
TIKTOK_API_VERSION = "v1.3"
KLAVIYO_REVISION = "2024-10-15"
TRACKING_API_VERSION = "v1"

# --- store --------------------------------------------------------------------------------------
CURRENCY = "USD"
SHOP_UTC_OFFSET_HOURS = -5  # Shopify timestamps are rendered in the shop's offset (fixed, no DST)
SHOP_DOMAIN = "touchpath-demo.example"
TAX_RATE = 0.08
FREE_SHIPPING_OVER = 50.0
SHIPPING_PRICE = 5.99

# --- world defaults -----------------------------------------------------------------------------
DEFAULT_CUSTOMERS = 2000
DEFAULT_DAYS = 30
DEFAULT_SEED = 7
DEFAULT_START_DATE = "2026-01-01"
MIN_VISIT_GAP_SECONDS = 35 * 60  # visits of one person are at least this far apart
PLATFORM_LOOKBACK_DAYS = 7  # ad platforms self-credit orders within this many days after a click
LATE_EVENT_RATE = 0.01  # share of tracking events that arrive hours/days late
DUPLICATE_EVENT_RATE = 0.002  # share of tracking events delivered twice (same messageId)

# --- paging limits (mirroring the real APIs) ----------------------------------------------------
META_MAX_LIMIT = 5000
META_DEFAULT_LIMIT = 25
GOOGLE_ADS_STREAM_BATCH = 10000
GOOGLE_ADS_SEARCH_PAGE = 10000
TIKTOK_MAX_PAGE_SIZE = 1000
TIKTOK_DEFAULT_PAGE_SIZE = 10
TIKTOK_MAX_DAY_SPAN = 30  # stat_time_day reports may span at most this many days
SHOPIFY_MAX_LIMIT = 250
SHOPIFY_DEFAULT_LIMIT = 50
KLAVIYO_MAX_PAGE_SIZE = 200
KLAVIYO_DEFAULT_PAGE_SIZE = {"events": 200, "profiles": 20, "metrics": 200}
TRACKING_MAX_LIMIT = 10000
TRACKING_DEFAULT_LIMIT = 1000

ENDPOINTS = ("meta", "google_ads", "tiktok", "shopify", "klaviyo", "tracking")
FAULTS_ENV = "TOUCHPATH_SANDBOX_FAULTS"  # e.g. "meta:rate_limit_every=3;shopify:truncate_every=4"
