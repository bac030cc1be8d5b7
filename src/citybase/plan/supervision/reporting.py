"""Report obligations per period: the tasks that owe a report, and on-time figures per unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.plan.models import Task
from citybase.plan.supervision.models import ProgressReport, ReportingPeriod
from citybase.plan.supervision.settings import SupervisionSettings
from citybase.plan.supervision.task_progress import task_progress


def tasks_requiring_report(session: Session, at: dt.datetime, settings: SupervisionSettings | None = None) -> list[Task]:
    """Return the tasks that owe reports at ``at``: those with a lead unit whose targets are not all met."""
    tasks = session.scalars(select(Task).where(Task.lead_unit_id.is_not(None)).order_by(Task.seq))
    return [task for task in tasks if not task_progress(session, task, at, live=False, settings=settings).complete]


def first_submissions(session: Session, period_ids: list[int]) -> dict[tuple[int, int], dt.datetime]:
    """Return (task id, period id) → first submission time, for reports submitted at least once."""
    if not period_ids:
        return {}
    rows = session.execute(select(ProgressReport.task_id, ProgressReport.period_id, ProgressReport.first_submitted_at)
                           .where(ProgressReport.period_id.in_(period_ids), ProgressReport.first_submitted_at.is_not(None)))
    return {(task_id, period_id): submitted for task_id, period_id, submitted in rows}


@dataclass(frozen=True)
class UnitReporting:
    """A lead unit's reporting in one period: reports owed, submitted on time, late and missing."""

    unit_id: int
    expected: int
    on_time: int
    late: int
    missing: int

    @property
    def on_time_rate(self) -> Decimal | None:
        """Return the share of owed reports submitted by the due time, or None when none were owed."""
        return Decimal(self.on_time) / Decimal(self.expected) if self.expected else None


def on_time_reporting(
    session: Session, period: ReportingPeriod, now: dt.datetime, settings: SupervisionSettings | None = None,
) -> dict[int, UnitReporting]:
    """Count each lead unit's owed, on-time, late and missing reports for ``period``, as known at ``now``.

    A task owes a report when it is not complete at the period's due time. A report
    counts as submitted when first submitted, even if it was returned later.
    """
    tasks = tasks_requiring_report(session, min(period.due_at, now), settings)
    submitted = first_submissions(session, [period.id])
    figures: dict[int, dict[str, int]] = {}
    for task in tasks:
        row = figures.setdefault(task.lead_unit_id, {"expected": 0, "on_time": 0, "late": 0, "missing": 0})
        row["expected"] += 1
        at = submitted.get((task.id, period.id))
        if at is not None and at <= now and at <= period.due_at:
            row["on_time"] += 1
        elif at is not None and at <= now:
            row["late"] += 1
        else:
            row["missing"] += 1
    return {unit_id: UnitReporting(unit_id, **values) for unit_id, values in figures.items()}
