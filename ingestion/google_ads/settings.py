"""Google Ads API constants (REST `GoogleAdsService.SearchStream` with GAQL)."""

BASE_URL = "https://googleads.googleapis.com"
API_VERSION = "v18"
# Ad × day performance. `segments.date` in SELECT makes one row per ad and day; the WHERE clause
# must then bound the date range (Google refuses an open-ended range).
AD_METRICS_QUERY = (
    "SELECT customer.id, customer.currency_code, campaign.id, campaign.name, ad_group.id, ad_group.name, "
    "ad_group_ad.ad.id, ad_group_ad.ad.name, segments.date, metrics.cost_micros, metrics.impressions, "
    "metrics.clicks, metrics.conversions, metrics.conversions_value "
    "FROM ad_group_ad "
    "WHERE segments.date BETWEEN '{since}' AND '{until}' "
    "ORDER BY segments.date, campaign.id, ad_group.id, ad_group_ad.ad.id"
)
# Days per searchStream call: one stream per window keeps each response (and each retry) bounded.
WINDOW_DAYS = 90
# Google restates conversions for days after the click: re-read this many trailing days every run.
RESTATEMENT_DAYS = 3
# cost_micros / MICROS = the amount in the account currency.
MICROS = 1_000_000
