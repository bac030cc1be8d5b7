"""Supervision notices (督办单): issued to a unit, replied to, closed (办结)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.core.units import Unit
from citybase.plan.models import Task

NOTICE_OPEN = "open"
NOTICE_REPLIED = "replied"
NOTICE_CLOSED = "closed"
NOTICE_STATUSES = (NOTICE_OPEN, NOTICE_REPLIED, NOTICE_CLOSED)

NOTICE_ACTION_ISSUE = "issue"
NOTICE_ACTION_REPLY = "reply"
NOTICE_ACTION_RETURN = "return"
NOTICE_ACTION_CLOSE = "close"


class SupervisionNotice(Base):
    """A 督办单 numbered per year (督办〔2022〕3号), addressed to one unit about one task.

    ``status`` moves open → replied → closed; the office may return a reply, which
    reopens the notice. ``reply_due_at`` is the end of the due day in Asia/Shanghai,
    stored in UTC.
    """

    __tablename__ = "plan_notices"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_tasks.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=NOTICE_OPEN, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reply_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    close_comment: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task | None] = relationship()
    unit: Mapped[Unit] = relationship()
    events: Mapped[list[NoticeEvent]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeEvent.id"
    )

    @property
    def label(self) -> str:
        """The notice's number as written on paper, e.g. 督办〔2022〕3号."""
        return f"督办〔{self.year}〕{self.number}号"


class NoticeEvent(Base):
    """One step in a notice's history: issue, reply, return or close, with its text."""

    __tablename__ = "plan_notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("plan_notices.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)

    notice: Mapped[SupervisionNotice] = relationship(back_populates="events")
