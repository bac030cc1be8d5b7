"""Pages of supervision notices (督办单) and extension requests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import InvalidInput
from citybase.core.units import Unit
from citybase.plan.supervision import extensions, notices
from citybase.plan.supervision.access import has_permission
from citybase.plan.supervision.models import EXTENSION_PENDING, NOTICE_STATUSES
from citybase.plan.supervision.permissions import EXTENSION_DECIDE, NOTICE_ISSUE, NOTICE_REPLY, READ
from citybase.plan.supervision.web import field_errors, now_of, page, parse_date, parse_int, task_in_field

router = APIRouter(prefix="/plan", include_in_schema=False)


def _notices_context(session: Session, principal: Principal, status: str, **extra: Any) -> dict[str, Any]:
    chosen = status if status in NOTICE_STATUSES else None
    units = session.scalars(select(Unit).where(Unit.kind != "placeholder").order_by(Unit.code)).all()
    return {
        "notices": notices.list_notices(session, principal.user, status=chosen), "status": chosen or "",
        "statuses": NOTICE_STATUSES, "units": units, "can_issue": has_permission(principal.user, NOTICE_ISSUE),
        "errors": {}, "values": {}, **extra,
    }


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request, status: str = "", task: str = "", unit: str = "",
    principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> Response:
    # ``task`` and ``unit`` fill in the issue form, e.g. from the link on a task page.
    context = _notices_context(session, principal, status, values={"task": task, "unit": unit}, now=now_of(request))
    return page(request, "plan_supervision/notices.html", context)


@router.post("/notices", response_class=HTMLResponse)
def issue_notice_action(
    request: Request, unit: str = Form(""), task: str = Form(""), title: str = Form(""), body: str = Form(""),
    reply_due_on: str = Form(""),
    principal: Principal = Depends(require_permission(NOTICE_ISSUE, write=True)), session: Session = Depends(get_session),
) -> Response:
    now = now_of(request)
    values = {"unit": unit, "task": task, "title": title, "body": body, "reply_due_on": reply_due_on}
    try:
        unit_row = session.scalar(select(Unit).where(Unit.code == unit))
        seq = parse_int("task", task)
        task_id = task_in_field(session, principal, "task", seq).id if seq is not None else None
        notice = notices.issue_notice(
            session, principal.user, unit_id=unit_row.id if unit_row else -1, task_id=task_id, title=title, body=body,
            reply_due_on=parse_date("reply_due_on", reply_due_on), now=now,
        )
    except InvalidInput as error:
        session.rollback()
        errors = {("unit" if name == "unit_id" else name): text for name, text in field_errors(error).items()}
        context = _notices_context(session, principal, "", errors=errors, values=values, now=now)
        return page(request, "plan_supervision/notices.html", context, status_code=400)
    session.commit()
    return RedirectResponse(f"/plan/notices/{notice.id}?done=issued", status_code=303)


def _notice_page(request: Request, session: Session, principal: Principal, notice_id: int, status_code: int = 200,
                 **extra: Any) -> Response:
    notice = notices.get_notice(session, principal.user, notice_id)
    user = principal.user
    context = {
        "notice": notice, "overdue": notices.is_overdue(notice, now_of(request)),
        "can_reply": has_permission(user, NOTICE_REPLY) and user.unit_id == notice.unit_id and notice.status == "open",
        "can_decide": has_permission(user, NOTICE_ISSUE) and notice.status != "closed",
        "errors": {}, "done": request.query_params.get("done"), **extra,
    }
    return page(request, "plan_supervision/notice.html", context, status_code=status_code)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    request: Request, notice_id: int, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    return _notice_page(request, session, principal, notice_id)


def _notice_failed(request: Request, session: Session, principal: Principal, notice_id: int, error: InvalidInput) -> Response:
    session.rollback()
    return _notice_page(request, session, principal, notice_id, status_code=400, errors=field_errors(error))


@router.post("/notices/{notice_id}/reply", response_class=HTMLResponse)
def reply_action(
    request: Request, notice_id: int, text: str = Form(""),
    principal: Principal = Depends(require_permission(NOTICE_REPLY, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        notices.reply_notice(session, principal.user, notice_id, text, now_of(request))
    except InvalidInput as error:
        return _notice_failed(request, session, principal, notice_id, error)
    session.commit()
    return RedirectResponse(f"/plan/notices/{notice_id}?done=replied", status_code=303)


@router.post("/notices/{notice_id}/return", response_class=HTMLResponse)
def return_reply_action(
    request: Request, notice_id: int, reason: str = Form(""), reply_due_on: str = Form(""),
    principal: Principal = Depends(require_permission(NOTICE_ISSUE, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        notices.return_notice_reply(session, principal.user, notice_id, reason, now_of(request),
                                    parse_date("reply_due_on", reply_due_on))
    except InvalidInput as error:
        return _notice_failed(request, session, principal, notice_id, error)
    session.commit()
    return RedirectResponse(f"/plan/notices/{notice_id}?done=returned", status_code=303)


@router.post("/notices/{notice_id}/close", response_class=HTMLResponse)
def close_action(
    request: Request, notice_id: int, comment: str = Form(""),
    principal: Principal = Depends(require_permission(NOTICE_ISSUE, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        notices.close_notice(session, principal.user, notice_id, comment, now_of(request))
    except InvalidInput as error:
        return _notice_failed(request, session, principal, notice_id, error)
    session.commit()
    return RedirectResponse(f"/plan/notices/{notice_id}?done=closed", status_code=303)


@router.get("/extensions", response_class=HTMLResponse)
def extensions_page(
    request: Request, status: str = "", principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    rows = extensions.list_extensions(session, principal.user, status or None)
    return page(request, "plan_supervision/extensions.html", {"requests": rows, "status": status, "pending": EXTENSION_PENDING})


def _extension_page(request: Request, session: Session, principal: Principal, request_id: int, status_code: int = 200,
                    **extra: Any) -> Response:
    row = extensions.get_extension(session, principal.user, request_id)
    context = {
        "item": row, "can_decide": has_permission(principal.user, EXTENSION_DECIDE) and row.status == EXTENSION_PENDING,
        "errors": {}, "done": request.query_params.get("done"), **extra,
    }
    return page(request, "plan_supervision/extension.html", context, status_code=status_code)


@router.get("/extensions/{request_id}", response_class=HTMLResponse)
def extension_page(
    request: Request, request_id: int, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    return _extension_page(request, session, principal, request_id)


@router.post("/extensions/{request_id}/decision", response_class=HTMLResponse)
def decide_action(
    request: Request, request_id: int, decision: str = Form(""), reason: str = Form(""),
    principal: Principal = Depends(require_permission(EXTENSION_DECIDE, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        extensions.decide_extension(session, principal.user, request_id, approve=decision == "approve", reason=reason,
                                    now=now_of(request))
    except InvalidInput as error:
        session.rollback()
        return _extension_page(request, session, principal, request_id, status_code=400, errors=field_errors(error))
    session.commit()
    return RedirectResponse(f"/plan/extensions/{request_id}?done=decided", status_code=303)
