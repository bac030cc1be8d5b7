"""Figures of the supervision dashboard (看板): completion by section and unit, lights, indicators, trend.

Like ``summary``, these functions check no permissions; the page and the API route
decide who may see them. Progress is a fraction 0..1, and a task with no progress
yet counts as 0 in every mean, as it does in a task's own progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybase.plan.models import Indicator
from citybase.plan.supervision.models import LIGHTS, NOTICE_CLOSED, NOTICE_OPEN, STATUS_SUBMITTED, ProgressReport, SupervisionNotice
from citybase.plan.supervision.snapshots import light_counts_by_period
from citybase.plan.supervision.summary import TaskStatus, light_distribution, task_statuses
from citybase.plan.task_state import section_heading

ZERO = Decimal(0)

# Indicator progress bands, lowest first: no value yet, four quarters below the target, met.
BAND_NONE = "none"
BAND_MET = "met"
BANDS = (BAND_NONE, "0-25", "25-50", "50-75", "75-100", BAND_MET)

# The group of tasks whose lead unit the task list does not name.
NO_LEAD_UNIT = ""


@dataclass(frozen=True)
class GroupFigures:
    """Completion of one group of tasks (a section or a lead unit)."""

    key: str
    name: str
    tasks: int
    complete: int
    progress: Decimal
    expected: Decimal
    lights: dict[str, int]


@dataclass(frozen=True)
class IndicatorFigures:
    """One quantified indicator with its current value and progress."""

    indicator: Indicator
    task_seq: int
    value: Decimal | None
    at: dt.datetime | None
    source: str | None
    progress: Decimal | None
    met: bool
    band: str


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, computed at ``at``."""

    at: dt.datetime
    tasks: int
    complete: int
    progress: Decimal
    expected: Decimal
    lights: dict[str, int]
    sections: Sequence[GroupFigures]
    units: Sequence[GroupFigures]
    indicators: Sequence[IndicatorFigures]
    bands: dict[str, int]
    trend: Sequence[tuple[str, dict[str, int]]]
    reports_to_review: int
    open_notices: int
    overdue_notices: int


def _mean(values: Sequence[Decimal]) -> Decimal:
    if not values:
        return ZERO
    return sum(values, ZERO) / len(values)


def _group(key: str, name: str, statuses: Sequence[TaskStatus]) -> GroupFigures:
    return GroupFigures(
        key=key, name=name, tasks=len(statuses),
        complete=sum(1 for status in statuses if status.light.progress.complete),
        progress=_mean([status.light.progress.fraction or ZERO for status in statuses]),
        expected=_mean([status.light.expected for status in statuses]),
        lights=light_distribution(statuses),
    )


def figures_by_section(statuses: Sequence[TaskStatus]) -> list[GroupFigures]:
    """Group tasks by section, in the plan's order."""
    groups: dict[int, list[TaskStatus]] = {}
    sections = {}
    for status in statuses:
        section = status.task.section
        groups.setdefault(section.seq, []).append(status)
        sections[section.seq] = section
    return [_group(str(seq), section_heading(sections[seq]), groups[seq]) for seq in sorted(groups)]


def figures_by_unit(statuses: Sequence[TaskStatus], no_lead_name: str) -> list[GroupFigures]:
    """Group tasks by lead unit: most tasks first, then by unit code; tasks without a lead unit last."""
    groups: dict[str, list[TaskStatus]] = {}
    names = {NO_LEAD_UNIT: no_lead_name}
    for status in statuses:
        unit = status.task.lead_unit
        code = unit.code if unit is not None else NO_LEAD_UNIT
        if unit is not None:
            names[code] = unit.name
        groups.setdefault(code, []).append(status)
    order = sorted(groups, key=lambda code: (code == NO_LEAD_UNIT, -len(groups[code]), code))
    return [_group(code, names[code], groups[code]) for code in order]


def progress_band(fraction: Decimal | None, met: bool) -> str:
    """Return the band of an indicator's progress: none, 0-25, 25-50, 50-75, 75-100 (not yet met) or met."""
    if met:
        return BAND_MET
    if fraction is None:
        return BAND_NONE
    for upper, band in ((Decimal("0.25"), "0-25"), (Decimal("0.5"), "25-50"), (Decimal("0.75"), "50-75")):
        if fraction < upper:
            return band
    return "75-100"


def indicator_figures(statuses: Sequence[TaskStatus]) -> list[IndicatorFigures]:
    rows = []
    for status in statuses:
        for item in status.indicators:
            rows.append(IndicatorFigures(
                indicator=item.indicator, task_seq=status.task.seq, value=item.current.value, at=item.current.at,
                source=item.current.source, progress=item.progress.fraction, met=item.progress.met,
                band=progress_band(item.progress.fraction, item.progress.met),
            ))
    return rows


def _notice_counts(session: Session, now: dt.datetime) -> tuple[int, int]:
    """Return (notices not yet closed, of those the ones whose reply is overdue) at ``now``."""
    rows = session.execute(select(SupervisionNotice.status, SupervisionNotice.reply_due_at)
                           .where(SupervisionNotice.status != NOTICE_CLOSED, SupervisionNotice.issued_at <= now))
    open_count = overdue = 0
    for status, reply_due_at in rows:
        open_count += 1
        overdue += status == NOTICE_OPEN and now >= reply_due_at
    return open_count, overdue


def build_dashboard(session: Session, now: dt.datetime, no_lead_name: str = "—") -> Dashboard:
    """Compute the dashboard's figures for every task at ``now``."""
    statuses = task_statuses(session, now)
    indicators = indicator_figures(statuses)
    bands = {band: 0 for band in BANDS}
    for row in indicators:
        bands[row.band] += 1
    trend = [(key, {light: counts.get(light, 0) for light in LIGHTS})
             for key, counts in light_counts_by_period(session).items()]
    open_notices, overdue_notices = _notice_counts(session, now)
    to_review = session.scalar(select(func.count(ProgressReport.id)).where(ProgressReport.status == STATUS_SUBMITTED))
    return Dashboard(
        at=now,
        tasks=len(statuses),
        complete=sum(1 for status in statuses if status.light.progress.complete),
        progress=_mean([status.light.progress.fraction or ZERO for status in statuses]),
        expected=_mean([status.light.expected for status in statuses]),
        lights=light_distribution(statuses),
        sections=figures_by_section(statuses),
        units=figures_by_unit(statuses, no_lead_name),
        indicators=indicators,
        bands=bands,
        trend=trend,
        reports_to_review=to_review or 0,
        open_notices=open_notices,
        overdue_notices=overdue_notices,
    )
