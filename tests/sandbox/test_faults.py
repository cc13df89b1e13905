"""Deterministic fault injection: 429 with Retry-After, 500, truncated bodies, hangs, env spec."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox import settings as S
from sandbox.faults import parse_spec
from sandbox.server import start_server

TRACK = {"Authorization": f"Bearer {S.TRACKING_WRITE_KEY}"}


def _get(server):
    return requests.get(f"{server.base_url}/tracking/v1/events", params={"limit": 5}, headers=TRACK)


def test_rate_limit_and_500_are_count_based(server):
    server.set_faults("tracking", rate_limit_every=3, error_500_every=4, retry_after=2)
    codes = [_get(server).status_code for _ in range(8)]
    assert codes == [200, 200, 429, 500, 200, 429, 200, 500]
    r = [_get(server) for _ in range(4)][-1]  # 12th request: rate limited
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    server.clear_faults()
    assert _get(server).status_code == 200


def test_fault_bodies_use_the_platform_shape(server):
    server.set_faults("shopify", rate_limit_every=1)
    r = requests.get(f"{server.base_url}/admin/api/{S.SHOPIFY_API_VERSION}/orders.json",
                     headers={"X-Shopify-Access-Token": S.SHOPIFY_ACCESS_TOKEN})
    assert r.status_code == 429 and "errors" in r.json() and "Retry-After" in r.headers
    server.set_faults("meta", error_500_every=1)
    r = requests.get(f"{server.base_url}/{S.META_API_VERSION}/act_{S.META_ACCOUNT_IDS[0]}/insights",
                     params={"access_token": S.META_ACCESS_TOKEN})
    assert r.status_code == 500 and "error" in r.json()
    assert server.request_count("meta") == 1


def test_truncated_body_and_hang(server):
    server.set_faults("tracking", truncate_every=2)
    assert _get(server).status_code == 200
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        _get(server).json()
    server.set_faults("tracking", hang_seconds=0.3)
    t0 = time.perf_counter()
    assert _get(server).status_code == 200
    assert time.perf_counter() - t0 >= 0.3
    with pytest.raises(requests.exceptions.ReadTimeout):
        server.set_faults("tracking", hang_seconds=1.0)
        requests.get(f"{server.base_url}/tracking/v1/events", headers=TRACK, timeout=0.2)


def test_faults_from_env(world_dir, monkeypatch):
    assert parse_spec("meta:rate_limit_every=3,hang_seconds=0.5;shopify:truncate_every=4") == {
        "meta": {"rate_limit_every": 3, "hang_seconds": 0.5}, "shopify": {"truncate_every": 4}}
    monkeypatch.setenv(S.FAULTS_ENV, "tracking:rate_limit_every=1")
    with start_server(world_dir) as srv:
        assert _get(srv).status_code == 429
    with pytest.raises(ValueError):
        srv.set_faults("nope", rate_limit_every=1)
