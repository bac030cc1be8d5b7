"""JSON routes of the assessment: the ranking of a period, the annual summary, and the two exported files."""

from __future__ import annotations

import logging
from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.plan.supervision.assessment.api_models import (
    AnnualSummaryOut, PeriodRankingOut, ScorecardOut, UnitYearOut, WeightsOut,
)
from citybase.plan.supervision.assessment.bulletin import build_bulletin
from citybase.plan.supervision.assessment.downloads import DOCX_TYPE, XLSX_TYPE, bulletin_response, ledger_response
from citybase.plan.supervision.assessment.ledger import build_ledger
from citybase.plan.supervision.assessment.permissions import EXPORT, RANKING_READ
from citybase.plan.supervision.assessment.scorecard import annual_summary, assess_period
from citybase.plan.supervision.assessment.selection import parse_period, parse_year, require_due_period, started_years
from citybase.plan.supervision.assessment.settings import AssessmentSettings
from citybase.plan.supervision.web import now_of

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/plan", tags=["plan assessment"])


def weights_out(weights: AssessmentSettings) -> WeightsOut:
    return WeightsOut(**weights.model_dump(), full_marks=weights.full_marks)


@router.get("/ranking", response_model=PeriodRankingOut, summary="Unit scorecards and ranking (赛马) of a period")
def get_ranking(
    request: Request, period: str | None = None, principal: Principal = Depends(require_permission(RANKING_READ)),
    session: Session = Depends(get_session),
) -> PeriodRankingOut:
    """Score every lead unit for ``period`` (YYYY-MM; default: the latest period whose reports are due)."""
    now = now_of(request)
    chosen = parse_period(session, period, now) if period is not None else require_due_period(session, now)
    assessment = assess_period(session, chosen, now)
    return PeriodRankingOut(
        period=chosen.key, starts_on=chosen.starts_on, ends_on=chosen.ends_on, as_of=assessment.as_of,
        weights=weights_out(assessment.weights), lights=assessment.lights,
        reports_expected=assessment.reports_expected, reports_on_time=assessment.reports_on_time,
        on_time_rate=assessment.on_time_rate, notices_issued=assessment.notices_issued,
        notices_closed=assessment.notices_closed, notices_open=assessment.notices_open,
        notices_overdue=assessment.notices_overdue,
        scorecards=[ScorecardOut(**{k: v for k, v in asdict(card).items() if k != "unit_id"})
                    for card in assessment.scorecards],
    )


@router.get("/ranking/annual", response_model=AnnualSummaryOut, summary="Annual summary of the unit ranking")
def get_annual(
    request: Request, year: str | None = None, principal: Principal = Depends(require_permission(RANKING_READ)),
    session: Session = Depends(get_session),
) -> AnnualSummaryOut:
    """Rank the lead units of ``year`` (default: the latest plan year that has begun) by their mean period score."""
    now = now_of(request)
    chosen = parse_year(year, now) if year is not None else started_years(now)[-1]
    summary = annual_summary(session, chosen, now)
    weights = summary.assessments[0].weights if summary.assessments else AssessmentSettings()
    return AnnualSummaryOut(
        year=summary.year, periods=summary.period_keys, weights=weights_out(weights),
        units=[UnitYearOut(**{k: v for k, v in asdict(unit).items() if k not in ("unit_id", "score")})
               for unit in summary.units],
    )


@router.get("/exports/ledger", summary="The work ledger (工作台账) as an Excel file",
            response_class=Response, responses={200: {"content": {XLSX_TYPE: {}}, "description": "The .xlsx file"}})
def get_ledger(
    request: Request, principal: Principal = Depends(require_permission(EXPORT)), session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    data = build_ledger(session, now)
    logger.info("work ledger exported by %s", principal.user.username)
    return ledger_response(data, now)


@router.get("/exports/bulletin", summary="The supervision bulletin (督办通报) of a period as a Word file",
            response_class=Response, responses={200: {"content": {DOCX_TYPE: {}}, "description": "The .docx file"}})
def get_bulletin(
    request: Request, period: str | None = None, principal: Principal = Depends(require_permission(EXPORT)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    chosen = parse_period(session, period, now) if period is not None else require_due_period(session, now)
    data = build_bulletin(session, chosen, now)
    logger.info("supervision bulletin %s exported by %s", chosen.key, principal.user.username)
    return bulletin_response(data, chosen.key)
