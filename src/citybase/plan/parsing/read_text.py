"""Read the tab-separated text that Word writes when a table is saved as plain text.

In that export every cell starts with a tab at the beginning of a line. A cell with
several paragraphs continues on the following lines, which do not start with a tab,
often with blank lines between them. A blank line followed by a sequence
number starts the next row. Lines above the first cell are the title.
"""

from __future__ import annotations

import codecs
import re

from citybase.plan.parsing.issues import N_, Location, PlanFileError, PlanFileIssue
from citybase.plan.parsing.table import RawCell, RawRow, RawTable
from citybase.plan.parsing.text import clean_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BARE_NUMBER = re.compile(r"^\s*[0-9０-９]+\s*$")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]*[:：]?$")


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if not data.strip():
        raise PlanFileError(source, [PlanFileIssue(N_("The file is empty."))])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        text = _decode_8bit(data, source)
    _reject_binary(text, source)
    return text


def _decode_8bit(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        offset = utf8_error.start
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        issue = PlanFileIssue(
            N_(
                "The file is not text: the byte at offset {offset} is neither UTF-8 nor "
                "GB18030. Save the table as plain text, or upload the .docx or .xlsx file."
            ),
            {"offset": offset},
        )
        raise PlanFileError(source, [issue]) from None


def _reject_binary(text: str, source: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        match = _CONTROL.search(line)
        if match:
            issue = PlanFileIssue(
                N_(
                    "The file contains binary data (character U+{code:04X} at position "
                    "{position}); expected the task list saved as plain text."
                ),
                {"code": ord(match.group()), "position": match.start() + 1},
                Location(number),
            )
            raise PlanFileError(source, [issue])


def _cells(lines: list[str]) -> tuple[list[str], list[tuple[RawCell, bool]]]:
    """Split lines into cells; return the lines above the first cell and the cells.

    Each cell comes with a flag saying whether a blank line came right before it.
    """
    preamble: list[str] = []
    cells: list[tuple[RawCell, bool]] = []
    after_blank = False
    for number, line in enumerate(lines, start=1):
        if "\t" not in line and not line.strip():
            after_blank = True
            if cells:
                cells[-1][0].lines.append("")
            continue
        parts = line.split("\t")
        if cells and parts[0]:
            cells[-1][0].lines.append(parts[0])
        elif parts[0].strip():
            preamble.append(parts[0])
        for part in parts[1:]:
            cells.append((RawCell([part], number, 0), after_blank))
            after_blank = False
        after_blank = False
    return preamble, cells


def _starts_row(cell: RawCell, after_blank: bool, row: list[RawCell], width: int) -> bool:
    if not row:
        return True
    if len(row) >= width:
        return True
    return after_blank and bool(_BARE_NUMBER.match(cell.text))


def _group_rows(cells: list[tuple[RawCell, bool]]) -> tuple[list[RawCell], list[RawRow]]:
    header: list[RawCell] = []
    index = 0
    while index < len(cells):
        cell, after_blank = cells[index]
        if header and (after_blank or _BARE_NUMBER.match(cell.text)):
            break
        header.append(cell)
        index += 1

    rows: list[list[RawCell]] = []
    for cell, after_blank in cells[index:]:
        if not rows or _starts_row(cell, after_blank, rows[-1], len(header)):
            rows.append([])
        rows[-1].append(cell)
    return header, [_numbered_row(row) for row in rows if any(not c.is_blank for c in row)]


def _numbered_row(cells: list[RawCell]) -> RawRow:
    for column, cell in enumerate(cells, start=1):
        cell.column = column
    return RawRow(cells, cells[0].line)


def _title(preamble: list[str]) -> str | None:
    lines = [clean_text(line) for line in preamble]
    lines = [line for line in lines if line and not _ATTACHMENT_LABEL.match(line)]
    return lines[-1] if lines else None


def read_text_table(data: bytes, source: str) -> RawTable:
    """Split a Word plain-text export into a :class:`RawTable`."""
    text = decode_text(data, source)
    preamble, cells = _cells(text.splitlines())
    if not cells:
        issue = PlanFileIssue(
            N_(
                "No table found: expected a header row whose cells (序号, 领域, 重点项目和应用场景, "
                "具体任务, 责任单位) each start with a tab, as Word writes a table saved as plain text."
            ),
        )
        raise PlanFileError(source, [issue])
    header, rows = _group_rows(cells)
    return RawTable("txt", _numbered_row(header), rows, _title(preamble))
