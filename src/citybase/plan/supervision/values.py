"""Current values of indicators: recorded (from reports or the office) or read live from a metric."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core import registry
from citybase.core.auth.models import User
from citybase.core.i18n_marker import N_
from citybase.plan.models import Indicator
from citybase.plan.supervision.access import get_task, require
from citybase.plan.supervision.clock import end_of_day, local_date, require_aware
from citybase.plan.supervision.errors import FieldError, NotFound, invalid
from citybase.plan.supervision.i18n import Message, msg
from citybase.plan.supervision.models import (
    SOURCE_LIVE, SOURCE_MANUAL, SOURCE_REPORT, IndicatorBinding, IndicatorValue,
)
from citybase.plan.supervision.permissions import BINDING_MANAGE, SCHEDULE_MANAGE

logger = logging.getLogger(__name__)

SOURCE_LABELS = {
    SOURCE_REPORT: msg(N_("Accepted progress report")),
    SOURCE_LIVE: msg(N_("Live platform metric")),
    SOURCE_MANUAL: msg(N_("Entered by the digital office")),
}


@dataclass(frozen=True)
class CurrentValue:
    """An indicator's current value, when it was measured and where it comes from."""

    value: Decimal | None
    at: dt.datetime | None
    source: str | None
    metric_key: str | None = None
    report_id: int | None = None
    note: Message | None = None

    @property
    def source_label(self) -> Message:
        if self.source == SOURCE_LIVE and self.metric_key is not None:
            metric = registry.live_metrics().get(self.metric_key)
            name = Message(metric.label) if metric is not None else self.metric_key
            return msg(N_("Live platform metric: {metric}"), metric=name)
        if self.source is None:
            return msg(N_("No value yet"))
        return SOURCE_LABELS[self.source]


def latest_recorded(session: Session, indicator_id: int, before: dt.datetime | None = None) -> IndicatorValue | None:
    """Return the newest recorded value measured at or before ``before`` (default: any time)."""
    query = select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id)
    if before is not None:
        query = query.where(IndicatorValue.as_of <= before)
    return session.scalar(query.order_by(IndicatorValue.as_of.desc(), IndicatorValue.id.desc()).limit(1))


def binding_of(session: Session, indicator_id: int) -> IndicatorBinding | None:
    return session.scalar(select(IndicatorBinding).where(IndicatorBinding.indicator_id == indicator_id))


def _recorded(row: IndicatorValue | None, note: Message | None = None) -> CurrentValue:
    if row is None:
        return CurrentValue(None, None, None, note=note)
    return CurrentValue(row.value, row.as_of, row.source, row.metric_key, row.report_id, note)


def current_value(session: Session, indicator_id: int, now: dt.datetime, live: bool = True) -> CurrentValue:
    """Return the indicator's current value: the bound metric's, else the newest one recorded by ``now``.

    Pass ``live=False`` when computing a past period: a metric can only be read
    as it is now, so the newest value recorded by ``now`` is used instead.
    """
    now = require_aware(now)
    binding = binding_of(session, indicator_id)
    recorded = latest_recorded(session, indicator_id, now)
    if binding is None or not live:
        return _recorded(recorded)

    metric = registry.live_metrics().get(binding.metric_key)
    if metric is None:
        logger.warning("indicator %s is bound to unknown metric %s", indicator_id, binding.metric_key)
        return _recorded(recorded, msg(N_("The bound metric {key} is not registered; showing the last recorded value."),
                                       key=binding.metric_key))
    reading = metric.read(session)
    return CurrentValue(Decimal(reading.value), reading.at, SOURCE_LIVE, binding.metric_key)


def value_history(session: Session, indicator_id: int) -> list[IndicatorValue]:
    query = select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id)
    return list(session.scalars(query.order_by(IndicatorValue.as_of.desc(), IndicatorValue.id.desc())))


# Indicator values stay below 10^15 (1000万亿) in magnitude: the largest target of the
# plan is about 3000亿, and the columns hold 18 digits before the decimal point.
MAX_MAGNITUDE = Decimal(10) ** 15


def parse_decimal(field: str, raw: object) -> Decimal:
    """Parse a number typed by a person (half- or full-width digits, thousands commas).

    Infinity, NaN and magnitudes of 10^15 or more (such as 1e400) are refused.
    """
    text = str(raw).strip().replace(",", "").replace("，", "")
    text = text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise invalid(FieldError(field, "Not a number; write digits such as 2250 or 96.5.", raw)) from None
    if not value.is_finite():
        raise invalid(FieldError(field, "Not a number; write digits such as 2250 or 96.5.", raw))
    if abs(value) >= MAX_MAGNITUDE:
        raise invalid(FieldError(field, "The number is too large: values must stay below 10^15 (1000万亿). Check the digits and the unit.", raw))
    return value


def allows_negative(indicator: Indicator) -> bool:
    """Tell whether a negative value of the indicator means anything.

    The plan's indicators count things, amounts or percentages with targets of zero or
    more; for them a negative value is a typing error. Only an indicator whose target,
    upper bound or baseline is itself negative (a change, for instance) takes negatives.
    """
    bounds = [indicator.value, indicator.value_max, indicator.baseline]
    return any(bound is not None and bound < 0 for bound in bounds)


def check_indicator_value(field: str, indicator: Indicator, value: Decimal, raw: object) -> FieldError | None:
    """Return an error when ``value`` cannot be a value of ``indicator`` (a negative count or percentage)."""
    if value < 0 and not allows_negative(indicator):
        return FieldError(field, "“{indicator}” is measured in {unit} with a target of zero or more, so it cannot be negative; give 0 or more.",
                          raw, {"indicator": indicator.text, "unit": indicator.unit or "—"})
    return None


def get_indicator(session: Session, user: User, indicator_id: int) -> Indicator:
    """Load an indicator whose task the user may see."""
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("Indicator {indicator_id} was not found.", params={"indicator_id": indicator_id})
    get_task(session, user, indicator.task_id)
    return indicator


def record_manual_value(
    session: Session, user: User, indicator_id: int, value: Decimal, as_of: dt.date, now: dt.datetime
) -> IndicatorValue:
    """Record a value the digital office obtained itself (source ``manual``)."""
    require(user, SCHEDULE_MANAGE)
    indicator = get_indicator(session, user, indicator_id)
    problem = check_indicator_value("value", indicator, value, format(value, "f"))
    if problem is not None:
        raise invalid(problem)
    if as_of > local_date(now):
        raise invalid(FieldError("as_of", "The date lies in the future; give the day the value was measured.", as_of.isoformat()))
    row = IndicatorValue(
        indicator_id=indicator_id, value=value, as_of=end_of_day(as_of) - dt.timedelta(seconds=1),
        source=SOURCE_MANUAL, recorded_at=now, recorded_by=user.username,
    )
    session.add(row)
    session.flush()
    return row


def bind_indicator(session: Session, user: User, indicator_id: int, metric_key: str, now: dt.datetime) -> IndicatorBinding:
    """Bind an indicator to a registered live metric, replacing an earlier binding."""
    require(user, BINDING_MANAGE)
    get_indicator(session, user, indicator_id)
    metrics = registry.live_metrics()
    if metric_key not in metrics:
        raise invalid(FieldError("metric_key", "No live metric has this key; choose one of: {keys}.", metric_key, {"keys": ", ".join(sorted(metrics)) or "—"}))
    binding = binding_of(session, indicator_id)
    if binding is None:
        binding = IndicatorBinding(indicator_id=indicator_id, metric_key=metric_key, bound_by=user.username, bound_at=now)
        session.add(binding)
    else:
        binding.metric_key = metric_key
        binding.bound_by = user.username
        binding.bound_at = now
    session.flush()
    logger.info("indicator %s bound to metric %s by %s", indicator_id, metric_key, user.username)
    return binding


def unbind_indicator(session: Session, user: User, indicator_id: int) -> None:
    require(user, BINDING_MANAGE)
    get_indicator(session, user, indicator_id)
    binding = binding_of(session, indicator_id)
    if binding is None:
        raise NotFound("Indicator {indicator_id} is not bound to a live metric.", params={"indicator_id": indicator_id})
    session.delete(binding)
    session.flush()


def snapshot_live_values(session: Session, now: dt.datetime) -> int:
    """Record each bound metric's value once per Shanghai day, for trends; return how many."""
    day_start = end_of_day(local_date(now)) - dt.timedelta(days=1)
    recorded = 0
    for binding in session.scalars(select(IndicatorBinding)):
        metric = registry.live_metrics().get(binding.metric_key)
        if metric is None:
            logger.warning("skipping snapshot of indicator %s: metric %s is not registered",
                           binding.indicator_id, binding.metric_key)
            continue
        exists = session.scalar(select(IndicatorValue.id).where(
            IndicatorValue.indicator_id == binding.indicator_id, IndicatorValue.source == SOURCE_LIVE,
            IndicatorValue.as_of >= day_start,
        ))
        if exists is not None:
            continue
        reading = metric.read(session)
        session.add(IndicatorValue(
            indicator_id=binding.indicator_id, value=Decimal(reading.value), as_of=max(reading.at, day_start),
            source=SOURCE_LIVE, metric_key=binding.metric_key, recorded_at=now, recorded_by="worker",
        ))
        recorded += 1
    session.flush()
    return recorded
