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

# The daily run: it materializes yesterday's partition at this hour and minute, in this time zone
# (which is also the time zone of the daily partitions).
SCHEDULE_HOUR = int(os.environ.get("TOUCHPATH_SCHEDULE_HOUR", "6"))
SCHEDULE_MINUTE = int(os.environ.get("TOUCHPATH_SCHEDULE_MINUTE", "0"))
SCHEDULE_TIMEZONE = os.environ.get("TOUCHPATH_SCHEDULE_TIMEZONE", "UTC")

# DuckDB allows one writer: every op that writes the warehouse runs in this pool (limit 1 in
# .dagster_home/dagster.yaml), and runs carrying the tag are queued one at a time.
WAREHOUSE_POOL = "duckdb_warehouse"
WAREHOUSE_TAG = {"touchpath/warehouse": "write"}

# The APIs each source reads: external assets at the top of the lineage graph.
API_DESCRIPTIONS = {
    "meta_ads": "Meta Marketing API: GET /act_{id}/insights (level=ad, time_increment=1).",
    "shopify": "Shopify Admin REST API: orders.json and customers.json (Link-header paging).",
    "tracking": "First-party tracking API: Segment-style page / track / identify events.",
    "google_ads": "Google Ads API (REST): POST customers/{id}/googleAds:searchStream, GAQL ad × day metrics.",
    "tiktok_ads": "TikTok API for Business v1.3: GET report/integrated/get/ (BASIC, AUCTION_AD, ad × day).",
    "klaviyo": "Klaviyo API (JSON:API): GET /api/events/ (with /api/metrics/ names) and /api/profiles/.",
    "tracking_files": "Tracking export bucket: daily dt=YYYY-MM-DD/*.jsonl.gz or *.parquet files (TOUCHPATH_TRACKING_BUCKET).",
}
