"""Turn a :class:`RawTable` from any reader into a :class:`ParsedPlan`.

The rules for the real-world layout live here. A blank section or key-project cell
means "same as above". A section or key project written again after a page break
continues the one above. A key project without its number gets the number its
position implies, with a warning. Every error of the file is collected before one
:class:`PlanFileError` is raised.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from citybase.plan.parsing.header import COLUMNS, KEY_PROJECT, SECTION, SEQ, TASK, UNITS, map_columns, match_column
from citybase.plan.parsing.issues import LINE, N_, SHEET_ROW, TABLE_ROW, Location, PlanFileError, PlanFileIssue, shorten
from citybase.plan.parsing.keyprojects import check_key_project_numbers
from citybase.plan.parsing.numbering import split_label, split_sub_number
from citybase.plan.parsing.qualitative import extract_qualitative_targets
from citybase.plan.parsing.quantities import extract_indicators
from citybase.plan.parsing.results import ParsedKeyProject, ParsedPlan, ParsedSection, ParsedTask
from citybase.plan.parsing.table import RawCell, RawRow, RawTable
from citybase.plan.parsing.text import canonical_key, join_lines
from citybase.plan.parsing.units import split_units

_WHOLE_NUMBER = re.compile(r"^[0-9]+$")
_COLUMN_NAMES = {spec.field: spec.name for spec in COLUMNS}
_LOCATION_KINDS = {"txt": LINE, "docx": TABLE_ROW, "xlsx": SHEET_ROW}


@dataclass
class _State:
    """The parser's position in the plan while it walks the rows."""

    sections: list[ParsedSection] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)
    errors: list[PlanFileIssue] = field(default_factory=list)
    warnings: list[PlanFileIssue] = field(default_factory=list)
    section: ParsedSection | None = None
    key_project: ParsedKeyProject | None = None
    last_seq: int | None = None
    last_sub_number: int | None = None


class _Normaliser:
    def __init__(self, table: RawTable, columns: dict[str, int], known_units: Collection[str]) -> None:
        self.table = table
        self.columns = columns
        self.known_units = known_units
        self.state = _State()
        self.kind = _LOCATION_KINDS[table.source_format]

    # -- helpers -------------------------------------------------------------

    def cell(self, row: RawRow, field_name: str) -> RawCell:
        return row.cells[self.columns[field_name]]

    def location(self, cell: RawCell, field_name: str) -> Location:
        return Location(cell.line, self.columns[field_name] + 1, self.header_name(field_name), self.kind)

    def header_name(self, field_name: str) -> str:
        header_cell = self.table.header.cells[self.columns[field_name]]
        return join_lines(header_cell.lines) or _COLUMN_NAMES[field_name]

    def error(self, message: str, cell: RawCell, field_name: str, **params: object) -> None:
        value = shorten(join_lines(cell.lines))
        issue = PlanFileIssue(message, {"value": value, **params}, self.location(cell, field_name), value)
        self.state.errors.append(issue)

    def warn(self, message: str, cell: RawCell, field_name: str, **params: object) -> None:
        value = shorten(join_lines(cell.lines))
        issue = PlanFileIssue(message, {"value": value, **params}, self.location(cell, field_name), value)
        self.state.warnings.append(issue)

    # -- one row -------------------------------------------------------------

    def add_row(self, row: RawRow) -> None:
        width = len(self.table.header.cells)
        if len(row.cells) < width:
            self.state.errors.append(self.missing_cells_issue(row, width))
            self.carry_context(row)
            return
        seq = self.read_seq(row)
        section = self.read_section(row)
        key_project = self.read_key_project(row, section)
        text_cell = self.cell(row, TASK)
        sub_number, text = self.read_task_text(text_cell, key_project)
        units = self.read_units(row)
        if seq is None or section is None or key_project is None or not text or not units:
            return
        task = ParsedTask(
            seq=seq,
            line=row.line,
            section=section,
            key_project=key_project,
            sub_number=sub_number,
            text=text,
            units=units,
            indicators=extract_indicators(text),
            qualitative_targets=extract_qualitative_targets(text),
        )
        self.state.tasks.append(task)

    def carry_context(self, row: RawRow) -> None:
        """Read the number, section and key project a short row still has.

        The rows below leave those cells blank for "same as above"; without them every
        later row would be reported as missing its section.
        """
        present = len(row.cells)
        if self.columns[SEQ] < present:
            self.read_seq(row)
        section = self.read_section(row) if self.columns[SECTION] < present else self.state.section
        if self.columns[KEY_PROJECT] < present:
            self.read_key_project(row, section)

    def missing_cells_issue(self, row: RawRow, width: int) -> PlanFileIssue:
        """Name the first column the short row has no cell for, and every column it lacks."""
        found = len(row.cells)
        names = [_column_title(cell, index) for index, cell in enumerate(self.table.header.cells)]
        return PlanFileIssue(
            N_(
                "This row has {found} cells, so the column {missing} has no cell; expected "
                "{expected} cells as in the header row ({columns}). Add the missing cell; in a "
                "plain-text file every cell starts with a tab."
            ),
            {
                "found": found, "expected": width, "missing": "、".join(names[found:]),
                "columns": "、".join(names),
            },
            Location(row.line, found + 1, names[found], self.kind),
        )

    def read_seq(self, row: RawRow) -> int | None:
        cell = self.cell(row, SEQ)
        text = join_lines(cell.lines)
        if not _WHOLE_NUMBER.match(text):
            self.error(N_("The sequence number is “{value}”; expected a whole number."), cell, SEQ)
            return None
        seq = int(text)
        last = self.state.last_seq
        if last is not None and seq <= last:
            self.error(
                N_("The sequence number {value} does not follow {previous}; expected a number greater than {previous}."),
                cell, SEQ, previous=last,
            )
            return None
        if last is not None and seq > last + 1:
            self.warn(N_("Sequence numbers jump from {previous} to {value}."), cell, SEQ, previous=last)
        self.state.last_seq = seq
        return seq

    def read_section(self, row: RawRow) -> ParsedSection | None:
        cell = self.cell(row, SECTION)
        heading = join_lines(cell.lines)
        state = self.state
        if not heading:
            if state.section is None:
                self.error(N_("The first task has no section; expected the section (领域) in this row."), cell, SECTION)
            return state.section
        if state.section is not None and _same_heading(state.section, heading):
            return state.section
        for earlier in state.sections:
            if _same_heading(earlier, heading):
                self.warn(N_("The section “{value}” appears again after other sections; its tasks are added to it."), cell, SECTION)
                state.section, state.key_project = earlier, None
                return earlier
        label = split_label(heading)
        section = ParsedSection(len(state.sections) + 1, label.number, label.text, label.title, cell.line)
        state.sections.append(section)
        state.section, state.key_project = section, None
        return section

    def read_key_project(self, row: RawRow, section: ParsedSection | None) -> ParsedKeyProject | None:
        cell = self.cell(row, KEY_PROJECT)
        heading = join_lines(cell.lines)
        state = self.state
        if section is None:
            return None
        if not heading:
            if state.key_project is None:
                self.error(
                    N_("The section starts without a key project; expected the key project (重点项目和应用场景) in its first row."),
                    cell, KEY_PROJECT,
                )
            return state.key_project
        label = split_label(heading)
        for existing in reversed(section.key_projects):
            if _same_key_project(existing, label.number, label.title):
                if existing is not section.key_projects[-1]:
                    self.warn(N_("The key project “{value}” appears again after other key projects; its tasks are added to it."), cell, KEY_PROJECT)
                state.key_project = existing
                return existing
        key_project = ParsedKeyProject(len(section.key_projects) + 1, label.number, label.text, label.title, cell.line)
        section.key_projects.append(key_project)
        state.key_project, state.last_sub_number = key_project, None
        return key_project

    def read_task_text(self, cell: RawCell, key_project: ParsedKeyProject | None) -> tuple[int | None, str]:
        full = join_lines(cell.lines)
        if not full:
            self.error(N_("The task text is empty; expected the task (具体任务)."), cell, TASK)
            return None, ""
        sub_number, text = split_sub_number(full)
        if sub_number is None:
            self.warn(N_("The task has no sub-number such as （1）."), cell, TASK)
        else:
            expected = (self.state.last_sub_number or 0) + 1
            if sub_number != expected:
                self.warn(N_("The sub-number （{found}） does not follow on; expected （{expected}）."), cell, TASK, found=sub_number, expected=expected)
            self.state.last_sub_number = sub_number
        return sub_number, text

    def read_units(self, row: RawRow) -> list[str]:
        cell = self.cell(row, UNITS)
        units = split_units(cell.lines, self.known_units)
        if not units.names:
            self.error(N_("No responsible unit; expected at least one unit name in 责任单位."), cell, UNITS)
        for written in units.deng_written:
            self.warn(
                N_("The unit list writes “{written}” with 等 (and others); only the units named are recorded."),
                cell, UNITS, written=written,
            )
        return units.names


def _column_title(cell: RawCell, index: int) -> str:
    """The column's name as the template writes it (责任单位), else its header text."""
    spec = match_column(cell.text)
    if spec is not None:
        return spec.name
    return join_lines(cell.lines) or str(index + 1)


def _same_heading(section: ParsedSection, heading: str) -> bool:
    label = split_label(heading)
    if canonical_key(label.title) != canonical_key(section.title):
        return False
    return label.number is None or section.number is None or label.number == section.number


def _same_key_project(existing: ParsedKeyProject, number: int | None, title: str) -> bool:
    if canonical_key(existing.title) != canonical_key(title):
        return False
    return number is None or existing.number is None or number == existing.number


def normalise(table: RawTable, source: str, known_units: Collection[str] = ()) -> ParsedPlan:
    """Build the plan from a table; raise :class:`PlanFileError` listing every error."""
    columns, issues = map_columns(table.header, _LOCATION_KINDS[table.source_format])
    if issues:
        raise PlanFileError(source, issues)
    if not table.rows:
        location = Location(table.header.line, kind=_LOCATION_KINDS[table.source_format])
        issue = PlanFileIssue(N_("The table has a header row but no tasks."), location=location)
        raise PlanFileError(source, [issue])

    normaliser = _Normaliser(table, columns, known_units)
    for row in table.rows:
        normaliser.add_row(row)
    state = normaliser.state
    if state.errors:
        raise PlanFileError(source, state.errors)

    key_project_column = Location(None, columns[KEY_PROJECT] + 1, normaliser.header_name(KEY_PROJECT), normaliser.kind)
    state.warnings.extend(check_key_project_numbers(state.sections, key_project_column))
    return ParsedPlan(table.title, table.source_format, state.sections, state.tasks, state.warnings)
