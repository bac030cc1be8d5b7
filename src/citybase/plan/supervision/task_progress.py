"""Task progress from stored data: current indicator values and the latest accepted report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.plan.models import Task
from citybase.plan.supervision.models import STATUS_ACCEPTED, ProgressReport, ReportingPeriod
from citybase.plan.supervision.progress import (
    IndicatorProgress, TaskProgress, combine_task_progress, indicator_progress,
)
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings
from citybase.plan.supervision.values import current_value

HUNDRED = Decimal(100)


def latest_accepted_report(session: Session, task_id: int, now: dt.datetime) -> ProgressReport | None:
    """Return the accepted report of the latest period, accepted at or before ``now``."""
    query = (
        select(ProgressReport).join(ReportingPeriod)
        .where(ProgressReport.task_id == task_id, ProgressReport.status == STATUS_ACCEPTED,
               ProgressReport.accepted_at <= now)
        .order_by(ReportingPeriod.starts_on.desc()).limit(1)
    )
    return session.scalar(query)


def indicator_progresses(
    session: Session, task: Task, now: dt.datetime, live: bool = True, settings: SupervisionSettings | None = None
) -> list[IndicatorProgress]:
    settings = settings or get_supervision_settings()
    return [
        indicator_progress(indicator, current_value(session, indicator.id, now, live).value, settings)
        for indicator in task.indicators
    ]


def task_progress(
    session: Session, task: Task, now: dt.datetime, live: bool = True, settings: SupervisionSettings | None = None
) -> TaskProgress:
    """Compute a task's progress at ``now`` from its indicators and qualitative targets."""
    indicators = indicator_progresses(session, task, now, live, settings)
    report = latest_accepted_report(session, task.id, now)
    reported = {item.target_id: Decimal(item.percent) / HUNDRED for item in report.target_progress} if report else {}
    targets = {target.id: reported.get(target.id) for target in task.qualitative_targets}
    overall = Decimal(report.percent) / HUNDRED if report is not None and report.percent is not None else None
    return combine_task_progress(task.id, indicators, targets, overall)
