"""Audit log of every write: who, when, what, before and after.

A ``before_flush`` listener records each insert, update and delete of every mapped
table unless the class sets ``__audit__ = False``, so no module can forget to audit.
The actor comes from ``session.info["actor"]`` (set by the request or CLI).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import get_history

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.core.i18n_marker import N_

SKIPPED_COLUMNS = frozenset({"password_hash", "token_hash", "csrf_token"})


@dataclass(frozen=True)
class Actor:
    """The author of a write: a user, or a system process such as the CLI or the worker."""

    kind: str  # "user", "cli", "system"
    name: str
    user_id: int | None = None
    ip: str | None = None


SYSTEM = Actor("system", "system")

# msgids of the actions; the audit page shows them through the catalogue (新增/修改/删除).
ACTION_LABELS: dict[str, str] = {
    "insert": N_("Added"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
}


def audit_action_label(action: str) -> str:
    from citybase.core.i18n import gettext_

    return gettext_(ACTION_LABELS[action]) if action in ACTION_LABELS else action


class AuditEntry(Base):
    """One audited change of one row."""

    __tablename__ = "audit_log"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(100), index=True)
    actor_user_id: Mapped[int | None] = mapped_column()
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # insert / update / delete
    table: Mapped[str] = mapped_column(String(64), index=True)
    row_key: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID | bytes):
        return str(value)
    return value


def _columns(obj: Any) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in SKIPPED_COLUMNS]


def _row_key(obj: Any) -> str:
    state = inspect(obj)
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    if identity is None or all(part is None for part in identity):
        return "?"
    return ",".join(str(part) for part in identity)


def _audited(obj: Any) -> bool:
    return getattr(type(obj), "__audit__", True) and not isinstance(obj, AuditEntry)


def _snapshot(obj: Any) -> dict[str, Any]:
    return {key: _jsonable(getattr(obj, key)) for key in _columns(obj)}


def _diff(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        history = get_history(obj, key)
        if history.has_changes():
            before[key] = _jsonable(history.deleted[0]) if history.deleted else None
            after[key] = _jsonable(history.added[0]) if history.added else None
    return before, after


def _entry(session: Session, action: str, obj: Any, before: Any, after: Any) -> AuditEntry:
    actor: Actor = session.info.get("actor") or SYSTEM
    return AuditEntry(
        at=utcnow(), actor_kind=actor.kind, actor_name=actor.name, actor_user_id=actor.user_id,
        ip=actor.ip, action=action, table=type(obj).__tablename__, row_key=_row_key(obj),
        before=before, after=after,
    )


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, _context: Any, _instances: Any) -> None:
    entries: list[AuditEntry] = []
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _diff(obj)
            if after:
                entries.append(_entry(session, "update", obj, before, after))
    for obj in session.deleted:
        if _audited(obj):
            entries.append(_entry(session, "delete", obj, _snapshot(obj), None))
    pending = [obj for obj in session.new if _audited(obj)]
    session.info.setdefault("audit_pending_inserts", []).extend(pending)
    session.add_all(entries)


@event.listens_for(Session, "after_flush")
def _record_inserts(session: Session, _context: Any) -> None:
    # Inserted rows get their primary keys during the flush, so they are logged after it.
    pending = session.info.pop("audit_pending_inserts", [])
    if not pending:
        return
    rows = [
        {
            "at": utcnow(), "actor_kind": (session.info.get("actor") or SYSTEM).kind,
            "actor_name": (session.info.get("actor") or SYSTEM).name,
            "actor_user_id": (session.info.get("actor") or SYSTEM).user_id,
            "ip": (session.info.get("actor") or SYSTEM).ip,
            "action": "insert", "table": type(obj).__tablename__, "row_key": _row_key(obj),
            "before": None, "after": _snapshot(obj),
        }
        for obj in pending
    ]
    session.execute(AuditEntry.__table__.insert(), rows)
