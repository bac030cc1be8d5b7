"""Read the task list from the first worksheet of an Excel (.xlsx) workbook that has it."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from citybase.plan.parsing.header import looks_like_header, no_header_issue
from citybase.plan.parsing.issues import N_, PlanFileError, PlanFileIssue, not_office_issue
from citybase.plan.parsing.table import RawCell, RawRow, RawTable
from citybase.plan.parsing.text import clean_text

# How many rows from the top of a sheet are searched for the header row.
_HEADER_SEARCH_ROWS = 10


def _open(data: bytes, source: str) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise PlanFileError(source, [not_office_issue("xlsx")]) from None


def _cell_text(value: object) -> str:
    """Return a cell value as text; whole floats such as 12.0 read as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _merged_values(sheet: Worksheet) -> dict[tuple[int, int], object]:
    """Map every cell inside a merged range to the value of the range's top-left cell."""
    values: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                values[(row, column)] = top_left
    return values


def _sheet_rows(sheet: Worksheet) -> list[RawRow]:
    merged = _merged_values(sheet)
    rows: list[RawRow] = []
    for row_cells in sheet.iter_rows():
        line = row_cells[0].row
        cells = []
        for cell in row_cells:
            value = merged.get((cell.row, cell.column), cell.value)
            cells.append(RawCell(_cell_text(value).splitlines() or [""], line, cell.column))
        rows.append(RawRow(cells, line))
    return rows


def _trim(row: RawRow, width: int) -> RawRow:
    """Drop empty cells beyond the header's width, which Excel keeps for formatting."""
    cells = row.cells[:width] + [c for c in row.cells[width:] if not c.is_blank]
    return RawRow(cells, row.line)


def _table_from_sheet(sheet: Worksheet) -> RawTable | None:
    rows = _sheet_rows(sheet)
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if not looks_like_header([cell.text for cell in row.cells]):
            continue
        header = row
        while header.cells and header.cells[-1].is_blank:
            header.cells.pop()
        data = [_trim(r, len(header.cells)) for r in rows[index + 1 :]]
        data = [r for r in data if any(not c.is_blank for c in r.cells)]
        above = [clean_text(c.text) for r in rows[:index] for c in r.cells if not c.is_blank]
        above = [text for text in above if not text.startswith("附件")]
        return RawTable("xlsx", header, data, above[-1] if above else None)
    return None


def read_xlsx_table(data: bytes, source: str) -> RawTable:
    """Return the task list from the first sheet that has its header row."""
    workbook = _open(data, source)
    for sheet in workbook.worksheets:
        table = _table_from_sheet(sheet)
        if table is not None:
            return table
    raise PlanFileError(source, [no_header_issue()])
