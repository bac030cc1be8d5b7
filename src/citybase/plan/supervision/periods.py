"""Reporting periods: generated from the settings' frequency, looked up by date or key."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.i18n_marker import N_
from citybase.plan.supervision.clock import end_of_day, local_date
from citybase.plan.supervision.errors import FieldError, NotFound, invalid
from citybase.plan.supervision.models import ReportingPeriod
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

logger = logging.getLogger(__name__)

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "half_yearly": 6}
KEY_PATTERNS = {
    "monthly": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    "quarterly": re.compile(r"\d{4}-Q[1-4]"),
    "half_yearly": re.compile(r"\d{4}-H[12]"),
}


def _period_key(frequency: str, start: dt.date) -> str:
    if frequency == "monthly":
        return f"{start.year}-{start.month:02d}"
    if frequency == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-H{(start.month - 1) // 6 + 1}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _first_period_start(frequency: str, day: dt.date) -> dt.date:
    months = MONTHS_PER_PERIOD[frequency]
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def period_bounds(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first and last day of the ``frequency`` period containing ``day``."""
    start = _first_period_start(frequency, day)
    end = _add_months(start, MONTHS_PER_PERIOD[frequency]) - dt.timedelta(days=1)
    return start, end


def _iter_periods(frequency: str, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    start = _first_period_start(frequency, first)
    while start <= last:
        bounds = period_bounds(frequency, start)
        yield bounds
        start = bounds[1] + dt.timedelta(days=1)


def ensure_periods(
    session: Session, through: dt.date | None = None, settings: SupervisionSettings | None = None
) -> int:
    """Create the missing periods from the plan's start through ``through`` (default: plan end).

    Idempotent; returns how many periods were added.
    """
    settings = settings or get_supervision_settings()
    last = max(through or settings.plan_ends_on, settings.plan_ends_on)
    frequency = settings.period_frequency
    existing = set(session.scalars(select(ReportingPeriod.key).where(ReportingPeriod.frequency == frequency)))
    added = 0
    for start, end in _iter_periods(frequency, settings.plan_starts_on, last):
        key = _period_key(frequency, start)
        if key in existing:
            continue
        due_at = end_of_day(end + dt.timedelta(days=settings.report_due_days))
        session.add(ReportingPeriod(key=key, frequency=frequency, starts_on=start, ends_on=end, due_at=due_at))
        added += 1
    if added:
        session.flush()
        logger.info("created %d %s reporting periods through %s", added, frequency, last)
    return added


def seed_periods(session: Session) -> None:
    """Upgrade hook: make sure the plan's periods exist."""
    ensure_periods(session)


def _frequency_query(settings: SupervisionSettings | None) -> tuple[SupervisionSettings, object]:
    settings = settings or get_supervision_settings()
    query = select(ReportingPeriod).where(ReportingPeriod.frequency == settings.period_frequency)
    return settings, query


def period_containing(
    session: Session, day: dt.date, settings: SupervisionSettings | None = None
) -> ReportingPeriod:
    """Return the period containing the Shanghai date ``day``, creating periods as needed."""
    settings, query = _frequency_query(settings)
    ensure_periods(session, day, settings)
    period = session.scalar(query.where(ReportingPeriod.starts_on <= day, ReportingPeriod.ends_on >= day))
    if period is None:
        raise NotFound("No reporting period contains {day}; the plan starts on {start}.", params={"day": day.isoformat(), "start": settings.plan_starts_on.isoformat()})
    return period


def current_period(
    session: Session, now: dt.datetime, settings: SupervisionSettings | None = None
) -> ReportingPeriod:
    return period_containing(session, local_date(now), settings)


def latest_due_period(
    session: Session, now: dt.datetime, settings: SupervisionSettings | None = None
) -> ReportingPeriod | None:
    """Return the most recent period whose report due time has passed, or None before the first."""
    settings, query = _frequency_query(settings)
    ensure_periods(session, local_date(now), settings)
    return session.scalar(query.where(ReportingPeriod.due_at <= now).order_by(ReportingPeriod.due_at.desc()))


def open_periods(
    session: Session, now: dt.datetime, settings: SupervisionSettings | None = None
) -> list[ReportingPeriod]:
    """Return the periods that have started and whose reports are not yet due, oldest first.

    With a grace time after each period there can be two: the one just ended and
    the one in progress.
    """
    settings, query = _frequency_query(settings)
    today = local_date(now)
    ensure_periods(session, today, settings)
    return list(session.scalars(
        query.where(ReportingPeriod.starts_on <= today, ReportingPeriod.due_at > now)
        .order_by(ReportingPeriod.starts_on)
    ))


def period_by_key(
    session: Session, key: str, settings: SupervisionSettings | None = None, today: dt.date | None = None
) -> ReportingPeriod:
    """Return the period called ``key`` (2022-05, 2022-Q2 or 2022-H1).

    Periods run through the plan's end and, once it has passed, through ``today``: the
    pages list those later periods and a unit still reports on its overdue tasks in them.
    """
    settings = settings or get_supervision_settings()
    ensure_periods(session, today, settings)
    period = session.scalar(select(ReportingPeriod).where(ReportingPeriod.key == key))
    if period is not None:
        return period
    keys = list(session.scalars(select(ReportingPeriod.key).where(ReportingPeriod.frequency == settings.period_frequency)
                                .order_by(ReportingPeriod.starts_on)))
    if KEY_PATTERNS[settings.period_frequency].fullmatch(key or "") and keys:
        # Well written but outside the periods, e.g. one that has not begun.
        raise invalid(FieldError("period", N_("There is no reporting period {value}; the plan's periods run from {first} to {last}."),
                                 key, {"value": key, "first": keys[0], "last": keys[-1]}))
    raise invalid(FieldError("period", "Unknown reporting period; write it as YYYY-MM (monthly), YYYY-Qn or YYYY-Hn, e.g. 2022-05.", key))


def list_periods(
    session: Session, settings: SupervisionSettings | None = None, through: dt.date | None = None
) -> list[ReportingPeriod]:
    settings, query = _frequency_query(settings)
    ensure_periods(session, through, settings)
    if through is not None:
        query = query.where(ReportingPeriod.starts_on <= through)
    return list(session.scalars(query.order_by(ReportingPeriod.starts_on)))
