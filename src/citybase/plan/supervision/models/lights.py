"""Stored status lights per task and period, kept for trends and bulletins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citybase.core.db import Base, UTCDateTime

LIGHT_GREEN = "green"
LIGHT_BLUE = "blue"
LIGHT_YELLOW = "yellow"
LIGHT_RED = "red"
LIGHTS = (LIGHT_GREEN, LIGHT_BLUE, LIGHT_YELLOW, LIGHT_RED)


class LightSnapshot(Base):
    """A task's light as last computed during a period; frozen once the period is over.

    ``progress`` and ``expected`` are fractions 0..1 (None when nothing is known yet);
    ``reasons`` contains the explanation as message ids with their parameters.
    """

    __tablename__ = "plan_light_snapshots"
    __table_args__ = (UniqueConstraint("task_id", "period_id"),)
    __audit__ = False  # derived data, recomputed by the worker every day

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_reporting_periods.id"), index=True)
    light: Mapped[str] = mapped_column(String(8))
    progress: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    expected: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
