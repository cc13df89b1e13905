"""Request/response plumbing shared by the API modules."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

_request_ids = itertools.count(1)


def request_id(prefix: str = "") -> str:
    return f"{prefix}{next(_request_ids):016d}"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str
    store: object
    match: tuple = ()
    options: dict = field(default_factory=dict)

    def q(self, name: str, default: str | None = None) -> str | None:
        v = self.query.get(name)
        return v[0] if v else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def bearer(self) -> str | None:
        auth = self.header("authorization") or ""
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def json(self):
        return json.loads(self.body or b"null")

    def as_of_ms(self) -> int | None:
        """The sandbox's reporting clock: header ``X-Sandbox-As-Of`` (ISO), else the server's ``as_of`` option,
        else None (the world's default: its end)."""
        from sandbox.timeutil import parse_iso

        value = self.header("x-sandbox-as-of") or self.options.get("as_of")
        if value is None or value == "":
            return None
        return value if isinstance(value, int) else parse_iso(str(value))

    def url_with(self, **replace) -> str:
        """Absolute URL of this request with some query params replaced (None removes)."""
        params = {k: v[0] for k, v in self.query.items()}
        for k, v in replace.items():
            if v is None:
                params.pop(k, None)
            else:
                params[k] = v
        qs = urlencode(params)
        return f"{self.base_url}{self.path}" + (f"?{qs}" if qs else "")


@dataclass
class Response:
    status: int
    body: object  # JSON-serialisable (or bytes)
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


def as_int(value: str | None, default: int, lo: int = 1, hi: int | None = None) -> int:
    """Parse an int param; raises ValueError when not an int or out of range."""
    if value is None or value == "":
        return default
    n = int(value)
    if n < lo or (hi is not None and n > hi):
        raise ValueError(value)
    return n
