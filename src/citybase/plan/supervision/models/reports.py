"""Progress reports (进展报送) per task and period, their values, evidence and history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.core.units import Unit
from citybase.plan.models import Indicator, QualitativeTarget, Task
from citybase.plan.supervision.models.schedule import ReportingPeriod

STATUS_DRAFT = "draft"
STATUS_SUBMITTED = "submitted"
STATUS_RETURNED = "returned"
STATUS_ACCEPTED = "accepted"
REPORT_STATUSES = (STATUS_DRAFT, STATUS_SUBMITTED, STATUS_RETURNED, STATUS_ACCEPTED)

# Actions recorded in ReportEvent, in the order a report usually meets them.
ACTION_CREATE = "create"
ACTION_SUBMIT = "submit"
ACTION_RETURN = "return"
ACTION_RESUBMIT = "resubmit"
ACTION_ACCEPT = "accept"
ACTION_CONTRIBUTE = "contribute"
ACTION_EVIDENCE_ADD = "evidence_add"
ACTION_EVIDENCE_REMOVE = "evidence_remove"


class ProgressReport(Base):
    """The lead unit's report on one task for one period.

    ``status`` moves draft → submitted → (returned → submitted)* → accepted.
    ``version`` counts submissions, so a resubmission after a return is version 2.
    """

    __tablename__ = "plan_reports"
    __table_args__ = (UniqueConstraint("task_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_reporting_periods.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=STATUS_DRAFT, index=True)
    narrative: Mapped[str] = mapped_column(Text, default="")
    # The reporter's overall estimate 0..100, used for tasks without indicators and targets.
    percent: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    task: Mapped[Task] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    unit: Mapped[Unit] = relationship()
    values: Mapped[list[ReportIndicatorValue]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportIndicatorValue.indicator_id"
    )
    target_progress: Mapped[list[ReportTargetProgress]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportTargetProgress.target_id"
    )
    contributions: Mapped[list[ReportContribution]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportContribution.id"
    )
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportEvent.id"
    )
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )


class ReportIndicatorValue(Base):
    """The current value of one indicator as a report states it; ``as_of`` is when it was measured."""

    __tablename__ = "plan_report_values"
    __table_args__ = (UniqueConstraint("report_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("plan_reports.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("plan_indicators.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")

    report: Mapped[ProgressReport] = relationship(back_populates="values")
    indicator: Mapped[Indicator] = relationship()


class ReportTargetProgress(Base):
    """Progress on one qualitative target as a report states it: ``percent`` 0..100 and a note."""

    __tablename__ = "plan_report_target_progress"
    __table_args__ = (UniqueConstraint("report_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("plan_reports.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("plan_qualitative_targets.id", ondelete="CASCADE"))
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")

    report: Mapped[ProgressReport] = relationship(back_populates="target_progress")
    target: Mapped[QualitativeTarget] = relationship()


class ReportContribution(Base):
    """A cooperating unit's contribution (配合单位报送) to the lead unit's report."""

    __tablename__ = "plan_report_contributions"
    __table_args__ = (UniqueConstraint("report_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("plan_reports.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    report: Mapped[ProgressReport] = relationship(back_populates="contributions")
    unit: Mapped[Unit] = relationship()


class ReportEvent(Base):
    """One step in a report's history; ``snapshot`` keeps what was submitted at that step."""

    __tablename__ = "plan_report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("plan_reports.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    report: Mapped[ProgressReport] = relationship(back_populates="events")


class EvidenceFile(Base):
    """A file attached to a report as evidence (佐证材料), stored under the data directory.

    ``stored_path`` is relative to ``<data_dir>/evidence``. Removing a file from a
    draft sets ``removed_at`` and keeps the bytes, so history still resolves.
    """

    __tablename__ = "plan_evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("plan_reports.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")
    unit: Mapped[Unit] = relationship()
