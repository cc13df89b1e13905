"""One HTTP client for every connector: timeouts, retries on 429/5xx/timeouts/truncated bodies.

Real ad and commerce APIs rate-limit and flake; a connector must ride that out, and when a page
stays broken it must fail loudly, naming the source, the endpoint and the page, so that dlt commits
neither the partial resource nor its advanced state.
"""

import logging
import os
import time
from collections.abc import Mapping
from typing import Any

import orjson
import requests

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceFetchError(RuntimeError):
    """A page could not be fetched after all retries (or the API refused the request)."""


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class ApiClient:
    """A `requests` session bound to one API's base URL and auth headers.

    Knobs (env vars, so tests can shorten them): `TOUCHPATH_HTTP_MAX_ATTEMPTS` (default 6),
    `TOUCHPATH_HTTP_BACKOFF_SECONDS` (first backoff, doubled per attempt, default 1.0),
    `TOUCHPATH_HTTP_TIMEOUT_SECONDS` (read timeout, default 60), `TOUCHPATH_HTTP_MAX_RETRY_AFTER`
    (cap on a server's Retry-After, default 120).
    """

    def __init__(self, source: str, base_url: str, headers: Mapping[str, str] | None = None):
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": "touchpath/0.1", **(headers or {})})
        self.max_attempts = int(_env_float("TOUCHPATH_HTTP_MAX_ATTEMPTS", 6))
        self.backoff = _env_float("TOUCHPATH_HTTP_BACKOFF_SECONDS", 1.0)
        self.timeout = (10.0, _env_float("TOUCHPATH_HTTP_TIMEOUT_SECONDS", 60.0))
        self.max_retry_after = _env_float("TOUCHPATH_HTTP_MAX_RETRY_AFTER", 120.0)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"

    def request_json(
        self,
        method: str,
        path: str,
        *,
        page: str | int = 1,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> tuple[Any, requests.Response]:
        """Send a request and decode its JSON body, retrying what is worth retrying.

        Returns (body, response). Raises SourceFetchError naming source, endpoint and page when the
        request keeps failing or the API answers with a non-retryable error (401, 400, ...).
        """
        url = self.url(path)
        endpoint = url.split("?", 1)[0].replace(self.base_url, "") or "/"
        last_problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            wait = self.backoff * (2 ** (attempt - 1))
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code in RETRY_STATUSES:
                    last_problem = f"HTTP {response.status_code}"
                    retry_after = response.headers.get("Retry-After")
                    if response.status_code == 429 and retry_after:
                        wait = min(_parse_retry_after(retry_after, wait), self.max_retry_after)
                elif response.status_code >= 400:
                    raise SourceFetchError(
                        f"{self.source}: {method} {endpoint} (page {page}) was refused with HTTP "
                        f"{response.status_code}: {response.text[:500]}"
                    )
                else:
                    try:
                        # orjson, not response.json() (simplejson when installed, as dlt installs it):
                        # decoding was the client's largest cost on Klaviyo's 200-event pages.
                        # JSON APIs answer in UTF-8; orjson's error is a ValueError.
                        return orjson.loads(response.content), response
                    except ValueError as exc:  # truncated or otherwise broken JSON body
                        last_problem = f"undecodable JSON body ({exc})"
            if attempt < self.max_attempts:
                log.warning(
                    "%s: %s %s (page %s) attempt %d/%d failed: %s; retrying in %.1fs",
                    self.source, method, endpoint, page, attempt, self.max_attempts, last_problem, wait,
                )
                time.sleep(wait)
        raise SourceFetchError(
            f"{self.source}: {method} {endpoint} (page {page}) still failing after "
            f"{self.max_attempts} attempts: {last_problem}"
        )

    def get(self, path: str, *, page: str | int = 1, params: Mapping[str, Any] | None = None):
        return self.request_json("GET", path, page=page, params=params)

    def post(self, path: str, *, page: str | int = 1, json: Any = None, params: Mapping[str, Any] | None = None):
        return self.request_json("POST", path, page=page, json=json, params=params)


def _parse_retry_after(value: str, default: float) -> float:
    try:
        return max(float(value), 0.0)
    except ValueError:
        return default
