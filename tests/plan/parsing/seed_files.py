"""The district's task list as test data, and Word and Excel files built from its rows."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
from openpyxl.styles import Alignment

from citybase.plan.parsing.read_text import read_text_table

SEED_PATH = Path(__file__).resolve().parents[1] / "data" / "task_list_2021_2023.txt"
TITLE = "嘉定区城市数字化转型行动方案（2021-2023年）工作任务清单"

Rows = list[list[list[str]]]  # rows → cells → lines


def seed_bytes() -> bytes:
    return SEED_PATH.read_bytes()


def seed_rows() -> tuple[list[list[str]], Rows]:
    """Return the seed's header cells and data rows, each cell as its lines."""
    table = read_text_table(seed_bytes(), SEED_PATH.name)
    header = [cell.lines for cell in table.header.cells]
    rows = [[[line for line in cell.lines if line.strip()] or [""] for cell in row.cells] for row in table.rows]
    return header, rows


def _fill_cell(cell: docx.table._Cell, lines: list[str]) -> None:
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def build_docx(header: list[list[str]], rows: Rows, merge_blank: bool = False, title: str = TITLE) -> bytes:
    """Build a .docx with the title above a table of ``rows``.

    With ``merge_blank`` a blank section or key-project cell is merged with the cell
    above, as in the original document, instead of left empty.
    """
    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph(title)
    table = document.add_table(rows=1, cols=len(header))
    for cell, lines in zip(table.rows[0].cells, header):
        _fill_cell(cell, lines)
    row_cells = []
    for row in rows:
        cells = table.add_row().cells
        row_cells.append(cells)
        for column, (cell, lines) in enumerate(zip(cells, row)):
            if merge_blank and column in (1, 2) and not "".join(lines).strip():
                continue
            _fill_cell(cell, lines)
    if merge_blank:
        _merge_blank_cells(row_cells, rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _merge_blank_cells(row_cells: list[tuple[docx.table._Cell, ...]], rows: Rows) -> None:
    for column in (1, 2):
        top = None
        for index, row in enumerate(rows):
            if "".join(row[column]).strip():
                top = index
            elif top is not None:
                row_cells[top][column].merge(row_cells[index][column])


def build_xlsx(header: list[list[str]], rows: Rows, merge_blank: bool = False, title: str = TITLE) -> bytes:
    """Build an .xlsx with the title in A1 and the table from row 2."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务清单"
    sheet["A1"] = title
    for column, lines in enumerate(header, start=1):
        sheet.cell(2, column, "\n".join(lines))
    for index, row in enumerate(rows, start=3):
        for column, lines in enumerate(row, start=1):
            text = "\n".join(lines)
            value: object = int(text) if column == 1 and text.isdigit() else (text or None)
            cell = sheet.cell(index, column, value)
            cell.alignment = Alignment(wrap_text=True)
    if merge_blank:
        for column in (2, 3):
            _merge_xlsx_column(sheet, column, len(rows))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _merge_xlsx_column(sheet: openpyxl.worksheet.worksheet.Worksheet, column: int, count: int) -> None:
    top = None
    for row in range(3, 3 + count + 1):
        filled = row < 3 + count and sheet.cell(row, column).value is not None
        if filled or row == 3 + count:
            if top is not None and row - 1 > top:
                sheet.merge_cells(start_row=top, start_column=column, end_row=row - 1, end_column=column)
            top = row
