"""Read the task list from the table of a Word (.docx) document."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from citybase.plan.parsing.header import looks_like_header, no_header_issue
from citybase.plan.parsing.issues import N_, PlanFileError, PlanFileIssue, not_office_issue
from citybase.plan.parsing.table import RawCell, RawRow, RawTable
from citybase.plan.parsing.text import clean_text

# How many rows from the top of a table are searched for the header row.
_HEADER_SEARCH_ROWS = 5


def _open(data: bytes, source: str) -> docx.document.Document:
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise PlanFileError(source, [not_office_issue("docx")]) from None


def _row_texts(table: Table, index: int) -> list[str]:
    return [cell.text for cell in table.rows[index].cells]


def _header_index(table: Table) -> int | None:
    for index in range(min(_HEADER_SEARCH_ROWS, len(table.rows))):
        if looks_like_header(_row_texts(table, index)):
            return index
    return None


def _raw_row(table: Table, index: int) -> RawRow:
    line = index + 1
    cells = [
        RawCell([p.text for p in cell.paragraphs] or [""], line, column)
        for column, cell in enumerate(table.rows[index].cells, start=1)
    ]
    return RawRow(cells, line)


def _title_above(document: docx.document.Document, table: Table) -> str | None:
    """Return the last non-empty paragraph above the table, skipping an 附件 label."""
    texts: list[str] = []
    for element in document.element.body.iterchildren():
        if element is table._tbl:
            break
        if element.tag.endswith("}p"):
            text = clean_text(Paragraph(element, document).text)
            if text and not text.startswith("附件"):
                texts.append(text)
    return texts[-1] if texts else None


def read_docx_table(data: bytes, source: str) -> RawTable:
    """Return the first table of the document that has the task list's header row."""
    document = _open(data, source)
    if not document.tables:
        issue = PlanFileIssue(N_("The Word document contains no table; expected the task list as a table."))
        raise PlanFileError(source, [issue])

    for table in document.tables:
        header_index = _header_index(table)
        if header_index is None:
            continue
        rows = [_raw_row(table, i) for i in range(header_index + 1, len(table.rows))]
        rows = [row for row in rows if any(not cell.is_blank for cell in row.cells)]
        header = _raw_row(table, header_index)
        return RawTable("docx", header, rows, _title_above(document, table))

    raise PlanFileError(source, [no_header_issue()])
