"""Pages of the assessment: the unit ranking (赛马) per period, the annual summary and the exports page."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import InvalidInput
from citybase.plan.supervision.assessment.bulletin import build_bulletin
from citybase.plan.supervision.assessment.downloads import bulletin_response, ledger_response
from citybase.plan.supervision.assessment.ledger import build_ledger
from citybase.plan.supervision.assessment.permissions import EXPORT, RANKING_READ
from citybase.plan.supervision.assessment.scorecard import annual_summary, assess_period
from citybase.plan.supervision.assessment.selection import (
    assessable_periods, default_period, parse_period, parse_year, require_due_period, started_years,
)
from citybase.plan.supervision.assessment.settings import get_assessment_settings
from citybase.plan.supervision.assessment.timefmt import figures_time
from citybase.plan.supervision.web import field_errors, now_of, page

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/plan/supervision", include_in_schema=False)


@router.get("/ranking", response_class=HTMLResponse)
def ranking_page(
    request: Request, period: str = "", principal: Principal = Depends(require_permission(RANKING_READ)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    context: dict[str, Any] = {"periods": assessable_periods(session, now), "weights": get_assessment_settings(),
                               "figures_time": figures_time,
                               "errors": {}, "chosen": period, "can_export": principal.has(EXPORT), "assessment": None}
    try:
        chosen = parse_period(session, period, now) if period else default_period(session, now)
    except InvalidInput as error:
        context.update(errors=field_errors(error))
        return page(request, "plan_assessment/ranking.html", context, status_code=400)
    if chosen is not None:
        context.update(assessment=assess_period(session, chosen, now), chosen=chosen.key)
    return page(request, "plan_assessment/ranking.html", context)


@router.get("/ranking/annual", response_class=HTMLResponse)
def annual_page(
    request: Request, year: str = "", principal: Principal = Depends(require_permission(RANKING_READ)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    years = started_years(now)
    context: dict[str, Any] = {"years": years, "weights": get_assessment_settings(), "errors": {}, "chosen": year}
    try:
        chosen = parse_year(year, now) if year else years[-1]
    except InvalidInput as error:
        context.update(errors=field_errors(error), summary=None)
        return page(request, "plan_assessment/annual.html", context, status_code=400)
    context.update(summary=annual_summary(session, chosen, now), chosen=str(chosen))
    return page(request, "plan_assessment/annual.html", context)


@router.get("/exports", response_class=HTMLResponse)
def exports_page(
    request: Request, principal: Principal = Depends(require_permission(EXPORT)), session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    latest = default_period(session, now)
    context = {"periods": assessable_periods(session, now), "default_period": latest.key if latest else ""}
    return page(request, "plan_assessment/exports.html", context)


@router.get("/exports/ledger.xlsx")
def ledger_download(
    request: Request, principal: Principal = Depends(require_permission(EXPORT)), session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    data = build_ledger(session, now)
    logger.info("work ledger exported by %s", principal.user.username)
    return ledger_response(data, now)


@router.get("/exports/bulletin.docx")
def bulletin_download(
    request: Request, period: str = "", principal: Principal = Depends(require_permission(EXPORT)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    chosen = parse_period(session, period, now) if period else require_due_period(session, now)
    data = build_bulletin(session, chosen, now)
    logger.info("supervision bulletin %s exported by %s", chosen.key, principal.user.username)
    return bulletin_response(data, chosen.key)
