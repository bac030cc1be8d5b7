"""Supervision's panel on the home page (工作台): what each user should do today.

Core renders the panels registered for ``registry.HOME_SLOT`` and imports nothing of
supervision. The panel depends on the role:

- a unit reporter sees the reports due, grouped by period (overdue first), the
  contributions due on tasks the unit cooperates on, returned reports with the reason,
  notices awaiting the unit's reply and the latest extension decisions;
- the digital office and admins see reports awaiting review, notices overdue for a
  reply, extension requests to decide, the red-light task count and the last import;
- a viewer sees the light distribution with a link to the dashboard.

Other roles get no panel.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal
from citybase.core.auth.models import User
from citybase.core.registry import HOME_SLOT, PagePanel
from citybase.plan.models import PlanImport, Task
from citybase.plan.supervision import extensions, notices, reports
from citybase.plan.supervision.access import has_permission, task_roles_of_unit
from citybase.plan.supervision.clock import due_day, local_date
from citybase.plan.supervision.lights import lights_for_tasks
from citybase.plan.supervision.models import (
    EXTENSION_APPROVED, EXTENSION_PENDING, EXTENSION_REFUSED, LIGHT_RED, LIGHTS, NOTICE_OPEN, STATUS_DRAFT,
    STATUS_RETURNED, ExtensionRequest, ProgressReport, ReportingPeriod, SupervisionNotice,
)
from citybase.plan.supervision.periods import latest_due_period, open_periods
from citybase.plan.supervision.permissions import DASHBOARD, EXTENSION_DECIDE, REPORT, REVIEW
from citybase.plan.supervision.web import HELPERS, now_of

# Extension decisions stay on a reporter's home page for this many days.
DECISION_DAYS = 30
# Lists on the office's panel show this many rows and link to the full page for the rest.
OFFICE_ROWS = 5


@dataclass(frozen=True)
class DueReport:
    """A report the reporter's unit still has to submit for ``period``."""

    task: Task
    period: ReportingPeriod
    report: ProgressReport | None
    due_on: dt.date
    days_left: int  # negative once overdue
    overdue: bool

    @property
    def link(self) -> str:
        if self.report is not None:
            return reports.report_link(self.report)
        return f"/plan/my/report?task={self.task.seq}&period={self.period.key}"


@dataclass(frozen=True)
class DueContribution(DueReport):
    """A contribution (配合单位报送) the reporter's unit has not yet added to a task's report for ``period``."""


@dataclass(frozen=True)
class PeriodGroup:
    """The due items of one reporting period, for a heading per period on the home page."""

    period: ReportingPeriod
    due_on: dt.date
    overdue: bool
    items: list[Any]


def by_period(items: list[Any]) -> list[PeriodGroup]:
    """Group due items by period, keeping the order of their first item (overdue periods first)."""
    groups: dict[int, PeriodGroup] = {}
    for item in items:
        group = groups.get(item.period.id)
        if group is None:
            group = groups[item.period.id] = PeriodGroup(item.period, item.due_on, item.overdue, [])
        group.items.append(item)
    return list(groups.values())


@dataclass(frozen=True)
class NoticeItem:
    notice: SupervisionNotice
    due_on: dt.date
    days_left: int
    overdue: bool


def _due_periods(session: Session, now: dt.datetime) -> list[ReportingPeriod]:
    """Return the periods a report may be due for now: the latest past due, then the oldest open one."""
    found = []
    due = latest_due_period(session, now)
    if due is not None:
        found.append(due)
    still_open = open_periods(session, now)
    if still_open:
        found.append(still_open[0])
    return found


def _due_items(session: Session, user: User, now: dt.datetime, role: str, owed: Callable[[ProgressReport], bool],
               item_type: type[DueReport]) -> list[DueReport]:
    """Return an item per task where the user's unit has ``role`` and per due period whose report is ``owed``.

    A period without a report is always owed. Items come overdue first, then by due day and task.
    """
    if user.unit_id is None:
        return []
    task_ids = [task_id for task_id, unit_role in task_roles_of_unit(session, user.unit_id).items() if unit_role == role]
    if not task_ids:
        return []
    tasks = list(session.scalars(select(Task).where(Task.id.in_(task_ids), Task.lead_unit_id.is_not(None))
                                 .order_by(Task.seq)))
    today = local_date(now)
    items = []
    for period in _due_periods(session, now):
        existing = {
            row.task_id: row for row in session.scalars(select(ProgressReport).where(
                ProgressReport.period_id == period.id, ProgressReport.task_id.in_(task_ids)))
        }
        day = due_day(period.due_at)
        for task in tasks:
            report = existing.get(task.id)
            if report is None or owed(report):
                items.append(item_type(task, period, report, day, (day - today).days, now >= period.due_at))
    return sorted(items, key=lambda item: (not item.overdue, item.due_on, item.task.seq))


def due_reports(session: Session, user: User, now: dt.datetime) -> list[DueReport]:
    """Return the reports the user's unit leads and has not submitted, overdue first, then by due day and task."""
    # Returned reports are listed on their own, with the reason.
    return _due_items(session, user, now, "lead", lambda report: report.status == STATUS_DRAFT, DueReport)


def contributions_due(session: Session, user: User, now: dt.datetime) -> list[DueReport]:
    """Return the contributions the user's unit owes on tasks it cooperates on, overdue first.

    A contribution is due with the lead unit's report. It is owed while that report can
    still be edited (not started, draft or returned) and contains nothing from this unit.
    """
    def owed(report: ProgressReport) -> bool:
        return (report.status in (STATUS_DRAFT, STATUS_RETURNED)
                and not any(item.unit_id == user.unit_id for item in report.contributions))

    return _due_items(session, user, now, "cooperator", owed, DueContribution)


def returned_reports(session: Session, user: User) -> list[ProgressReport]:
    """Return the unit's reports sent back for revision, oldest return first."""
    if user.unit_id is None:
        return []
    return list(session.scalars(
        select(ProgressReport).where(ProgressReport.unit_id == user.unit_id, ProgressReport.status == STATUS_RETURNED)
        .order_by(ProgressReport.returned_at, ProgressReport.id)
    ))


def _notice_item(notice: SupervisionNotice, now: dt.datetime) -> NoticeItem:
    day = due_day(notice.reply_due_at)
    return NoticeItem(notice, day, (day - local_date(now)).days, notices.is_overdue(notice, now))


def notices_to_reply(session: Session, user: User, now: dt.datetime) -> list[NoticeItem]:
    """Return the unit's notices awaiting a reply, overdue first, then by reply deadline."""
    rows = [notice for notice in notices.list_notices(session, user, status=NOTICE_OPEN) if notice.issued_at <= now]
    items = [_notice_item(notice, now) for notice in rows]
    return sorted(items, key=lambda item: (not item.overdue, item.notice.reply_due_at, item.notice.id))


def recent_decisions(session: Session, user: User, now: dt.datetime) -> list[ExtensionRequest]:
    """Return the unit's extension requests decided in the last ``DECISION_DAYS`` days, newest first."""
    since = now - dt.timedelta(days=DECISION_DAYS)
    return [
        row for row in extensions.list_extensions(session, user)
        if row.status in (EXTENSION_APPROVED, EXTENSION_REFUSED) and row.decided_at is not None
        and since <= row.decided_at <= now
    ]


def _reporter_context(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    due = due_reports(session, user, now)
    contributions = contributions_due(session, user, now)
    returned = returned_reports(session, user)
    to_reply = notices_to_reply(session, user, now)
    decisions = recent_decisions(session, user, now)
    pending = extensions.list_extensions(session, user, status=EXTENSION_PENDING)
    return {
        "view": "reporter", "due": due, "due_groups": by_period(due), "contributions": contributions,
        "contribution_groups": by_period(contributions), "returned": returned, "to_reply": to_reply, "decisions": decisions,
        "pending_extensions": pending,
        "overdue_count": sum(1 for item in [*due, *contributions, *to_reply] if item.overdue),
        "action_count": len(due) + len(contributions) + len(returned) + len(to_reply),
        "decision_days": DECISION_DAYS,
    }


def _light_counts(session: Session, now: dt.datetime) -> dict[str, int]:
    counts = Counter(light.light for light in lights_for_tasks(session, now).values())
    return {light: counts.get(light, 0) for light in LIGHTS}


def _office_context(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    queue = reports.review_queue(session, user)
    overdue = [
        _notice_item(notice, now) for notice in notices.list_notices(session, user, status=NOTICE_OPEN)
        if notices.is_overdue(notice, now)
    ]
    overdue.sort(key=lambda item: (item.notice.reply_due_at, item.notice.id))
    pending = sorted(extensions.list_extensions(session, user, status=EXTENSION_PENDING), key=lambda row: (row.requested_at, row.id))
    lights = _light_counts(session, now)
    return {
        "view": "office", "queue": queue, "overdue_notices": overdue, "pending_extensions": pending,
        "can_decide": has_permission(user, EXTENSION_DECIDE),
        "lights": lights, "red": lights[LIGHT_RED], "tasks": sum(lights.values()),
        "last_import": session.scalar(select(PlanImport).order_by(PlanImport.id.desc()).limit(1)),
        "rows": OFFICE_ROWS,
    }


def _viewer_context(session: Session, now: dt.datetime) -> dict[str, Any]:
    lights = _light_counts(session, now)
    return {"view": "viewer", "lights": lights, "tasks": sum(lights.values())}


def todo(session: Session, user: User, now: dt.datetime) -> dict[str, Any] | None:
    """Collect the user's to-do items by role; ``view`` names the role's list. None for roles without one.

    The home panel and ``GET /api/plan/todo`` both show this.
    """
    if has_permission(user, REPORT):
        return _reporter_context(session, user, now)
    if has_permission(user, REVIEW):
        return _office_context(session, user, now)
    if has_permission(user, DASHBOARD):
        return _viewer_context(session, now)
    return None


def build_home_panel(request: Request, session: Session, principal: Principal, subject: Any = None) -> dict[str, Any] | None:
    """Return the home panel's context for the user's role, or None for roles with nothing to do here."""
    now = now_of(request)
    context = todo(session, principal.user, now)
    if context is None:
        return None
    return {**HELPERS, **context, "now": now, "today": local_date(now), "local_date": local_date}


HOME_PANEL = PagePanel(slot=HOME_SLOT, template="plan_supervision/_home_panel.html", build=build_home_panel, order=10)
