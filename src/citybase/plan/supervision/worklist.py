"""A unit reporter's work list: the unit's tasks with their report for a period and their light."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.plan.models import Task
from citybase.plan.supervision.access import require, task_roles_of_unit
from citybase.plan.supervision.lights import TaskLight, lights_for_tasks
from citybase.plan.supervision.models import ProgressReport, ReportingPeriod
from citybase.plan.supervision.permissions import REPORT


@dataclass(frozen=True)
class WorkItem:
    """One task of the user's unit: the unit's role, the period's report (if any) and the light."""

    task: Task
    role: str
    report: ProgressReport | None
    light: TaskLight


def work_list(session: Session, user: User, period: ReportingPeriod, now: dt.datetime) -> list[WorkItem]:
    """Return the tasks the user's unit leads or cooperates on, lead tasks first, by task number."""
    require(user, REPORT)
    if user.unit_id is None:
        return []
    roles = task_roles_of_unit(session, user.unit_id)
    if not roles:
        return []
    tasks = list(session.scalars(select(Task).where(Task.id.in_(list(roles))).order_by(Task.seq)))
    reports = {
        report.task_id: report for report in session.scalars(select(ProgressReport).where(
            ProgressReport.period_id == period.id, ProgressReport.task_id.in_(list(roles))))
    }
    lights = lights_for_tasks(session, now, list(roles))
    items = [WorkItem(task, roles[task.id], reports.get(task.id), lights[task.id]) for task in tasks]
    return sorted(items, key=lambda item: (item.role != "lead", item.task.seq))
