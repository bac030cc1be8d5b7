"""Targets written for people: 达到22万个, 不少于80%, 2万至3万架, 约3000亿元."""

from __future__ import annotations

from decimal import Decimal

from citybase.core.i18n import current_locale, format_number, gettext_
from citybase.core.i18n_marker import N_
from citybase.plan.models import Indicator
from citybase.plan.parsing.numerals import normalize_decimal

COMPARATOR_TEMPLATES: dict[str, str] = {
    "=": N_("reach {value}"),
    ">=": N_("at least {value}"),
    ">": N_("more than {value}"),
    "~": N_("about {value}"),
    "range": N_("{value} to {value_max}"),
    "<=": N_("at most {value}"),
    "<": N_("less than {value}"),
}

COMPARATOR_LABELS: dict[str, str] = {
    "=": N_("Reach"),
    ">=": N_("At least"),
    ">": N_("More than"),
    "~": N_("About"),
    "range": N_("Range"),
    "<=": N_("At most"),
    "<": N_("Less than"),
}

_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)


def format_quantity(value: Decimal) -> str:
    """Write a value as Chinese readers expect (22万, 3000亿) or grouped in English."""
    value = normalize_decimal(Decimal(value))
    if current_locale() == "zh_CN":
        for factor, suffix in ((_YI, "亿"), (_WAN, "万")):
            scaled = value / factor
            if abs(value) >= factor and scaled == scaled.quantize(Decimal("0.01")):
                return f"{format(normalize_decimal(scaled), 'f')}{suffix}"
        return format(value, "f")
    return format_number(value)


def _with_unit(value: Decimal, unit: str) -> str:
    separator = "" if current_locale() == "zh_CN" or unit == "%" else " "
    return f"{format_quantity(value)}{separator}{unit}"


def format_target(indicator: Indicator) -> str:
    """Return the target of an indicator as one phrase in the current locale."""
    template = COMPARATOR_TEMPLATES.get(indicator.comparator, "{value}")
    value = _with_unit(indicator.value, indicator.unit)
    value_max = _with_unit(indicator.value_max, indicator.unit) if indicator.value_max is not None else ""
    return gettext_(template, value=value, value_max=value_max)


def comparator_label(comparator: str) -> str:
    return gettext_(COMPARATOR_LABELS.get(comparator, comparator))
