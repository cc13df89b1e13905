"""PII never lands in clear text: emails, phones and IPs are hashed as records are extracted.

A salted SHA-256 of the normalised value keeps identity stitching possible (the same email hashes
the same in Shopify, Klaviyo and the tracking events) without storing the address. The salt comes
from `TOUCHPATH_PII_SALT` (set it in production; the default only keeps the demo reproducible).
"""

import hashlib
import os
import re

_NON_DIGITS = re.compile(r"[^0-9+]")


def _salt() -> str:
    return os.environ.get("TOUCHPATH_PII_SALT", "touchpath")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def hash_pii(value: object, kind: str = "email") -> str | None:
    """Salted SHA-256 hex of a normalised email / phone / ip; None for empty input."""
    if value is None:
        return None
    text = str(value)
    if kind == "email":
        text = normalise_email(text)
    elif kind == "phone":
        text = normalise_phone(text)
    else:
        text = text.strip()
    if not text:
        return None
    return hashlib.sha256(f"{_salt()}:{text}".encode()).hexdigest()


def scrub(record: dict, fields: dict[str, str]) -> dict:
    """Replace each `field -> kind` of `record` (nested with dots) by `<field>_hash`, in place.

    The clear-text key is removed, so a column named `email` never exists in the warehouse.
    """
    for dotted, kind in fields.items():
        parts = dotted.split(".")
        node = record
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict) and parts[-1] in node:
            node[f"{parts[-1]}_hash"] = hash_pii(node.pop(parts[-1]), kind)
    return record
