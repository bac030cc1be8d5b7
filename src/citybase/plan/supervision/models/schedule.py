"""Reporting periods, task and indicator deadlines with milestones, and extension requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.core.auth.models import User
from citybase.core.units import Unit
from citybase.plan.models import Indicator, Task

DEADLINE_FINAL = "final"
DEADLINE_MILESTONE = "milestone"

EXTENSION_PENDING = "pending"
EXTENSION_APPROVED = "approved"
EXTENSION_REFUSED = "refused"
EXTENSION_WITHDRAWN = "withdrawn"


class ReportingPeriod(Base):
    """A reporting period (报送周期) such as 2022-05; dates are Asia/Shanghai calendar days.

    ``ends_on`` is inclusive. ``due_at`` is the instant (UTC) by which the period's
    progress reports must be submitted.
    """

    __tablename__ = "plan_reporting_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(16), unique=True)  # 2022-05, 2022-Q2, 2022-H1
    frequency: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"ReportingPeriod({self.key!r})"


class Deadline(Base):
    """A deadline of a task, or of one of its indicators when ``indicator_id`` is set.

    ``kind`` is ``final`` or ``milestone``. A final deadline is the date the target
    must be met, and a task without one has the plan's last day. A milestone is an
    intermediate date by which ``expected_progress`` (a fraction 0..1 of the target)
    should be reached, so milestones shape the 序时进度 curve. ``original_due_on`` keeps the date before
    the first approved extension.
    """

    __tablename__ = "plan_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_indicators.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    expected_progress: Mapped[Decimal] = mapped_column(Numeric(9, 6), default=Decimal(1))
    original_due_on: Mapped[dt.date | None] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    task: Mapped[Task] = relationship()
    indicator: Mapped[Indicator | None] = relationship()


class ExtensionRequest(Base):
    """A unit's request to move a deadline (申请延期), approved or refused with a reason.

    ``deadline_id`` is None when the task has no stored final deadline yet; approval
    then creates one.
    """

    __tablename__ = "plan_extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("plan_deadlines.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=EXTENSION_PENDING, index=True)
    current_due_on: Mapped[dt.date] = mapped_column(Date)
    requested_due_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship()
    deadline: Mapped[Deadline | None] = relationship()
    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
