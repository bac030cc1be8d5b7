"""Problems found in a plan file: errors that stop the import, and warnings that do not.

Messages are English msgids with ``{placeholders}``; the caller translates the msgid
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


@dataclass(frozen=True)
class Location:
    """Where in a file an issue sits.

    ``line`` is a line of a text file or a row of a Word table or a worksheet
    (1-based, as the editor shows it). ``column`` is the 1-based column of the
    table and ``column_name`` the header of that column, such as 序号.
    """

    line: int | None
    column: int | None = None
    column_name: str | None = None


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


def render_location(location: Location | None, translate: Callable[[str], str] = N_) -> str:
    """Return "Line 12, column 1 (序号): " for a location, or "" when there is none."""
    if location is None or location.line is None:
        return ""
    if location.column is None:
        return translate(N_("Line {line}: ")).format(line=location.line)
    if location.column_name:
        return translate(N_("Line {line}, column {column} ({column_name}): ")).format(
            line=location.line, column=location.column, column_name=location.column_name
        )
    return translate(N_("Line {line}, column {column}: ")).format(
        line=location.line, column=location.column
    )


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
