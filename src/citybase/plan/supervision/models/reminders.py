"""Reminders (催办) sent by the worker, one row per reminder actually sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from citybase.core.db import Base, UTCDateTime, utcnow

REMINDER_REPORT_DUE = "report_due"
REMINDER_REPORT_OVERDUE = "report_overdue"
REMINDER_NOTICE_DUE = "notice_due"
REMINDER_NOTICE_OVERDUE = "notice_overdue"
REMINDER_DIGEST = "digest"


class Reminder(Base):
    """A reminder sent to a unit, with the in-app notification that carried it.

    ``dedupe_key`` is unique and equals the notification's. The reminder row and its
    notification commit in one transaction, so a worker restart neither loses nor
    repeats a reminder.
    """

    __tablename__ = "plan_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("plan_reporting_periods.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("plan_notices.id", ondelete="CASCADE"))
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
