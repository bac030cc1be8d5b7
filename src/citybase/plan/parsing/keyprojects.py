"""Number the key projects whose label is missing, and warn where the numbering skips.

Key projects of the numbered sections are numbered 1、2、… across the whole plan;
those of 保障措施 are numbered （一）（二）… within it. A key project written without
its label takes the number its neighbours imply.
"""

from __future__ import annotations

from dataclasses import replace

from citybase.plan.parsing.issues import N_, Location, PlanFileIssue
from citybase.plan.parsing.results import ParsedKeyProject, ParsedSection


def _is_arabic(key_project: ParsedKeyProject) -> bool:
    return bool(key_project.label) and key_project.label[0].isdigit()


def _infer(section: ParsedSection, index: int, last_arabic: int | None) -> int:
    projects = section.key_projects
    for offset, earlier in enumerate(reversed(projects[:index]), start=1):
        if earlier.number is not None:
            return earlier.number + offset
    for offset, later in enumerate(projects[index + 1 :], start=1):
        if later.number is not None and not later.number_inferred:
            return max(later.number - offset, 1)
    return (last_arabic or 0) + 1 if any(_is_arabic(kp) for kp in projects) else 1


def _expected(previous: ParsedKeyProject | None, section_arabic: bool, last_arabic: int | None) -> int | None:
    if previous is not None:
        return None if previous.number is None else previous.number + 1
    if section_arabic:
        return (last_arabic or 0) + 1
    return 1


def check_key_project_numbers(sections: list[ParsedSection], column: Location) -> list[PlanFileIssue]:
    """Fill in missing key-project numbers and return the warnings about numbering.

    ``column`` locates the key-project column; each warning gets the project's line.
    """
    warnings: list[PlanFileIssue] = []
    last_arabic: int | None = None
    for section in sections:
        previous: ParsedKeyProject | None = None
        section_arabic = any(_is_arabic(kp) for kp in section.key_projects)
        for index, key_project in enumerate(section.key_projects):
            location = replace(column, line=key_project.line)
            if key_project.number is None:
                key_project.number = _infer(section, index, last_arabic)
                key_project.number_inferred = True
                warnings.append(
                    PlanFileIssue(
                        N_("The key project “{value}” has no number; it was numbered {number} from its position."),
                        {"value": key_project.title, "number": key_project.number},
                        location,
                        key_project.title,
                    )
                )
            else:
                expected = _expected(previous, section_arabic, last_arabic)
                if expected is not None and key_project.number != expected:
                    warnings.append(
                        PlanFileIssue(
                            N_("The key project “{value}” is numbered {number}; expected {expected}."),
                            {"value": key_project.title, "number": key_project.number, "expected": expected},
                            location,
                            key_project.title,
                        )
                    )
            if section_arabic:
                last_arabic = key_project.number
            previous = key_project
    return warnings
