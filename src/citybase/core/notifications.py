"""In-app notifications (站内通知) addressed to a user or to every user of a unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.core.messages import Message


class Notification(Base):
    """A message shown in the recipient's inbox; ``dedupe_key`` makes sending idempotent."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def title_in(self, locale: str | None = None) -> str:
        """Return the title in ``locale`` (default: the reader's), from the stored message if there is one."""
        return _render(self.data.get("title") if self.data else None, self.title, locale)

    def body_in(self, locale: str | None = None) -> str:
        """Return the body in ``locale`` (default: the reader's), from the stored message if there is one."""
        return _render(self.data.get("body") if self.data else None, self.body, locale)


def _render(stored: Any, fallback: str, locale: str | None) -> str:
    """Render a stored ``Message.as_dict()`` snapshot; text stored without one is shown as stored."""
    if not isinstance(stored, dict) or "msgid" not in stored:
        return fallback
    try:
        return Message.from_dict(stored).render(locale)
    except (KeyError, IndexError, ValueError):
        # A msgid whose placeholders changed since the notification was sent.
        return fallback


def notify(
    session: Session, *, kind: str, title: str, body: str = "", link: str | None = None,
    user_id: int | None = None, unit_id: int | None = None, dedupe_key: str | None = None,
    data: dict[str, Any] | None = None,
) -> Notification | None:
    """Add a notification unless one with the same ``dedupe_key`` exists; return it or None."""
    if user_id is None and unit_id is None:
        raise ValueError("notify() needs user_id or unit_id")
    if dedupe_key is not None:
        exists = session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
        if exists is not None:
            return None
    note = Notification(
        kind=kind, title=title, body=body, link=link, user_id=user_id, unit_id=unit_id,
        dedupe_key=dedupe_key, data=data or {},
    )
    session.add(note)
    session.flush()
    return note


def inbox_query(user_id: int, unit_id: int | None) -> Any:
    condition = Notification.user_id == user_id
    if unit_id is not None:
        condition = or_(condition, Notification.unit_id == unit_id)
    return select(Notification).where(condition).order_by(Notification.created_at.desc())


def unread_count(session: Session, user_id: int, unit_id: int | None) -> int:
    return len(list(session.scalars(inbox_query(user_id, unit_id).where(Notification.read_at.is_(None)))))


def mark_read(session: Session, user_id: int, unit_id: int | None, note_id: int) -> None:
    condition = Notification.user_id == user_id
    if unit_id is not None:
        condition = or_(condition, Notification.unit_id == unit_id)
    session.execute(
        update(Notification).where(Notification.id == note_id, condition).values(read_at=utcnow())
    )
