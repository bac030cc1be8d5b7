"""Find the quantified targets (量化指标) in a task's text.

A number is a target when a target word comes right before it (达, 建成, 不少于,
超过 …), a comparator follows its unit (以上, 左右), or it closes a clause after the
noun it counts (创建示范点1家).

These are never targets: years and technology names (5G, 4K, V2X). Nor is anything
in quotes, because quotes mark programme names, slogans and scenarios such as
“30秒入住、0秒退房”. Scenario names with numbers (15分钟社区生活圈, 7×24小时, the
12345 hotline) and ordinals (第N) are skipped too. A version number is skipped
because “嘉定标准”1.0版 names an edition, not a count. Words led by a bare 一 or 双
(一网、一图、一批) are not counts either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from citybase.plan.parsing.clauses import Segmenter, inside
from citybase.plan.parsing.numerals import CHINESE_DIGITS, chinese_value, number_value
from citybase.plan.parsing.quantity_words import (
    ACTION_NOUNS,
    ADVERB_COMPARATORS,
    AMBIGUOUS_LATIN_UNITS,
    ASPIRATIONAL_WORDS,
    CHINESE_UNITS,
    CUMULATIVE_WORDS,
    FALSE_UNIT_WORDS,
    LATIN_UNITS,
    LEADING_WORDS,
    LEVEL_TRIGGERS,
    MODIFIERS,
    NOUN_PHRASE_STOPS,
    PERCENT_UNITS,
    SUFFIX_WORDS,
    SUFFIXES,
    TRAILING_WORDS,
    TRIGGER_WORDS,
    TRIGGERS,
)
from citybase.plan.parsing.results import Comparator, ParsedIndicator
from citybase.plan.parsing.text import is_cjk

_NUMBER = r"(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿点]*)"
_MAGNITUDE = r"[百千万亿]{0,2}"
_UNIT = "|".join(re.escape(u) for u in (*PERCENT_UNITS, *CHINESE_UNITS, *LATIN_UNITS))
_DASHES = "-－~～—–"

_RANGE = re.compile(
    rf"(?P<n1>{_NUMBER})(?P<m1>{_MAGNITUDE})"
    rf"(?:(?P<u1>{_UNIT})?\s*[{_DASHES}]|\s*[至到])\s*"
    rf"(?P<n2>{_NUMBER})(?P<m2>{_MAGNITUDE})(?P<more>余|多)?(?P<unit>{_UNIT})"
)
_SINGLE = re.compile(rf"(?P<n2>{_NUMBER})(?P<m2>{_MAGNITUDE})(?P<more>余|多)?(?P<unit>{_UNIT})")
_CHINESE_PERCENT = re.compile(r"百分之(?P<n2>[零〇一二两三四五六七八九十百点]+)")

# Spans whose numbers are never targets.
_EXCLUDED = (
    re.compile(rf"(?:19|20)[0-9]{{2}}(?:\s*[{_DASHES}至到]\s*(?:19|20)?[0-9]{{2}})?\s*年"),
    re.compile(r"[0-9]+\s*分钟[^，。；、]{0,6}?生活圈"),
    re.compile(r"[0-9]+\s*秒(?:入住|退房|办结|审批|响应)"),
    re.compile(r"[0-9]+\s*[×xX*]\s*[0-9]+\s*(?:小时)?"),
    re.compile(r"12345|[0-9]+\s*热线"),
    re.compile(r"[0-9]+(?:\.[0-9]+)+\s*版|[vV][0-9]+(?:\.[0-9]+)*"),
    re.compile(r"第[0-9零〇一二两三四五六七八九十百千]+"),
    re.compile(r"[0-9A-Za-z]+\+[0-9A-Za-z]+"),
)

_LATIN_UNIT_FOLLOWERS = ("及以上", "以上", "以下", "以内", "左右", "上下", "的")


@dataclass(frozen=True)
class _Quantity:
    start: int
    end: int  # after the unit and any comparator suffix
    value: Decimal
    value_max: Decimal | None
    unit: str
    suffix: Comparator | None
    more_than: bool  # 余/多 between number and unit: "100余家"


def _excluded_spans(text: str, segmenter: Segmenter) -> list[tuple[int, int]]:
    spans = list(segmenter.quotes)
    for pattern in _EXCLUDED:
        spans.extend(match.span() for match in pattern.finditer(text))
    return spans


def _left_boundary_ok(text: str, start: int) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    if before.isascii() and (before.isalnum() or before in ".,"):
        return False
    return before not in CHINESE_DIGITS + "十百千万亿双"


def _unit_ok(text: str, unit_start: int, unit: str) -> bool:
    end = unit_start + len(unit)
    if unit in LATIN_UNITS:
        after = text[end : end + 3]
        if after[:1].isascii() and (after[:1].isalnum() or after[:1] == "+"):
            return False
        return not (after[:1] and is_cjk(after[0]) and after[0] not in "，。；、：！？）》”") or after.startswith(
            _LATIN_UNIT_FOLLOWERS
        )
    return not any(text.startswith(word, unit_start) for word in FALSE_UNIT_WORDS if word.startswith(unit))


def _bare_one(number: str, magnitude: str) -> bool:
    """一 alone means "a" (一批, 一网, 一图) far more often than a count of one."""
    return number in ("一", "〇", "零") and not magnitude


def _match_quantity(text: str, position: int) -> _Quantity | None:
    match = _RANGE.match(text, position) or _SINGLE.match(text, position)
    if match is None:
        return _match_chinese_percent(text, position)
    groups = match.groupdict()
    if _bare_one(groups["n2"], groups["m2"]) and groups.get("n1") is None:
        return None
    if not _unit_ok(text, match.start("unit"), groups["unit"]):
        return None
    try:
        value_max = number_value(groups["n2"], groups["m2"])
        if groups.get("n1") is not None:
            # A trailing magnitude applies to both ends (2-3万 = 20000–30000) unless
            # the lower end has its own (2万-3万, 一万至三万).
            own_magnitude = groups["m1"] or any(char in groups["n1"] for char in "万亿")
            value = number_value(groups["n1"], groups["m1"] if own_magnitude else groups["m2"])
        else:
            value, value_max = value_max, None
    except ValueError:
        return None
    end, suffix = _read_suffix(text, match.end())
    return _Quantity(position, end, value, value_max, groups["unit"], suffix, bool(groups["more"]))


def _match_chinese_percent(text: str, position: int) -> _Quantity | None:
    match = _CHINESE_PERCENT.match(text, position)
    if match is None:
        return None
    try:
        value = chinese_value(match.group("n2"))
    except ValueError:
        return None
    end, suffix = _read_suffix(text, match.end())
    return _Quantity(position, end, value, None, "%", suffix, False)


def _read_suffix(text: str, end: int) -> tuple[int, Comparator | None]:
    for word in SUFFIX_WORDS:
        if text.startswith(word, end):
            return end + len(word), SUFFIXES[word]
    return end, None


@dataclass(frozen=True)
class _Trigger:
    start: int  # where the trigger word (or an adverb before it) begins
    word: str | None
    comparator: Comparator | None


def _strip_modifiers(before: str) -> int:
    """Return where ``before`` ends once trailing modifiers (累计, 全区 …) are removed."""
    end = len(before)
    stripped = True
    while stripped:
        stripped = False
        for word in MODIFIERS:
            if before.endswith(word, 0, end):
                end -= len(word)
                stripped = True
    return end


def _find_trigger(text: str, clause_start: int, number_start: int) -> _Trigger:
    """Look back from the number over modifiers for a target word."""
    before = text[clause_start:number_start]
    end = _strip_modifiers(before)
    for word in TRIGGER_WORDS:
        if not before.endswith(word, 0, end):
            continue
        comparator = TRIGGERS[word]
        start = end - len(word)
        # 至少建设3个平台: an adverb before a verb of reaching sets the comparator.
        for adverb, adverb_comparator in ADVERB_COMPARATORS.items():
            if comparator is Comparator.REACH and before.endswith(adverb, 0, start):
                comparator, start = adverb_comparator, start - len(adverb)
                break
        return _Trigger(clause_start + start, word, comparator)
    return _Trigger(number_start, None, None)


def _comparator(quantity: _Quantity, trigger: _Trigger) -> Comparator:
    if quantity.value_max is not None:
        return Comparator.RANGE
    if quantity.suffix is Comparator.ABOUT:
        return Comparator.ABOUT
    if trigger.comparator not in (None, Comparator.REACH):
        return trigger.comparator
    if quantity.more_than:
        return Comparator.MORE_THAN
    return quantity.suffix or Comparator.REACH


def _strip_words(phrase: str) -> str:
    changed = True
    while changed and phrase:
        changed = False
        for word in LEADING_WORDS:
            if phrase.startswith(word) and len(phrase) > len(word):
                phrase, changed = phrase[len(word) :], True
        for word in TRAILING_WORDS:
            if phrase.endswith(word) and len(phrase) > len(word):
                phrase, changed = phrase[: -len(word)], True
    return phrase


def _unquote(phrase: str) -> str:
    if len(phrase) >= 2 and phrase[0] in "“《「" and phrase[-1] in "”》」" and phrase.count(phrase[0]) == 1:
        return phrase[1:-1]
    return phrase


def _noun_phrase(segmenter: Segmenter, start: int, end: int) -> tuple[str, int]:
    """Return the noun phrase in [start, end) naming what is counted, and where it ends."""
    text = segmenter.text
    stop = end
    for word in NOUN_PHRASE_STOPS:
        index = text.find(word, start, stop)
        while index != -1 and inside(segmenter.quotes, index):
            index = text.find(word, index + 1, stop)
        if index != -1:
            stop = index
    phrase = text[start:stop]
    possessive = segmenter.last_outside_quotes("的", start, stop)
    if possessive != -1:
        owner, head = text[start:possessive], text[possessive + 1 : stop]
        quoted_owner = owner.startswith(("“", "《", "「")) and owner.endswith(("”", "》", "」"))
        if owner and not quoted_owner and head in ACTION_NOUNS:
            phrase = owner
        else:
            phrase = head
    return _unquote(phrase.strip()), stop


def _is_target(before: str, quantity: _Quantity, trigger: _Trigger, clause_closes: bool) -> bool:
    """Decide whether a number with a unit states a target (see the module docstring)."""
    if quantity.unit in AMBIGUOUS_LATIN_UNITS and quantity.value_max is None:
        # 40G or 500M alone reads as a technology (5G) unless a level is set: 带宽达100G.
        return trigger.word in LEVEL_TRIGGERS
    if trigger.comparator is not None or quantity.suffix is not None or quantity.more_than:
        return True
    # 成功创建示范点1家: a noun, then the count closing the clause.
    return clause_closes and bool(before) and is_cjk(before[-1]) and quantity.unit not in LATIN_UNITS


def _indicator(segmenter: Segmenter, quantity: _Quantity) -> ParsedIndicator | None:
    text = segmenter.text
    clause_start = segmenter.start_of(quantity.start)
    clause_end = segmenter.end_of(quantity.end)
    trigger = _find_trigger(text, clause_start, quantity.start)
    noun, noun_end = _noun_phrase(segmenter, quantity.end, clause_end)
    clause_closes = not noun
    if not _is_target(text[clause_start : quantity.start], quantity, trigger, clause_closes):
        return None

    if noun:
        phrase_start = quantity.start if trigger.word == "等" else trigger.start
        metric, phrase = noun, text[phrase_start:noun_end]
    else:
        metric = _unquote(_strip_words(text[clause_start : trigger.start]))
        phrase = text[clause_start : quantity.end]
    sentence = text[segmenter.sentence_start(quantity.start) : quantity.start]
    clause = text[clause_start : quantity.start]
    return ParsedIndicator(
        text=phrase.strip(),
        metric=metric,
        comparator=_comparator(quantity, trigger),
        value=quantity.value,
        value_max=quantity.value_max,
        unit=quantity.unit,
        aspirational=any(word in sentence for word in ASPIRATIONAL_WORDS),
        cumulative=any(word in clause for word in CUMULATIVE_WORDS),
    )


def extract_indicators(text: str) -> list[ParsedIndicator]:
    """Return every quantified target in ``text`` in reading order."""
    segmenter = Segmenter(text)
    excluded = _excluded_spans(text, segmenter)
    indicators: list[ParsedIndicator] = []
    position = 0
    while position < len(text):
        quantity = None
        if _left_boundary_ok(text, position) and not inside(excluded, position):
            quantity = _match_quantity(text, position)
        if quantity is None or inside(excluded, quantity.start, quantity.end):
            position += 1
            continue
        indicator = _indicator(segmenter, quantity)
        if indicator is not None:
            indicators.append(indicator)
        position = quantity.end
    return indicators
