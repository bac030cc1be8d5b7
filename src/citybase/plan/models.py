"""Tables of the imported plan: sections, key projects, tasks, units, indicators, revisions.

Supervision data (reports, current values, lights, notices) lives in
``citybase.plan.supervision`` and refers to these rows by id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.core.units import DISTRICT_CODE, Unit

PLAN_CODE = f"{DISTRICT_CODE}-P2021"

ROLE_LEAD = "lead"
ROLE_COOPERATOR = "cooperator"

COMPARATORS = ("=", ">=", ">", "~", "range")


class PlanImport(Base):
    """One run of ``plan import`` (CLI or upload page) and what it changed."""

    __tablename__ = "plan_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(8))  # txt / docx / xlsx
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_name: Mapped[str] = mapped_column(String(100))
    # Counts, warnings and the per-task changes, as shown on the summary page.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Section(Base):
    """A section (领域) such as （一）“全域感知”要素数字化构建新框架, or 保障措施."""

    __tablename__ = "plan_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str | None] = mapped_column(String(16))  # （一）; None for 保障措施
    title: Mapped[str] = mapped_column(String(200))

    key_projects: Mapped[list[KeyProject]] = relationship(
        back_populates="section", order_by="KeyProject.seq"
    )

    @property
    def urn(self) -> str:
        return f"urn:ngsi-ld:PlanSection:{PLAN_CODE}-S{self.seq}"


class KeyProject(Base):
    """A key project or scenario (重点项目和应用场景) within a section."""

    __tablename__ = "plan_key_projects"
    __table_args__ = (UniqueConstraint("section_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("plan_sections.id"))
    seq: Mapped[int] = mapped_column(Integer)  # order within the section
    number: Mapped[int | None] = mapped_column(Integer)  # 1 for "1、", 1 for "（一）"
    label: Mapped[str | None] = mapped_column(String(16))  # "1、" / "（一）" as written
    number_inferred: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))

    section: Mapped[Section] = relationship(back_populates="key_projects")
    tasks: Mapped[list[Task]] = relationship(back_populates="key_project", order_by="Task.seq")


class Task(Base):
    """A task (具体任务) of the plan, numbered 1..N by 序号."""

    __tablename__ = "plan_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("plan_sections.id"), index=True)
    key_project_id: Mapped[int] = mapped_column(ForeignKey("plan_key_projects.id"), index=True)
    sub_number: Mapped[int | None] = mapped_column(Integer)  # 1 for "（1）"
    text: Mapped[str] = mapped_column(Text)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    section: Mapped[Section] = relationship()
    key_project: Mapped[KeyProject] = relationship(back_populates="tasks")
    lead_unit: Mapped[Unit | None] = relationship()
    units: Mapped[list[TaskUnit]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskUnit.position"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Indicator.position"
    )
    qualitative_targets: Mapped[list[QualitativeTarget]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="QualitativeTarget.position"
    )
    revisions: Mapped[list[TaskRevision]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskRevision.id"
    )

    @property
    def urn(self) -> str:
        return f"urn:ngsi-ld:PlanTask:{PLAN_CODE}-{self.seq:03d}"


class TaskUnit(Base):
    """A responsible unit of a task as the list names it; position 0 is the lead."""

    __tablename__ = "plan_task_units"
    __table_args__ = (UniqueConstraint("task_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name_as_written: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # lead / cooperator

    task: Mapped[Task] = relationship(back_populates="units")
    unit: Mapped[Unit | None] = relationship()


class Indicator(Base):
    """A quantified target (量化指标) of a task.

    ``comparator`` is one of ``=`` (达/建成: reach, scored as at least the value),
    ``>=``, ``>``, ``~`` (about) and ``range`` (value..value_max). Values are stored
    with 万/亿 already applied.
    """

    __tablename__ = "plan_indicators"
    __table_args__ = (UniqueConstraint("task_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    metric: Mapped[str] = mapped_column(String(200))
    comparator: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    value_max: Mapped[Decimal | None] = mapped_column(Numeric(24, 6))
    unit: Mapped[str] = mapped_column(String(20), default="")
    aspirational: Mapped[bool] = mapped_column(Boolean, default=False)  # 力争
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)  # 累计
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(24, 6))

    task: Mapped[Task] = relationship(back_populates="indicators")

    @property
    def urn(self) -> str:
        return f"urn:ngsi-ld:PlanIndicator:{PLAN_CODE}-{self.task.seq:03d}-{self.position + 1}"


class QualitativeTarget(Base):
    """A target without a number, such as 光网全覆盖."""

    __tablename__ = "plan_qualitative_targets"
    __table_args__ = (UniqueConstraint("task_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))

    task: Mapped[Task] = relationship(back_populates="qualitative_targets")


class TaskRevision(Base):
    """What a re-import changed in a task: ``changes`` maps a field to [old, new]."""

    __tablename__ = "plan_task_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("plan_imports.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_name: Mapped[str] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)

    task: Mapped[Task] = relationship(back_populates="revisions")
