"""Read the plan's task list from a file: tab-separated text, Word (.docx) or Excel (.xlsx).

All three formats go through one normaliser, so the same list gives the same
:class:`ParsedPlan` whichever way it was saved. A malformed file raises one
:class:`PlanFileError` listing every issue found in it.
"""

from citybase.plan.parsing.issues import Location, PlanFileError, PlanFileIssue
from citybase.plan.parsing.reader import detect_format, parse_plan_bytes, parse_plan_file
from citybase.plan.parsing.results import (
    Comparator,
    ParsedIndicator,
    ParsedKeyProject,
    ParsedPlan,
    ParsedSection,
    ParsedTask,
)

__all__ = [
    "Comparator",
    "Location",
    "ParsedIndicator",
    "ParsedKeyProject",
    "ParsedPlan",
    "ParsedSection",
    "ParsedTask",
    "PlanFileError",
    "PlanFileIssue",
    "detect_format",
    "parse_plan_bytes",
    "parse_plan_file",
]
