"""Unit scorecards and ranking (赛马) per reporting period, and their annual summary.

A unit is assessed on the tasks it leads. Its score, out of the sum of the weights
(100 by default), is

    on_time_weight    × on-time reporting rate (1 when the unit owed no report)
  + completion_weight × mean progress of the unit's indicators
  + lights_weight     × (1 − (red + yellow_share × yellow) / tasks led)
  − overdue_notice_penalty × supervision notices overdue at the assessment time,

floored at 0 and rounded to one decimal. A unit whose tasks carry no indicators is
scored on the mean progress of its tasks instead. Units with equal rounded scores
share a rank (1, 1, 3) and are listed by unit code within it.

A period is assessed at its report due time, so its figures do not change when later
reports arrive; pages and exports offer only periods whose reports are due.
These functions check no permissions: pages and exports decide who sees them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.units import Unit
from citybase.plan.supervision.assessment.settings import AssessmentSettings, get_assessment_settings
from citybase.plan.supervision.clock import local_date, start_of_day
from citybase.plan.supervision.models import LIGHT_RED, LIGHT_YELLOW, ReportingPeriod, SupervisionNotice
from citybase.plan.supervision.notices import UnitNoticeCounts, notice_counts_by_unit
from citybase.plan.supervision.periods import list_periods
from citybase.plan.supervision.reporting import UnitReporting, on_time_reporting
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings
from citybase.plan.supervision.summary import TaskStatus, light_distribution, task_statuses

ZERO = Decimal(0)
ONE = Decimal(1)
TENTH = Decimal("0.1")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _ratio(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


@dataclass(frozen=True)
class UnitScorecard:
    """One lead unit's figures in one period, its score and its rank.

    ``completion`` is the mean progress (0..1) of the unit's indicators, or of its tasks
    when ``completion_basis`` is ``"tasks"`` because its tasks carry no indicators.
    """

    unit_id: int
    unit_code: str
    unit_name: str
    tasks: int
    reports_expected: int
    reports_on_time: int
    reports_late: int
    reports_missing: int
    on_time_rate: Decimal | None
    indicators_total: int
    indicators_met: int
    completion: Decimal
    completion_basis: str
    red: int
    yellow: int
    notices_issued: int
    notices_closed: int
    notices_open: int
    notices_overdue: int
    on_time_points: Decimal
    completion_points: Decimal
    lights_points: Decimal
    notice_deduction: Decimal
    score: Decimal
    rank: int = 0
    tied: bool = False


@dataclass(frozen=True)
class PeriodAssessment:
    """The assessment of one period: every lead unit's scorecard in rank order, and plan-wide totals."""

    period: ReportingPeriod
    as_of: dt.datetime
    weights: AssessmentSettings
    scorecards: Sequence[UnitScorecard]
    statuses: Sequence[TaskStatus] = field(repr=False)
    lights: dict[str, int]
    reports_expected: int
    reports_on_time: int
    notices_issued: int
    notices_closed: int
    notices_open: int
    notices_overdue: int

    @property
    def on_time_rate(self) -> Decimal | None:
        return _ratio(self.reports_on_time, self.reports_expected)

    def scorecard_of(self, unit_id: int) -> UnitScorecard | None:
        return next((card for card in self.scorecards if card.unit_id == unit_id), None)


def assessment_time(period: ReportingPeriod, now: dt.datetime) -> dt.datetime:
    """Return when ``period`` is assessed: its report due time, or ``now`` while that is ahead."""
    return min(period.due_at, now)


def period_window(period: ReportingPeriod) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC instants at which the period's first Shanghai day begins and its last day ends."""
    return start_of_day(period.starts_on), start_of_day(period.ends_on + dt.timedelta(days=1))


def score_unit(
    weights: AssessmentSettings, *, tasks: int, on_time_rate: Decimal | None, completion: Decimal,
    red: int, yellow: int, notices_overdue: int,
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Return the on-time, completion and lights points, the notice deduction and the score (0.1 steps)."""
    on_time_points = weights.on_time_weight * (on_time_rate if on_time_rate is not None else ONE)
    completion_points = weights.completion_weight * completion
    troubled = (Decimal(red) + weights.yellow_share * Decimal(yellow)) / Decimal(tasks) if tasks else ZERO
    lights_points = weights.lights_weight * max(ONE - troubled, ZERO)
    deduction = weights.overdue_notice_penalty * notices_overdue
    score = max(on_time_points + completion_points + lights_points - deduction, ZERO)
    return _round(on_time_points), _round(completion_points), _round(lights_points), _round(deduction), _round(score)


def rank_by_score(cards: list[Ranked]) -> list[Ranked]:
    """Order by score (highest first), then unit code; equal scores share the rank of the first (1, 1, 3)."""
    ordered = sorted(cards, key=lambda card: (-card.score, card.unit_code))
    counts = Counter(card.score for card in ordered)
    ranked = []
    rank = 0
    previous: Decimal | None = None
    for position, card in enumerate(ordered, start=1):
        if card.score != previous:
            rank, previous = position, card.score
        ranked.append(replace(card, rank=rank, tied=counts[card.score] > 1))
    return ranked


def _unit_tasks(statuses: Sequence[TaskStatus]) -> dict[int, list[TaskStatus]]:
    by_unit: dict[int, list[TaskStatus]] = {}
    for status in statuses:
        if status.task.lead_unit_id is not None:
            by_unit.setdefault(status.task.lead_unit_id, []).append(status)
    return by_unit


def _completion(statuses: list[TaskStatus]) -> tuple[Decimal, str, int, int]:
    """Return (mean progress, basis, indicators met, indicators) of one unit's tasks."""
    indicators = [item for status in statuses for item in status.indicators]
    if indicators:
        fractions = [item.progress.fraction or ZERO for item in indicators]
        met = sum(1 for item in indicators if item.progress.met)
        return sum(fractions, ZERO) / len(fractions), "indicators", met, len(indicators)
    fractions = [status.light.progress.fraction or ZERO for status in statuses]
    return sum(fractions, ZERO) / len(fractions), "tasks", 0, 0


def _scorecard(
    unit: Unit, statuses: list[TaskStatus], reporting: UnitReporting | None, notices: UnitNoticeCounts | None,
    weights: AssessmentSettings,
) -> UnitScorecard:
    reporting = reporting or UnitReporting(unit.id, 0, 0, 0, 0)
    notices = notices or UnitNoticeCounts(unit.id)
    completion, basis, met, total = _completion(statuses)
    red = sum(1 for status in statuses if status.light.light == LIGHT_RED)
    yellow = sum(1 for status in statuses if status.light.light == LIGHT_YELLOW)
    points = score_unit(weights, tasks=len(statuses), on_time_rate=reporting.on_time_rate, completion=completion,
                        red=red, yellow=yellow, notices_overdue=notices.overdue)
    return UnitScorecard(
        unit_id=unit.id, unit_code=unit.code, unit_name=unit.name, tasks=len(statuses),
        reports_expected=reporting.expected, reports_on_time=reporting.on_time, reports_late=reporting.late,
        reports_missing=reporting.missing, on_time_rate=reporting.on_time_rate,
        indicators_total=total, indicators_met=met, completion=completion, completion_basis=basis,
        red=red, yellow=yellow, notices_issued=notices.issued, notices_closed=notices.closed,
        notices_open=notices.open, notices_overdue=notices.overdue,
        on_time_points=points[0], completion_points=points[1], lights_points=points[2],
        notice_deduction=points[3], score=points[4],
    )


def assess_period(
    session: Session, period: ReportingPeriod, now: dt.datetime, settings: SupervisionSettings | None = None,
    weights: AssessmentSettings | None = None,
) -> PeriodAssessment:
    """Score and rank every lead unit for ``period``, as known at ``assessment_time(period, now)``."""
    settings = settings or get_supervision_settings()
    weights = weights or get_assessment_settings()
    as_of = assessment_time(period, now)
    statuses = task_statuses(session, as_of, live=as_of >= now, settings=settings)
    reporting = on_time_reporting(session, period, as_of, settings)
    since, until = period_window(period)
    notices = notice_counts_by_unit(session, as_of, since, until)

    by_unit = _unit_tasks(statuses)
    units = {unit.id: unit for unit in session.scalars(select(Unit).where(Unit.id.in_(list(by_unit))))}
    cards = [_scorecard(units[unit_id], tasks, reporting.get(unit_id), notices.get(unit_id), weights)
             for unit_id, tasks in by_unit.items()]
    return PeriodAssessment(
        period=period, as_of=as_of, weights=weights, scorecards=rank_by_score(cards), statuses=statuses,
        lights=light_distribution(statuses),
        reports_expected=sum(row.expected for row in reporting.values()),
        reports_on_time=sum(row.on_time for row in reporting.values()),
        notices_issued=sum(row.issued for row in notices.values()),
        notices_closed=sum(row.closed for row in notices.values()),
        notices_open=sum(row.open for row in notices.values()),
        notices_overdue=sum(row.overdue for row in notices.values()),
    )


@dataclass(frozen=True)
class UnitYear:
    """One lead unit's year: the mean of its period scores, summed reporting and notice figures,
    and completion and lights as of the year's last assessed period."""

    unit_id: int
    unit_code: str
    unit_name: str
    periods: int
    mean_score: Decimal
    best_rank: int
    worst_rank: int
    reports_expected: int
    reports_on_time: int
    on_time_rate: Decimal | None
    notices_issued: int
    notices_closed: int
    completion: Decimal
    indicators_met: int
    indicators_total: int
    red: int
    yellow: int
    score: Decimal = ZERO  # the mean score, under the name rank_by_score sorts on
    rank: int = 0
    tied: bool = False


Ranked = TypeVar("Ranked", UnitScorecard, UnitYear)


@dataclass(frozen=True)
class AnnualSummary:
    """A plan year: its periods whose reports are due, and each lead unit's year in rank order of the mean score."""

    year: int
    assessments: Sequence[PeriodAssessment]
    units: Sequence[UnitYear]

    @property
    def period_keys(self) -> list[str]:
        return [assessment.period.key for assessment in self.assessments]


def year_periods(session: Session, year: int, now: dt.datetime, settings: SupervisionSettings | None = None) -> list[ReportingPeriod]:
    """Return the periods of ``year`` whose reports are due by ``now``, oldest first."""
    return [period for period in list_periods(session, settings, through=local_date(now))
            if period.starts_on.year == year and period.due_at <= now]


def annual_summary(
    session: Session, year: int, now: dt.datetime, settings: SupervisionSettings | None = None,
    weights: AssessmentSettings | None = None,
) -> AnnualSummary:
    """Assess every due period of ``year`` and rank the lead units by their mean period score."""
    assessments = [assess_period(session, period, now, settings, weights) for period in year_periods(session, year, now, settings)]
    cards: dict[int, list[UnitScorecard]] = {}
    for assessment in assessments:
        for card in assessment.scorecards:
            cards.setdefault(card.unit_id, []).append(card)

    years = []
    for unit_cards in cards.values():
        last = unit_cards[-1]
        expected = sum(card.reports_expected for card in unit_cards)
        on_time = sum(card.reports_on_time for card in unit_cards)
        mean = _round(sum((card.score for card in unit_cards), ZERO) / len(unit_cards))
        years.append(UnitYear(
            unit_id=last.unit_id, unit_code=last.unit_code, unit_name=last.unit_name, periods=len(unit_cards),
            mean_score=mean, best_rank=min(card.rank for card in unit_cards),
            worst_rank=max(card.rank for card in unit_cards), reports_expected=expected, reports_on_time=on_time,
            on_time_rate=_ratio(on_time, expected),
            notices_issued=sum(card.notices_issued for card in unit_cards),
            notices_closed=sum(card.notices_closed for card in unit_cards),
            completion=last.completion, indicators_met=last.indicators_met, indicators_total=last.indicators_total,
            red=last.red, yellow=last.yellow, score=mean,
        ))
    return AnnualSummary(year, assessments, rank_by_score(years))


@dataclass(frozen=True)
class PeriodNotices:
    """Supervision notices issued, and notices closed, within a period's days up to its assessment time."""

    issued: Sequence[SupervisionNotice]
    closed: Sequence[SupervisionNotice]


def notices_of_period(session: Session, period: ReportingPeriod, as_of: dt.datetime) -> PeriodNotices:
    """Return the notices issued and those closed within ``period``, as known at ``as_of``, in number order."""
    since, until = period_window(period)
    until = min(until, as_of + dt.timedelta(microseconds=1))
    order = (SupervisionNotice.year, SupervisionNotice.number)
    issued = session.scalars(select(SupervisionNotice).where(
        SupervisionNotice.issued_at >= since, SupervisionNotice.issued_at < until).order_by(*order))
    closed = session.scalars(select(SupervisionNotice).where(
        SupervisionNotice.closed_at >= since, SupervisionNotice.closed_at < until).order_by(*order))
    return PeriodNotices(list(issued), list(closed))


def notice_state(notice: SupervisionNotice, as_of: dt.datetime) -> str:
    """Return ``closed``, ``overdue`` or ``open``: the notice's state at ``as_of``."""
    if notice.closed_at is not None and notice.closed_at <= as_of:
        return "closed"
    replied = notice.replied_at is not None and notice.replied_at <= as_of
    return "overdue" if not replied and as_of >= notice.reply_due_at else "open"
