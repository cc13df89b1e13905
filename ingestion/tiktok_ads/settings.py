"""TikTok API for Business constants (synchronous `report/integrated/get/`, v1.3)."""

BASE_URL = "https://business-api.tiktok.com"
API_VERSION = "v1.3"
REPORT_PATH = "/open_api/{version}/report/integrated/get/"
# BASIC report at ad level, one row per ad and day.
REPORT_TYPE = "BASIC"
DATA_LEVEL = "AUCTION_AD"
DIMENSIONS = ("ad_id", "stat_time_day")
# Attribute metrics (names, parent ids, currency) ride along with the performance metrics.
METRICS = (
    "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name", "currency",
    "spend", "impressions", "clicks", "conversion", "complete_payment", "total_complete_payment_rate",
)
PAGE_SIZE = 1000  # the API maximum
# With `stat_time_day` as a dimension a report may span at most 30 days.
WINDOW_DAYS = 30
# TikTok restates attributed conversions for days: re-read this many trailing days every run.
RESTATEMENT_DAYS = 3
# `code` values of a 200 body that mean "slow down" or "try again": retried like HTTP 429 / 5xx.
# 40100: requests made too frequently (QPS limit); 51021: too many requests; 50000/50002: system error.
RETRYABLE_CODES = frozenset({40100, 51021, 50000, 50002})
