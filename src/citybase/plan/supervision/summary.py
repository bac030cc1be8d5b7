"""Read-only figures for scorecards, exports and dashboards built on supervision.

These functions check no permissions: callers (pages, CLI exports) decide who may
see the figures. Everything takes ``now`` so a past period can be reproduced.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.plan.models import Indicator, Task
from citybase.plan.supervision.deadlines import effective_due_on
from citybase.plan.supervision.lights import TaskLight, lights_for_tasks
from citybase.plan.supervision.models import LIGHTS
from citybase.plan.supervision.notices import UnitNoticeCounts, notice_counts_by_unit
from citybase.plan.supervision.progress import IndicatorProgress
from citybase.plan.supervision.reporting import UnitReporting, on_time_reporting
from citybase.plan.supervision.settings import SupervisionSettings
from citybase.plan.supervision.values import CurrentValue, current_value

__all__ = [
    "IndicatorStatus", "TaskStatus", "UnitNoticeCounts", "UnitReporting", "light_distribution",
    "notice_counts_by_unit", "on_time_reporting", "task_statuses",
]


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator with its current value, progress and final deadline."""

    indicator: Indicator
    current: CurrentValue
    progress: IndicatorProgress
    due_on: dt.date


@dataclass(frozen=True)
class TaskStatus:
    """One task with its light (which carries task progress and 序时进度) and its indicators."""

    task: Task
    light: TaskLight
    indicators: Sequence[IndicatorStatus]
    due_on: dt.date


def task_statuses(
    session: Session, now: dt.datetime, task_ids: Iterable[int] | None = None, live: bool = True,
    settings: SupervisionSettings | None = None,
) -> list[TaskStatus]:
    """Return every task's (or the given tasks') status at ``now``, in task order.

    Pass ``live=False`` for a past ``now``, so bound indicators use recorded values.
    """
    lights = lights_for_tasks(session, now, task_ids, settings, live)
    tasks = session.scalars(select(Task).where(Task.id.in_(list(lights))).order_by(Task.seq))
    statuses = []
    for task in tasks:
        light = lights[task.id]
        progress = {item.indicator_id: item for item in light.progress.indicators}
        indicators = [
            IndicatorStatus(indicator, current_value(session, indicator.id, now, live), progress[indicator.id],
                            effective_due_on(session, task.id, indicator.id, settings))
            for indicator in task.indicators
        ]
        statuses.append(TaskStatus(task, light, indicators, effective_due_on(session, task.id, None, settings)))
    return statuses


def light_distribution(statuses: Iterable[TaskStatus]) -> dict[str, int]:
    """Count tasks per light, with every light present (zero when none)."""
    counts = Counter(status.light.light for status in statuses)
    return {light: counts.get(light, 0) for light in LIGHTS}
