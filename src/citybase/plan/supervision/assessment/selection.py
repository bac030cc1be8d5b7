"""Choosing what to assess: a reporting period from its key, a plan year, the default period."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from citybase.core.i18n_marker import N_
from citybase.plan.supervision.clock import due_day, local_date
from citybase.plan.supervision.errors import FieldError, NotFound, invalid
from citybase.plan.supervision.models import ReportingPeriod
from citybase.plan.supervision.periods import latest_due_period, list_periods
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

# The key format of each period frequency, as a pattern and as written for people.
KEY_FORMS = {
    "monthly": (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "YYYY-MM", "2022-05"),
    "quarterly": (re.compile(r"^\d{4}-Q[1-4]$"), "YYYY-Qn", "2022-Q2"),
    "half_yearly": (re.compile(r"^\d{4}-H[12]$"), "YYYY-Hn", "2022-H1"),
}


def default_period(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> ReportingPeriod | None:
    """Return the latest period whose reports are due by ``now``, or None before the first is due."""
    return latest_due_period(session, now, settings)


def require_due_period(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> ReportingPeriod:
    """Return the latest period whose reports are due; raise NotFound before the first is due."""
    period = default_period(session, now, settings)
    if period is None:
        raise NotFound(N_("No reporting period is due yet, so there is nothing to assess; the first reports are due after the plan's first period."))
    return period


def assessable_periods(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> list[ReportingPeriod]:
    """Return the periods whose reports are due by ``now``, newest first: the ones that can be assessed."""
    return [period for period in reversed(list_periods(session, settings, through=local_date(now))) if period.due_at <= now]


def parse_period(
    session: Session, raw: str | None, now: dt.datetime, settings: SupervisionSettings | None = None,
    field: str = "period",
) -> ReportingPeriod:
    """Return the period written as ``raw`` (2022-05), whose reports must be due by ``now``.

    Raises InvalidInput naming ``field`` for a malformed key, a key outside the plan or a
    period whose reports are not yet due (its figures would still change).
    """
    settings = settings or get_supervision_settings()
    pattern, form, example = KEY_FORMS[settings.period_frequency]
    text = (raw or "").strip()
    if not pattern.match(text):
        raise invalid(FieldError(field, N_("Invalid period “{value}”; write it as {form}, e.g. {example}."), raw,
                                 {"value": raw or "", "form": form, "example": example}))
    # The plan's periods, and once the plan has ended the later ones through today.
    periods = list_periods(session, settings, through=max(settings.plan_ends_on, local_date(now)))
    by_key = {period.key: period for period in periods}
    if text not in by_key:
        raise invalid(FieldError(field, N_("There is no reporting period {value}; the plan's periods run from {first} to {last}."),
                                 raw, {"value": text, "first": periods[0].key, "last": periods[-1].key}))
    period = by_key[text]
    if period.due_at > now:
        latest = default_period(session, now, settings)
        message = (N_("The reports of period {value} are due on {due}, so it cannot be assessed yet; choose {latest} or an earlier period.")
                   if latest else N_("The reports of period {value} are due on {due}, so it cannot be assessed yet; no period is due so far."))
        raise invalid(FieldError(field, message, raw, {"value": text, "due": due_day(period.due_at).isoformat(),
                                                       "latest": latest.key if latest else ""}))
    return period


def plan_years(settings: SupervisionSettings | None = None) -> list[int]:
    settings = settings or get_supervision_settings()
    return list(range(settings.plan_starts_on.year, settings.plan_ends_on.year + 1))


def started_years(now: dt.datetime, settings: SupervisionSettings | None = None) -> list[int]:
    """Return the plan years that have begun by ``now``."""
    today = local_date(now)
    return [year for year in plan_years(settings) if dt.date(year, 1, 1) <= today]


def parse_year(raw: str | int | None, now: dt.datetime, settings: SupervisionSettings | None = None,
               field: str = "year") -> int:
    """Return the plan year written as ``raw``; it must lie within the plan and have begun by ``now``."""
    years = plan_years(settings)
    text = str(raw if raw is not None else "").strip()
    if not re.fullmatch(r"\d{4}", text) or int(text) not in years:
        raise invalid(FieldError(field, N_("Invalid year “{value}”; the plan runs from {first} to {last}, e.g. {last}."), raw,
                                 {"value": text, "first": years[0], "last": years[-1]}))
    year = int(text)
    if dt.date(year, 1, 1) > local_date(now):
        raise invalid(FieldError(field, N_("Year {value} has not begun yet; choose an earlier year."), raw, {"value": year}))
    return year
