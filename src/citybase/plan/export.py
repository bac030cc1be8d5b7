"""The plan as JSON for other programs; docs/plan-export.md documents the shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from citybase.plan.models import Indicator, Task
from citybase.plan.queries import all_tasks
from citybase.plan.task_state import key_project_heading, section_heading
from citybase.plan.parsing.numerals import normalize_decimal


def json_number(value: Decimal | None) -> int | float | None:
    """Return an integral value as an int (220000) and any other as a float (1.5)."""
    if value is None:
        return None
    value = normalize_decimal(Decimal(value))
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_json(indicator: Indicator) -> dict[str, Any]:
    return {
        "text": indicator.text,
        "metric": indicator.metric,
        "comparator": indicator.comparator,
        "value": json_number(indicator.value),
        "value_max": json_number(indicator.value_max),
        "unit": indicator.unit,
        "aspirational": indicator.aspirational,
        "cumulative": indicator.cumulative,
    }


def task_json(task: Task) -> dict[str, Any]:
    """Return one task in the export shape."""
    siblings = [kp.label for kp in task.section.key_projects]
    return {
        "seq": task.seq,
        "section": section_heading(task.section),
        "key_project": key_project_heading(task.key_project, siblings),
        "sub_number": task.sub_number,
        "text": task.text,
        "lead_unit": task.units[0].name_as_written if task.units else None,
        "units": [link.name_as_written for link in task.units],
        "unit_codes": [link.unit.code if link.unit else None for link in task.units],
        "indicators": [indicator_json(indicator) for indicator in task.indicators],
        "qualitative_targets": [target.text for target in task.qualitative_targets],
    }


def export_tasks(session: Session) -> list[dict[str, Any]]:
    """Return every task of the plan in sequence order, in the export shape."""
    return [task_json(task) for task in all_tasks(session)]
