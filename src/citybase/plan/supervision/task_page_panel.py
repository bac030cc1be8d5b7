"""The supervision panel on the plan's own task page, added through ``registry.PagePanel``.

The plan module renders the panels registered for the slot ``plan.task`` and imports
nothing of supervision. This module builds the panel's context from the same service
call as the supervision task page (``panel.task_panel``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal
from citybase.core.registry import PagePanel
from citybase.plan.models import ROLE_LEAD, Task
from citybase.plan.supervision.access import has_permission
from citybase.plan.supervision.clock import local_date
from citybase.plan.supervision.errors import NotFound
from citybase.plan.supervision.models import (
    ACTION_ACCEPT, ACTION_RESUBMIT, ACTION_RETURN, ACTION_SUBMIT, EXTENSION_PENDING, NOTICE_CLOSED, NOTICE_OPEN,
    STATUS_RETURNED, STATUS_SUBMITTED, ProgressReport, ReportingPeriod,
)
from citybase.plan.supervision.panel import task_panel
from citybase.plan.supervision.periods import latest_due_period, open_periods
from citybase.plan.supervision.permissions import NOTICE_ISSUE, NOTICE_REPLY, READ, REPORT, REVIEW
from citybase.plan.supervision.reports import EDITABLE, find_report
from citybase.plan.supervision.web import HELPERS, now_of

SLOT = "plan.task"

# The report events that make up its review history; drafts and evidence edits are left out.
HISTORY_ACTIONS = (ACTION_SUBMIT, ACTION_RETURN, ACTION_RESUBMIT, ACTION_ACCEPT)


def _report_period(session: Session, task: Task, now: dt.datetime) -> tuple[ReportingPeriod | None, ProgressReport | None]:
    """Return the period a reporter should work on next, with its report if one exists.

    That is the latest period already due while its report is missing, a draft or
    returned (an overdue report turns the light red), and otherwise the oldest open period.
    """
    due = latest_due_period(session, now)
    if due is not None:
        report = find_report(session, task.id, due.id)
        if report is None or report.status in EDITABLE:
            return due, report
    periods = open_periods(session, now)
    if not periods:
        return None, None
    return periods[0], find_report(session, task.id, periods[0].id)


def build_task_page_panel(request: Request, session: Session, principal: Principal, task: Task) -> dict[str, Any] | None:
    """Return the panel's context, or None for users who may not see the task's supervision.

    A unit reporter sees supervision only on the tasks of their own unit, so on any
    other task the plan page shows no panel.
    """
    user = principal.user
    if not has_permission(user, READ):
        return None
    now = now_of(request)
    try:
        context = task_panel(session, user, task.id, now)
    except NotFound:
        return None

    role = context["unit_role"]
    period, current_report = _report_period(session, task, now)
    reports = context["reports"]
    notices = context["notices"]
    context.update(HELPERS)
    context.update({
        "period": period,
        "current_report": current_report,
        "report_history": [(report, [event for event in report.events if event.action in HISTORY_ACTIONS]) for report in reports],
        "open_notices": [notice for notice in notices if notice.status != NOTICE_CLOSED],
        "closed_notice_count": sum(1 for notice in notices if notice.status == NOTICE_CLOSED),
        "pending_extensions": [row for row in context["extensions"] if row.status == EXTENSION_PENDING],
        "can_report": has_permission(user, REPORT) and role is not None,
        "is_lead": role == ROLE_LEAD,
        # Returned reports wait for the lead unit, whichever period the main action points at.
        "to_resubmit": [report for report in reports if report.status == STATUS_RETURNED and report is not current_report]
        if has_permission(user, REPORT) and role == ROLE_LEAD else [],
        "to_review": [report for report in reports if report.status == STATUS_SUBMITTED] if has_permission(user, REVIEW) else [],
        "can_issue_notice": has_permission(user, NOTICE_ISSUE),
        "can_reply": has_permission(user, NOTICE_REPLY),
        "notice_open": NOTICE_OPEN,
        "local_date": local_date,
    })
    return context


PANEL = PagePanel(slot=SLOT, template="plan_supervision/_plan_task_panel.html", build=build_task_page_panel, order=10)
