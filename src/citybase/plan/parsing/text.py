"""Text clean-up shared by the readers: width folding, spaces, punctuation and line joins.

Word and Excel files typed by hand mix full-width and half-width forms, leave stray
spaces inside words ("改  造") and break cells across lines. Display text keeps
Chinese punctuation full-width; comparisons use :func:`canonical_key`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a\u202f\u205f]+")

# Half-width punctuation that becomes full-width when it touches Chinese text.
_TO_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def is_cjk(char: str) -> bool:
    """Return True for a CJK ideograph or a CJK/full-width punctuation mark."""
    if not char:
        return False
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2018 <= code <= 0x201F  # curly quotes
        or char in "·…—"
    )


def fold_width(text: str) -> str:
    """Turn full-width ASCII letters and digits into half-width; keep punctuation."""
    out = []
    for char in text:
        code = ord(char)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        elif char in "％＋－．／＆":
            out.append(unicodedata.normalize("NFKC", char))
        else:
            out.append(char)
    return "".join(out)


def _collapse_spaces(text: str) -> str:
    """Drop spaces next to Chinese text and squeeze the rest to one space."""
    parts = _SPACES.split(text)
    out = parts[0]
    for part in parts[1:]:
        if out and part and not is_cjk(out[-1]) and not is_cjk(part[0]):
            out += " "
        out += part
    return out.strip()


def _full_width_punctuation(text: str) -> str:
    chars = list(text)
    for index, char in enumerate(chars):
        if char not in _TO_FULL_WIDTH:
            continue
        before = chars[index - 1] if index > 0 else ""
        after = chars[index + 1] if index + 1 < len(chars) else ""
        if char == "," and before.isdigit() and after.isdigit():
            continue  # a thousands separator: 2,000
        if is_cjk(before) or is_cjk(after):
            chars[index] = _TO_FULL_WIDTH[char]
    return "".join(chars)


def _full_width_brackets(text: str) -> str:
    """Make ``(…)`` full-width when it touches or contains Chinese text."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        start, end = match.span()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if any(is_cjk(c) for c in inner) or is_cjk(before) or is_cjk(after):
            return f"（{inner}）"
        return match.group(0)

    return re.sub(r"\(([^()]*)\)", replace, text)


def _curly_quotes(text: str) -> str:
    """Pair straight double quotes in Chinese text into “ and ”."""
    if '"' not in text or not any(is_cjk(c) for c in text):
        return text
    out = []
    opening = True
    for char in text:
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(char)
    return "".join(out)


def clean_text(text: str) -> str:
    """Normalise one line of cell text for display and parsing."""
    text = text.translate(_ZERO_WIDTH)
    text = fold_width(text)
    text = _collapse_spaces(text)
    text = _full_width_brackets(text)
    text = _full_width_punctuation(text)
    return _curly_quotes(text)


def join_lines(lines: Iterable[str]) -> str:
    """Join the lines of one cell, dropping blank ones.

    Chinese needs no space where a line broke ("建设区大数据" + "资源平台"); two
    Latin words keep one.
    """
    out = ""
    for raw in lines:
        line = clean_text(raw)
        if not line:
            continue
        if out and not is_cjk(out[-1]) and not is_cjk(line[0]) and out[-1].isalnum() and line[0].isalnum():
            out += " "
        out += line
    return out


def canonical_key(text: str) -> str:
    """Return a comparison key: NFKC-folded, without whitespace, case-folded."""
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return re.sub(r"\s+", "", folded).casefold()
