"""The supervision dashboard (看板): its page at /plan/dashboard and its figures at /api/plan/dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.plan.supervision.clock import local_date
from citybase.plan.supervision.dashboard import BANDS, Dashboard, GroupFigures, build_dashboard
from citybase.plan.supervision.assessment.scorecard import PeriodAssessment, assess_period
from citybase.plan.supervision.assessment.selection import default_period
from citybase.plan.supervision.dashboard_charts import (
    BAND_NAMES, LIGHT_NAMES, dashboard_figures, ranking_figure, section_short_name,
)
from citybase.plan.supervision.lights import light_rules
from citybase.plan.supervision.models import LIGHTS
from citybase.plan.supervision.permissions import DASHBOARD
from citybase.plan.supervision.values import SOURCE_LABELS
from citybase.plan.supervision.web import now_of, page

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/plan", tags=["plan supervision"])

NO_LEAD_UNIT_NAME = N_("No lead unit named")


def latest_assessment(session: Session, now: dt.datetime) -> PeriodAssessment | None:
    """Return the unit ranking (赛马) of the latest period whose reports are due, or None before the first."""
    period = default_period(session, now)
    return assess_period(session, period, now) if period is not None else None


@router.get("/plan/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, principal: Principal = Depends(require_permission(DASHBOARD)), session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    dashboard = build_dashboard(session, now, gettext_(NO_LEAD_UNIT_NAME))
    assessment = latest_assessment(session, now)
    figures = dashboard_figures(dashboard)
    if assessment is not None and assessment.scorecards:
        figures["ranking"] = ranking_figure(assessment.scorecards, assessment.weights.full_marks)
    context = {
        "dashboard": dashboard,
        "assessment": assessment,
        "figures": figures,
        "lights": LIGHTS,
        "light_names": LIGHT_NAMES,
        "bands": BANDS,
        "band_names": BAND_NAMES,
        "source_labels": SOURCE_LABELS,
        "short_name": section_short_name,
        "rules": light_rules(),
        "local_date": local_date,
        "shares": {light: Decimal(count) / dashboard.tasks if dashboard.tasks else None
                   for light, count in dashboard.lights.items()},
    }
    return page(request, "plan_supervision/dashboard.html", context)


class GroupOut(BaseModel):
    key: str = Field(description="Section number, or the lead unit's code (empty for tasks without a lead unit)")
    name: str
    tasks: int
    complete: int = Field(description="Tasks whose every target is met")
    progress: Decimal = Field(description="Mean task progress, fraction 0..1; a task without progress counts as 0")
    expected: Decimal = Field(description="Mean 序时进度, fraction 0..1")
    lights: dict[str, int] = Field(description="Tasks per light: green, blue, yellow, red")


class DashboardIndicatorOut(BaseModel):
    id: int
    urn: str
    task: int = Field(description="Sequence number of the indicator's task")
    text: str
    unit: str
    target: Decimal
    target_max: Decimal | None
    current: Decimal | None
    as_of: dt.datetime | None
    source: str | None = Field(description="report, live or manual; null without a value")
    progress: Decimal | None = Field(description="Fraction 0..1; null without a value")
    met: bool
    band: str = Field(description="none, 0-25, 25-50, 50-75, 75-100 (not yet met) or met")


class PeriodLightsOut(BaseModel):
    period: str
    lights: dict[str, int]


class RankedUnitOut(BaseModel):
    rank: int
    tied: bool
    unit_code: str
    unit_name: str
    score: Decimal
    on_time_rate: Decimal | None = Field(description="Fraction 0..1 of the unit's reports submitted on time")
    completion: Decimal = Field(description="Fraction 0..1")


class RankingOut(BaseModel):
    period: str
    as_of: dt.datetime
    full_marks: Decimal
    units: list[RankedUnitOut] = Field(description="Rank order; /api/plan/ranking has every scorecard field")


class DashboardOut(BaseModel):
    at: dt.datetime = Field(description="When the figures were computed")
    tasks: int
    complete: int
    progress: Decimal = Field(description="Mean task progress, fraction 0..1")
    expected: Decimal = Field(description="Mean 序时进度, fraction 0..1")
    lights: dict[str, int]
    sections: list[GroupOut]
    units: list[GroupOut] = Field(description="By lead unit, most tasks first")
    indicator_bands: dict[str, int]
    indicators: list[DashboardIndicatorOut]
    trend: list[PeriodLightsOut] = Field(description="Stored lights per reporting period, oldest first")
    reports_to_review: int
    open_notices: int = Field(description="Notices not yet closed")
    overdue_notices: int = Field(description="Open notices whose reply is overdue")
    ranking: RankingOut | None = Field(description="Unit ranking of the latest period whose reports are due; null before the first")


def _group_out(group: GroupFigures) -> GroupOut:
    return GroupOut(key=group.key, name=group.name, tasks=group.tasks, complete=group.complete,
                    progress=round(group.progress, 4), expected=round(group.expected, 4), lights=group.lights)


def ranking_out(assessment: PeriodAssessment | None) -> RankingOut | None:
    if assessment is None:
        return None
    units = [
        RankedUnitOut(rank=card.rank, tied=card.tied, unit_code=card.unit_code, unit_name=card.unit_name, score=card.score,
                      on_time_rate=card.on_time_rate, completion=round(card.completion, 4))
        for card in assessment.scorecards
    ]
    return RankingOut(period=assessment.period.key, as_of=assessment.as_of, full_marks=assessment.weights.full_marks,
                      units=units)


def dashboard_out(dashboard: Dashboard, assessment: PeriodAssessment | None) -> DashboardOut:
    indicators = [
        DashboardIndicatorOut(
            id=row.indicator.id, urn=row.indicator.urn, task=row.task_seq, text=row.indicator.text, unit=row.indicator.unit,
            target=row.indicator.value, target_max=row.indicator.value_max, current=row.value, as_of=row.at,
            source=row.source, progress=row.progress, met=row.met, band=row.band,
        )
        for row in dashboard.indicators
    ]
    return DashboardOut(
        at=dashboard.at, tasks=dashboard.tasks, complete=dashboard.complete,
        progress=round(dashboard.progress, 4), expected=round(dashboard.expected, 4), lights=dashboard.lights,
        sections=[_group_out(group) for group in dashboard.sections],
        units=[_group_out(group) for group in dashboard.units],
        indicator_bands=dashboard.bands, indicators=indicators,
        trend=[PeriodLightsOut(period=key, lights=counts) for key, counts in dashboard.trend],
        reports_to_review=dashboard.reports_to_review, open_notices=dashboard.open_notices,
        overdue_notices=dashboard.overdue_notices, ranking=ranking_out(assessment),
    )


@api_router.get("/dashboard", response_model=DashboardOut, summary="The dashboard's figures: completion, lights, indicators, trend")
def get_dashboard(
    request: Request, principal: Principal = Depends(require_permission(DASHBOARD)), session: Session = Depends(get_session),
) -> DashboardOut:
    now = now_of(request)
    return dashboard_out(build_dashboard(session, now, gettext_(NO_LEAD_UNIT_NAME)), latest_assessment(session, now))
