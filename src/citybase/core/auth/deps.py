"""FastAPI dependencies: database session, the current principal, permissions and CSRF.

Routes that write call ``session.commit()`` themselves before returning, so a write
is committed before it is acknowledged; the session dependency only closes.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.core import registry
from citybase.core.audit import Actor
from citybase.core.auth import service
from citybase.core.auth.models import LoginSession, User
from citybase.core.auth.roles import permission_label, role_label
from citybase.core.errors import NotAuthenticated, PermissionDenied
from citybase.core.settings import Settings
from citybase.core.i18n_marker import N_

SESSION_COOKIE = "citybase_session"
PRESESSION_CSRF_COOKIE = "citybase_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A page that needs a login redirects to the login form; a program gets this message.
LOGIN_OR_TOKEN = N_(
    "Log in first. A program sends the header `Authorization: Bearer <token>` with an API "
    "token, created on the API tokens page or with `citybase tokens create`."
)


@dataclass
class Principal:
    """Who is calling: a user, through a login session or a bearer token."""

    user: User
    via: str  # "session" or "token"
    can_write: bool
    login: LoginSession | None = None

    @property
    def csrf_token(self) -> str | None:
        return self.login.csrf_token if self.login else None

    def has(self, permission: str) -> bool:
        roles = registry.permissions().get(permission)
        if roles is None:
            raise KeyError(f"permission {permission!r} is not registered by any module")
        return self.user.role in roles


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.db.sessionmaker()
    try:
        yield session
    finally:
        session.close()


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _principal_from_request(request: Request, session: Session) -> Principal | None:
    settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        token = service.find_token(session, header[7:].strip())
        if token is None:
            raise NotAuthenticated("The bearer token is invalid, expired or revoked; create a new one with `citybase tokens create`.")
        if session.is_modified(token):
            # Read requests never commit, so the new last-use time would be lost with them.
            session.commit()
        return Principal(token.user, "token", token.can_write)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        login = service.find_login_session(session, cookie, settings.session_hours)
        if login is not None:
            if service.login_session_extended(session, login):
                session.commit()  # only the new expiry is pending here
                request.state.renew_session_cookie = cookie
            return Principal(login.user, "session", True, login)
    return None


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """Send the login cookie: HttpOnly, SameSite=Lax, Secure when CITYBASE_COOKIE_SECURE is on,
    kept by the browser as long as the session lives without use."""
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_hours * 3600, httponly=True, samesite="lax",
        secure=settings.cookie_secure,
    )


def renew_session_cookie(request: Request, response: Response) -> None:
    """Send the login cookie again with a fresh max-age when the request extended the session."""
    token = getattr(request.state, "renew_session_cookie", None)
    already = any(value.startswith(f"{SESSION_COOKIE}=") for value in response.headers.getlist("set-cookie"))
    if token and not already:
        set_session_cookie(response, token, request.app.state.settings)


def optional_principal(request: Request, session: Session = Depends(get_session)) -> Principal | None:
    """Return the caller if logged in, else None; set the audit actor on the session."""
    if "principal" in request.state._state:
        return request.state.principal
    principal = _principal_from_request(request, session)
    request.state.principal = principal
    if principal is not None:
        session.info["actor"] = Actor("user", principal.user.username, principal.user.id, client_ip(request))
    else:
        session.info["actor"] = Actor("anonymous", "anonymous", None, client_ip(request))
    return principal


async def _check_csrf(request: Request, principal: Principal) -> None:
    if principal.via != "session" or request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, principal.csrf_token or ""):
        raise PermissionDenied("The form has expired or did not come from this site; reload the page and try again.")


class PasswordChangeRequired(PermissionDenied):
    """A user whose password an administrator reset must choose a new one first."""

    code = "password-change-required"


# The page where a user chooses a new password after a reset.
CHANGE_PASSWORD_PATH = "/account/password"


def _check_password_change(principal: Principal, allow: bool) -> None:
    if principal.via == "session" and principal.user.must_change_password and not allow:
        raise PasswordChangeRequired(
            "An administrator reset your password; choose a new one at {path} before you go on.",
            params={"path": CHANGE_PASSWORD_PATH},
        )


def require_login(*, allow_password_change: bool = False) -> Callable[..., Principal]:
    """Dependency: any logged-in caller. ``allow_password_change`` lets a user whose
    password was reset through (the change-password page and logout)."""

    async def dependency(request: Request, principal: Principal | None = Depends(optional_principal)) -> Principal:
        if principal is None:
            raise NotAuthenticated(LOGIN_OR_TOKEN)
        _check_password_change(principal, allow_password_change)
        await _check_csrf(request, principal)
        return principal

    return dependency


def require_permission(permission: str, *, write: bool = False) -> Callable[..., Principal]:
    """Dependency: the caller must hold ``permission``; ``write`` also needs a write token."""

    async def dependency(request: Request, principal: Principal | None = Depends(optional_principal)) -> Principal:
        if principal is None:
            raise NotAuthenticated(LOGIN_OR_TOKEN)
        _check_password_change(principal, False)
        if not principal.has(permission):
            raise PermissionDenied(
                "Your role ({role}) may not do this; it needs the permission “{permission}” ({code}).",
                params={"role": role_label(principal.user.role), "permission": permission_label(permission),
                        "code": permission},
            )
        if write and not principal.can_write:
            raise PermissionDenied("This token is read-only; create a token with write access.")
        await _check_csrf(request, principal)
        return principal

    return dependency


def presession_csrf(request: Request) -> str:
    """Return the CSRF value for forms shown before login (double-submit cookie)."""
    return request.cookies.get(PRESESSION_CSRF_COOKIE) or request.state.__dict__.setdefault(
        "new_presession_csrf", secrets.token_urlsafe(24)
    )


async def check_presession_csrf(request: Request) -> None:
    form = await request.form()
    sent = form.get("csrf_token")
    cookie = request.cookies.get(PRESESSION_CSRF_COOKIE)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
        raise PermissionDenied("The form has expired or did not come from this site; reload the page and try again.")
