"""Time helpers. Internally every instant is an int of milliseconds since the Unix epoch (UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000


def date_to_ms(d: str | date) -> int:
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() * 1000)


def ms_to_dt(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


@lru_cache(maxsize=4096)
def _day_text(day_number: int) -> str:
    """'YYYY-MM-DD' of a day number since the epoch (cached: the simulator formats millions of instants
    that fall on a few hundred days, and datetime arithmetic + strftime was a tenth of its run time)."""
    return (date(1970, 1, 1) + timedelta(days=day_number)).isoformat()


def iso_z(ms: int) -> str:
    """Segment style: 2026-01-01T10:00:00.123Z."""
    day, rest = divmod(ms, DAY_MS)
    seconds, millis = divmod(rest, 1000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_day_text(day)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


def iso_offset(ms: int, offset_hours: int) -> str:
    """Shopify style: 2026-01-01T05:00:00-05:00 (whole seconds)."""
    tz = timezone(timedelta(hours=offset_hours))
    return ms_to_dt(ms).astimezone(tz).replace(microsecond=0).isoformat()


def iso_utc_seconds(ms: int) -> str:
    """Klaviyo style: 2026-01-01T10:00:00+00:00."""
    return ms_to_dt(ms).replace(microsecond=0).isoformat()


def day_of(ms: int) -> str:
    return _day_text(ms // DAY_MS)


def parse_iso(value: str) -> int:
    """Parse ISO-8601 (Z, offset, or naive=UTC, or a bare date) into epoch ms."""
    v = value.strip()
    if len(v) == 10:
        return date_to_ms(v)
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    dt = datetime.fromisoformat(v)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(round(dt.timestamp() * 1000))
