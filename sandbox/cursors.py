"""Opaque, URL-safe paging tokens (base64 of compact JSON)."""

from __future__ import annotations

import base64
import json


class BadCursor(ValueError):
    pass


def encode(payload: dict | list) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> dict | list:
    try:
        pad = "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(token + pad))
    except Exception as exc:  # noqa: BLE001 - any garbage is a bad cursor
        raise BadCursor(token) from exc
