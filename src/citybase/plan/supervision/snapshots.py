"""Stored light snapshots: one per task and period, refreshed by the worker while the period runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.plan.supervision.lights import lights_for_tasks
from citybase.plan.supervision.models import LightSnapshot, ReportingPeriod
from citybase.plan.supervision.periods import current_period
from citybase.plan.supervision.settings import SupervisionSettings


def snapshot_lights(session: Session, now: dt.datetime, settings: SupervisionSettings | None = None) -> int:
    """Store every task's light for the period containing ``now``; return how many were written."""
    period = current_period(session, now, settings)
    existing = {row.task_id: row for row in session.scalars(
        select(LightSnapshot).where(LightSnapshot.period_id == period.id))}
    lights = lights_for_tasks(session, now, settings=settings)
    for task_id, light in lights.items():
        row = existing.get(task_id) or LightSnapshot(task_id=task_id, period_id=period.id)
        row.light = light.light
        row.progress = light.progress.fraction
        row.expected = light.expected
        row.reasons = [reason.as_dict() for reason in light.reasons]
        row.computed_at = now
        session.add(row)
    session.flush()
    return len(lights)


def light_history(session: Session, task_id: int) -> list[tuple[ReportingPeriod, LightSnapshot]]:
    """Return a task's stored lights with their periods, oldest first."""
    rows = session.execute(
        select(ReportingPeriod, LightSnapshot).join(LightSnapshot, LightSnapshot.period_id == ReportingPeriod.id)
        .where(LightSnapshot.task_id == task_id).order_by(ReportingPeriod.starts_on)
    )
    return [(period, snapshot) for period, snapshot in rows]


def light_counts_by_period(session: Session) -> dict[str, dict[str, int]]:
    """Return period key → light → number of tasks, from the stored snapshots (for trend charts)."""
    counts: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(ReportingPeriod.key, LightSnapshot.light).join(LightSnapshot, LightSnapshot.period_id == ReportingPeriod.id)
        .order_by(ReportingPeriod.starts_on)
    )
    for key, light in rows:
        counts.setdefault(key, {})
        counts[key][light] = counts[key].get(light, 0) + 1
    return counts
