"""Import a task list file into the plan: one transaction, idempotent, with revisions.

Sections and key projects are matched by position, tasks by sequence number, and a
task's units, indicators and qualitative targets by position, so rows that other
records refer to (reports bind to indicators) are updated in place. Importing the
same file again writes nothing. A revised file updates the rows that differ and
records a :class:`TaskRevision` per changed task with the fields' old and new values.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citybase.core.audit import SYSTEM
from citybase.plan.import_errors import from_file_error, removals_not_allowed
from citybase.plan.import_summary import ImportSummary, summarise
from citybase.plan.models import (
    ROLE_COOPERATOR,
    ROLE_LEAD,
    Indicator,
    KeyProject,
    PlanImport,
    QualitativeTarget,
    Section,
    Task,
    TaskRevision,
    TaskUnit,
)
from citybase.plan.parsing import ParsedPlan, ParsedTask, PlanFileError, parse_plan_bytes
from citybase.plan.task_state import changes_between, parsed_task_state, stored_task_state
from citybase.plan.unit_resolution import UnitResolver, known_unit_names

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

_TASK_LOADS = (
    selectinload(Task.units).selectinload(TaskUnit.unit),
    selectinload(Task.indicators),
    selectinload(Task.qualitative_targets),
    selectinload(Task.section).selectinload(Section.key_projects),
    selectinload(Task.key_project),
    selectinload(Task.lead_unit),
)


@dataclass
class _Changes:
    """The changes an import has made so far: rows touched and task numbers by kind."""

    rows: int = 0
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    revisions: list[tuple[Task, dict[str, list[Any]]]] = field(default_factory=list)

    def set(self, row: Any, name: str, value: Any) -> None:
        """Assign ``row.name = value`` only when it differs, counting the change."""
        if getattr(row, name) != value:
            setattr(row, name, value)
            self.rows += 1


def parse_upload(session: Session, data: bytes, file_name: str) -> ParsedPlan:
    """Parse a file, raising :class:`PlanImportError` with every issue when it is malformed."""
    try:
        return parse_plan_bytes(data, file_name, known_unit_names(session))
    except PlanFileError as error:
        raise from_file_error(error) from error


def import_plan(
    session: Session, data: bytes, file_name: str, *, allow_removals: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the task list in ``data`` into the session's transaction; the caller commits."""
    parsed = parse_upload(session, data, file_name)
    existing = {task.seq: task for task in session.scalars(select(Task).options(*_TASK_LOADS))}
    removed = sorted(set(existing) - {task.seq for task in parsed.tasks})
    if removed and not allow_removals:
        raise removals_not_allowed(file_name, removed)

    changes = _Changes()
    resolver = UnitResolver(session)
    # Taken before sections are renamed, so a renamed section shows in each task's revision.
    before = {seq: stored_task_state(task) for seq, task in existing.items()}
    with session.no_autoflush:
        structure = _sync_structure(session, parsed, changes)
        for index, task in enumerate(parsed.tasks, start=1):
            stored = existing.get(task.seq)
            _sync_task(session, task, stored, before.get(task.seq), structure, resolver, changes)
            if progress is not None:
                progress(index, len(parsed.tasks))
    session.flush()
    _remove_tasks(session, [existing[seq] for seq in removed], changes)
    _remove_empty_structure(session, parsed, changes)

    plan_import = _record_import(session, data, file_name, parsed, resolver, changes)
    named = [resolver.resolve(name) for task in parsed.tasks for name in task.units]
    summary = summarise(
        parsed, file_name, plan_import, changes.created, changes.updated, changes.removed, resolver.created, named,
    )
    if plan_import is not None:
        plan_import.summary = summary.to_json()
    logger.info(
        "plan import of %s: %d created, %d updated, %d removed, %d new units",
        file_name, len(changes.created), len(changes.updated), len(changes.removed), len(resolver.created),
    )
    return summary


def _sync_structure(
    session: Session, parsed: ParsedPlan, changes: _Changes,
) -> tuple[dict[int, Section], dict[tuple[int, int], KeyProject]]:
    """Update or create sections and key projects by position; return them by position."""
    stored_sections = {section.seq: section for section in session.scalars(select(Section))}
    sections: dict[int, Section] = {}
    key_projects: dict[tuple[int, int], KeyProject] = {}
    for parsed_section in parsed.sections:
        section = stored_sections.get(parsed_section.position)
        if section is None:
            section = Section(seq=parsed_section.position, title=parsed_section.title)
            session.add(section)
            changes.rows += 1
        changes.set(section, "label", parsed_section.label)
        changes.set(section, "title", parsed_section.title)
        sections[parsed_section.position] = section
        stored_projects = {kp.seq: kp for kp in section.key_projects}
        for parsed_kp in parsed_section.key_projects:
            key_project = stored_projects.get(parsed_kp.position)
            if key_project is None:
                key_project = KeyProject(seq=parsed_kp.position, title=parsed_kp.title, section=section)
                session.add(key_project)
                changes.rows += 1
            for name in ("number", "label", "number_inferred", "title"):
                changes.set(key_project, name, getattr(parsed_kp, name))
            key_projects[(parsed_section.position, parsed_kp.position)] = key_project
    session.flush()
    return sections, key_projects


def _sync_task(
    session: Session, parsed: ParsedTask, task: Task | None, before: dict[str, Any] | None,
    structure: tuple[dict[int, Section], dict[tuple[int, int], KeyProject]], resolver: UnitResolver,
    changes: _Changes,
) -> None:
    """Create or update one task; ``before`` is its stored state when the import began."""
    sections, key_projects = structure
    section = sections[parsed.section.position]
    key_project = key_projects[(parsed.section.position, parsed.key_project.position)]
    if task is None:
        task = Task(seq=parsed.seq, text=parsed.text, section=section, key_project=key_project)
        session.add(task)
        changes.rows += 1
    rows_before = changes.rows
    changes.set(task, "section", section)
    changes.set(task, "key_project", key_project)
    changes.set(task, "sub_number", parsed.sub_number)
    changes.set(task, "text", parsed.text)
    units = [resolver.resolve(name) for name in parsed.units]
    changes.set(task, "lead_unit", units[0] if units else None)
    _sync_units(session, task, parsed.units, units, changes)
    _sync_indicators(session, task, parsed, changes)
    _sync_targets(session, task, parsed.qualitative_targets, changes)

    if before is None:
        changes.created.append(parsed.seq)
        return
    diff = changes_between(before, parsed_task_state(parsed))
    if diff:
        changes.revisions.append((task, diff))
    if diff or changes.rows != rows_before:
        changes.updated.append(parsed.seq)


def _resize(session: Session, rows: list[Any], count: int, make: Callable[[int], Any], changes: _Changes) -> None:
    """Grow ``rows`` with ``make(position)`` or drop its tail so it has ``count`` rows."""
    while len(rows) > count:
        session.delete(rows.pop())
        changes.rows += 1
    while len(rows) < count:
        rows.append(make(len(rows)))
        changes.rows += 1


def _sync_units(session: Session, task: Task, names: Sequence[str], units: list[Any], changes: _Changes) -> None:
    _resize(session, task.units, len(names), lambda p: TaskUnit(position=p, name_as_written="", role=ROLE_LEAD), changes)
    for position, (row, name, unit) in enumerate(zip(task.units, names, units, strict=True)):
        changes.set(row, "position", position)
        changes.set(row, "name_as_written", name)
        changes.set(row, "unit", unit)
        changes.set(row, "role", ROLE_LEAD if position == 0 else ROLE_COOPERATOR)


def _sync_indicators(session: Session, task: Task, parsed: ParsedTask, changes: _Changes) -> None:
    def make(position: int) -> Indicator:
        return Indicator(position=position, text="", metric="", comparator="=", value=0)

    _resize(session, task.indicators, len(parsed.indicators), make, changes)
    for position, (row, found) in enumerate(zip(task.indicators, parsed.indicators, strict=True)):
        changes.set(row, "position", position)
        for name in ("text", "metric", "value", "value_max", "unit", "aspirational", "cumulative"):
            changes.set(row, name, getattr(found, name))
        changes.set(row, "comparator", str(found.comparator))


def _sync_targets(session: Session, task: Task, texts: Sequence[str], changes: _Changes) -> None:
    _resize(session, task.qualitative_targets, len(texts), lambda p: QualitativeTarget(position=p, text=""), changes)
    for position, (row, text) in enumerate(zip(task.qualitative_targets, texts, strict=True)):
        changes.set(row, "position", position)
        changes.set(row, "text", text)


def _remove_tasks(session: Session, tasks: list[Task], changes: _Changes) -> None:
    for task in tasks:
        logger.warning("plan import removes task %d", task.seq)
        changes.removed.append(task.seq)
        session.delete(task)
        changes.rows += 1
    session.flush()


def _remove_empty_structure(session: Session, parsed: ParsedPlan, changes: _Changes) -> None:
    """Delete sections and key projects beyond those in the file, once no task uses them."""
    wanted = {(s.position, kp.position) for s in parsed.sections for kp in s.key_projects}
    for section in list(session.scalars(select(Section))):
        for key_project in list(section.key_projects):
            if (section.seq, key_project.seq) not in wanted:
                session.delete(key_project)
                changes.rows += 1
        if section.seq > len(parsed.sections):
            session.delete(section)
            changes.rows += 1
    session.flush()


def _record_import(
    session: Session, data: bytes, file_name: str, parsed: ParsedPlan, resolver: UnitResolver, changes: _Changes,
) -> PlanImport | None:
    """Record the import and its task revisions, or nothing when the file changed nothing."""
    if changes.rows == 0 and not resolver.created:
        return None
    actor = session.info.get("actor") or SYSTEM
    plan_import = PlanImport(
        file_name=file_name[:255], file_sha256=hashlib.sha256(data).hexdigest(),
        file_format=parsed.source_format, actor_name=actor.name, summary={},
    )
    session.add(plan_import)
    session.flush()
    for task, diff in changes.revisions:
        session.add(TaskRevision(task=task, import_id=plan_import.id, actor_name=actor.name, changes=diff))
    session.flush()
    return plan_import
