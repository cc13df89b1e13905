"""Threaded HTTP server serving a generated world through real-API-shaped endpoints."""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sandbox import settings
from sandbox.apis import google_ads, klaviyo, meta, shopify, tiktok, tracking
from sandbox.apis.common import Request, Response
from sandbox.faults import FaultRegistry, parse_spec
from sandbox.store import TRACKING_CACHE_DAYS, Store

# (method, path regex, endpoint name, handler, fault-error builder)
ROUTES = []
for _mod in (meta, google_ads, tiktok, shopify, klaviyo, tracking):
    for _method, _pattern, _handler in _mod.ROUTES:
        ROUTES.append((_method, re.compile(_pattern), _mod.ENDPOINT, _handler, _mod.fault_error))


class _Handler(BaseHTTPRequestHandler):
    server_version = "touchpath-sandbox/0.1"
    protocol_version = "HTTP/1.1"
    # headers and body go out as two writes: with Nagle on, a keep-alive client's delayed ACK stalls every
    # small response by ~40 ms (45 ms -> 0.6 ms per small Meta page, measured)
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - silence default stderr logging
        if os.environ.get("TOUCHPATH_SANDBOX_LOG"):
            super().log_message(format, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        sandbox: SandboxServer = self.server.sandbox  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts.path in ("/", "/healthz"):
            self._send(
                Response(
                    200,
                    {
                        "status": "ok",
                        "endpoints": list(settings.ENDPOINTS),
                        "world": sandbox.store.world["params"],
                    },
                )
            )
            return
        for m, rx, endpoint, handler, fault_error in ROUTES:
            match = rx.match(parts.path)
            if m != method or not match:
                continue
            req = Request(
                method,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                body,
                sandbox.base_url,
                sandbox.store,
                match.groups(),
                sandbox.options,
            )
            decision = sandbox.faults.decide(endpoint)
            if decision.hang_seconds:
                time.sleep(decision.hang_seconds)
            if decision.status:
                resp = fault_error(decision.status)
                if decision.status == 429:
                    resp.headers["Retry-After"] = str(decision.retry_after)
                self._send(resp)
                return
            try:
                resp = handler(req)
            except Exception as exc:  # noqa: BLE001 - a sandbox bug must still answer like a server
                resp = fault_error(500)
                resp.headers["X-Sandbox-Exception"] = type(exc).__name__
            self._send(resp, truncate=decision.truncate)
            return
        self._send(Response(404, {"error": "not found", "path": parts.path}))

    def _send(self, resp: Response, truncate: bool = False) -> None:
        payload = resp.encode()
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.headers.pop("Content-Type", "application/json; charset=utf-8"))
        self.send_header("Content-Length", str(len(payload)))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if truncate:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the client went away (timeouts in fault tests): not a server error
        super().handle_error(request, client_address)


class SandboxServer:
    """A running sandbox. ``base_url`` points at it; ``shutdown()`` stops it; usable as a context manager."""

    def __init__(self, data_dir, host: str = "127.0.0.1", port: int = 0, **options) -> None:
        self.faults = FaultRegistry()
        self.options = {
            "google_stream_batch": settings.GOOGLE_ADS_STREAM_BATCH,
            "google_page_size": settings.GOOGLE_ADS_SEARCH_PAGE,
            "as_of": None,
            "tracking_cache_days": TRACKING_CACHE_DAYS,
            **options,
        }
        self.store = Store(data_dir, tracking_cache_days=int(self.options["tracking_cache_days"]))
        if self.options["as_of"] is not None:
            self.set_as_of(self.options["as_of"])
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self  # type: ignore[attr-defined]
        h, p = self._httpd.server_address[:2]
        self.host, self.port = h, p
        self.base_url = f"http://{h}:{p}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-http", daemon=True
        )
        for endpoint, cfg in parse_spec(os.environ.get(settings.FAULTS_ENV, "")).items():
            self.set_faults(endpoint, **cfg)

    def start(self) -> SandboxServer:
        self._thread.start()
        return self

    def set_faults(self, endpoint_name: str, **kwargs) -> None:
        """e.g. set_faults("meta", rate_limit_every=3, error_500_every=5, hang_seconds=2, truncate_every=4)."""
        self.faults.set(endpoint_name, **kwargs)

    def clear_faults(self, endpoint_name: str | None = None) -> None:
        self.faults.clear(endpoint_name)

    def set_as_of(self, value) -> None:
        """Set the ad platforms' reporting clock (ISO timestamp/date or epoch ms; None = the world's end).
        Conversions the platforms attribute after this instant are not yet reported (restatement worlds)."""
        from sandbox.timeutil import parse_iso

        self.options["as_of"] = (
            None if value is None else (value if isinstance(value, int) else parse_iso(str(value)))
        )

    def advance_clock(self, hours: float) -> int:
        """Move the reporting clock forward (from the world's end when unset); returns the new as-of (ms)."""
        now = self.options.get("as_of")
        if now is None:
            now = self.store.default_as_of or 0
        self.options["as_of"] = int(now + hours * 3_600_000)
        return self.options["as_of"]

    def request_count(self, endpoint_name: str) -> int:
        return self.faults.count(endpoint_name)

    def shutdown(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


def start_server(data_dir, host: str = "127.0.0.1", port: int = 0, **options) -> SandboxServer:
    """Start a sandbox server in a background thread and return it (already listening)."""
    return SandboxServer(data_dir, host, port, **options).start()
