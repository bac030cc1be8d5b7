"""Reminders (催办) before a report or notice reply is due and while it is overdue, and daily digests.

Each reminder has a dedupe key built from what it is about and its stage (for
example the third week overdue). The key is stored on both the Reminder row and
its notification, and both are written in the caller's transaction. A worker that
stops before committing sends the reminders again on its next run; one that stops
after committing finds them recorded and skips them. So a restart neither loses
nor repeats a reminder.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.i18n_marker import N_
from citybase.plan.supervision.clock import due_day, local_date, local_time
from citybase.plan.supervision.i18n import Message, msg
from citybase.plan.supervision.messaging import notify_unit
from citybase.plan.supervision.models import (
    NOTICE_OPEN, REMINDER_DIGEST, REMINDER_NOTICE_DUE, REMINDER_NOTICE_OVERDUE, REMINDER_REPORT_DUE,
    REMINDER_REPORT_OVERDUE, STATUS_RETURNED, ProgressReport, Reminder, ReportingPeriod, SupervisionNotice,
)
from citybase.plan.supervision.periods import latest_due_period, open_periods
from citybase.plan.supervision.reporting import first_submissions, tasks_requiring_report
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderDraft:
    """A reminder that is due to be sent, unless its dedupe key was sent before."""

    kind: str
    dedupe_key: str
    unit_id: int
    title: Message
    body: Message | None = None
    link: str | None = None
    task_id: int | None = None
    period_id: int | None = None
    notice_id: int | None = None
    due_at: dt.datetime | None = None
    data: dict[str, object] = field(default_factory=dict)


def _overdue_stage(due_at: dt.datetime, now: dt.datetime, settings: SupervisionSettings) -> int:
    days_late = (local_date(now) - due_day(due_at)).days
    return (days_late - 1) // settings.overdue_repeat_days


def _report_due_soon(session: Session, now: dt.datetime, settings: SupervisionSettings) -> Iterator[ReminderDraft]:
    today = local_date(now)
    periods = [p for p in open_periods(session, now, settings)
               if (due_day(p.due_at) - today).days <= settings.remind_before_days]
    if not periods:
        return
    submitted = first_submissions(session, [p.id for p in periods])
    tasks = tasks_requiring_report(session, now, settings)
    for period in periods:
        due = due_day(period.due_at).isoformat()
        for task in tasks:
            if (task.id, period.id) in submitted:
                continue
            yield ReminderDraft(
                REMINDER_REPORT_DUE, f"plan:remind:report_due:{period.key}:{task.id}", task.lead_unit_id,
                msg(N_("Reminder: report for task {seq}, period {period}, is due on {due}"), seq=task.seq, period=period.key, due=due),
                link=f"/plan/my/report?task={task.seq}&period={period.key}", task_id=task.id, period_id=period.id, due_at=period.due_at,
            )


def _report_overdue(session: Session, now: dt.datetime, settings: SupervisionSettings) -> Iterator[ReminderDraft]:
    period = latest_due_period(session, now, settings)
    if period is None:
        return
    stage = _overdue_stage(period.due_at, now, settings)
    submitted = first_submissions(session, [period.id])
    due = due_day(period.due_at).isoformat()
    for task in tasks_requiring_report(session, period.due_at, settings):
        if (task.id, period.id) in submitted:
            continue
        yield ReminderDraft(
            REMINDER_REPORT_OVERDUE, f"plan:remind:report_overdue:{period.key}:{task.id}:{stage}", task.lead_unit_id,
            msg(N_("Overdue: report for task {seq}, period {period}, was due on {due}"), seq=task.seq, period=period.key, due=due),
            link=f"/plan/my/report?task={task.seq}&period={period.key}", task_id=task.id, period_id=period.id,
            due_at=period.due_at, data={"stage": stage},
        )


def _notice_reminders(session: Session, now: dt.datetime, settings: SupervisionSettings) -> Iterator[ReminderDraft]:
    today = local_date(now)
    notices = session.scalars(select(SupervisionNotice).where(
        SupervisionNotice.status == NOTICE_OPEN, SupervisionNotice.issued_at <= now,
    ).order_by(SupervisionNotice.id))
    for notice in notices:
        due_on = due_day(notice.reply_due_at)
        link = f"/plan/notices/{notice.id}"
        if now >= notice.reply_due_at:
            stage = _overdue_stage(notice.reply_due_at, now, settings)
            yield ReminderDraft(
                REMINDER_NOTICE_OVERDUE, f"plan:remind:notice_overdue:{notice.id}:{due_on}:{stage}", notice.unit_id,
                msg(N_("Overdue: the reply to supervision notice {label} was due on {due}"), label=notice.label, due=due_on.isoformat()),
                link=link, task_id=notice.task_id, notice_id=notice.id, due_at=notice.reply_due_at, data={"stage": stage},
            )
        elif (due_on - today).days <= settings.remind_before_days:
            yield ReminderDraft(
                REMINDER_NOTICE_DUE, f"plan:remind:notice_due:{notice.id}:{due_on}", notice.unit_id,
                msg(N_("Reminder: the reply to supervision notice {label} is due on {due}"), label=notice.label, due=due_on.isoformat()),
                link=link, task_id=notice.task_id, notice_id=notice.id, due_at=notice.reply_due_at,
            )


def _send(session: Session, draft: ReminderDraft, now: dt.datetime) -> Reminder | None:
    if session.scalar(select(Reminder.id).where(Reminder.dedupe_key == draft.dedupe_key)) is not None:
        return None
    note = notify_unit(session, draft.unit_id, draft.title, draft.body, link=draft.link,
                       dedupe_key=draft.dedupe_key, data={"reminder": draft.kind, **draft.data})
    reminder = Reminder(
        kind=draft.kind, dedupe_key=draft.dedupe_key, unit_id=draft.unit_id, task_id=draft.task_id,
        period_id=draft.period_id, notice_id=draft.notice_id, due_at=draft.due_at, sent_at=now,
        notification_id=note.id if note is not None else None,
        data={"title": draft.title.as_dict(), **draft.data},
    )
    session.add(reminder)
    return reminder


def pending_reminders(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> list[ReminderDraft]:
    """Return every reminder that should have been sent by ``now`` (sent or not)."""
    settings = settings or get_supervision_settings()
    drafts = [*_report_due_soon(session, now, settings), *_report_overdue(session, now, settings)]
    drafts += list(_notice_reminders(session, now, settings))
    return drafts


def send_reminders(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> list[Reminder]:
    """Send the reminders due at ``now`` that were not sent before; return the new ones."""
    sent = [reminder for draft in pending_reminders(session, now, settings) if (reminder := _send(session, draft, now))]
    session.flush()
    if sent:
        logger.info("sent %d reminders at %s", len(sent), now.isoformat())
    return sent


def _digest_lines(session: Session, now: dt.datetime, settings: SupervisionSettings) -> dict[int, list[Message]]:
    lines: dict[int, list[Message]] = {}
    for draft in pending_reminders(session, now, settings):
        lines.setdefault(draft.unit_id, []).append(draft.title)
    returned = session.scalars(select(ProgressReport).where(ProgressReport.status == STATUS_RETURNED).order_by(ProgressReport.id))
    for report in returned:
        lines.setdefault(report.unit_id, []).append(msg(
            N_("Returned report to revise: task {seq}, period {period}"), seq=report.task.seq, period=report.period.key
        ))
    return lines


def send_digests(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> list[Reminder]:
    """Send each unit with open items one digest per Shanghai day, from ``digest_hour`` on."""
    settings = settings or get_supervision_settings()
    if local_time(now).hour < settings.digest_hour:
        return []
    today = local_date(now)
    sent = []
    for unit_id, lines in sorted(_digest_lines(session, now, settings).items()):
        body = Message("\n".join(f"{{line{index}}}" for index in range(len(lines))),
                       {f"line{index}": line for index, line in enumerate(lines)})
        draft = ReminderDraft(
            REMINDER_DIGEST, f"plan:digest:{unit_id}:{today.isoformat()}", unit_id,
            msg(N_("Daily supervision digest {day}: {count} items need attention"), day=today.isoformat(), count=len(lines)),
            body, link="/plan/my/tasks",
        )
        reminder = _send(session, draft, now)
        if reminder is not None:
            sent.append(reminder)
    session.flush()
    if sent:
        logger.info("sent %d daily digests for %s", len(sent), today.isoformat())
    return sent


def reminders_of_unit(session: Session, unit_id: int, limit: int = 100) -> list[Reminder]:
    query = select(Reminder).where(Reminder.unit_id == unit_id).order_by(Reminder.sent_at.desc(), Reminder.id.desc())
    return list(session.scalars(query.limit(limit)))


def reminders_of_period(session: Session, period: ReportingPeriod) -> list[Reminder]:
    query = select(Reminder).where(Reminder.period_id == period.id).order_by(Reminder.id)
    return list(session.scalars(query))
