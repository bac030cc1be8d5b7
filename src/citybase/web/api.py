"""Core JSON API: the caller, units, tokens and the audit log."""

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
from citybase.core.auth.models import ApiToken
from citybase.core.units import Unit

router = APIRouter(prefix="/api", tags=["core"])


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    unit_code: str | None
    via: str
    can_write: bool


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
