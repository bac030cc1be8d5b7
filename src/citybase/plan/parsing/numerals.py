"""Read one number as written in a target: Arabic or Chinese numerals, with 万/亿.

cn2an converts the Chinese numerals, but only ever the number itself: run over a
whole sentence, its ``transform()`` also rewrites words such as 一体 into 1体.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

CHINESE_DIGITS = "零〇一二两三四五六七八九"

_ARABIC = re.compile(r"^[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?$")


def magnitude_factor(magnitude: str) -> int:
    """Return the factor of a run of magnitude characters: 万 → 10⁴, 万亿 → 10¹², 千万 → 10⁷."""
    factor = 1
    for char in magnitude:
        factor *= MAGNITUDES[char]
    return factor


def arabic_value(digits: str) -> Decimal:
    """Return the value of "3500", "2,000" or "1.5"."""
    if not _ARABIC.match(digits):
        raise ValueError(f"not an Arabic number: {digits!r}")
    return Decimal(digits.replace(",", ""))


def chinese_value(numeral: str) -> Decimal:
    """Return the value of a Chinese numeral such as 三千五百, 两万 or 一点五万."""
    numeral = numeral.replace("〇", "零")
    trailing = re.search(r"[万亿]+$", numeral)
    if "点" in numeral and trailing:
        # cn2an reads 一点五 but not 一点五万: apply the magnitude ourselves.
        mantissa = numeral[: trailing.start()]
        return _cn2an(mantissa) * magnitude_factor(trailing.group())
    return _cn2an(numeral)


def _cn2an(numeral: str) -> Decimal:
    try:
        value = cn2an.cn2an(numeral, "normal")
    except (ValueError, KeyError, IndexError) as error:
        raise ValueError(f"not a Chinese numeral: {numeral!r}") from error
    try:
        return Decimal(str(value))
    except InvalidOperation as error:  # pragma: no cover - cn2an returns int or float
        raise ValueError(f"not a Chinese numeral: {numeral!r}") from error


def number_value(number: str, magnitude: str = "") -> Decimal:
    """Return the value of an Arabic or Chinese number followed by an optional magnitude."""
    base = arabic_value(number) if number[0].isdigit() else chinese_value(number)
    value = base * magnitude_factor(magnitude)
    return normalize_decimal(value)


def normalize_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (220000, not 2.2E+5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
