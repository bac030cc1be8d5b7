"""Split a 责任单位 cell into unit names, lead first.

The cell lists names separated by 、 (or a comma or semicolon). A name may break
across lines ("区城市数字化转型" / "工作领导小组成员单位"), and the list may end with
a stray 、. It may close with 等 ("区文化旅游局等": and others) or with 等相关街镇
(and the related towns). 等 is dropped, and placeholders such as 相关街镇 are kept
as written.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from citybase.plan.parsing.text import canonical_key, clean_text

_SEPARATORS = re.compile(r"[、，,；;/／]+")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
# Placeholders that stand for several town-level units.
PLACEHOLDERS = ("各相关街镇", "相关街镇", "各街镇", "各街道", "相关街道", "相关单位", "各相关单位")
_DENG_PLACEHOLDER = re.compile("等(" + "|".join(PLACEHOLDERS) + ")$")


@dataclass
class UnitList:
    """The names in a 责任单位 cell and the 等 forms that were resolved."""

    names: list[str] = field(default_factory=list)
    deng_written: list[str] = field(default_factory=list)  # segments as written with 等


def _join_cell_lines(lines: list[str], known: Collection[str]) -> str:
    """Join the cell's lines; a break or a space separates only two known names."""
    known_keys = {canonical_key(name) for name in known}
    pieces = [piece for line in lines for piece in _SPACES.split(line)]
    text = ""
    for raw in pieces:
        line = clean_text(raw)
        if not line:
            continue
        if text and not _SEPARATORS.match(text[-1]) and not _SEPARATORS.match(line[0]):
            tail = _SEPARATORS.split(text)[-1]
            head = _SEPARATORS.split(line)[0]
            both_known = canonical_key(tail) in known_keys and canonical_key(head) in known_keys
            if both_known and canonical_key(tail + head) not in known_keys:
                text += "、"
        text += line
    return text


def _expand_deng(segment: str, result: UnitList) -> list[str]:
    match = _DENG_PLACEHOLDER.search(segment)
    if match:
        result.deng_written.append(segment)
        return [segment[: match.start()], match.group(1)]
    if segment.endswith("等") and len(segment) > 1:
        result.deng_written.append(segment)
        return [segment[:-1]]
    return [segment]


def split_units(lines: list[str], known: Collection[str] = ()) -> UnitList:
    """Return the unit names of a cell in order, without duplicates or 等."""
    result = UnitList()
    text = _join_cell_lines(lines, known)
    for segment in _SEPARATORS.split(text):
        for name in _expand_deng(segment.strip(), result):
            name = name.strip()
            if name and canonical_key(name) not in {canonical_key(n) for n in result.names}:
                result.names.append(name)
    return result
