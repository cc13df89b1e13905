"""Which dlt sources exist and how each is configured: real accounts or the local sandbox.

Real accounts: dlt resolves every argument left out from env vars or `.dlt/secrets.toml`
(`SOURCES__META_ADS__ACCESS_TOKEN`, `SOURCES__SHOPIFY__SHOP_URL`, ...; see each source's README).
Sandbox (`TOUCHPATH_SANDBOX=1`): the same source functions get the sandbox's base URL and its
documented test credentials. Only the base URL and credentials differ; the code path is the same.
"""

import os
from collections.abc import Callable

from dlt.extract.source import DltSource

from touchpath.config import sandbox_enabled, sandbox_url

from .google_ads import google_ads_source
from .klaviyo import klaviyo_source
from .meta_ads import meta_ads_source
from .shopify import shopify_source
from .tiktok_ads import tiktok_ads_source
from .tracking import tracking_source
from .tracking_files import tracking_files_source

# Source name -> the raw tables its resources write (the Dagster asset per resource).
SOURCE_RESOURCES: dict[str, tuple[str, ...]] = {
    "meta_ads": ("insights",),
    "shopify": ("orders", "customers"),
    "tracking": ("events",),
    "google_ads": ("ad_metrics",),
    "tiktok_ads": ("report",),
    "klaviyo": ("events", "profiles"),
    "tracking_files": ("events",),
}


def _start_date() -> str:
    return os.environ.get("TOUCHPATH_START_DATE", "2026-01-01")


def _sandbox_kwargs(name: str) -> dict:
    from sandbox import settings as sb

    url = sandbox_url()
    return {
        "meta_ads": {
            "account_ids": list(sb.META_ACCOUNT_IDS),
            "access_token": sb.META_ACCESS_TOKEN,
            "base_url": url,
            "api_version": sb.META_API_VERSION,
        },
        "shopify": {"shop_url": url, "access_token": sb.SHOPIFY_ACCESS_TOKEN, "api_version": sb.SHOPIFY_API_VERSION},
        "tracking": {"base_url": url, "write_key": sb.TRACKING_WRITE_KEY},
        "google_ads": {
            "customer_id": sb.GOOGLE_ADS_CUSTOMER_ID,
            "developer_token": sb.GOOGLE_ADS_DEVELOPER_TOKEN,
            "access_token": sb.GOOGLE_ADS_ACCESS_TOKEN,
            "login_customer_id": sb.GOOGLE_ADS_LOGIN_CUSTOMER_ID,
            "base_url": url,
            "api_version": sb.GOOGLE_ADS_API_VERSION,
        },
        "tiktok_ads": {
            "advertiser_ids": [sb.TIKTOK_ADVERTISER_ID],
            "access_token": sb.TIKTOK_ACCESS_TOKEN,
            "base_url": url,
            "api_version": sb.TIKTOK_API_VERSION,
        },
        "klaviyo": {"api_key": sb.KLAVIYO_API_KEY, "base_url": url, "revision": sb.KLAVIYO_REVISION},
    }[name]


SOURCE_FACTORIES: dict[str, Callable[..., DltSource]] = {
    "meta_ads": meta_ads_source,
    "shopify": shopify_source,
    "tracking": tracking_source,
    "google_ads": google_ads_source,
    "tiktok_ads": tiktok_ads_source,
    "klaviyo": klaviyo_source,
    "tracking_files": tracking_files_source,
}


# Sources served by the sandbox HTTP server (the file export is read from a folder instead).
SANDBOX_APIS = frozenset({"meta_ads", "shopify", "tracking", "google_ads", "tiktok_ads", "klaviyo"})
# Sources whose recent days are restated by the platform (re-read a trailing window every run).
AD_PLATFORMS = frozenset({"meta_ads", "google_ads", "tiktok_ads"})
# Days of restatement: conversions are attributed up to 72 hours late (domain.md).
RESTATEMENT_DAYS = int(os.environ.get("TOUCHPATH_RESTATEMENT_DAYS", "3"))


def build_source(name: str, **overrides) -> DltSource:
    """The configured source `name`, pointed at the sandbox when TOUCHPATH_SANDBOX=1.

    `overrides` (e.g. `start_date`, `end_date` for a bounded backfill window) win over both.
    """
    kwargs = {"start_date": _start_date()}
    if name == "tracking_files" and os.environ.get("TOUCHPATH_TRACKING_BUCKET"):
        # The export folder is the same setting for real and sandbox runs.
        kwargs["bucket_url"] = os.environ["TOUCHPATH_TRACKING_BUCKET"]
    if sandbox_enabled() and name in SANDBOX_APIS:
        kwargs.update(_sandbox_kwargs(name))
    kwargs.update(overrides)
    return SOURCE_FACTORIES[name](**kwargs)


def placeholder_source(name: str) -> DltSource:
    """A source instance for Dagster to read resource names from at definition time.

    No credential is needed to describe the graph, so definitions load on a machine without secrets;
    the real source is built inside the asset body when it runs.
    """
    kwargs = {
        "meta_ads": {"account_ids": [], "access_token": "unset"},
        "shopify": {"shop_url": "http://unset", "access_token": "unset"},
        "tracking": {"base_url": "http://unset", "write_key": "unset"},
        "google_ads": {"customer_id": "unset", "developer_token": "unset", "access_token": "unset"},
        "tiktok_ads": {"advertiser_ids": [], "access_token": "unset"},
        "klaviyo": {"api_key": "unset"},
        "tracking_files": {"bucket_url": ""},
    }[name]
    return SOURCE_FACTORIES[name](**kwargs)
