"""The summary of an import that the CLI prints, the upload page shows and the database keeps."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from citybase.core.i18n_marker import N_
from citybase.core.units import KIND_PLACEHOLDER, Unit
from citybase.plan.models import PlanImport
from citybase.plan.parsing import ParsedPlan, PlanFileIssue
from citybase.plan.parsing.issues import Location

COUNT_LABELS: dict[str, str] = {
    "sections": N_("Sections"),
    "key_projects": N_("Key projects"),
    "tasks": N_("Tasks"),
    # Unit records named, aliases merged (区人社局 is 区人力资源社会保障局); the same count
    # as the overview's. Placeholders such as 各街镇 stand for several units: counted apart.
    "units": N_("Responsible units (aliases merged)"),
    "placeholders": N_("Placeholders such as 各街镇"),
    "indicators": N_("Quantified indicators"),
    "qualitative_targets": N_("Qualitative targets"),
}


@dataclass
class ImportSummary:
    """Counts, changes and warnings of one import."""

    file_name: str
    file_format: str
    title: str | None
    import_id: int | None  # None when the file changed nothing, so nothing was recorded
    counts: dict[str, int]
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    new_units: list[dict[str, str]] = field(default_factory=list)  # code and name
    warnings: list[PlanFileIssue] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.import_id is not None

    @property
    def unchanged(self) -> int:
        return self.counts["tasks"] - len(self.created) - len(self.updated)

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name, "file_format": self.file_format, "title": self.title,
            "counts": self.counts, "created": self.created, "updated": self.updated,
            "removed": self.removed, "new_units": self.new_units,
            "warnings": [_issue_json(issue) for issue in self.warnings],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], import_id: int | None) -> ImportSummary:
        return cls(
            file_name=data["file_name"], file_format=data["file_format"], title=data.get("title"),
            import_id=import_id, counts={"placeholders": 0, **data["counts"]}, created=data["created"], updated=data["updated"],
            removed=data["removed"], new_units=data["new_units"],
            warnings=[_issue_from_json(item) for item in data["warnings"]],
        )

    def rendered_warnings(self, translate: Callable[[str], str]) -> list[str]:
        return [issue.render(translate) for issue in self.warnings]


def _issue_json(issue: PlanFileIssue) -> dict[str, Any]:
    location = issue.location
    return {
        "message": issue.message,
        "params": {key: str(value) for key, value in issue.params.items()},
        "value": issue.value,
        "line": location.line if location else None,
        "column": location.column if location else None,
        "column_name": location.column_name if location else None,
        "kind": location.kind if location else None,
    }


def _issue_from_json(data: dict[str, Any]) -> PlanFileIssue:
    location = None
    if data.get("line") is not None:
        location = Location(data["line"], data.get("column"), data.get("column_name"), data.get("kind") or "line")
    return PlanFileIssue(data["message"], data.get("params") or {}, location, data.get("value"))


def _new_unit_warning(unit: Unit) -> PlanFileIssue:
    return PlanFileIssue(
        N_("The unit “{name}” was not on record; it was added with code {code}. Check the name, or add it as an alias of an existing unit."),
        {"name": unit.name, "code": unit.code},
    )


def summarise(
    parsed: ParsedPlan, file_name: str, plan_import: PlanImport | None, created: list[int],
    updated: list[int], removed: list[int], new_units: list[Unit], units: Collection[Unit] = (),
) -> ImportSummary:
    """Summarise an import; ``units`` are the unit records the task list's names resolved to."""
    counts = {
        "sections": len(parsed.sections),
        "key_projects": len(parsed.key_projects),
        "tasks": len(parsed.tasks),
        "units": len({unit.id for unit in units if unit.kind != KIND_PLACEHOLDER}),
        "placeholders": len({unit.id for unit in units if unit.kind == KIND_PLACEHOLDER}),
        "indicators": sum(len(task.indicators) for task in parsed.tasks),
        "qualitative_targets": sum(len(task.qualitative_targets) for task in parsed.tasks),
    }
    return ImportSummary(
        file_name=file_name,
        file_format=parsed.source_format,
        title=parsed.title,
        import_id=plan_import.id if plan_import else None,
        counts=counts,
        created=list(created),
        updated=list(updated),
        removed=list(removed),
        new_units=[{"code": unit.code, "name": unit.name} for unit in new_units],
        warnings=[*parsed.warnings, *(_new_unit_warning(unit) for unit in new_units)],
    )
