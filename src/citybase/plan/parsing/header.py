"""The header row: which column contains the sequence, section, key project, task and units."""

from __future__ import annotations

from dataclasses import dataclass

from citybase.plan.parsing.issues import N_, Location, PlanFileIssue
from citybase.plan.parsing.table import RawRow
from citybase.plan.parsing.text import canonical_key

SEQ = "seq"
SECTION = "section"
KEY_PROJECT = "key_project"
TASK = "task"
UNITS = "units"


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    name: str  # the header as the district's template writes it
    prefixes: tuple[str, ...]  # header texts accepted, matched at the start


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(SEQ, "序号", ("序号", "编号")),
    ColumnSpec(SECTION, "领域", ("领域", "板块")),
    ColumnSpec(KEY_PROJECT, "重点项目和应用场景", ("重点项目", "应用场景")),
    ColumnSpec(TASK, "具体任务", ("具体任务", "任务内容", "工作任务")),
    ColumnSpec(UNITS, "责任单位", ("责任单位", "牵头单位", "责任部门")),
)

EXPECTED_COLUMNS = "、".join(spec.name for spec in COLUMNS)


def match_column(text: str) -> ColumnSpec | None:
    """Return the column a header cell names, or None for an unknown header."""
    key = canonical_key(text)
    for spec in COLUMNS:
        if any(key.startswith(canonical_key(prefix)) for prefix in spec.prefixes):
            return spec
    return None


def looks_like_header(texts: list[str]) -> bool:
    """Return True when at least two cells name known columns."""
    return sum(1 for text in texts if match_column(text)) >= 2


def map_columns(header: RawRow, kind: str) -> tuple[dict[str, int], list[PlanFileIssue]]:
    """Map each field to its 0-based column index; report missing and repeated columns.

    ``kind`` is the :class:`Location` kind of the file (line, table row or sheet row).
    """
    mapping: dict[str, int] = {}
    issues: list[PlanFileIssue] = []
    for index, cell in enumerate(header.cells):
        spec = match_column(cell.text)
        if spec is None:
            continue
        if spec.field in mapping:
            issues.append(
                PlanFileIssue(
                    N_("The header names the {column} column twice; expected it once."),
                    {"column": spec.name},
                    Location(cell.line, index + 1, cell.text, kind),
                    cell.text,
                )
            )
            continue
        mapping[spec.field] = index
    if not mapping:
        return mapping, [no_header_issue(Location(header.line, kind=kind))]
    for spec in COLUMNS:
        if spec.field not in mapping:
            issues.append(
                PlanFileIssue(
                    N_(
                        "The header row has no {column} column; expected the columns "
                        "{expected}."
                    ),
                    {"column": spec.name, "expected": EXPECTED_COLUMNS},
                    Location(header.line, kind=kind),
                )
            )
    return mapping, issues


def no_header_issue(location: Location | None = None) -> PlanFileIssue:
    return PlanFileIssue(
        N_("No header row found; expected a row with the columns {expected}."),
        {"expected": EXPECTED_COLUMNS},
        location,
    )
