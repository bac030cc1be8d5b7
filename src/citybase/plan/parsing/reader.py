"""Entry points: detect a file's format, read it, and normalise it into a plan."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from pathlib import Path

from citybase.plan.parsing.issues import OFFICE_ERRORS, N_, PlanFileError, PlanFileIssue, not_office_issue
from citybase.plan.parsing.normalise import normalise
from citybase.plan.parsing.read_docx import read_docx_table
from citybase.plan.parsing.read_text import read_text_table
from citybase.plan.parsing.read_xlsx import read_xlsx_table
from citybase.plan.parsing.results import ParsedPlan

_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .doc and .xls before Office 2007

_READERS = {"txt": read_text_table, "docx": read_docx_table, "xlsx": read_xlsx_table}


def detect_format(data: bytes, filename: str = "") -> str:
    """Return "txt", "docx" or "xlsx" from the file's content, falling back to its name."""
    if data.startswith(_OLE2_MAGIC):
        issue = PlanFileIssue(
            N_(
                "The file is an old binary Word or Excel file (.doc/.xls); save it as .docx "
                "or .xlsx and import that."
            ),
        )
        raise PlanFileError(filename or "upload", [issue])
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix in OFFICE_ERRORS and not data.startswith(b"PK\x03\x04"):
        # Random bytes or a renamed file: say the .docx/.xlsx is invalid, not that it is bad text.
        raise PlanFileError(filename or "upload", [not_office_issue(suffix)])
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if suffix in OFFICE_ERRORS:
            raise PlanFileError(filename or "upload", [not_office_issue(suffix)])
        issue = PlanFileIssue(N_("The file is a ZIP archive but neither a .docx nor an .xlsx file."))
        raise PlanFileError(filename or "upload", [issue])
    return "txt"


def parse_plan_bytes(data: bytes, filename: str = "upload", known_units: Collection[str] = ()) -> ParsedPlan:
    """Parse a task list from the bytes of an uploaded file.

    ``known_units`` are unit names already on record. They only help to tell a line
    break between two names from a name broken across lines.
    """
    file_format = detect_format(data, filename)
    table = _READERS[file_format](data, filename)
    return normalise(table, filename, known_units)


def parse_plan_file(path: str | Path, known_units: Collection[str] = ()) -> ParsedPlan:
    """Parse the task list in the file at ``path``."""
    path = Path(path)
    return parse_plan_bytes(path.read_bytes(), path.name, known_units)
