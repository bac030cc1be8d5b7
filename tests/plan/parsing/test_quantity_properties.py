"""Property: a number written in Arabic or Chinese numerals, with a magnitude and a unit,
reads back as the same value."""

from __future__ import annotations

import re
from decimal import Decimal

import cn2an
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from citybase.plan.parsing.quantities import extract_indicators

MAGNITUDES = {"": 1, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
COUNT_UNITS = ["个", "台", "架", "辆", "家", "元", "平方公里", "项", "座"]
LEVEL_UNITS = [*COUNT_UNITS, "%", "Mbps", "Gbps"]

mantissas = st.one_of(
    st.integers(min_value=1, max_value=99_999).map(Decimal),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
)


def arabic(value: Decimal, with_separators: bool) -> str:
    text = f"{value:,f}" if with_separators else f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def chinese(value: Decimal, colloquial_two: bool) -> str:
    numeral = cn2an.an2cn(str(value.normalize()) if value % 1 else int(value))
    if colloquial_two:
        # 两千、两万: "two" before a magnitude is usually written 两.
        numeral = re.sub(r"^二(?=[百千万亿])", "两", numeral)
    return numeral


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, Decimal]:
    mantissa = draw(mantissas)
    if draw(st.booleans()):
        magnitude = draw(st.sampled_from(list(MAGNITUDES)))
        text = arabic(mantissa, draw(st.booleans()))
    else:
        # Chinese numerals carry 百 and 千 inside the numeral; only 万 and 亿 follow it.
        magnitude = draw(st.sampled_from(["", "万", "亿"]))
        # 一万万 is not written: a magnitude follows a numeral below 10,000.
        assume(not magnitude or mantissa < 10_000)
        text = chinese(mantissa, draw(st.booleans()))
        assume(not (text == "一" and magnitude == ""))  # 一 alone means "a", not a count
    return text + magnitude, mantissa * MAGNITUDES[magnitude]


# The parser's speed is not under test, and a loaded CI machine can exceed hypothesis's
# default 200 ms deadline per example.
NO_DEADLINE = settings(deadline=None)


@NO_DEADLINE
@given(written_numbers(), st.sampled_from(COUNT_UNITS), st.sampled_from(["建成", "打造", "不少于", "超过", "新增"]))
def test_count_reads_back(number: tuple[str, Decimal], unit: str, verb: str) -> None:
    written, value = number
    text = f"持续推进建设，{verb}{written}{unit}示范点。"
    [indicator] = extract_indicators(text)
    assert indicator.value == value
    assert indicator.unit == unit
    assert indicator.metric == "示范点"


@NO_DEADLINE
@given(written_numbers(), st.sampled_from(LEVEL_UNITS), st.sampled_from(["达", "达到", "不低于", "约"]))
def test_level_reads_back(number: tuple[str, Decimal], unit: str, verb: str) -> None:
    written, value = number
    text = f"优化服务功能，平均下载速率{verb}{written}{unit}。"
    [indicator] = extract_indicators(text)
    assert indicator.value == value
    assert indicator.unit == unit
    assert indicator.metric == "平均下载速率"


@st.composite
def written_ranges(draw: st.DrawFn) -> tuple[str, Decimal, Decimal]:
    """A range such as 2-3万 (one magnitude for both ends) or 2万-3万."""
    low = draw(st.integers(min_value=1, max_value=999))
    high = draw(st.integers(min_value=low + 1, max_value=9999))
    magnitude = draw(st.sampled_from(list(MAGNITUDES)))
    factor = MAGNITUDES[magnitude]
    shared = draw(st.booleans())
    low_text = str(low) if shared else f"{low}{magnitude}"
    dash = draw(st.sampled_from(["-", "～", "至"]))
    return f"{low_text}{dash}{high}{magnitude}", Decimal(low * factor), Decimal(high * factor)


@NO_DEADLINE
@given(written_ranges(), st.sampled_from(COUNT_UNITS))
def test_range_reads_back(written: tuple[str, Decimal, Decimal], unit: str) -> None:
    text, low, high = written
    [indicator] = extract_indicators(f"力争机架数累计达{text}{unit}。")
    assert (indicator.value, indicator.value_max) == (low, high)
    assert indicator.unit == unit
    assert indicator.aspirational and indicator.cumulative
