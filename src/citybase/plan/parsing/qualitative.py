"""Find targets stated without a number, such as 光网全覆盖 (full coverage).

The phrase is the part of the clause that ends in 全覆盖, starting after its last
的 and without leading verbs of achieving (实现, 推动, 逐步 …): "实现下立交监控全覆盖"
gives 下立交监控全覆盖. 实施 is kept, because "实施医疗收费电子票据全覆盖" names
the measure itself.
"""

from __future__ import annotations

import re

from citybase.plan.parsing.clauses import Segmenter, inside

_FULL_COVERAGE = re.compile(r"全(?:面|域)?覆盖")
_LEADING = tuple(
    sorted(("实现", "推动", "加快", "逐步", "力争", "争取", "基本", "全面", "进一步", "持续", "确保"), key=len, reverse=True)
)


def _strip_leading(phrase: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in _LEADING:
            if phrase.startswith(word) and len(phrase) > len(word) + 3:
                phrase, changed = phrase[len(word) :], True
    return phrase


def extract_qualitative_targets(text: str) -> list[str]:
    """Return the full-coverage phrases of ``text`` in reading order, without repeats."""
    segmenter = Segmenter(text)
    targets: list[str] = []
    for match in _FULL_COVERAGE.finditer(text):
        if inside(segmenter.quotes, match.start(), match.end()):
            continue
        start = segmenter.start_of(match.start())
        possessive = segmenter.last_outside_quotes("的", start, match.start())
        if possessive != -1:
            start = possessive + 1
        phrase = _strip_leading(text[start : match.end()].strip())
        if phrase not in targets:
            targets.append(phrase)
    return targets
