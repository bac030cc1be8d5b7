"""A task's content as plain values, so an import can compare the file with the database.

The same values make up a task revision's before and after, and the JSON export.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from citybase.plan.models import Indicator, KeyProject, Section, Task
from citybase.plan.parsing import ParsedIndicator, ParsedKeyProject, ParsedSection, ParsedTask
from citybase.plan.parsing.numerals import normalize_decimal

STATE_FIELDS = ("section", "key_project", "sub_number", "text", "units", "indicators", "qualitative_targets")

_CHINESE_NUMBERS = "零一二三四五六七八九十"


def decimal_text(value: Decimal | None) -> str | None:
    """Return a value as plain decimal text (220000, 1.5), or None."""
    return None if value is None else format(normalize_decimal(Decimal(value)), "f")


def indicator_state(indicator: Indicator | ParsedIndicator) -> dict[str, Any]:
    return {
        "text": indicator.text,
        "metric": indicator.metric,
        "comparator": str(indicator.comparator),
        "value": decimal_text(indicator.value),
        "value_max": decimal_text(indicator.value_max),
        "unit": indicator.unit,
        "aspirational": bool(indicator.aspirational),
        "cumulative": bool(indicator.cumulative),
    }


def section_heading(section: Section | ParsedSection) -> str:
    """Return the section as the list writes it: （一）“全域感知”… or 保障措施."""
    return f"{section.label or ''}{section.title}"


def key_project_heading(key_project: KeyProject | ParsedKeyProject, sibling_labels: list[str | None]) -> str:
    """Return the key project with its label; a missing label is written like its siblings'.

    Key projects of the numbered sections read "5、探索构建数字孪生城市"; those of
    保障措施 read "（三）引导多元主体参与".
    """
    if key_project.label:
        return f"{key_project.label}{key_project.title}"
    if key_project.number is None:
        return key_project.title
    chinese_style = any(label and not label[0].isdigit() for label in sibling_labels)
    if chinese_style and key_project.number <= 10:
        return f"（{_CHINESE_NUMBERS[key_project.number]}）{key_project.title}"
    return f"{key_project.number}、{key_project.title}"


def parsed_task_state(task: ParsedTask) -> dict[str, Any]:
    siblings = [kp.label for kp in task.section.key_projects]
    return {
        "section": section_heading(task.section),
        "key_project": key_project_heading(task.key_project, siblings),
        "sub_number": task.sub_number,
        "text": task.text,
        "units": list(task.units),
        "indicators": [indicator_state(i) for i in task.indicators],
        "qualitative_targets": list(task.qualitative_targets),
    }


def stored_task_state(task: Task) -> dict[str, Any]:
    siblings = [kp.label for kp in task.section.key_projects]
    return {
        "section": section_heading(task.section),
        "key_project": key_project_heading(task.key_project, siblings),
        "sub_number": task.sub_number,
        "text": task.text,
        "units": [unit.name_as_written for unit in task.units],
        "indicators": [indicator_state(i) for i in task.indicators],
        "qualitative_targets": [target.text for target in task.qualitative_targets],
    }


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [before, after]} for each field that differs."""
    return {name: [before[name], after[name]] for name in STATE_FIELDS if before[name] != after[name]}
