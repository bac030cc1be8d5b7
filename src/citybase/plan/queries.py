"""Read the imported plan: overview counts, task search, a task, a unit's tasks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from citybase.core.errors import FieldError, InvalidInput
from citybase.core.i18n_marker import N_
from citybase.core.units import KIND_PLACEHOLDER, KIND_TOWN, STREET_CODES, Unit
from citybase.plan.models import (
    ROLE_COOPERATOR,
    ROLE_LEAD,
    Indicator,
    KeyProject,
    PlanImport,
    QualitativeTarget,
    Section,
    Task,
    TaskUnit,
)

ROLE_ANY = "any"
ROLES = (ROLE_ANY, ROLE_LEAD, ROLE_COOPERATOR)


def _task_options() -> list:
    return [
        selectinload(Task.units).selectinload(TaskUnit.unit),
        selectinload(Task.indicators),
        selectinload(Task.qualitative_targets),
        selectinload(Task.section).selectinload(Section.key_projects),
        selectinload(Task.key_project),
    ]


# Endings of a task list's title that name the document rather than the plan.
_LIST_ENDINGS = ("工作任务清单", "重点任务清单", "任务清单", "任务分解表")


def plan_name(session: Session) -> str | None:
    """Return the plan's name from the title of the last imported task list, or None.

    The title 嘉定区城市数字化转型行动方案（2021-2023年）工作任务清单 gives
    嘉定区城市数字化转型行动方案（2021-2023年）: exports add their own document name.
    """
    summary = session.scalar(select(PlanImport.summary).order_by(PlanImport.id.desc()).limit(1))
    title = (summary or {}).get("title")
    if not title:
        return None
    title = title.strip()
    for ending in _LIST_ENDINGS:
        if title.endswith(ending) and len(title) > len(ending):
            return title[: -len(ending)].rstrip()
    return title


def sections(session: Session) -> list[Section]:
    query = select(Section).order_by(Section.seq).options(selectinload(Section.key_projects))
    return list(session.scalars(query))


def all_tasks(session: Session) -> list[Task]:
    return list(session.scalars(select(Task).order_by(Task.seq).options(*_task_options())))


def task_by_seq(session: Session, seq: int) -> Task | None:
    query = select(Task).where(Task.seq == seq).options(*_task_options(), selectinload(Task.revisions))
    return session.scalar(query)


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def placeholders_for(session: Session, unit: Unit) -> list[Unit]:
    """Return the placeholders (各街镇, 相关街镇, 各街道) that stand for a town-level unit."""
    if unit.kind != KIND_TOWN:
        return []
    placeholders = session.scalars(select(Unit).where(Unit.kind == KIND_PLACEHOLDER).order_by(Unit.code))
    return [p for p in placeholders if p.expands_to == "towns" or (p.expands_to == "streets" and unit.code in STREET_CODES)]


@dataclass(frozen=True)
class TaskFilter:
    """Filters of the task list; None or "" means "any"."""

    section: int | None = None  # section seq
    key_project: int | None = None  # key project id
    unit: str | None = None  # unit code
    role: str = ROLE_ANY
    has_indicators: bool | None = None
    text: str | None = None


def check_filter(session: Session, filters: TaskFilter) -> None:
    """Raise InvalidInput naming each filter whose value matches no section, key project, unit or role.

    A hand-edited or stale link would otherwise show an empty or unfiltered list with no hint why.
    """
    errors = []
    if filters.role not in ROLES:
        errors.append(FieldError("role", N_("Choose one of: {roles}."), filters.role, {"roles": ", ".join(ROLES)}))
    if filters.section is not None and session.scalar(select(Section.id).where(Section.seq == filters.section)) is None:
        count = session.scalar(select(func.count()).select_from(Section)) or 0
        errors.append(FieldError(
            "section", N_("No section {value}; the plan has sections 1 to {count}."), filters.section,
            {"value": filters.section, "count": count},
        ))
    if filters.key_project is not None and session.get(KeyProject, filters.key_project) is None:
        errors.append(FieldError(
            "key_project", N_("No key project with id {value}; choose one from the plan overview."),
            filters.key_project, {"value": filters.key_project},
        ))
    if filters.unit and unit_by_code(session, filters.unit) is None:
        errors.append(FieldError(
            "unit", N_("No unit with code {value}; /api/units lists the codes."), filters.unit, {"value": filters.unit},
        ))
    if errors:
        raise InvalidInput(errors=errors)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_tasks(session: Session, filters: TaskFilter) -> list[Task]:
    """Return the tasks matching every filter, in sequence order."""
    query = select(Task).order_by(Task.seq).options(*_task_options())
    if filters.section is not None:
        query = query.join(Task.section).where(Section.seq == filters.section)
    if filters.key_project is not None:
        query = query.where(Task.key_project_id == filters.key_project)
    if filters.has_indicators is not None:
        has = exists().where(Indicator.task_id == Task.id)
        query = query.where(has if filters.has_indicators else ~has)
    if filters.text:
        pattern = f"%{_escape_like(filters.text.strip())}%"
        named = exists().where(TaskUnit.task_id == Task.id, TaskUnit.name_as_written.like(pattern, escape="\\"))
        query = query.where(or_(Task.text.like(pattern, escape="\\"), named))
    if filters.unit:
        unit = unit_by_code(session, filters.unit)
        if unit is None:
            return []
        unit_ids = [unit.id, *(p.id for p in placeholders_for(session, unit))]
        condition = [TaskUnit.task_id == Task.id, TaskUnit.unit_id.in_(unit_ids)]
        if filters.role != ROLE_ANY:
            condition.append(TaskUnit.role == filters.role)
        query = query.where(exists().where(*condition))
    return list(session.scalars(query))


@dataclass
class UnitTasks:
    """A unit's tasks: as lead, as cooperator, and through a placeholder such as 各街镇."""

    unit: Unit
    lead: list[Task] = field(default_factory=list)
    cooperator: list[Task] = field(default_factory=list)
    via_placeholder: list[tuple[Task, str]] = field(default_factory=list)


def unit_tasks(session: Session, unit: Unit) -> UnitTasks:
    result = UnitTasks(unit)
    placeholder_ids = {p.id: p.name for p in placeholders_for(session, unit)}
    query = (
        select(TaskUnit)
        .where(TaskUnit.unit_id.in_([unit.id, *placeholder_ids]))
        .join(TaskUnit.task)
        .order_by(Task.seq)
        .options(selectinload(TaskUnit.task).options(*_task_options()))
    )
    for link in session.scalars(query):
        if link.unit_id in placeholder_ids:
            result.via_placeholder.append((link.task, link.name_as_written))
        elif link.role == ROLE_LEAD:
            result.lead.append(link.task)
        else:
            result.cooperator.append(link.task)
    return result


@dataclass
class UnitCount:
    unit: Unit
    lead: int
    cooperator: int


@dataclass
class Overview:
    """Counts for the overview page."""

    sections: list[Section]
    tasks_by_section: Counter[int]
    tasks_by_key_project: Counter[int]
    indicators_by_section: Counter[int]
    units: list[UnitCount]
    indicators: list[Indicator]
    task_count: int
    qualitative_count: int
    last_import: PlanImport | None

    @property
    def unit_count(self) -> int:
        """Unit records named by tasks, aliases merged, placeholders (各街镇) not counted."""
        return sum(1 for count in self.units if count.unit.kind != KIND_PLACEHOLDER)

    @property
    def placeholder_count(self) -> int:
        return sum(1 for count in self.units if count.unit.kind == KIND_PLACEHOLDER)


def _unit_counts(session: Session) -> list[UnitCount]:
    rows = session.execute(
        select(TaskUnit.unit_id, TaskUnit.role, func.count()).where(TaskUnit.unit_id.is_not(None))
        .group_by(TaskUnit.unit_id, TaskUnit.role)
    )
    lead: Counter[int] = Counter()
    cooperator: Counter[int] = Counter()
    for unit_id, role, count in rows:
        (lead if role == ROLE_LEAD else cooperator)[unit_id] += count
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(set(lead) | set(cooperator))))}
    counts = [UnitCount(units[i], lead[i], cooperator[i]) for i in units]
    return sorted(counts, key=lambda c: (-c.lead, -c.cooperator, c.unit.code))


def overview(session: Session) -> Overview:
    tasks = list(session.scalars(select(Task).options(selectinload(Task.indicators))))
    indicators = list(
        session.scalars(
            select(Indicator).join(Indicator.task).order_by(Task.seq, Indicator.position)
            .options(selectinload(Indicator.task))
        )
    )
    return Overview(
        sections=sections(session),
        tasks_by_section=Counter(task.section_id for task in tasks),
        tasks_by_key_project=Counter(task.key_project_id for task in tasks),
        indicators_by_section=Counter(task.section_id for task in tasks for _ in task.indicators),
        units=_unit_counts(session),
        indicators=indicators,
        task_count=len(tasks),
        qualitative_count=session.scalar(select(func.count(QualitativeTarget.id))) or 0,
        last_import=session.scalar(select(PlanImport).order_by(PlanImport.id.desc()).limit(1)),
    )


def recent_imports(session: Session, limit: int = 10) -> list[PlanImport]:
    return list(session.scalars(select(PlanImport).order_by(PlanImport.id.desc()).limit(limit)))


def key_projects(session: Session) -> list[KeyProject]:
    query = select(KeyProject).join(KeyProject.section).order_by(Section.seq, KeyProject.seq)
    return list(session.scalars(query.options(selectinload(KeyProject.section))))
