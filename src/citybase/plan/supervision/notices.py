"""Supervision notices (督办单): issue, reply, return a reply, close (办结).

The office issues a notice to one unit, usually about one task, with a reply due
date. A reporter of that unit replies; the office closes the notice or returns the
reply with a reason and, optionally, a new due date.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.core.units import KIND_PLACEHOLDER, Unit
from citybase.core.i18n_marker import N_
from citybase.plan.supervision.access import get_task, is_unit_scoped, require, require_unit_member, unit_role_in_task
from citybase.plan.supervision.clock import end_of_day, local_date
from citybase.plan.supervision.errors import Conflict, FieldError, NotFound, invalid
from citybase.plan.supervision.i18n import msg
from citybase.plan.supervision.labels import NOTICE_STATUS_LABELS
from citybase.plan.supervision.messaging import notify_office, notify_unit
from citybase.plan.supervision.models import (
    NOTICE_ACTION_CLOSE, NOTICE_ACTION_ISSUE, NOTICE_ACTION_REPLY, NOTICE_ACTION_RETURN, NOTICE_CLOSED,
    NOTICE_OPEN, NOTICE_REPLIED, NoticeEvent, SupervisionNotice,
)
from citybase.plan.supervision.permissions import NOTICE_ISSUE, NOTICE_REPLY, READ
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_TEXT = 20000


def notice_link(notice: SupervisionNotice) -> str:
    return f"/plan/notices/{notice.id}"


def is_overdue(notice: SupervisionNotice, now: dt.datetime) -> bool:
    """Return True while an open notice is past its reply due time."""
    return notice.status == NOTICE_OPEN and now >= notice.reply_due_at


def _event(notice: SupervisionNotice, user: User, action: str, now: dt.datetime, text: str | None) -> None:
    notice.events.append(NoticeEvent(action=action, at=now, user_id=user.id, actor_name=user.display_name, text=text))


def _check_text(field: str, text: str | None, missing: str, errors: list[FieldError], limit: int = MAX_TEXT) -> str:
    value = (text or "").strip()
    if not value:
        errors.append(FieldError(field, missing, text))
    elif len(value) > limit:
        errors.append(FieldError(field, "The text is longer than {max} characters; shorten it.", len(value), {"max": limit}))
    return value


def _check_due(field: str, due_on: dt.date | None, now: dt.datetime, errors: list[FieldError]) -> None:
    if due_on is not None and due_on < local_date(now):
        errors.append(FieldError(field, "The due date lies in the past; choose today or a later day.", due_on.isoformat()))


def _next_number(session: Session, year: int) -> int:
    highest = session.scalar(select(func.max(SupervisionNotice.number)).where(SupervisionNotice.year == year))
    return (highest or 0) + 1


def issue_notice(
    session: Session, user: User, *, unit_id: int, title: str, body: str, now: dt.datetime,
    task_id: int | None = None, reply_due_on: dt.date | None = None, settings: SupervisionSettings | None = None,
) -> SupervisionNotice:
    """Issue a 督办单 to a unit; the reply is due at the end of ``reply_due_on`` (default: the settings' days)."""
    settings = settings or get_supervision_settings()
    require(user, NOTICE_ISSUE)
    errors: list[FieldError] = []
    unit = session.get(Unit, unit_id)
    if unit is None or unit.kind == KIND_PLACEHOLDER:
        errors.append(FieldError("unit_id", "Choose one existing unit; a notice goes to a single unit, not a group such as 各街镇.", unit_id))
    title = _check_text("title", title, N_("Give the notice a title."), errors, MAX_TITLE)
    body = _check_text("body", body, N_("Write what the unit must do and report."), errors)
    _check_due("reply_due_on", reply_due_on, now, errors)
    task = get_task(session, user, task_id) if task_id is not None else None
    if task is not None and unit is not None and unit.kind != KIND_PLACEHOLDER and unit_role_in_task(session, unit.id, task) is None:
        # The unit's reporters could not open the task the notice is about.
        errors.append(FieldError("unit_id", N_("{unit} is not a responsible unit of task {seq} ({units}); choose one of them, or leave the task number empty."),
                                 unit.code, {"unit": unit.name, "seq": task.seq,
                                             "units": "、".join(link.name_as_written for link in task.units)}))
    if errors:
        raise invalid(*errors)

    due_on = reply_due_on or local_date(now) + dt.timedelta(days=settings.notice_reply_days)
    year = local_date(now).year
    notice = SupervisionNotice(
        year=year, number=_next_number(session, year), task_id=task_id, unit_id=unit_id, title=title, body=body,
        status=NOTICE_OPEN, issued_by_id=user.id, issued_at=now, reply_due_at=end_of_day(due_on),
    )
    session.add(notice)
    _event(notice, user, NOTICE_ACTION_ISSUE, now, body)
    session.flush()

    notify_unit(session, unit_id, msg(N_("Supervision notice {label}: {title}"), label=notice.label, title=title),
                msg(N_("Reply by {due}."), due=due_on.isoformat()), link=notice_link(notice),
                dedupe_key=f"plan:notice:{notice.id}:issued")
    logger.info("notice %s issued to unit %s by %s", notice.label, unit_id, user.username)
    return notice


def get_notice(session: Session, user: User, notice_id: int) -> SupervisionNotice:
    """Load a notice the user may see: reporters see their own unit's notices only."""
    require(user, READ)
    notice = session.get(SupervisionNotice, notice_id)
    if notice is None or (is_unit_scoped(user) and notice.unit_id != user.unit_id):
        raise NotFound("Notice {notice_id} was not found.", params={"notice_id": notice_id})
    return notice


def reply_notice(session: Session, user: User, notice_id: int, text: str, now: dt.datetime) -> SupervisionNotice:
    """Record the unit's reply (办理情况) to an open notice."""
    notice = get_notice(session, user, notice_id)
    require_unit_member(user, notice.unit_id, NOTICE_REPLY)
    if notice.status != NOTICE_OPEN:
        raise Conflict("The notice is {status}; only a notice awaiting a reply can be replied to.", params={"status": NOTICE_STATUS_LABELS[notice.status]})
    errors: list[FieldError] = []
    text = _check_text("text", text, N_("Describe what your unit has done about the notice."), errors)
    if errors:
        raise invalid(*errors)

    notice.status = NOTICE_REPLIED
    notice.reply_text = text
    notice.replied_at = now
    notice.replied_by_id = user.id
    _event(notice, user, NOTICE_ACTION_REPLY, now, text)
    session.flush()
    notify_office(session, msg(N_("Reply to supervision notice {label}"), label=notice.label), link=notice_link(notice),
                  dedupe_key=f"plan:notice:{notice.id}:reply:{len(notice.events)}")
    return notice


def return_notice_reply(
    session: Session, user: User, notice_id: int, reason: str, now: dt.datetime, reply_due_on: dt.date | None = None,
) -> SupervisionNotice:
    """Send a reply back to the unit with a reason; the notice awaits a new reply."""
    require(user, NOTICE_ISSUE)
    notice = get_notice(session, user, notice_id)
    if notice.status != NOTICE_REPLIED:
        raise Conflict("The notice is {status}; only a replied notice can have its reply returned.", params={"status": NOTICE_STATUS_LABELS[notice.status]})
    errors: list[FieldError] = []
    reason = _check_text("reason", reason, N_("Give the reason for returning the reply."), errors)
    _check_due("reply_due_on", reply_due_on, now, errors)
    if errors:
        raise invalid(*errors)

    notice.status = NOTICE_OPEN
    if reply_due_on is not None:
        notice.reply_due_at = end_of_day(reply_due_on)
    _event(notice, user, NOTICE_ACTION_RETURN, now, reason)
    session.flush()
    notify_unit(session, notice.unit_id, msg(N_("Reply to supervision notice {label} returned"), label=notice.label),
                msg(N_("Reason: {reason}"), reason=reason), link=notice_link(notice),
                dedupe_key=f"plan:notice:{notice.id}:return:{len(notice.events)}")
    return notice


def close_notice(session: Session, user: User, notice_id: int, comment: str, now: dt.datetime) -> SupervisionNotice:
    """Close (办结) a notice. Closing one that has no reply needs a comment saying why."""
    require(user, NOTICE_ISSUE)
    notice = get_notice(session, user, notice_id)
    if notice.status == NOTICE_CLOSED:
        raise Conflict("The notice is already closed.")
    comment = (comment or "").strip()
    if notice.status == NOTICE_OPEN and not comment:
        raise invalid(FieldError("comment", "The notice has no reply yet; say why it is closed without one.", comment))

    notice.status = NOTICE_CLOSED
    notice.closed_at = now
    notice.closed_by_id = user.id
    notice.close_comment = comment or None
    _event(notice, user, NOTICE_ACTION_CLOSE, now, comment or None)
    session.flush()
    notify_unit(session, notice.unit_id, msg(N_("Supervision notice {label} closed"), label=notice.label),
                link=notice_link(notice), dedupe_key=f"plan:notice:{notice.id}:closed")
    logger.info("notice %s closed by %s", notice.label, user.username)
    return notice


def list_notices(
    session: Session, user: User, *, status: str | None = None, unit_id: int | None = None, task_id: int | None = None,
) -> list[SupervisionNotice]:
    """Return the notices the user may see, newest first, filtered by status, unit or task."""
    require(user, READ)
    query = select(SupervisionNotice)
    if is_unit_scoped(user):
        query = query.where(SupervisionNotice.unit_id == user.unit_id)
    if status is not None:
        query = query.where(SupervisionNotice.status == status)
    if unit_id is not None:
        query = query.where(SupervisionNotice.unit_id == unit_id)
    if task_id is not None:
        query = query.where(SupervisionNotice.task_id == task_id)
    return list(session.scalars(query.order_by(SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc())))


@dataclass(frozen=True)
class UnitNoticeCounts:
    """Notice figures of one unit: issued in the window, open now, overdue now, closed in the window."""

    unit_id: int
    issued: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    replied_late: int = 0


def notice_counts_by_unit(
    session: Session, now: dt.datetime, since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> dict[int, UnitNoticeCounts]:
    """Count notices per unit: issued and closed within [since, until), open and overdue at ``now``."""
    counts: dict[int, dict[str, int]] = {}
    for notice in session.scalars(select(SupervisionNotice).where(SupervisionNotice.issued_at <= now)):
        row = counts.setdefault(notice.unit_id, {"issued": 0, "open": 0, "overdue": 0, "closed": 0, "replied_late": 0})
        in_window = (since is None or notice.issued_at >= since) and (until is None or notice.issued_at < until)
        row["issued"] += in_window
        closed = notice.closed_at is not None and notice.closed_at <= now
        if closed and (since is None or notice.closed_at >= since) and (until is None or notice.closed_at < until):
            row["closed"] += 1
        if not closed:
            row["open"] += 1
            row["overdue"] += notice.status == NOTICE_OPEN and now >= notice.reply_due_at
        if notice.replied_at is not None and notice.replied_at > notice.reply_due_at and in_window:
            row["replied_late"] += 1
    return {unit_id: UnitNoticeCounts(unit_id, **values) for unit_id, values in counts.items()}
