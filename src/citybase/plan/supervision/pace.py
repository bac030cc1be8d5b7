"""序时进度: the progress a task or indicator should have reached by a given day.

Expected progress rises linearly from 0 on the plan's first day to 1 on the final
deadline, through each milestone's (date, expected progress) point on the way.
Deadlines default to the plan's last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.plan.models import Task
from citybase.plan.supervision.models import DEADLINE_FINAL, DEADLINE_MILESTONE, Deadline
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Schedule:
    """The dated points of one task or indicator: start, milestones and final deadline."""

    starts_on: dt.date
    final_due_on: dt.date
    milestones: Sequence[Deadline] = ()
    final: Deadline | None = None

    def points(self) -> list[tuple[dt.date, Decimal]]:
        """Return (day, expected progress at the end of that day) pairs, in date order."""
        points = [(self.starts_on - dt.timedelta(days=1), ZERO)]
        for milestone in sorted(self.milestones, key=lambda m: m.due_on):
            if self.starts_on < milestone.due_on < self.final_due_on:
                points.append((milestone.due_on, Decimal(milestone.expected_progress)))
        points.append((self.final_due_on, ONE))
        return points

    def expected(self, day: dt.date) -> Decimal:
        """Return the expected progress at the end of ``day``, interpolated between points."""
        points = self.points()
        if day <= points[0][0]:
            return ZERO
        for (start, low), (end, high) in zip(points, points[1:], strict=False):
            if day <= end:
                elapsed = Decimal((day - start).days)
                length = Decimal((end - start).days)
                return low + (high - low) * elapsed / length
        return ONE

    def upcoming(self, day: dt.date) -> list[tuple[dt.date, Deadline | None]]:
        """Return the dates still ahead (milestones not done, and the final deadline)."""
        dates: list[tuple[dt.date, Deadline | None]] = [
            (m.due_on, m) for m in self.milestones if m.due_on >= day and m.done_on is None
        ]
        if self.final_due_on >= day:
            dates.append((self.final_due_on, self.final))
        return sorted(dates, key=lambda item: item[0])


@dataclass(frozen=True)
class TaskSchedules:
    """The schedule of a task and, where they have their own deadlines, of its indicators."""

    task: Schedule
    indicators: dict[int, Schedule]

    def for_indicator(self, indicator_id: int) -> Schedule:
        return self.indicators.get(indicator_id, self.task)


def _schedule(deadlines: Sequence[Deadline], fallback: Schedule | None, settings: SupervisionSettings) -> Schedule:
    finals = [d for d in deadlines if d.kind == DEADLINE_FINAL]
    milestones = [d for d in deadlines if d.kind == DEADLINE_MILESTONE]
    final = finals[0] if finals else None
    if final is not None:
        due_on = final.due_on
    elif fallback is not None:
        due_on = fallback.final_due_on
    else:
        due_on = settings.plan_ends_on
    return Schedule(settings.plan_starts_on, due_on, milestones, final)


def load_schedules(
    session: Session, task: Task, settings: SupervisionSettings | None = None
) -> TaskSchedules:
    """Load a task's deadlines and milestones; indicators without their own use the task's."""
    settings = settings or get_supervision_settings()
    deadlines = list(session.scalars(select(Deadline).where(Deadline.task_id == task.id).order_by(Deadline.due_on)))
    task_schedule = _schedule([d for d in deadlines if d.indicator_id is None], None, settings)
    indicators: dict[int, Schedule] = {}
    for indicator in task.indicators:
        own = [d for d in deadlines if d.indicator_id == indicator.id]
        if own:
            indicators[indicator.id] = _schedule(own, task_schedule, settings)
    return TaskSchedules(task_schedule, indicators)


def expected_task_progress(schedules: TaskSchedules, task: Task, day: dt.date) -> Decimal:
    """Return the task's 序时进度: the mean over its parts of each part's expected progress."""
    parts = [schedules.for_indicator(indicator.id).expected(day) for indicator in task.indicators]
    parts += [schedules.task.expected(day) for _target in task.qualitative_targets]
    if not parts:
        return schedules.task.expected(day)
    return sum(parts, ZERO) / len(parts)
