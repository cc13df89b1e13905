"""Deterministic, count-based fault injection per endpoint (429 / 500 / hang / truncated body)."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields

from sandbox import settings


@dataclass
class FaultConfig:
    rate_limit_every: int = 0  # every Nth request -> 429 with Retry-After
    error_500_every: int = 0  # every Nth request -> 500
    hang_seconds: float = 0.0  # sleep this long before answering ...
    hang_every: int = 1  # ... on every Nth request
    truncate_every: int = 0  # every Nth request -> body cut in half, connection closed
    retry_after: int = 1  # seconds, sent in Retry-After on 429

    def active(self) -> bool:
        return bool(self.rate_limit_every or self.error_500_every or self.hang_seconds or self.truncate_every)


@dataclass
class FaultDecision:
    n: int  # 1-based request number for the endpoint
    status: int | None = None  # 429 or 500 to answer instead of the real response
    retry_after: int = 0
    hang_seconds: float = 0.0
    truncate: bool = False


class FaultRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configs: dict[str, FaultConfig] = {}
        self._counts: dict[str, int] = {}

    def set(self, endpoint: str, **kwargs) -> FaultConfig:
        if endpoint not in settings.ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {settings.ENDPOINTS}")
        allowed = {f.name for f in fields(FaultConfig)}
        unknown = set(kwargs) - allowed
        if unknown:
            raise ValueError(f"unknown fault option(s) {sorted(unknown)}; allowed {sorted(allowed)}")
        with self._lock:
            cfg = FaultConfig(**kwargs)
            self._configs[endpoint] = cfg
            self._counts[endpoint] = 0  # restart counting so "every Nth" is predictable
            return cfg

    def clear(self, endpoint: str | None = None) -> None:
        with self._lock:
            for ep in [endpoint] if endpoint else list(self._configs):
                self._configs.pop(ep, None)
                self._counts[ep] = 0

    def get(self, endpoint: str) -> dict:
        with self._lock:
            return asdict(self._configs.get(endpoint, FaultConfig()))

    def count(self, endpoint: str) -> int:
        with self._lock:
            return self._counts.get(endpoint, 0)

    def decide(self, endpoint: str) -> FaultDecision:
        with self._lock:
            n = self._counts.get(endpoint, 0) + 1
            self._counts[endpoint] = n
            cfg = self._configs.get(endpoint)
        d = FaultDecision(n=n)
        if cfg is None:
            return d
        if cfg.hang_seconds and cfg.hang_every and n % cfg.hang_every == 0:
            d.hang_seconds = cfg.hang_seconds
        if cfg.rate_limit_every and n % cfg.rate_limit_every == 0:
            d.status, d.retry_after = 429, cfg.retry_after
        elif cfg.error_500_every and n % cfg.error_500_every == 0:
            d.status = 500
        elif cfg.truncate_every and n % cfg.truncate_every == 0:
            d.truncate = True
        return d


def parse_spec(spec: str) -> dict[str, dict]:
    """"meta:rate_limit_every=3,error_500_every=5;shopify:truncate_every=4" -> {endpoint: {opt: value}}."""
    out: dict[str, dict] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(";"))):
        endpoint, _, opts = part.partition(":")
        cfg: dict = {}
        for kv in filter(None, (x.strip() for x in opts.split(","))):
            k, _, v = kv.partition("=")
            k = k.strip()
            cfg[k] = float(v) if k == "hang_seconds" else int(v)
        out[endpoint.strip()] = cfg
    return out
