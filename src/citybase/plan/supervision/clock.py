"""Calendar arithmetic in the local time zone; every service takes ``now`` as a parameter.

Times are stored in UTC. Periods, deadlines and 序时进度 are counted in calendar days
of CITYBASE_TIMEZONE (Asia/Shanghai by default), the calendar the units work by.
"""

from __future__ import annotations

import datetime as dt

from citybase.core.i18n import local_zone


def require_aware(now: dt.datetime) -> dt.datetime:
    """Return ``now`` in UTC; raise ValueError for a naive datetime."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r} given as now; pass an aware datetime")
    return now.astimezone(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """Return the Shanghai calendar date of an aware instant."""
    return require_aware(moment).astimezone(local_zone()).date()


def local_time(moment: dt.datetime) -> dt.datetime:
    return require_aware(moment).astimezone(local_zone())


def start_of_day(day: dt.date) -> dt.datetime:
    """Return the UTC instant at which ``day`` begins in Shanghai."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=local_zone()).astimezone(dt.UTC)


def end_of_day(day: dt.date) -> dt.datetime:
    """Return the UTC instant at which ``day`` ends in Shanghai (the next day's midnight)."""
    return start_of_day(day + dt.timedelta(days=1))


def days_between(earlier: dt.date, later: dt.date) -> int:
    return (later - earlier).days


def due_day(due_at: dt.datetime) -> dt.date:
    """Return the last Shanghai day before ``due_at``, for due times stored as the midnight ending that day."""
    return local_date(due_at - dt.timedelta(seconds=1))
