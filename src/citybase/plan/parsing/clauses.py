"""Quote-aware positions in a task's text: quoted names, clauses and sentences.

Text inside quotes or title marks names a programme, slogan or scenario
(“一网通办”, “30秒入住、0秒退房”, 《…》), so its punctuation does not end a clause
and its numbers are never targets.
"""

from __future__ import annotations

_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", '"': '"'}

CLAUSE_ENDS = "，。；！？、：,;!?\n"
SENTENCE_ENDS = "。；！？;!?\n"


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each quoted run, quotes included; an unclosed quote runs to the end."""
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        closing = _PAIRS.get(text[index])
        if closing is None:
            index += 1
            continue
        end = text.find(closing, index + 1)
        end = len(text) if end == -1 else end + 1
        spans.append((index, end))
        index = end
    return spans


def inside(spans: list[tuple[int, int]], start: int, end: int | None = None) -> bool:
    """Return True when [start, end) overlaps any of ``spans``."""
    end = start + 1 if end is None else end
    return any(s < end and start < e for s, e in spans)


class Segmenter:
    """Finds the clause or sentence around a position, skipping quoted punctuation."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.quotes = quoted_spans(text)

    def _is_break(self, index: int, marks: str) -> bool:
        return self.text[index] in marks and not inside(self.quotes, index)

    def start_of(self, position: int, marks: str = CLAUSE_ENDS) -> int:
        """Return the index just after the last break before ``position``."""
        for index in range(position - 1, -1, -1):
            if self._is_break(index, marks):
                return index + 1
        return 0

    def end_of(self, position: int, marks: str = CLAUSE_ENDS) -> int:
        """Return the index of the first break at or after ``position`` (or the text's length)."""
        for index in range(position, len(self.text)):
            if self._is_break(index, marks):
                return index
        return len(self.text)

    def sentence_start(self, position: int) -> int:
        return self.start_of(position, SENTENCE_ENDS)

    def last_outside_quotes(self, needle: str, start: int, end: int) -> int:
        """Return the last index of ``needle`` in [start, end) outside quotes, or -1."""
        index = self.text.rfind(needle, start, end)
        while index != -1 and inside(self.quotes, index):
            index = self.text.rfind(needle, start, index)
        return index
