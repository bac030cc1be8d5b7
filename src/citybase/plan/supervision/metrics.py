"""Live metrics that plan supervision registers from its own data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from citybase.core.db import utcnow
from citybase.core.i18n_marker import N_
from citybase.core.registry import LiveMetric, MetricValue
from citybase.plan.supervision.periods import latest_due_period
from citybase.plan.supervision.reporting import on_time_reporting

UNITS_ON_TIME = "plan.units_reported_on_time"
ON_TIME_RATE = "plan.on_time_report_rate"


def units_reported_on_time(session: Session, now: dt.datetime) -> MetricValue:
    """Count lead units that submitted every owed report of the latest due period on time."""
    period = latest_due_period(session, now)
    if period is None:
        return MetricValue(Decimal(0), now)
    figures = on_time_reporting(session, period, now)
    count = sum(1 for row in figures.values() if row.expected and row.on_time == row.expected)
    return MetricValue(Decimal(count), now)


def on_time_report_rate(session: Session, now: dt.datetime) -> MetricValue:
    """Return the percentage of owed reports of the latest due period that were submitted on time."""
    period = latest_due_period(session, now)
    figures = on_time_reporting(session, period, now) if period is not None else {}
    expected = sum(row.expected for row in figures.values())
    on_time = sum(row.on_time for row in figures.values())
    rate = Decimal(on_time) * 100 / Decimal(expected) if expected else Decimal(0)
    return MetricValue(rate.quantize(Decimal("0.1")), now)


METRICS = (
    LiveMetric(
        key=UNITS_ON_TIME, label=N_("Units that reported on time"), unit="个",
        read=lambda session: units_reported_on_time(session, utcnow()),
        description=N_("Lead units that submitted every report of the latest due period by its due time."),
    ),
    LiveMetric(
        key=ON_TIME_RATE, label=N_("Reports submitted on time"), unit="%",
        read=lambda session: on_time_report_rate(session, utcnow()),
        description=N_("Share of the reports owed for the latest due period that were submitted by its due time."),
    ),
)
