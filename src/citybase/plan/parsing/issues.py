"""Problems found in a plan file: errors that stop the import, and warnings that do not.

Messages are English msgids with ``{placeholders}``. The caller translates the msgid
through the plan catalogue and then fills in ``params``, so the same issue reads in
Chinese on a page and in English in a log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` as a msgid for extraction without translating it here."""
    return message


LINE = "line"  # a line of a text file
TABLE_ROW = "row"  # a row of a Word table, the header row being row 1
SHEET_ROW = "sheet"  # a row of a worksheet, with columns named by letter


@dataclass(frozen=True)
class Location:
    """Where in a file an issue sits.

    ``line`` is 1-based, as an editor or Excel shows it. ``kind`` tells whether it
    counts lines of a text file, rows of a Word table or rows of a worksheet.
    ``column`` is the 1-based column of the table and ``column_name`` the header of
    that column, such as 序号.
    """

    line: int | None
    column: int | None = None
    column_name: str | None = None
    kind: str = LINE

    @property
    def column_label(self) -> str:
        """The column as the user sees it: "3", or "C" in a worksheet."""
        if self.column is None:
            return ""
        return _column_letter(self.column) if self.kind == SHEET_ROW else str(self.column)


def _column_letter(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True)
class PlanFileIssue:
    """One problem: a msgid, its parameters, and where and what was found."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    location: Location | None = None
    value: str | None = None

    def render(self, translate: Callable[[str], str] = N_) -> str:
        """Return the issue as one sentence, prefixed with its location."""
        text = translate(self.message).format(**self.params)
        prefix = render_location(self.location, translate)
        return f"{prefix}{text}" if prefix else text


_PREFIXES = {
    (LINE, False): N_("Line {line}: "),
    (LINE, True): N_("Line {line}, column {column} ({column_name}): "),
    (TABLE_ROW, False): N_("Table row {line}: "),
    (TABLE_ROW, True): N_("Table row {line}, column {column} ({column_name}): "),
    (SHEET_ROW, False): N_("Row {line}: "),
    (SHEET_ROW, True): N_("Row {line}, column {column} ({column_name}): "),
}


def render_location(location: Location | None, translate: Callable[[str], str] = N_) -> str:
    """Return "Line 12, column 1 (序号): " for a location, or "" when there is none."""
    if location is None or location.line is None:
        return ""
    with_column = location.column is not None
    template = translate(_PREFIXES[(location.kind, with_column)])
    return template.format(
        line=location.line, column=location.column_label, column_name=location.column_name or ""
    )


OFFICE_ERRORS = {
    "docx": N_(
        "The file is not a valid Word document (.docx): it is damaged, or another kind of file "
        "renamed to .docx. Open it in Word and save it again as a Word document (.docx), or "
        "upload the task list as .xlsx or as plain text."
    ),
    "xlsx": N_(
        "The file is not a valid Excel workbook (.xlsx): it is damaged, or another kind of file "
        "renamed to .xlsx. Open it in Excel and save it again as an Excel workbook (.xlsx), or "
        "upload the task list as .docx or as plain text."
    ),
}


def not_office_issue(file_format: str) -> PlanFileIssue:
    """The issue for a .docx or .xlsx file that cannot be opened as one."""
    return PlanFileIssue(OFFICE_ERRORS[file_format])


class PlanFileError(Exception):
    """A plan file that cannot be imported, with every issue found in it."""

    def __init__(self, source: str, issues: Iterable[PlanFileIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        if not self.issues:
            raise ValueError("PlanFileError needs at least one issue")
        lines = "; ".join(issue.render() for issue in self.issues[:5])
        more = f" (and {len(self.issues) - 5} more)" if len(self.issues) > 5 else ""
        super().__init__(f"{source}: {lines}{more}")


def shorten(value: str, limit: int = 40) -> str:
    """Return ``value`` cut to ``limit`` characters with an ellipsis, for messages."""
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"
