"""Recorded current values of indicators and bindings of indicators to live metrics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybase.core.db import Base, UTCDateTime, utcnow
from citybase.plan.models import Indicator

SOURCE_REPORT = "report"
SOURCE_LIVE = "live"
SOURCE_MANUAL = "manual"


class IndicatorValue(Base):
    """A value an indicator had at ``as_of``; the newest one is its current value.

    ``source`` is ``report`` (from an accepted report, ``report_id`` set), ``live``
    (a snapshot of the bound metric, ``metric_key`` set) or ``manual`` (entered by the
    digital office).
    """

    __tablename__ = "plan_indicator_values"
    __table_args__ = (Index("ix_plan_indicator_values_indicator_as_of", "indicator_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("plan_indicators.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(12))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("plan_reports.id", ondelete="SET NULL"))
    metric_key: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))

    indicator: Mapped[Indicator] = relationship()


class IndicatorBinding(Base):
    """Binds an indicator to a live metric registered by a module (``LiveMetric.key``)."""

    __tablename__ = "plan_indicator_bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("plan_indicators.id", ondelete="CASCADE"), unique=True
    )
    metric_key: Mapped[str] = mapped_column(String(100), index=True)
    bound_by: Mapped[str] = mapped_column(String(100))
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    indicator: Mapped[Indicator] = relationship()
