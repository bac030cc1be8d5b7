"""The work ledger (工作台账): every task with its units, targets, current values, progress and light, as .xlsx.

Layout (docs/exports.md shows it): a title row, a row with the time of the figures, a
header row that is frozen and repeated on every printed page, then per section a
shaded heading row, per key project a lighter heading row, and per task one row for
each indicator and qualitative target. The task's own columns are merged down its rows.
The sheet prints on A4 landscape, fitted to the page width.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from citybase.core.i18n import gettext_ as _
from citybase.core.i18n_marker import N_
from citybase.plan.formatting import format_quantity
from citybase.plan.models import ROLE_COOPERATOR, Task
from citybase.plan.queries import plan_name
from citybase.plan.supervision.assessment.labels import LIGHT_FILLS, LIGHT_WORDS
from citybase.plan.supervision.assessment.timefmt import figures_time
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings
from citybase.plan.supervision.summary import IndicatorStatus, TaskStatus, light_distribution, task_statuses
from citybase.plan.task_state import key_project_heading, section_heading

BODY_FONT = "宋体"
TITLE_FONT = "黑体"

# (msgid of the header, column width in characters); the order is the column order.
COLUMNS: tuple[tuple[str, float], ...] = (
    (N_("No."), 6),
    (N_("Task"), 40),
    (N_("Lead unit"), 12),
    (N_("Cooperating units"), 16),
    (N_("Indicator or target"), 28),
    (N_("Target"), 11),
    (N_("Target value"), 14),
    (N_("Unit of measure"), 7),
    (N_("Current value"), 14),
    (N_("Indicator progress"), 9),
    (N_("Task progress"), 9),
    (N_("序时进度"), 9),
    (N_("Status light"), 9),
    (N_("Deadline"), 11),
)
# 1-based column numbers of the task's own cells, merged down the task's rows.
TASK_COLUMNS = (1, 2, 3, 4, 11, 12, 13, 14)
HEADER_ROW = 3
PERCENT_FORMAT = "0.0%"
# Target and current values are numbers, so Excel sums and sorts them; the unit is in
# the column beside them and the 目标 column keeps the target as the plan writes it (22万).
NUMBER_FORMAT = "#,##0.######"
# Row height per wrapped line of 10 pt text, in points. openpyxl cannot measure text and
# LibreOffice keeps the stored height, so the ledger sets every row's height itself.
LINE_HEIGHT = 13.5

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SECTION_FILL = PatternFill("solid", fgColor="D9D9D9")
PROJECT_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")


@dataclass(frozen=True)
class LedgerLine:
    """One printed row of a task: an indicator, a qualitative target, or the task alone when it has neither."""

    label: str
    target: str
    target_value: Decimal | None
    unit: str
    current: Decimal | None
    progress: Decimal | None


def comparator_prefix(comparator: str) -> str:
    return {">=": "≥", ">": ">", "~": "约"}.get(comparator, "")


def indicator_line(item: IndicatorStatus) -> LedgerLine:
    indicator = item.indicator
    # Written as the plan writes it (22万, 3000亿), not as 220000 or 300000000000.
    if indicator.comparator == "range" and indicator.value_max is not None:
        target = f"{format_quantity(indicator.value)}–{format_quantity(indicator.value_max)}"
    else:
        target = comparator_prefix(indicator.comparator) + format_quantity(indicator.value)
    return LedgerLine(indicator.text, target, indicator.value, indicator.unit, item.current.value, item.progress.fraction)


def task_lines(status: TaskStatus) -> list[LedgerLine]:
    """Return the rows of one task: its indicators, then its qualitative targets with their reported progress."""
    lines = [indicator_line(item) for item in status.indicators]
    for target in status.task.qualitative_targets:
        lines.append(LedgerLine(target.text, _("Qualitative"), None, "", None, status.light.progress.targets.get(target.id)))
    return lines or [LedgerLine("—", "—", None, "", None, None)]


def cooperating_units(task: Task) -> str:
    return "、".join(link.name_as_written for link in task.units if link.role == ROLE_COOPERATOR) or "—"


def lead_unit(task: Task) -> str:
    if task.units:
        return task.units[0].name_as_written
    return task.lead_unit.name if task.lead_unit else "—"


def display_width(text: str) -> int:
    """Return the width of ``text`` in Excel character units: a CJK or full-width character counts 2."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def text_lines(value: object, width: float) -> int:
    """Estimate how many lines ``value`` wraps to in a column ``width`` characters wide."""
    usable = max(int(width) - 1, 1)
    return sum(max(math.ceil(display_width(part) / usable), 1) for part in str(value).split("\n"))


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _style_row(sheet: Worksheet, row: int, fill: PatternFill | None = None, bold: bool = False) -> None:
    for column in range(1, len(COLUMNS) + 1):
        cell = sheet.cell(row, column)
        cell.border = BORDER
        cell.font = Font(name=BODY_FONT, size=10, bold=bold)
        cell.alignment = CENTRE if column not in (2, 5) else WRAP
        if fill is not None:
            cell.fill = fill


def _heading_row(sheet: Worksheet, row: int, text: str, fill: PatternFill) -> None:
    sheet.cell(row, 1, text)
    sheet.row_dimensions[row].height = LINE_HEIGHT + 6
    _style_row(sheet, row, fill, bold=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    sheet.cell(row, 1).alignment = Alignment(vertical="center", horizontal="left")


def _task_rows(sheet: Worksheet, row: int, status: TaskStatus) -> int:
    """Write one task from ``row``; return the next free row."""
    task = status.task
    lines = task_lines(status)
    light = status.light.light
    task_values = {
        1: task.seq, 2: task.text, 3: lead_unit(task), 4: cooperating_units(task),
        11: _number(status.light.progress.fraction), 12: _number(status.light.expected),
        13: LIGHT_WORDS[light].render(), 14: status.due_on,
    }
    for offset, line in enumerate(lines):
        current = row + offset
        _style_row(sheet, current)
        for column, value in ((5, line.label), (6, line.target), (7, _number(line.target_value)), (8, line.unit),
                              (9, _number(line.current)), (10, _number(line.progress))):
            sheet.cell(current, column, value)
        sheet.cell(current, 7).number_format = NUMBER_FORMAT
        sheet.cell(current, 9).number_format = NUMBER_FORMAT
        sheet.cell(current, 10).number_format = PERCENT_FORMAT
    line_heights = [max(text_lines(line.label, COLUMNS[4][1]), text_lines(line.target, COLUMNS[5][1])) for line in lines]
    task_lines_needed = max(text_lines(task_values[column], COLUMNS[column - 1][1]) for column in (2, 3, 4))
    # The merged task cells need their lines spread evenly over the task's rows.
    shortfall = task_lines_needed - sum(line_heights)
    if shortfall > 0:
        extra = math.ceil(shortfall / len(lines))
        line_heights = [count + extra for count in line_heights]
    for offset, count in enumerate(line_heights):
        sheet.row_dimensions[row + offset].height = count * LINE_HEIGHT + 4
    for column, value in task_values.items():
        cell = sheet.cell(row, column, value)
        if column in (11, 12):
            cell.number_format = PERCENT_FORMAT
        if column == 14:
            cell.number_format = "yyyy-mm-dd"
        if column == 13:
            for offset in range(len(lines)):
                sheet.cell(row + offset, column).fill = PatternFill("solid", fgColor=LIGHT_FILLS[light])
        if len(lines) > 1:
            sheet.merge_cells(start_row=row, start_column=column, end_row=row + len(lines) - 1, end_column=column)
    return row + len(lines)


def _page_setup(sheet: Worksheet, last_row: int) -> None:
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = _("Page &P of &N")


def build_ledger(
    session: Session, now: dt.datetime, settings: SupervisionSettings | None = None,
    statuses: Sequence[TaskStatus] | None = None,
) -> bytes:
    """Return the ledger of every task as known at ``now``, as the bytes of an .xlsx file."""
    settings = settings or get_supervision_settings()
    statuses = list(statuses) if statuses is not None else task_statuses(session, now, settings=settings)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Work ledger")

    name = plan_name(session)
    if name:
        title = _("{plan}: work ledger", plan=name)
    else:
        title = _("Jiading District City Digital Transformation Action Plan ({start}–{end}): work ledger",
                  start=settings.plan_starts_on.year, end=settings.plan_ends_on.year)
    sheet.cell(1, 1, title).font = Font(name=TITLE_FONT, size=16, bold=True)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.row_dimensions[1].height = 30
    counts = light_distribution(statuses)
    lights = "，".join(f"{LIGHT_WORDS[light].render()} {count}" for light, count in counts.items())
    subtitle = _("Figures as of {time} (Shanghai time); {count} tasks: {lights}.",
                 time=figures_time(now), count=len(statuses), lights=lights)
    sheet.cell(2, 1, subtitle).font = Font(name=BODY_FONT, size=10)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))

    for column, (header, width) in enumerate(COLUMNS, start=1):
        sheet.cell(HEADER_ROW, column, _(header))
        sheet.column_dimensions[get_column_letter(column)].width = width
    _style_row(sheet, HEADER_ROW, HEADER_FILL, bold=True)
    sheet.row_dimensions[HEADER_ROW].height = 2 * LINE_HEIGHT + 6
    for column in range(1, len(COLUMNS) + 1):
        sheet.cell(HEADER_ROW, column).alignment = CENTRE

    row = HEADER_ROW + 1
    section_id = project_id = None
    for status in statuses:
        task = status.task
        if task.section_id != section_id:
            section_id, project_id = task.section_id, None
            _heading_row(sheet, row, section_heading(task.section), SECTION_FILL)
            row += 1
        if task.key_project_id != project_id:
            project_id = task.key_project_id
            siblings = [project.label for project in task.section.key_projects]
            _heading_row(sheet, row, key_project_heading(task.key_project, siblings), PROJECT_FILL)
            row += 1
        row = _task_rows(sheet, row, status)

    _page_setup(sheet, row - 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
