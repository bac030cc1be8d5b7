"""Pages of task supervision: the overview of lights, a task's supervision page and its office forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import FieldError, InvalidInput
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.core.units import Unit
from citybase.plan.supervision import deadlines, extensions, values
from citybase.plan.supervision.access import visible_task_ids
from citybase.plan.supervision.errors import invalid
from citybase.plan.supervision.lights import light_rules
from citybase.plan.supervision.models import LIGHTS
from citybase.plan.supervision.panel import task_panel
from citybase.plan.supervision.permissions import BINDING_MANAGE, EXTENSION_REQUEST, READ, SCHEDULE_MANAGE
from citybase.plan.supervision.summary import light_distribution, task_statuses
from citybase.plan.supervision.web import error_summary, field_errors, now_of, page, parse_date, parse_int, task_by_seq

router = APIRouter(prefix="/plan/supervision", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def overview_page(
    request: Request, light: str = "", unit: str = "", principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    statuses = task_statuses(session, now_of(request), visible_task_ids(session, principal.user))
    distribution = light_distribution(statuses)
    if light in LIGHTS:
        statuses = [s for s in statuses if s.light.light == light]
    if unit:
        statuses = [s for s in statuses if s.task.lead_unit and s.task.lead_unit.code == unit]
    units = session.scalars(select(Unit).where(Unit.kind != "placeholder").order_by(Unit.code)).all()
    context = {"statuses": statuses, "distribution": distribution, "light": light, "unit": unit, "units": units,
               "rules": light_rules()}
    return page(request, "plan_supervision/overview.html", context)


def _task_page(request: Request, session: Session, principal: Principal, seq: int, status_code: int = 200,
               **extra: Any) -> Response:
    task = task_by_seq(session, principal, seq)
    context = task_panel(session, principal.user, task.id, now_of(request))
    context.update({"errors": {}, "done": request.query_params.get("done"), **extra})
    return page(request, "plan_supervision/task.html", context, status_code=status_code)


@router.get("/tasks/{seq}", response_class=HTMLResponse)
def task_page(
    request: Request, seq: int, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    return _task_page(request, session, principal, seq)


def _after(seq: int, done: str) -> Response:
    return RedirectResponse(f"/plan/supervision/tasks/{seq}?done={done}", status_code=303)


# Labels of the task page's form fields, by form prefix, for the error summary.
TASK_FORM_LABELS: dict[str, dict[str, str]] = {
    "": {"due_on": N_("Deadline"), "requested_due_on": N_("New deadline"), "reason": N_("Reason"),
         "indicator_id": N_("Applies to"), "task_id": N_("Task"), "metric_key": N_("Live platform metric"),
         "value": N_("Value obtained by the office"), "as_of": N_("Measured on"), "done_on": N_("Date")},
    "milestone_": {"title": N_("Milestone"), "due_on": N_("Date"), "expected_percent": N_("Expected progress by then (%)"),
                   "indicator_id": N_("Applies to")},
}


def _form_failed(request: Request, session: Session, principal: Principal, seq: int, error: InvalidInput,
                 prefix: str = "") -> Response:
    """Show the task page again with the errors beside the fields. ``prefix`` distinguishes the forms of one page."""
    session.rollback()
    errors = {prefix + name: text for name, text in field_errors(error).items()}
    labels = {name: gettext_(label) for name, label in TASK_FORM_LABELS.get(prefix, {}).items()}
    return _task_page(request, session, principal, seq, status_code=400, errors=errors,
                      error_summary=error_summary(error, labels, prefix))


@router.post("/tasks/{seq}/deadline", response_class=HTMLResponse)
def set_deadline_action(
    request: Request, seq: int, due_on: str = Form(""), indicator_id: str = Form(""),
    principal: Principal = Depends(require_permission(SCHEDULE_MANAGE, write=True)), session: Session = Depends(get_session),
) -> Response:
    task = task_by_seq(session, principal, seq)
    try:
        due = parse_date("due_on", due_on, required=True)
        deadlines.set_final_deadline(session, principal.user, task.id, due, parse_int("indicator_id", indicator_id))
    except InvalidInput as error:
        return _form_failed(request, session, principal, seq, error)
    session.commit()
    return _after(seq, "deadline")


@router.post("/tasks/{seq}/milestones", response_class=HTMLResponse)
def add_milestone_action(
    request: Request, seq: int, milestone_title: str = Form(""), milestone_due_on: str = Form(""),
    milestone_expected_percent: str = Form(""), indicator_id: str = Form(""),
    principal: Principal = Depends(require_permission(SCHEDULE_MANAGE, write=True)), session: Session = Depends(get_session),
) -> Response:
    task = task_by_seq(session, principal, seq)
    try:
        due = parse_date("due_on", milestone_due_on, required=True)
        percent = parse_int("expected_percent", milestone_expected_percent)
        if percent is None:
            raise invalid(FieldError("expected_percent", N_("Enter a whole number."), milestone_expected_percent))
        deadlines.add_milestone(session, principal.user, task.id, title=milestone_title, due_on=due,
                                expected_percent=percent, indicator_id=parse_int("indicator_id", indicator_id))
    except InvalidInput as error:
        return _form_failed(request, session, principal, seq, error, prefix="milestone_")
    session.commit()
    return _after(seq, "milestone")


@router.post("/tasks/{seq}/milestones/{milestone_id}/remove")
def remove_milestone_action(
    request: Request, seq: int, milestone_id: int,
    principal: Principal = Depends(require_permission(SCHEDULE_MANAGE, write=True)), session: Session = Depends(get_session),
) -> Response:
    task_by_seq(session, principal, seq)
    deadlines.remove_milestone(session, principal.user, milestone_id)
    session.commit()
    return _after(seq, "milestone_removed")


@router.post("/tasks/{seq}/milestones/{milestone_id}/done", response_class=HTMLResponse)
def milestone_done_action(
    request: Request, seq: int, milestone_id: int, done_on: str = Form(""),
    principal: Principal = Depends(require_permission(SCHEDULE_MANAGE, write=True)), session: Session = Depends(get_session),
) -> Response:
    task_by_seq(session, principal, seq)
    try:
        day = parse_date("done_on", done_on, required=True)
        deadlines.mark_milestone_done(session, principal.user, milestone_id, day)
    except InvalidInput as error:
        return _form_failed(request, session, principal, seq, error)
    session.commit()
    return _after(seq, "milestone_done")


@router.post("/tasks/{seq}/extension", response_class=HTMLResponse)
def request_extension_action(
    request: Request, seq: int, requested_due_on: str = Form(""), reason: str = Form(""), indicator_id: str = Form(""),
    principal: Principal = Depends(require_permission(EXTENSION_REQUEST, write=True)), session: Session = Depends(get_session),
) -> Response:
    task = task_by_seq(session, principal, seq)
    try:
        extensions.request_extension(session, principal.user, task.id, requested_due_on=requested_due_on, reason=reason,
                                     now=now_of(request), indicator_id=parse_int("indicator_id", indicator_id))
    except InvalidInput as error:
        return _form_failed(request, session, principal, seq, error)
    session.commit()
    return _after(seq, "extension")


def _indicator_seq(session: Session, principal: Principal, indicator_id: int) -> int:
    return values.get_indicator(session, principal.user, indicator_id).task.seq


@router.post("/indicators/{indicator_id}/binding", response_class=HTMLResponse)
def bind_action(
    request: Request, indicator_id: int, metric_key: str = Form(""),
    principal: Principal = Depends(require_permission(BINDING_MANAGE, write=True)), session: Session = Depends(get_session),
) -> Response:
    seq = _indicator_seq(session, principal, indicator_id)
    try:
        if metric_key:
            values.bind_indicator(session, principal.user, indicator_id, metric_key, now_of(request))
        else:
            values.unbind_indicator(session, principal.user, indicator_id)
    except InvalidInput as error:
        return _form_failed(request, session, principal, seq, error)
    session.commit()
    return _after(seq, "binding")


@router.post("/indicators/{indicator_id}/values", response_class=HTMLResponse)
def manual_value_action(
    request: Request, indicator_id: int, value: str = Form(""), as_of: str = Form(""),
    principal: Principal = Depends(require_permission(SCHEDULE_MANAGE, write=True)), session: Session = Depends(get_session),
) -> Response:
    seq = _indicator_seq(session, principal, indicator_id)
    try:
        number = values.parse_decimal("value", value)
        day = parse_date("as_of", as_of, required=True)
        values.record_manual_value(session, principal.user, indicator_id, number, day, now_of(request))
    except InvalidInput as error:
        return _form_failed(request, session, principal, seq, error)
    session.commit()
    return _after(seq, "value")
