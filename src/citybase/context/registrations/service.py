"""Create, read, update and delete context source registrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from citybase.context.errors import AlreadyExists, BadRequestData, ResourceNotFound
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.registrations.models import CtxCsourceRegistration
from citybase.context.registrations.payload import ParsedRegistration, compact_registration, parse_registration
from citybase.context.registrations.query import RegistrationQuery
from citybase.core.audit import Actor, AuditEntry
from citybase.core.db import utcnow


def create(session: Session, parsed: ParsedRegistration, owner: str | None, now: dt.datetime) -> CtxCsourceRegistration:
    """Store a new registration; raise AlreadyExists when its id is taken."""
    if find(session, parsed.id) is not None:
        raise AlreadyExists(_("Context source registration {id!r} already exists."), id=parsed.id)
    row = CtxCsourceRegistration(registration_id=parsed.id, document=parsed.document, expires_at=parsed.expires_at,
                                 owner=owner, created_at=now, modified_at=now)
    session.add(row)
    session.flush()
    return row


def find(session: Session, registration_id: str) -> CtxCsourceRegistration | None:
    return session.scalar(select(CtxCsourceRegistration)
                          .where(CtxCsourceRegistration.registration_id == registration_id))


def require(session: Session, registration_id: str) -> CtxCsourceRegistration:
    row = find(session, registration_id)
    if row is None:
        raise ResourceNotFound(_("Context source registration {id!r} was not found."), id=registration_id)
    return row


def update(row: CtxCsourceRegistration, fragment: dict[str, Any], active: ActiveContext, now: dt.datetime) -> None:
    """Replace the members ``fragment`` names (null removes one) and check the result as a whole.

    The stored registration is compacted with the fragment's @context, merged and
    expanded again with it, so names in the fragment and in the stored registration
    are read the same way.
    """
    if fragment.get("id", row.registration_id) != row.registration_id:
        raise BadRequestData(_("The id of a context source registration cannot be changed (body names {value!r})."),
                             value=fragment.get("id"))
    merged = compact_registration(row.document, active)
    if "mode" not in row.document:
        merged.pop("mode")
    if "operations" not in row.document:
        merged.pop("operations")
    for member, value in fragment.items():
        if member in ("@context", "id"):
            continue
        if value is None:
            merged.pop(member, None)
        else:
            merged[member] = value
    parsed = parse_registration(merged, active, now, check_expiry="expiresAt" in fragment)
    row.document = parsed.document
    row.expires_at = parsed.expires_at
    row.modified_at = now


def query(session: Session, filters: RegistrationQuery, limit: int, offset: int,
          now: dt.datetime) -> tuple[list[CtxCsourceRegistration], int]:
    """Return one page of the registrations that match ``filters`` and the number of all matches.

    Registrations past their expiresAt are left out. The filters run in Python over
    every unexpired registration, which suits the hundreds of sources a city
    registers, not millions.
    """
    rows = session.scalars(
        select(CtxCsourceRegistration)
        .where(or_(CtxCsourceRegistration.expires_at.is_(None), CtxCsourceRegistration.expires_at > now))
        .order_by(CtxCsourceRegistration.pk)
    )
    matching = [row for row in rows if filters.matches(row.document, row.created_at, row.modified_at)]
    return matching[offset:offset + limit], len(matching)


def record(session: Session, action: str, registration_id: str, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    """Write one audit entry for a registration request (the table is not audited row by row)."""
    actor: Actor = session.info.get("actor") or Actor("system", "system")
    session.execute(insert(AuditEntry), [{
        "at": utcnow(), "actor_kind": actor.kind, "actor_name": actor.name, "actor_user_id": actor.user_id,
        "ip": actor.ip, "action": action, "table": "ctx_csource_registrations", "row_key": registration_id[:200],
        "before": before, "after": after,
    }])
