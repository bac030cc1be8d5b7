"""Deadlines and milestones of tasks and indicators, set by the digital office."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.plan.models import Task
from citybase.plan.supervision.access import get_task, require
from citybase.plan.supervision.errors import FieldError, NotFound, invalid
from citybase.plan.supervision.models import DEADLINE_FINAL, DEADLINE_MILESTONE, Deadline
from citybase.plan.supervision.permissions import SCHEDULE_MANAGE
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings


def final_deadline(session: Session, task_id: int, indicator_id: int | None = None) -> Deadline | None:
    """Return the stored final deadline of a task (or of one of its indicators), if any."""
    query = select(Deadline).where(Deadline.task_id == task_id, Deadline.kind == DEADLINE_FINAL)
    if indicator_id is None:
        query = query.where(Deadline.indicator_id.is_(None))
    else:
        query = query.where(Deadline.indicator_id == indicator_id)
    return session.scalar(query)


def effective_due_on(session: Session, task_id: int, indicator_id: int | None = None,
                     settings: SupervisionSettings | None = None) -> dt.date:
    """Return the final deadline that applies: the indicator's, else the task's, else the plan's end."""
    settings = settings or get_supervision_settings()
    if indicator_id is not None:
        own = final_deadline(session, task_id, indicator_id)
        if own is not None:
            return own.due_on
    task_deadline = final_deadline(session, task_id)
    return task_deadline.due_on if task_deadline is not None else settings.plan_ends_on


def _check_indicator(task: Task, indicator_id: int | None, errors: list[FieldError]) -> None:
    if indicator_id is not None and indicator_id not in {i.id for i in task.indicators}:
        errors.append(FieldError("indicator_id", "This indicator does not belong to the task.", indicator_id))


def _check_date(due_on: dt.date, settings: SupervisionSettings, errors: list[FieldError]) -> None:
    if due_on <= settings.plan_starts_on:
        errors.append(FieldError("due_on", "The date must be after the plan's first day {start}.", due_on.isoformat(), {"start": settings.plan_starts_on.isoformat()}))


def set_final_deadline(
    session: Session, user: User, task_id: int, due_on: dt.date, indicator_id: int | None = None,
    settings: SupervisionSettings | None = None,
) -> Deadline:
    """Set the final deadline of a task or one of its indicators (not an extension: no history kept)."""
    settings = settings or get_supervision_settings()
    require(user, SCHEDULE_MANAGE)
    task = get_task(session, user, task_id)
    errors: list[FieldError] = []
    _check_indicator(task, indicator_id, errors)
    _check_date(due_on, settings, errors)
    if errors:
        raise invalid(*errors)

    deadline = final_deadline(session, task_id, indicator_id)
    if deadline is None:
        deadline = Deadline(task_id=task_id, indicator_id=indicator_id, kind=DEADLINE_FINAL, due_on=due_on,
                            expected_progress=Decimal(1))
        session.add(deadline)
    else:
        deadline.due_on = due_on
    session.flush()
    return deadline


def _milestones(session: Session, task_id: int, indicator_id: int | None) -> list[Deadline]:
    query = select(Deadline).where(Deadline.task_id == task_id, Deadline.kind == DEADLINE_MILESTONE)
    query = query.where(Deadline.indicator_id.is_(None) if indicator_id is None else Deadline.indicator_id == indicator_id)
    return list(session.scalars(query.order_by(Deadline.due_on)))


def add_milestone(
    session: Session, user: User, task_id: int, *, title: str, due_on: dt.date, expected_percent: int,
    indicator_id: int | None = None, settings: SupervisionSettings | None = None,
) -> Deadline:
    """Add a milestone: by ``due_on`` the task (or indicator) should be ``expected_percent`` done.

    Milestones of one task or indicator must rise with their dates, because 序时进度
    is interpolated between them.
    """
    settings = settings or get_supervision_settings()
    require(user, SCHEDULE_MANAGE)
    task = get_task(session, user, task_id)
    errors: list[FieldError] = []
    _check_indicator(task, indicator_id, errors)
    _check_date(due_on, settings, errors)
    title = (title or "").strip()
    if not title:
        errors.append(FieldError("title", "Name the milestone, e.g. 完成主城区覆盖.", title))
    if not 0 < expected_percent < 100:
        errors.append(FieldError("expected_percent", "Give a whole number from 1 to 99; the final deadline stands for 100.", expected_percent))
    final_on = effective_due_on(session, task_id, indicator_id, settings)
    if due_on >= final_on:
        errors.append(FieldError("due_on", "A milestone must come before the final deadline {due}.", due_on.isoformat(), {"due": final_on.isoformat()}))
    expected = Decimal(expected_percent) / 100
    for other in _milestones(session, task_id, indicator_id):
        out_of_order = (other.due_on < due_on and other.expected_progress > expected) or (
            other.due_on > due_on and other.expected_progress < expected)
        if other.due_on == due_on or out_of_order:
            errors.append(FieldError("expected_percent", "Milestones must rise with their dates; “{title}” on {due} expects {percent}%.", expected_percent, {"title": other.title, "due": other.due_on.isoformat(), "percent": int(other.expected_progress * 100)}))
            break
    if errors:
        raise invalid(*errors)

    milestone = Deadline(task_id=task_id, indicator_id=indicator_id, kind=DEADLINE_MILESTONE, title=title,
                         due_on=due_on, expected_progress=expected)
    session.add(milestone)
    session.flush()
    return milestone


def _milestone(session: Session, user: User, milestone_id: int) -> Deadline:
    require(user, SCHEDULE_MANAGE)
    milestone = session.get(Deadline, milestone_id)
    if milestone is None or milestone.kind != DEADLINE_MILESTONE:
        raise NotFound("Milestone {milestone_id} was not found.", params={"milestone_id": milestone_id})
    get_task(session, user, milestone.task_id)
    return milestone


def mark_milestone_done(session: Session, user: User, milestone_id: int, done_on: dt.date) -> Deadline:
    milestone = _milestone(session, user, milestone_id)
    milestone.done_on = done_on
    session.flush()
    return milestone


def remove_milestone(session: Session, user: User, milestone_id: int) -> None:
    session.delete(_milestone(session, user, milestone_id))
    session.flush()


def deadlines_of_task(session: Session, task_id: int) -> list[Deadline]:
    query = select(Deadline).where(Deadline.task_id == task_id).order_by(Deadline.due_on, Deadline.id)
    return list(session.scalars(query))
