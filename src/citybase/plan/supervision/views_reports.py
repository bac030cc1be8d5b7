"""Pages of reporting: the reporter's work list, the report page, the office's review queue, evidence."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import InvalidInput
from citybase.plan.supervision import evidence, reports
from citybase.plan.supervision.access import has_permission, unit_role_in_task
from citybase.plan.supervision.models import ProgressReport
from citybase.plan.supervision.permissions import READ, REPORT, REVIEW
from citybase.plan.supervision.periods import list_periods
from citybase.plan.supervision.progress import format_number
from citybase.plan.supervision.reports import ReportDraft, TargetInput, ValueInput
from citybase.plan.supervision.clock import local_date
from citybase.plan.supervision.values import binding_of
from citybase.core.i18n import gettext_
from citybase.plan.supervision.web import (
    data_dir_of, error_summary, field_errors, now_of, page, parse_date, reporting_period, task_by_seq,
)
from citybase.plan.supervision.worklist import work_list

router = APIRouter(prefix="/plan", include_in_schema=False)


@router.get("/my/tasks", response_class=HTMLResponse)
def my_tasks_page(
    request: Request, period: str | None = None, principal: Principal = Depends(require_permission(REPORT)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    chosen = reporting_period(session, period, now)
    items = work_list(session, principal.user, chosen, now)
    periods = [p for p in list_periods(session, through=local_date(now))][::-1]
    return page(request, "plan_supervision/my_tasks.html", {"items": items, "period": chosen, "periods": periods})


@router.get("/my/report", response_class=HTMLResponse)
def start_report_page(
    request: Request, task: int, period: str | None = None, principal: Principal = Depends(require_permission(REPORT)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    task_row = task_by_seq(session, principal, task)
    chosen = reporting_period(session, period, now)
    existing = reports.find_report(session, task_row.id, chosen.id)
    if existing is not None:
        return RedirectResponse(f"/plan/reports/{existing.id}", status_code=303)
    return page(request, "plan_supervision/start_report.html", {"task": task_row, "period": chosen})


@router.post("/my/report")
def open_report_action(
    request: Request, task: int = Form(...), period: str = Form(...),
    principal: Principal = Depends(require_permission(REPORT, write=True)), session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    task_row = task_by_seq(session, principal, task)
    chosen = reporting_period(session, period, now)
    report = reports.open_report(session, principal.user, task_row.id, chosen, now)
    session.commit()
    return RedirectResponse(f"/plan/reports/{report.id}", status_code=303)


def _initial_form(report: ProgressReport) -> dict[str, str]:
    """Return the stored report as form field values, named as the service names its fields."""
    initial = {"narrative": report.narrative, "percent": "" if report.percent is None else str(report.percent)}
    for item in report.values:
        prefix = f"values[{item.indicator_id}]"
        initial[prefix + ".value"] = format_number(item.value)
        initial[prefix + ".as_of"] = item.as_of.isoformat() if item.as_of else ""
        initial[prefix + ".note"] = item.note
    for item in report.target_progress:
        initial[f"targets[{item.target_id}].percent"] = str(item.percent)
        initial[f"targets[{item.target_id}].note"] = item.note
    return initial


def report_labels(report: ProgressReport) -> dict[str, str]:
    """Return the label of each report form field, as the page shows it, for the error summary."""
    labels = {
        "narrative": gettext_("Narrative"), "percent": gettext_("Overall progress (%)"),
        "reason": gettext_("Reason for returning"), "text": gettext_("Your unit's contribution"), "file": gettext_("File"),
    }
    for indicator in report.task.indicators:
        prefix = f"values[{indicator.id}]"
        for suffix, label in ((".value", "Current value"), (".as_of", "Measured on"), (".note", "Note")):
            labels[prefix + suffix] = gettext_("{item} — {field}", item=indicator.text, field=gettext_(label))
    for target in report.task.qualitative_targets:
        prefix = f"targets[{target.id}]"
        for suffix, label in ((".percent", "Progress (%)"), (".note", "Note")):
            labels[prefix + suffix] = gettext_("{item} — {field}", item=target.text, field=gettext_(label))
    return labels


def _failed_context(session: Session, principal: Principal, report: ProgressReport, error: InvalidInput,
                    **extra: Any) -> dict[str, Any]:
    return _report_context(session, principal, report, errors=field_errors(error),
                           error_summary=error_summary(error, report_labels(report)), **extra)


def _report_context(session: Session, principal: Principal, report: ProgressReport, **extra: Any) -> dict[str, Any]:
    user = principal.user
    role = unit_role_in_task(session, user.unit_id, report.task) if has_permission(user, REPORT) else None
    editable = report.status in reports.EDITABLE
    values = {item.indicator_id: item for item in report.values}
    targets = {item.target_id: item for item in report.target_progress}
    bound = {indicator.id for indicator in report.task.indicators if binding_of(session, indicator.id) is not None}
    return {
        "report": report, "task": report.task, "role": role,
        "can_edit": role == "lead" and editable,
        "can_contribute": role == "cooperator" and editable,
        "can_attach": role is not None and editable,
        "can_review": has_permission(user, REVIEW) and report.status == "submitted",
        "values": values, "targets": targets, "bound": bound, "initial": _initial_form(report),
        "errors": {}, "form": None, "done": None, **extra,
    }


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, report_id: int, done: str | None = None,
    principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> Response:
    report = reports.get_report(session, principal.user, report_id)
    return page(request, "plan_supervision/report.html", _report_context(session, principal, report, done=done))


def _draft_from_form(report: ProgressReport, form: Any) -> ReportDraft:
    values = {}
    input_errors = []
    for indicator in report.task.indicators:
        prefix = f"values[{indicator.id}]"
        try:
            as_of = parse_date(f"{prefix}.as_of", form.get(f"{prefix}.as_of"))
        except InvalidInput as error:
            input_errors.extend(error.errors)
            as_of = None
        values[indicator.id] = ValueInput(form.get(f"{prefix}.value", ""), as_of, form.get(f"{prefix}.note", "") or "")
    targets = {
        target.id: TargetInput(form.get(f"targets[{target.id}].percent", ""), form.get(f"targets[{target.id}].note", "") or "")
        for target in report.task.qualitative_targets
    }
    return ReportDraft(form.get("narrative", "") or "", form.get("percent", ""), values, targets, input_errors)


@router.post("/reports/{report_id}", response_class=HTMLResponse)
async def save_report_action(
    request: Request, report_id: int, principal: Principal = Depends(require_permission(REPORT, write=True)),
    session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    form = await request.form()
    report = reports.get_report(session, principal.user, report_id)
    submit = form.get("action") == "submit"
    try:
        reports.save_report(session, principal.user, report.id, _draft_from_form(report, form), now, for_submit=submit)
        if submit:
            reports.submit_report(session, principal.user, report.id, now)
    except InvalidInput as error:
        session.rollback()
        report = reports.get_report(session, principal.user, report_id)
        context = _failed_context(session, principal, report, error, form=form, failure=error)
        return page(request, "plan_supervision/report.html", context, status_code=400)
    session.commit()
    return RedirectResponse(f"/plan/reports/{report_id}?done={'submitted' if submit else 'saved'}", status_code=303)


@router.post("/reports/{report_id}/return", response_class=HTMLResponse)
def return_report_action(
    request: Request, report_id: int, reason: str = Form(""),
    principal: Principal = Depends(require_permission(REVIEW, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        reports.return_report(session, principal.user, report_id, reason, now_of(request))
    except InvalidInput as error:
        session.rollback()
        report = reports.get_report(session, principal.user, report_id)
        context = _failed_context(session, principal, report, error)
        return page(request, "plan_supervision/report.html", context, status_code=400)
    session.commit()
    return RedirectResponse(f"/plan/reports/{report_id}?done=returned", status_code=303)


@router.post("/reports/{report_id}/accept")
def accept_report_action(
    request: Request, report_id: int, principal: Principal = Depends(require_permission(REVIEW, write=True)),
    session: Session = Depends(get_session),
) -> Response:
    reports.accept_report(session, principal.user, report_id, now_of(request))
    session.commit()
    return RedirectResponse(f"/plan/reports/{report_id}?done=accepted", status_code=303)


@router.post("/reports/{report_id}/contribution", response_class=HTMLResponse)
def contribute_action(
    request: Request, report_id: int, text: str = Form(""),
    principal: Principal = Depends(require_permission(REPORT, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        reports.contribute(session, principal.user, report_id, text, now_of(request))
    except InvalidInput as error:
        session.rollback()
        report = reports.get_report(session, principal.user, report_id)
        context = _failed_context(session, principal, report, error)
        return page(request, "plan_supervision/report.html", context, status_code=400)
    session.commit()
    return RedirectResponse(f"/plan/reports/{report_id}?done=contributed", status_code=303)


@router.post("/reports/{report_id}/evidence", response_class=HTMLResponse)
def upload_evidence_action(
    request: Request, report_id: int, file: UploadFile | None = File(None),
    principal: Principal = Depends(require_permission(REPORT, write=True)), session: Session = Depends(get_session),
) -> Response:
    # An empty file field arrives as no file; the service then reports the missing file by name.
    name, stream, content_type = (file.filename or "", file.file, file.content_type or "") if file else ("", io.BytesIO(), "")
    try:
        evidence.add_evidence(session, principal.user, report_id, name, stream, content_type,
                              now_of(request), data_dir_of(request))
    except InvalidInput as error:
        session.rollback()
        report = reports.get_report(session, principal.user, report_id)
        context = _failed_context(session, principal, report, error)
        return page(request, "plan_supervision/report.html", context, status_code=400)
    session.commit()
    return RedirectResponse(f"/plan/reports/{report_id}?done=uploaded#evidence", status_code=303)


@router.post("/evidence/{evidence_id}/remove")
def remove_evidence_action(
    request: Request, evidence_id: int, principal: Principal = Depends(require_permission(REPORT, write=True)),
    session: Session = Depends(get_session),
) -> Response:
    row = evidence.remove_evidence(session, principal.user, evidence_id, now_of(request))
    session.commit()
    return RedirectResponse(f"/plan/reports/{row.report_id}#evidence", status_code=303)


@router.get("/evidence/{evidence_id}")
def download_evidence(
    request: Request, evidence_id: int, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    row, path = evidence.open_evidence(session, principal.user, evidence_id, data_dir_of(request))
    return FileResponse(path, media_type=row.content_type, filename=row.file_name)


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request, principal: Principal = Depends(require_permission(REVIEW)), session: Session = Depends(get_session),
) -> Response:
    return page(request, "plan_supervision/review.html", {"queue": reports.review_queue(session, principal.user)})
