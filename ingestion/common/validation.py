"""Checks shared by the connectors: what makes a record unusable, said as a reason string."""

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

# ISO 4217 codes the warehouse can convert (FX rates in the dbt seed `fx_rates`). Others are rejected.
KNOWN_CURRENCIES = frozenset(
    {"USD", "EUR", "GBP", "KRW", "JPY", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "SGD"}
)


def parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_amount(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def first_problem(checks: list[tuple[bool, str]]) -> str | None:
    """The reason of the first failing check, or None when the record is fine."""
    for ok, reason in checks:
        if not ok:
            return reason
    return None


def as_iso(value: object) -> str:
    """A cursor value (datetime, pendulum DateTime or string, as restored from state) as ISO-8601."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def to_utc(value: str) -> datetime:
    """A date (`2026-01-01`, midnight UTC) or an ISO timestamp as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value if "T" in value else f"{value}T00:00:00+00:00")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
