"""Labels that number the plan's parts: （一） for sections, 1、 or （一） for key projects, （1） for tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

_CHINESE_DIGITS = "零〇一二三四五六七八九十百"

# （一）“全域感知”…  /  (一)…  /  一、…
_CHINESE_LABEL = re.compile(rf"^\s*(?:[（(]\s*([{_CHINESE_DIGITS}]+)\s*[)）]|([{_CHINESE_DIGITS}]+)\s*、)\s*")
# 1、搭建…  /  1.搭建…  /  1．搭建…   (but not "1.0版" or "5G")
_ARABIC_LABEL = re.compile(r"^\s*([0-9]+)\s*(?:[、，,]|[.．](?![0-9]))\s*")
# （1）实施…  /  (1)实施…  /  1）实施…
_SUB_NUMBER = re.compile(r"^\s*(?:[（(]\s*([0-9]+)\s*[)）]|([0-9]+)\s*[)）])\s*")


@dataclass(frozen=True)
class Label:
    """A leading number and the title after it, e.g. ``（一）`` / 1 / "完善统筹协调机制"."""

    text: str | None  # the label as written, such as "（一）" or "1、"; None when absent
    number: int | None
    title: str


def chinese_number(digits: str) -> int:
    return int(cn2an.cn2an(digits.replace("〇", "零"), "normal"))


def split_label(heading: str) -> Label:
    """Split a section or key-project heading into its number and title."""
    match = _CHINESE_LABEL.match(heading)
    if match:
        digits = match.group(1) or match.group(2)
        return Label(match.group(0).strip(), chinese_number(digits), heading[match.end() :].strip())
    match = _ARABIC_LABEL.match(heading)
    if match:
        return Label(match.group(0).strip(), int(match.group(1)), heading[match.end() :].strip())
    return Label(None, None, heading.strip())


def split_sub_number(text: str) -> tuple[int | None, str]:
    """Split "（1）实施…" into (1, "实施…"); text without a sub-number gives (None, text)."""
    match = _SUB_NUMBER.match(text)
    if not match:
        return None, text.strip()
    return int(match.group(1) or match.group(2)), text[match.end() :].strip()
