"""Progress of indicators and tasks, each with an explanation.

Progress is a fraction 0..1. An indicator's follows its comparator:

- reach (``=``, 达/建成), ``>=`` and ``>``: (current − baseline) / (target − baseline),
  capped at 1. A ``>`` target is only met when the current value exceeds it, so
  reaching it exactly scores just below 1.
- ``range`` (value..value_max): the same formula towards the lower end. Any value
  from the lower end up counts as met, and the explanation notes a value above the upper end.
- ``~`` (about, 左右): the same formula, met from (1 − about_tolerance) × target.

A missing baseline counts as 0. When the target does not lie above the baseline the
formula has no meaning, and progress is 1 when the target is met and 0 otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from citybase.core.i18n_marker import N_
from citybase.plan.models import Indicator
from citybase.plan.supervision.i18n import Message, msg
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

ZERO = Decimal(0)
ONE = Decimal(1)
# The score of a ">" target reached exactly: shown as 99.9%, never as complete.
JUST_BELOW_ONE = Decimal("0.999")


def format_number(value: Decimal | float | int | None) -> str:
    """Format a stored value without trailing zeros (3500.000000 → 3500)."""
    if value is None:
        return "—"
    normalized = Decimal(str(value)).normalize()
    if normalized == normalized.to_integral_value():
        return f"{normalized.to_integral_value():,.0f}".replace(",", "")
    return format(normalized, "f")


def format_percent(fraction: Decimal | None) -> str:
    if fraction is None:
        return "—"
    return f"{(fraction * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class IndicatorProgress:
    """Progress of one indicator; ``fraction`` is None when there is no current value."""

    indicator_id: int
    fraction: Decimal | None
    met: bool
    explanation: Message


def _target_text(indicator: Indicator) -> str:
    if indicator.comparator == "range" and indicator.value_max is not None:
        return f"{format_number(indicator.value)}–{format_number(indicator.value_max)}{indicator.unit}"
    return f"{format_number(indicator.value)}{indicator.unit}"


def _is_met(indicator: Indicator, current: Decimal, settings: SupervisionSettings) -> bool:
    if indicator.comparator == ">":
        return current > indicator.value
    if indicator.comparator == "~":
        return current >= indicator.value * (ONE - settings.about_tolerance)
    return current >= indicator.value  # "=", ">=" and the lower end of "range"


def _ratio(indicator: Indicator, current: Decimal) -> Decimal | None:
    baseline = indicator.baseline if indicator.baseline is not None else ZERO
    span = indicator.value - baseline
    if span <= 0:
        return None
    return (current - baseline) / span


def indicator_progress(
    indicator: Indicator, current: Decimal | None, settings: SupervisionSettings | None = None
) -> IndicatorProgress:
    """Compute one indicator's progress from its current value and explain the result."""
    settings = settings or get_supervision_settings()
    if current is None:
        return IndicatorProgress(indicator.id, None, False, msg(N_("No current value has been reported yet.")))

    met = _is_met(indicator, current, settings)
    ratio = _ratio(indicator, current)
    if ratio is None:
        fraction = ONE if met else ZERO
        explanation = msg(
            N_("The target {target} does not lie above the baseline {baseline}, so progress is 100% when met and 0% otherwise."),
            target=_target_text(indicator), baseline=format_number(indicator.baseline or ZERO),
        )
        return IndicatorProgress(indicator.id, fraction, met, explanation)

    fraction = min(max(ratio, ZERO), ONE)
    if met:
        fraction = ONE
    elif fraction >= ONE:
        fraction = JUST_BELOW_ONE
    explanation = _explain(indicator, current, ratio, fraction, met, settings)
    return IndicatorProgress(indicator.id, fraction, met, explanation)


def _explain(
    indicator: Indicator, current: Decimal, ratio: Decimal, fraction: Decimal, met: bool,
    settings: SupervisionSettings,
) -> Message:
    params = {
        "current": format_number(current), "baseline": format_number(indicator.baseline or ZERO),
        "target": format_number(indicator.value), "ratio": format_percent(ratio), "progress": format_percent(fraction),
    }
    if indicator.comparator == "range" and indicator.value_max is not None and current > indicator.value_max:
        return msg(N_("{current} is above the range {range}; the target counts as met (100%)."),
                   range=_target_text(indicator), **params)
    if indicator.comparator == "range" and met:
        return msg(N_("{current} is within the range {range}; the target is met (100%)."),
                   range=_target_text(indicator), **params)
    if indicator.comparator == "~" and met and current < indicator.value:
        return msg(
            N_("{current} is within {tolerance} below about {target}, so the target counts as met (100%)."),
            tolerance=format_percent(settings.about_tolerance), **params,
        )
    if indicator.comparator == ">" and not met and ratio >= ONE:
        return msg(N_("{current} reaches {target} but must exceed it; progress is held at {progress}."), **params)
    if ratio > ONE:
        return msg(N_("(current {current} − baseline {baseline}) / (target {target} − baseline {baseline}) = {ratio}, capped at 100%."), **params)
    if ratio < ZERO:
        return msg(N_("(current {current} − baseline {baseline}) / (target {target} − baseline {baseline}) = {ratio}, counted as 0%."), **params)
    return msg(N_("(current {current} − baseline {baseline}) / (target {target} − baseline {baseline}) = {progress}."), **params)


@dataclass(frozen=True)
class TaskProgress:
    """Progress of a task: the mean of its parts (indicators, qualitative targets or an overall estimate)."""

    task_id: int
    fraction: Decimal | None
    complete: bool
    indicators: Sequence[IndicatorProgress] = ()
    targets: dict[int, Decimal | None] = field(default_factory=dict)
    explanation: Message = msg(N_("No progress has been reported yet."))


def combine_task_progress(
    task_id: int,
    indicators: Sequence[IndicatorProgress],
    targets: dict[int, Decimal | None],
    overall: Decimal | None = None,
) -> TaskProgress:
    """Combine parts with equal weight; a part without a value counts as 0.

    ``targets`` maps qualitative target ids to their reported fraction. ``overall``
    is the reporter's own estimate, used only for a task without indicators and targets.
    """
    parts = [item.fraction for item in indicators] + list(targets.values())
    if not parts:
        if overall is None:
            return TaskProgress(task_id, None, False, explanation=msg(N_("No progress has been reported yet.")))
        explanation = msg(N_("The task has no quantified or qualitative targets; the reported estimate is {progress}."),
                          progress=format_percent(overall))
        return TaskProgress(task_id, overall, overall >= ONE, explanation=explanation)

    known = [part for part in parts if part is not None]
    if not known:
        return TaskProgress(task_id, None, False, indicators, targets, msg(N_("No progress has been reported yet.")))

    fraction = sum((part or ZERO for part in parts), ZERO) / len(parts)
    complete = all(item.met for item in indicators) and all(part is not None and part >= ONE for part in targets.values())
    missing = len(parts) - len(known)
    explanation = msg(
        N_("Mean of {count} parts ({indicators} indicators, {targets} qualitative targets) = {progress}."),
        count=len(parts), indicators=len(indicators), targets=len(targets), progress=format_percent(fraction),
    )
    if missing:
        explanation = msg(N_("{base} {missing} parts have no value yet and count as 0%."), base=explanation, missing=missing)
    return TaskProgress(task_id, fraction, complete, indicators, targets, explanation)
