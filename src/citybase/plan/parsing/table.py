"""The table every reader produces: the header row and the data rows, cell by cell.

Readers only split a file into cells and remember where each cell came from; the
normaliser turns the table into sections, key projects and tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawCell:
    """One cell: its lines as written and the line (or row) where it starts."""

    lines: list[str]
    line: int
    column: int  # 1-based

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def is_blank(self) -> bool:
        return not any(line.strip() for line in self.lines)


@dataclass
class RawRow:
    cells: list[RawCell]
    line: int


@dataclass
class RawTable:
    """A file split into cells; ``title`` is the text above the table, if any."""

    source_format: str  # "txt", "docx" or "xlsx"
    header: RawRow
    rows: list[RawRow] = field(default_factory=list)
    title: str | None = None
