"""Names and tunables of the Dagster graph, in one place."""

import os

# Asset groups, from the APIs to the marts.
GROUP_SOURCES = "sources"
GROUP_INGESTION = "ingestion"
GROUP_STAGING = "staging"
GROUP_JOURNEYS = "journeys"
GROUP_ATTRIBUTION = "attribution"
GROUP_PERFORMANCE = "performance"

OWNER = "team:data-engineering"

# The daily run: hour and time zone are configurable (env), e.g. TOUCHPATH_SCHEDULE_CRON="30 5 * * *".
DAILY_CRON = os.environ.get("TOUCHPATH_SCHEDULE_CRON", "0 6 * * *")
SCHEDULE_TIMEZONE = os.environ.get("TOUCHPATH_SCHEDULE_TIMEZONE", "UTC")

# Every run that writes the warehouse carries this tag; the instance limits it to one at a time.
WAREHOUSE_TAG = {"touchpath/warehouse": "write"}

# The APIs each source reads: external assets at the top of the lineage graph.
API_DESCRIPTIONS = {
    "meta_ads": "Meta Marketing API: GET /act_{id}/insights (level=ad, time_increment=1).",
    "shopify": "Shopify Admin REST API: orders.json and customers.json (Link-header paging).",
    "tracking": "First-party tracking API: Segment-style page / track / identify events.",
    "google_ads": "Google Ads API (REST): POST customers/{id}/googleAds:searchStream, GAQL ad × day metrics.",
    "tiktok_ads": "TikTok API for Business v1.3: GET report/integrated/get/ (BASIC, AUCTION_AD, ad × day).",
    "klaviyo": "Klaviyo API (JSON:API): GET /api/events/ (with /api/metrics/ names) and /api/profiles/.",
}
