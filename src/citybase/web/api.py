"""Core JSON API: the caller, units, tokens, the audit log and the caller's notifications."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.actors import actor_label
from citybase.core.audit import AuditEntry
from citybase.core.auth import service
from citybase.core.auth.deps import Principal, get_session, require_login, require_permission
from citybase.core import notifications
from citybase.core.auth.models import ApiToken, User
from citybase.core.errors import NotFound, PermissionDenied
from citybase.core.units import Unit

router = APIRouter(prefix="/api", tags=["core"])


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    unit_code: str | None
    via: str
    can_write: bool


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    unit_code: str | None
    is_active: bool = Field(description="False: the user cannot log in and their tokens do not work.")
    is_service: bool
    must_change_password: bool = Field(description="True after a password reset, until the user chooses a new one.")
    last_login_at: dt.datetime | None


class PasswordResetIn(BaseModel):
    password: str | None = Field(
        None, description="The new password (at least 10 characters); null to generate a temporary one.",
    )


class PasswordResetOut(BaseModel):
    user: UserOut
    temporary_password: str | None = Field(description="The generated password, shown only in this response.")


class UnitOut(BaseModel):
    code: str
    name: str
    full_name: str | None
    kind: str
    urn: str
    aliases: list[str]


class TokenIn(BaseModel):
    name: str = Field(description="What the token is for.")
    can_write: bool = False
    days: int | None = Field(None, description="Days until it expires; null for never.")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    can_write: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown only in this response.")


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor_name: str = Field(description="Stable name of the author: a username, cli:<os user>, worker, setup or system.")
    actor_label: str = Field(description="The author as pages show it, in the request's language.")
    action: str = Field(description="insert, update or delete.")
    table: str
    row_key: str
    before: dict | None
    after: dict | None


def _unit_out(unit: Unit) -> UnitOut:
    return UnitOut(code=unit.code, name=unit.name, full_name=unit.full_name, kind=unit.kind, urn=unit.urn,
                   aliases=[a.alias for a in unit.aliases])


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(id=token.id, name=token.name, prefix=token.prefix, can_write=token.can_write,
                    created_at=token.created_at, expires_at=token.expires_at, revoked_at=token.revoked_at)


@router.get("/me", response_model=MeOut)
def me(principal: Principal = Depends(require_login())) -> MeOut:
    user = principal.user
    return MeOut(username=user.username, display_name=user.display_name, role=user.role,
                 unit_code=user.unit.code if user.unit else None, via=principal.via, can_write=principal.can_write)


def _user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username, display_name=user.display_name, role=user.role,
        unit_code=user.unit.code if user.unit else None, is_active=user.is_active, is_service=user.is_service,
        must_change_password=user.must_change_password, last_login_at=user.last_login_at,
    )


@router.get("/users", response_model=list[UserOut], summary="Users with their roles and status")
def list_users(principal: Principal = Depends(require_permission("users.manage")),
               session: Session = Depends(get_session)) -> list[UserOut]:
    return [_user_out(user) for user in session.scalars(select(User).order_by(User.username))]


@router.post("/users/{username}/password-reset", response_model=PasswordResetOut,
             summary="Reset a user's password; they must change it at next login")
def reset_password(username: str, body: PasswordResetIn,
                   principal: Principal = Depends(require_permission("users.manage", write=True)),
                   session: Session = Depends(get_session)) -> PasswordResetOut:
    user = service.find_user(session, username)
    temporary = service.reset_password(session, user, body.password)
    session.commit()
    return PasswordResetOut(user=_user_out(user), temporary_password=temporary)


@router.post("/users/{username}/deactivate", response_model=UserOut,
             summary="Deactivate a user: no login, tokens stop working")
def deactivate_user(username: str, principal: Principal = Depends(require_permission("users.manage", write=True)),
                    session: Session = Depends(get_session)) -> UserOut:
    user = service.set_active(session, service.find_user(session, username), False, by=principal.user)
    session.commit()
    return _user_out(user)


@router.post("/users/{username}/reactivate", response_model=UserOut, summary="Reactivate a deactivated user")
def reactivate_user(username: str, principal: Principal = Depends(require_permission("users.manage", write=True)),
                    session: Session = Depends(get_session)) -> UserOut:
    user = service.set_active(session, service.find_user(session, username), True, by=principal.user)
    session.commit()
    return _user_out(user)


@router.get("/units", response_model=list[UnitOut])
def list_units(principal: Principal = Depends(require_permission("units.read")),
               session: Session = Depends(get_session)) -> list[UnitOut]:
    return [_unit_out(unit) for unit in session.scalars(select(Unit).order_by(Unit.code))]


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(principal: Principal = Depends(require_permission("tokens.manage_own")),
                session: Session = Depends(get_session)) -> list[TokenOut]:
    query = select(ApiToken).order_by(ApiToken.id)
    if not principal.has("tokens.manage_all"):
        query = query.where(ApiToken.user_id == principal.user.id)
    return [_token_out(token) for token in session.scalars(query)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, principal: Principal = Depends(require_permission("tokens.manage_own", write=True)),
                 session: Session = Depends(get_session)) -> TokenCreated:
    raw, token = service.create_token(session, principal.user, body.name, can_write=body.can_write, days=body.days)
    session.commit()
    return TokenCreated(**_token_out(token).model_dump(), token=raw)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: int, principal: Principal = Depends(require_permission("tokens.manage_own", write=True)),
                 session: Session = Depends(get_session)) -> TokenOut:
    owner = None if principal.has("tokens.manage_all") else principal.user
    token = service.revoke_token(session, token_id, owner)
    session.commit()
    return _token_out(token)


@router.get("/audit", response_model=list[AuditOut])
def audit(table: str | None = None, limit: int = 100, offset: int = 0,
          principal: Principal = Depends(require_permission("audit.read")),
          session: Session = Depends(get_session)) -> list[AuditOut]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if table:
        query = query.where(AuditEntry.table == table)
    rows = session.scalars(query.offset(max(offset, 0)).limit(min(max(limit, 1), 1000)))
    return [
        AuditOut(id=row.id, at=row.at, actor_name=row.actor_name, actor_label=actor_label(row.actor_name, row.actor_kind),
                 action=row.action, table=row.table, row_key=row.row_key, before=row.before, after=row.after)
        for row in rows
    ]


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str = Field(description="In the caller's locale (?lang=en for English).")
    body: str
    link: str | None
    created_at: dt.datetime
    read: bool
    addressed_to: str = Field(description="'user' for the caller alone, 'unit' for every user of the caller's unit.")


def _notification_out(note: notifications.Notification) -> NotificationOut:
    return NotificationOut(id=note.id, kind=note.kind, title=note.title_in(), body=note.body_in(), link=note.link,
                           created_at=note.created_at, read=note.read_at is not None,
                           addressed_to="user" if note.user_id is not None else "unit")


@router.get("/notifications", response_model=list[NotificationOut], summary="The caller's notifications, newest first")
def list_notifications(unread: bool = False, limit: int = 100, offset: int = 0,
                       principal: Principal = Depends(require_login()),
                       session: Session = Depends(get_session)) -> list[NotificationOut]:
    query = notifications.inbox_query(principal.user.id, principal.user.unit_id)
    if unread:
        query = query.where(notifications.Notification.read_at.is_(None))
    rows = session.scalars(query.offset(max(offset, 0)).limit(min(max(limit, 1), 500)))
    return [_notification_out(note) for note in rows]


@router.post("/notifications/{note_id}/read", response_model=NotificationOut, summary="Mark a notification as read")
def read_notification(note_id: int, principal: Principal = Depends(require_login()),
                      session: Session = Depends(get_session)) -> NotificationOut:
    if not principal.can_write:
        raise PermissionDenied("This token is read-only; create a token with write access.")
    query = notifications.inbox_query(principal.user.id, principal.user.unit_id)
    note = session.scalar(query.where(notifications.Notification.id == note_id))
    if note is None:
        raise NotFound("You have no notification {id}.", params={"id": note_id})
    notifications.mark_read(session, principal.user.id, principal.user.unit_id, note_id)
    session.commit()
    session.refresh(note)
    return _notification_out(note)
