from decimal import Decimal

import pytest

from citybase.plan.models import Indicator
from citybase.plan.supervision.progress import (
    JUST_BELOW_ONE, IndicatorProgress, combine_task_progress, format_number, indicator_progress,
)
from citybase.plan.supervision.settings import SupervisionSettings

SETTINGS = SupervisionSettings(_env_file=None)


def make(comparator, value, baseline=None, value_max=None, unit="个"):
    return Indicator(
        id=7, position=0, text="t", metric="m", comparator=comparator, value=Decimal(value),
        value_max=Decimal(value_max) if value_max is not None else None,
        baseline=Decimal(baseline) if baseline is not None else None, unit=unit,
    )


@pytest.mark.parametrize(
    ("comparator", "target", "baseline", "current", "fraction", "met"),
    [
        ("=", 3500, 1000, 2250, Decimal("0.5"), False),
        ("=", 3500, 1000, 3500, Decimal(1), True),
        ("=", 3500, 1000, 4000, Decimal(1), True),
        ("=", 3500, 1000, 500, Decimal(0), False),
        (">=", 120, 40, 100, Decimal("0.75"), False),
        (">=", 80, None, 60, Decimal("0.75"), False),
        (">", 80, 0, 80, JUST_BELOW_ONE, False),
        (">", 80, 0, 80.5, Decimal(1), True),
    ],
)
def test_reach_formula(comparator, target, baseline, current, fraction, met):
    result = indicator_progress(make(comparator, target, baseline), Decimal(str(current)), SETTINGS)
    assert result.fraction == fraction
    assert result.met is met


def test_formula_explained_with_numbers():
    result = indicator_progress(make("=", 3500, 1000), Decimal(2250), SETTINGS)
    assert str(result.explanation) == "(current 2250 − baseline 1000) / (target 3500 − baseline 1000) = 50.0%."


def test_overshoot_capped_and_explained():
    result = indicator_progress(make(">", 120, 40), Decimal(200), SETTINGS)
    assert result.fraction == Decimal(1)
    assert str(result.explanation) == "(current 200 − baseline 40) / (target 120 − baseline 40) = 200.0%, capped at 100%."


def test_below_baseline_counts_zero():
    result = indicator_progress(make("=", 3500, 1000), Decimal(800), SETTINGS)
    assert result.fraction == Decimal(0)
    assert "counted as 0%" in str(result.explanation)


def test_greater_than_reached_exactly_held():
    result = indicator_progress(make(">", 80, 0, unit="%"), Decimal(80), SETTINGS)
    assert result.met is False
    assert "must exceed" in str(result.explanation)
    assert "99.9%" in str(result.explanation)


def test_range_below_lower_end():
    indicator = make("range", 40, 10, value_max=100, unit="G")
    result = indicator_progress(indicator, Decimal(25), SETTINGS)
    assert result.fraction == Decimal("0.5")
    assert result.met is False


def test_range_within_is_met():
    indicator = make("range", 40, 10, value_max=100, unit="G")
    result = indicator_progress(indicator, Decimal(60), SETTINGS)
    assert result.fraction == Decimal(1)
    assert result.met is True
    assert str(result.explanation) == "60 is within the range 40–100G; the target is met (100%)."


def test_range_above_upper_end_noted():
    indicator = make("range", 40, 10, value_max=100, unit="G")
    result = indicator_progress(indicator, Decimal(120), SETTINGS)
    assert result.fraction == Decimal(1)
    assert result.met is True
    assert "above the range 40–100G" in str(result.explanation)


def test_about_met_within_tolerance():
    indicator = make("~", 220000, 20000)
    result = indicator_progress(indicator, Decimal(209000), SETTINGS)
    assert result.met is True
    assert result.fraction == Decimal(1)
    assert "5.0%" in str(result.explanation)


def test_about_below_tolerance_uses_formula():
    indicator = make("~", 220000, 20000)
    result = indicator_progress(indicator, Decimal(120000), SETTINGS)
    assert result.met is False
    assert result.fraction == Decimal("0.5")


def test_about_tolerance_setting_applies():
    strict = SupervisionSettings(_env_file=None, about_tolerance=Decimal("0.01"))
    result = indicator_progress(make("~", 220000, 20000), Decimal(209000), strict)
    assert result.met is False


def test_target_not_above_baseline_is_binary():
    indicator = make(">=", 80, 90, unit="%")
    assert indicator_progress(indicator, Decimal(85), SETTINGS).fraction == Decimal(1)
    assert indicator_progress(indicator, Decimal(70), SETTINGS).fraction == Decimal(0)


def test_missing_value_has_no_fraction():
    result = indicator_progress(make("=", 3500, 1000), None, SETTINGS)
    assert result.fraction is None
    assert result.met is False
    assert str(result.explanation) == "No current value has been reported yet."


def test_chinese_explanation_rendered():
    result = indicator_progress(make("=", 3500, 1000), Decimal(2250), SETTINGS)
    text = result.explanation.render("zh_CN")
    assert "2250" in text
    assert text != str(result.explanation)


def test_task_mean_of_parts():
    parts = [
        IndicatorProgress(1, Decimal("0.5"), False, None),
        IndicatorProgress(2, Decimal(1), True, None),
    ]
    result = combine_task_progress(9, parts, {5: Decimal("0.3")})
    assert result.fraction == Decimal("0.6")
    assert result.complete is False


def test_task_missing_part_counts_zero():
    parts = [IndicatorProgress(1, Decimal(1), True, None), IndicatorProgress(2, None, False, None)]
    result = combine_task_progress(9, parts, {})
    assert result.fraction == Decimal("0.5")
    assert "1 parts have no value yet" in str(result.explanation)


def test_task_complete_when_all_met():
    parts = [IndicatorProgress(1, Decimal(1), True, None)]
    result = combine_task_progress(9, parts, {5: Decimal(1)})
    assert result.complete is True


def test_task_without_parts_uses_estimate():
    assert combine_task_progress(9, [], {}).fraction is None
    estimated = combine_task_progress(9, [], {}, overall=Decimal("0.4"))
    assert estimated.fraction == Decimal("0.4")
    assert "40.0%" in str(estimated.explanation)


def test_number_format_drops_zeros():
    assert format_number(Decimal("3500.000000")) == "3500"
    assert format_number(Decimal("96.500000")) == "96.5"
    assert format_number(None) == "—"
