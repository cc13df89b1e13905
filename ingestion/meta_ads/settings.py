"""Meta Marketing API constants (Graph API insights edge)."""

BASE_URL = "https://graph.facebook.com"
API_VERSION = "v21.0"
# Fields of GET /act_{id}/insights at level=ad, time_increment=1.
INSIGHT_FIELDS = (
    "account_id,account_currency,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,"
    "spend,impressions,clicks,actions,action_values"
)
PAGE_LIMIT = 500
# Days per request: Meta answers long ranges slowly and may time out; 30 days per call is safe.
WINDOW_DAYS = 30
# The platform restates conversions for up to 72 hours: re-read this many trailing days every run.
RESTATEMENT_DAYS = 3
# `actions[].action_type` values counted as the platform's self-reported purchases.
PURCHASE_ACTION_TYPES = ("purchase", "offsite_conversion.fb_pixel_purchase", "omni_purchase")
