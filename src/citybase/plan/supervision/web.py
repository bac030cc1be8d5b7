"""Helpers shared by the supervision pages and JSON routes: the clock seam, lookups, form errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal
from citybase.core.db import utcnow
from citybase.core.errors import FieldError, InvalidInput, NotFound
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.plan.models import Task
from citybase.plan.supervision.access import get_task
from citybase.plan.supervision.clock import due_day, local_date
from citybase.plan.supervision.errors import invalid
from citybase.plan.supervision.labels import (
    EXTENSION_STATUS_LABELS, NOTICE_ACTION_LABELS, NOTICE_STATUS_LABELS, REPORT_ACTION_LABELS,
    REPORT_STATUS_LABELS,
)
from citybase.plan.supervision.lights import LIGHT_LABELS
from citybase.plan.supervision.models import ReportingPeriod
from citybase.plan.supervision.periods import open_periods, period_by_key
from citybase.plan.supervision.progress import format_number, format_percent
from citybase.plan.supervision.settings import get_supervision_settings
from citybase.web.templating import render


def now_of(request: Request) -> dt.datetime:
    """Return the current time; tests set ``app.state.clock`` to a function returning a fixed time."""
    clock: Callable[[], dt.datetime] = getattr(request.app.state, "clock", utcnow)
    return clock()


def data_dir_of(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir)


def task_by_seq(session: Session, principal: Principal, seq: int) -> Task:
    """Return the task numbered ``seq`` if the user may see it."""
    task_id = session.scalar(select(Task.id).where(Task.seq == seq))
    if task_id is None:
        raise NotFound(N_("No task with sequence number {seq}."), params={"seq": seq})
    return get_task(session, principal.user, task_id)


def task_in_field(session: Session, principal: Principal, field: str, seq: int) -> Task:
    """Return the task numbered ``seq`` named in a form or body field; raise InvalidInput naming ``field`` if none."""
    try:
        return task_by_seq(session, principal, seq)
    except NotFound:
        last = session.scalar(select(func.max(Task.seq)))
        raise invalid(FieldError(field, N_("No task is numbered {value}; give a number from the task list (1 to {last}), or leave it empty."),
                                 seq, {"value": seq, "last": last or 0})) from None


def reporting_period(session: Session, key: str | None, now: dt.datetime) -> ReportingPeriod:
    """Return the period called ``key``, or by default the oldest one whose report is not yet due."""
    if key:
        return period_by_key(session, key, today=local_date(now))
    periods = open_periods(session, now)
    return periods[0]


def parse_date(field: str, raw: str | None, required: bool = False) -> dt.date | None:
    """Parse a YYYY-MM-DD form value; an empty optional value is None."""
    text = (raw or "").strip()
    if not text:
        if required:
            raise invalid(FieldError(field, N_("Give a date as YYYY-MM-DD."), raw))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise invalid(FieldError(field, N_("Give a date as YYYY-MM-DD."), raw)) from None


def parse_int(field: str, raw: str | None) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit():
        raise invalid(FieldError(field, N_("Enter a whole number."), raw))
    return int(text)


def field_errors(error: InvalidInput) -> dict[str, str]:
    """Return field → translated message, for showing errors beside form fields."""
    return {item.field: gettext_(item.message, **item.params) for item in error.errors}


def error_summary(error: InvalidInput, labels: dict[str, str], prefix: str = "") -> list[dict[str, Any]]:
    """Return the form's problems for the summary above it: field id, its label, the value typed, the fix.

    ``labels`` maps field names to the labels shown on the page; the value is shown
    only when it is text the user typed (not a length or an id).
    """
    items = []
    for item in error.errors:
        value = item.value if isinstance(item.value, str) and item.value.strip() else None
        items.append({
            "field": prefix + item.field, "label": labels.get(item.field, item.field),
            "message": gettext_(item.message, **item.params), "value": value,
        })
    return items


def late_label(report: Any) -> str | None:
    """Return 逾期提交 with how late the report's first submission was, or None when it was on time."""
    from citybase.plan.supervision.reports import late_by

    delay = late_by(report)
    if delay is None:
        return None
    days, seconds = delay.days, delay.seconds
    if days:
        amount = gettext_("{days} d {hours} h", days=days, hours=seconds // 3600)
    else:
        hours, minutes = seconds // 3600, seconds % 3600 // 60
        if hours:
            amount = gettext_("{hours} h {minutes} min", hours=hours, minutes=minutes)
        else:
            amount = gettext_("{minutes} min", minutes=max(1, minutes))
    return gettext_("Submitted late, {delay} after the due time", delay=amount)


def format_file_size(size: int) -> str:
    """Format a byte count as B, KiB or MiB with one decimal."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


HELPERS: dict[str, Any] = {
    "report_status_label": lambda status: REPORT_STATUS_LABELS[status],
    "report_action_label": lambda action: REPORT_ACTION_LABELS.get(action, action),
    "notice_status_label": lambda status: NOTICE_STATUS_LABELS[status],
    "notice_action_label": lambda action: NOTICE_ACTION_LABELS.get(action, action),
    "extension_status_label": lambda status: EXTENSION_STATUS_LABELS[status],
    "light_label": lambda light: LIGHT_LABELS[light],
    "number": format_number,
    "due_day": due_day,
    "file_size": format_file_size,
    "late_label": late_label,
    "percent": format_percent,
}


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Any:
    """Render a supervision template with the shared helpers and the settings."""
    values = {**HELPERS, "sv_settings": get_supervision_settings(), **context}
    return render(request, template, values, status_code=status_code)
