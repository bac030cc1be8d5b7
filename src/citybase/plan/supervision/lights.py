"""Status lights (红黄蓝绿灯) of tasks, each with the reasons that decided it.

The rule, checked in this order:

- green: every target of the task is met;
- red: a final deadline has passed with its target unmet, or the lead unit
  submitted no report for the latest period whose report is due;
- yellow: progress is below 序时进度 by more than ``behind_margin``;
- blue: a deadline, milestone or report due date is ``near_deadline_days`` away or fewer;
- green: otherwise (on pace).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from citybase.core.i18n_marker import N_
from citybase.plan.models import Task
from citybase.plan.supervision.clock import due_day, local_date
from citybase.plan.supervision.i18n import Message, msg
from citybase.plan.supervision.models import (
    LIGHT_BLUE, LIGHT_GREEN, LIGHT_RED, LIGHT_YELLOW, ProgressReport, ReportingPeriod,
)
from citybase.plan.supervision.pace import TaskSchedules, expected_task_progress, load_schedules
from citybase.plan.supervision.periods import latest_due_period, open_periods
from citybase.plan.supervision.progress import TaskProgress, format_percent
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings
from citybase.plan.supervision.task_progress import task_progress

LIGHT_LABELS = {
    LIGHT_GREEN: msg(N_("Green: on pace")),
    LIGHT_BLUE: msg(N_("Blue: deadline near")),
    LIGHT_YELLOW: msg(N_("Yellow: behind pace")),
    LIGHT_RED: msg(N_("Red: overdue or not reported")),
}


@dataclass(frozen=True)
class LightContext:
    """The inputs shared by every task's light at one moment: the day, periods and settings."""

    now: dt.datetime
    today: dt.date
    settings: SupervisionSettings
    due_period: ReportingPeriod | None
    open_periods: Sequence[ReportingPeriod]
    live: bool = True


def light_context(
    session: Session, now: dt.datetime, settings: SupervisionSettings | None = None, live: bool = True
) -> LightContext:
    settings = settings or get_supervision_settings()
    return LightContext(
        now=now, today=local_date(now), settings=settings,
        due_period=latest_due_period(session, now, settings),
        open_periods=open_periods(session, now, settings), live=live,
    )


@dataclass(frozen=True)
class TaskLight:
    """A task's light with its progress, 序时进度 and the reasons, most severe first."""

    task_id: int
    light: str
    progress: TaskProgress
    expected: Decimal
    reasons: Sequence[Message] = field(default_factory=list)

    @property
    def label(self) -> Message:
        return LIGHT_LABELS[self.light]


def light_rules(settings: SupervisionSettings | None = None) -> list[Message]:
    """Return the light rule with the configured thresholds, for the page that explains a light."""
    settings = settings or get_supervision_settings()
    return [
        msg(N_("Green: every target is met, or progress keeps pace with 序时进度.")),
        msg(N_("Red: a final deadline has passed with the target unmet, or no report was submitted for the latest period by its due date.")),
        msg(N_("Yellow: progress is more than {margin} points below 序时进度."),
            margin=format_percent(settings.behind_margin).rstrip("%")),
        msg(N_("Blue: a deadline, milestone or report due date is {days} days away or fewer."),
            days=settings.near_deadline_days),
        msg(N_("序时进度 rises evenly from {start} to each milestone and to the final deadline (default {end})."),
            start=settings.plan_starts_on.isoformat(), end=settings.plan_ends_on.isoformat()),
    ]


def _submitted_by_due(session: Session, task: Task, period: ReportingPeriod, now: dt.datetime) -> ProgressReport | None:
    """Return the task's report for ``period`` if it was first submitted by ``now`` (a past ``now`` ignores later submissions)."""
    report = session.scalar(select(ProgressReport).where(
        ProgressReport.task_id == task.id, ProgressReport.period_id == period.id
    ))
    if report is None or report.first_submitted_at is None or report.first_submitted_at > now:
        return None
    return report


def _overdue_reasons(task: Task, schedules: TaskSchedules, progress: TaskProgress, today: dt.date) -> list[Message]:
    reasons = []
    if today > schedules.task.final_due_on and not progress.complete:
        reasons.append(msg(N_("The task's deadline {due} has passed and its targets are not all met."),
                           due=schedules.task.final_due_on.isoformat()))
    met = {item.indicator_id: item.met for item in progress.indicators}
    for indicator in task.indicators:
        own = schedules.indicators.get(indicator.id)
        if own is not None and today > own.final_due_on and not met.get(indicator.id, False):
            reasons.append(msg(N_("The deadline {due} of indicator “{text}” has passed and it is not met."),
                               due=own.final_due_on.isoformat(), text=indicator.text))
    return reasons


def _missing_report_reasons(session: Session, task: Task, context: LightContext) -> list[Message]:
    period = context.due_period
    if period is None or _submitted_by_due(session, task, period, context.now) is not None:
        return []
    return [msg(N_("No report was submitted for period {period}, due on {due}."),
                period=period.key, due=due_day(period.due_at).isoformat())]


def _near_reasons(session: Session, task: Task, schedules: TaskSchedules, context: LightContext) -> list[Message]:
    horizon = context.today + dt.timedelta(days=context.settings.near_deadline_days)
    reasons = []
    for schedule in (schedules.task, *schedules.indicators.values()):
        for due_on, deadline in schedule.upcoming(context.today):
            if due_on <= horizon:
                title = deadline.title if deadline is not None and deadline.title else ""
                reasons.append(msg(N_("A deadline is near: {due} {title}"), due=due_on.isoformat(), title=title))
    for period in context.open_periods:
        due_on = due_day(period.due_at)
        if due_on <= horizon and _submitted_by_due(session, task, period, context.now) is None:
            reasons.append(msg(N_("The report for period {period} is due on {due} and not yet submitted."),
                               period=period.key, due=due_on.isoformat()))
    unique: list[Message] = []
    for reason in reasons:
        if reason not in unique:
            unique.append(reason)
    return unique


def task_light(session: Session, task: Task, context: LightContext) -> TaskLight:
    """Compute the light of one task at ``context.now``."""
    progress = task_progress(session, task, context.now, context.live, context.settings)
    schedules = load_schedules(session, task, context.settings)
    expected = expected_task_progress(schedules, task, context.today)

    def result(light: str, reasons: list[Message]) -> TaskLight:
        return TaskLight(task.id, light, progress, expected, reasons)

    if progress.complete:
        return result(LIGHT_GREEN, [msg(N_("Every target of the task is met."))])

    red = _overdue_reasons(task, schedules, progress, context.today)
    red += _missing_report_reasons(session, task, context)
    if red:
        return result(LIGHT_RED, red)

    actual = progress.fraction if progress.fraction is not None else Decimal(0)
    pace = msg(N_("Progress {progress} against 序时进度 {expected}."),
               progress=format_percent(actual), expected=format_percent(expected))
    if actual < expected - context.settings.behind_margin:
        behind = msg(N_("Progress is {gap} points behind 序时进度, more than the allowed {margin}."),
                     gap=format_percent(expected - actual).rstrip("%"),
                     margin=format_percent(context.settings.behind_margin).rstrip("%"))
        return result(LIGHT_YELLOW, [behind, pace])

    near = _near_reasons(session, task, schedules, context)
    if near:
        return result(LIGHT_BLUE, [*near, pace])
    return result(LIGHT_GREEN, [pace])


def lights_for_tasks(
    session: Session, now: dt.datetime, task_ids: Iterable[int] | None = None,
    settings: SupervisionSettings | None = None, live: bool = True,
) -> dict[int, TaskLight]:
    """Compute the lights of the given tasks (default: every task), keyed by task id."""
    context = light_context(session, now, settings, live)
    query = select(Task).order_by(Task.seq).options(
        selectinload(Task.indicators), selectinload(Task.qualitative_targets), joinedload(Task.lead_unit),
    )
    if task_ids is not None:
        query = query.where(Task.id.in_(list(task_ids)))
    return {task.id: task_light(session, task, context) for task in session.scalars(query)}
