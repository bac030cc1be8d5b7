"""Core pages: home, login, first-admin set-up, language and text size, tokens,
users, notifications, units and the audit log."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybase.core import i18n, notifications, registry
from citybase.core.audit import Actor, AuditEntry
from citybase.core.auth import service
from citybase.core.auth.deps import (
    PRESESSION_CSRF_COOKIE, SESSION_COOKIE, Principal, check_presession_csrf, client_ip,
    CHANGE_PASSWORD_PATH, get_session, optional_principal, require_login, require_permission, set_session_cookie,
)
from citybase.core.auth.models import ApiToken, User
from citybase.core.auth.roles import ADMIN, ROLES, VIEWER
from citybase.core.errors import InvalidInput, NotFound, PermissionDenied
from citybase.core.units import Unit
from citybase.web.templating import render, render_panels

router = APIRouter(include_in_schema=False)

AUDIT_PAGE_SIZE = 50


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a local path, else ``/`` (no open redirects)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def is_local(request: Request) -> bool:
    host = client_ip(request)
    if host in ("testclient", "localhost"):
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/healthz")
def healthz(session: Session = Depends(get_session)) -> dict[str, str]:
    session.execute(select(1))
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, principal: Principal | None = Depends(optional_principal),
    session: Session = Depends(get_session),
) -> Response:
    if principal is None:
        if service.count_users(session) == 0 and is_local(request):
            return RedirectResponse("/setup", status_code=303)
        return RedirectResponse("/login", status_code=303)
    if principal.via == "session" and principal.user.must_change_password:
        return RedirectResponse(CHANGE_PASSWORD_PATH, status_code=303)
    unread = notifications.unread_count(session, principal.user.id, principal.user.unit_id)
    # Modules add their to-do panels through the registry; core imports none of them.
    panels = render_panels(request, session, principal, registry.HOME_SLOT, None)
    return render(request, "home.html", {"unread": unread, "panels": panels})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", session: Session = Depends(get_session)) -> Response:
    if service.count_users(session) == 0 and is_local(request):
        return RedirectResponse("/setup", status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
    session: Session = Depends(get_session),
) -> Response:
    await check_presession_csrf(request)
    session.info["actor"] = Actor("anonymous", username or "anonymous", None, client_ip(request))
    try:
        user = service.authenticate(session, username.strip(), password)
    except service.AccountLocked as exc:
        until = i18n.format_datetime(exc.params["until"])
        context = {"next": safe_next(next), "error": i18n.gettext_(exc.detail, until=until), "username": username}
        return render(request, "login.html", context, status_code=403)
    except service.AccountDeactivated as exc:
        context = {"next": safe_next(next), "error": i18n.gettext_(exc.detail), "username": username}
        return render(request, "login.html", context, status_code=403)
    if user is None:
        session.commit()  # keeps the count of wrong passwords
        context = {"next": safe_next(next), "error": i18n.gettext_("Wrong username or password."), "username": username}
        return render(request, "login.html", context, status_code=400)
    # The login itself (last_login_at) is recorded as the user's own write.
    session.info["actor"] = Actor("user", user.username, user.id, client_ip(request))
    target = CHANGE_PASSWORD_PATH if user.must_change_password else safe_next(next)
    return _log_in(request, session, user, target)


def _log_in(request: Request, session: Session, user: User, target: str) -> Response:
    settings = request.app.state.settings
    token, _login = service.start_login_session(session, user, settings.session_hours, client_ip(request))
    session.commit()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, token, settings)
    response.delete_cookie(PRESESSION_CSRF_COOKIE, httponly=True, samesite="strict", secure=settings.cookie_secure)
    return response


@router.post("/logout")
def logout(
    request: Request, principal: Principal = Depends(require_login(allow_password_change=True)),
    session: Session = Depends(get_session),
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_login_session(session, token)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=request.app.state.settings.cookie_secure)
    return response


def _setup_allowed(request: Request, session: Session) -> None:
    if service.count_users(session) > 0:
        raise NotFound("Set-up is finished: an administrator exists. Log in instead.")
    if not is_local(request):
        raise PermissionDenied("The first administrator can only be created from the server itself (127.0.0.1), or with `citybase users add`.")


@router.get("/setup", response_class=HTMLResponse)
def setup_form(request: Request, session: Session = Depends(get_session)) -> Response:
    _setup_allowed(request, session)
    return render(request, "setup.html", {"errors": {}, "values": {}})


@router.post("/setup", response_class=HTMLResponse)
async def setup(
    request: Request, username: str = Form(""), display_name: str = Form(""), password: str = Form(""),
    password_again: str = Form(""), session: Session = Depends(get_session),
) -> Response:
    await check_presession_csrf(request)
    _setup_allowed(request, session)
    session.info["actor"] = Actor("anonymous", "setup", None, client_ip(request))
    values = {"username": username, "display_name": display_name}
    # Every invalid field is reported at once: the account fields and the repeated password.
    found, _unit = service.validate_new_user(session, username.strip(), display_name, password, ADMIN, None)
    if password != password_again:
        found.append(service.FieldError("password_again", "The two passwords differ; type the same password twice."))
    if found:
        session.rollback()
        errors = {e.field: i18n.gettext_(e.message, **e.params) for e in found}
        labels = {"username": i18n.gettext_("Username"), "display_name": i18n.gettext_("Name shown on pages"),
                  "password": i18n.gettext_("Password"), "password_again": i18n.gettext_("Password again")}
        summary = [{"field": e.field, "label": labels.get(e.field, e.field), "message": errors[e.field],
                    "value": e.value if e.field in ("username", "display_name") and isinstance(e.value, str) and e.value.strip() else None}
                   for e in found]
        return render(request, "setup.html", {"errors": errors, "values": values, "summary": summary}, status_code=400)
    user = service.create_user(session, username=username.strip(), display_name=display_name, password=password, role=ADMIN)
    return _log_in(request, session, user, "/")


@router.get("/set-locale")
def set_locale(lang: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in i18n.LOCALES:
        response.set_cookie("citybase_locale", lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/text-size")
def text_size(size: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie("citybase_text", "large" if size == "large" else "normal", max_age=365 * 86400, samesite="lax")
    return response


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, principal: Principal = Depends(require_permission("tokens.manage_own")),
    session: Session = Depends(get_session),
) -> Response:
    return render(request, "tokens.html", _tokens_context(session, principal))


def _tokens_context(session: Session, principal: Principal, **extra: Any) -> dict[str, Any]:
    query = select(ApiToken).order_by(ApiToken.created_at.desc())
    if not principal.has("tokens.manage_all"):
        query = query.where(ApiToken.user_id == principal.user.id)
    return {"tokens": session.scalars(query).all(), "new_token": None, "errors": {}, **extra}


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token_page(
    request: Request, name: str = Form(""), can_write: str | None = Form(None), days: str = Form(""),
    principal: Principal = Depends(require_permission("tokens.manage_own")),
    session: Session = Depends(get_session),
) -> Response:
    try:
        lifetime = int(days) if days.strip() else None
    except ValueError:
        lifetime = -1
    try:
        raw, _token = service.create_token(session, principal.user, name, can_write=bool(can_write), days=lifetime)
    except InvalidInput as exc:
        session.rollback()
        errors = {e.field: i18n.gettext_(e.message, **e.params) for e in exc.errors}
        return render(request, "tokens.html", _tokens_context(session, principal, errors=errors), status_code=400)
    session.commit()
    return render(request, "tokens.html", _tokens_context(session, principal, new_token=raw), status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token_page(
    token_id: int, principal: Principal = Depends(require_permission("tokens.manage_own")),
    session: Session = Depends(get_session),
) -> Response:
    owner = None if principal.has("tokens.manage_all") else principal.user
    service.revoke_token(session, token_id, owner)
    session.commit()
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, principal: Principal = Depends(require_permission("users.manage")),
    session: Session = Depends(get_session),
) -> Response:
    return render(request, "users.html", _users_context(session))


def _users_context(session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "users": session.scalars(select(User).order_by(User.username)).all(),
        "units": session.scalars(select(Unit).where(Unit.kind != "placeholder").order_by(Unit.code)).all(),
        "roles": ROLES, "errors": {}, "values": {"role": VIEWER}, **extra,
    }


@router.post("/admin/users", response_class=HTMLResponse)
def add_user_page(
    request: Request, username: str = Form(""), display_name: str = Form(""), password: str = Form(""),
    role: str = Form(""), unit: str = Form(""),
    principal: Principal = Depends(require_permission("users.manage")), session: Session = Depends(get_session),
) -> Response:
    values = {"username": username, "display_name": display_name, "role": role, "unit": unit}
    try:
        service.create_user(session, username=username.strip(), display_name=display_name, password=password,
                            role=role, unit_code=unit or None)
    except InvalidInput as exc:
        session.rollback()
        errors = {e.field: i18n.gettext_(e.message, **e.params) for e in exc.errors}
        return render(request, "users.html", _users_context(session, errors=errors, values=values), status_code=400)
    session.commit()
    return RedirectResponse("/admin/users", status_code=303)


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    return {e.field: i18n.gettext_(e.message, **e.params) for e in exc.errors}


@router.get(CHANGE_PASSWORD_PATH, response_class=HTMLResponse)
def password_form(
    request: Request, principal: Principal = Depends(require_login(allow_password_change=True)),
) -> Response:
    return render(request, "password.html", {"errors": {}, "changed": False})


@router.post(CHANGE_PASSWORD_PATH, response_class=HTMLResponse)
def change_password(
    request: Request, current_password: str = Form(""), new_password: str = Form(""),
    new_password_again: str = Form(""),
    principal: Principal = Depends(require_login(allow_password_change=True)),
    session: Session = Depends(get_session),
) -> Response:
    if principal.via != "session":
        raise PermissionDenied("Change a password from the page, logged in as that user.")
    try:
        service.change_password(session, principal.user, current_password, new_password, new_password_again)
    except InvalidInput as exc:
        session.rollback()
        return render(request, "password.html", {"errors": _field_errors(exc), "changed": False}, status_code=400)
    session.commit()
    return RedirectResponse("/?password_changed=1", status_code=303)


def _user_page(request: Request, session: Session, user: User, status_code: int = 200, **extra: Any) -> Response:
    context = {"target": user, "errors": {}, "temporary_password": None, "message": None, **extra}
    return render(request, "user.html", context, status_code=status_code)


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(
    request: Request, username: str, principal: Principal = Depends(require_permission("users.manage")),
    session: Session = Depends(get_session),
) -> Response:
    return _user_page(request, session, service.find_user(session, username))


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password_page(
    request: Request, username: str, new_password: str = Form(""),
    principal: Principal = Depends(require_permission("users.manage", write=True)),
    session: Session = Depends(get_session),
) -> Response:
    user = service.find_user(session, username)
    try:
        temporary = service.reset_password(session, user, new_password or None)
    except InvalidInput as exc:
        session.rollback()
        # The service names the API's field, "password"; the form's field is "new_password".
        errors = {"new_password": message for message in _field_errors(exc).values()}
        return _user_page(request, session, user, 400, errors=errors)
    session.commit()
    message = i18n.gettext_("The password of {username} was reset; they must choose a new one at their next login.",
                            username=user.username)
    return _user_page(request, session, user, temporary_password=temporary, message=message)


@router.post("/admin/users/{username}/active")
def set_active_page(
    username: str, active: str = Form(""),
    principal: Principal = Depends(require_permission("users.manage", write=True)),
    session: Session = Depends(get_session),
) -> Response:
    user = service.find_user(session, username)
    service.set_active(session, user, active == "1", by=principal.user)
    session.commit()
    return RedirectResponse(f"/admin/users/{user.username}", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, table: str = "", actor: str = "", page: int = 1,
    principal: Principal = Depends(require_permission("audit.read")), session: Session = Depends(get_session),
) -> Response:
    query = select(AuditEntry)
    if table:
        query = query.where(AuditEntry.table == table)
    if actor:
        query = query.where(AuditEntry.actor_name == actor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(page, 1)
    rows = session.scalars(
        query.order_by(AuditEntry.id.desc()).offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)
    ).all()
    tables = session.scalars(select(AuditEntry.table).distinct().order_by(AuditEntry.table)).all()
    actors = session.scalars(select(AuditEntry.actor_name).distinct().order_by(AuditEntry.actor_name)).all()
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    return render(request, "audit.html", {
        "rows": rows, "total": total, "page": page, "pages": pages, "table": table, "actor": actor, "tables": tables, "actors": actors,
    })


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, principal: Principal = Depends(require_login()), session: Session = Depends(get_session),
) -> Response:
    items = session.scalars(notifications.inbox_query(principal.user.id, principal.user.unit_id).limit(200)).all()
    return render(request, "notifications.html", {"items": items})


@router.post("/notifications/{note_id}/read")
def read_notification(
    note_id: int, principal: Principal = Depends(require_login()), session: Session = Depends(get_session),
) -> Response:
    notifications.mark_read(session, principal.user.id, principal.user.unit_id, note_id)
    session.commit()
    return RedirectResponse("/notifications", status_code=303)


@router.get("/units", response_class=HTMLResponse)
def units_page(
    request: Request, principal: Principal = Depends(require_permission("units.read")),
    session: Session = Depends(get_session),
) -> Response:
    units = session.scalars(select(Unit).order_by(Unit.kind, Unit.code)).all()
    return render(request, "units.html", {"units": units})
