"""JSON API of the plan under ``/api/plan``; the models below document it in OpenAPI."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from citybase.core.actors import actor_label
from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import FieldError, InvalidInput, NotFound
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.plan import queries
from citybase.plan.export import indicator_json, task_json
from citybase.plan.import_summary import ImportSummary
from citybase.plan.importer import import_plan
from citybase.plan.models import Task
from citybase.plan.permissions import IMPORT, READ
from citybase.plan.task_state import key_project_heading, section_heading
from citybase.plan.uploads import read_upload

router = APIRouter(prefix="/api/plan", tags=["plan"])


class IndicatorOut(BaseModel):
    text: str = Field(description="The target as the task writes it, e.g. 建成3500个5G基站.")
    metric: str = Field(description="What is counted, e.g. 5G基站.")
    comparator: str = Field(description="= (reach), >=, >, ~ (about), range; <= and < for upper bounds.")
    value: int | float = Field(description="Target value with 万/亿 applied.")
    value_max: int | float | None = Field(description="Upper end of a range; null otherwise.")
    unit: str = Field(description="个, Mbps, 架, %, 元, 平方公里 …")
    aspirational: bool = Field(description="The target is qualified by 力争 (strive for).")
    cumulative: bool = Field(description="The target is qualified by 累计 (cumulative).")


class TaskOut(BaseModel):
    """A task in the export shape, plus its URN."""

    seq: int
    section: str
    key_project: str
    sub_number: int | None
    text: str
    lead_unit: str | None
    units: list[str] = Field(description="Units as the list names them, lead first, 等 dropped.")
    unit_codes: list[str | None] = Field(description="Codes of the unit records the names resolve to.")
    indicators: list[IndicatorOut]
    qualitative_targets: list[str]
    urn: str


class RevisionOut(BaseModel):
    at: dt.datetime
    actor_name: str = Field(description="Stable name of the author: a username or cli:<os user>.")
    actor_label: str = Field(description="The author as pages show it, e.g. 命令行（系统用户 root）.")
    import_id: int | None
    changes: dict[str, list] = Field(description="Field name to [old value, new value].")


class TaskDetailOut(TaskOut):
    section_seq: int = Field(description="Position of the section in the plan (1–6).")
    key_project_number: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    revisions: list[RevisionOut]


class KeyProjectOut(BaseModel):
    id: int
    seq: int
    number: int | None
    number_inferred: bool
    heading: str
    title: str
    tasks: int


class SectionOut(BaseModel):
    seq: int
    number_label: str | None
    title: str
    heading: str
    tasks: int
    indicators: int
    key_projects: list[KeyProjectOut]


class UnitCountOut(BaseModel):
    code: str
    name: str
    kind: str = Field(description="department, town or placeholder (各街镇 and the like).")
    lead: int
    cooperator: int


class OverviewOut(BaseModel):
    tasks: int
    sections: list[SectionOut]
    units: list[UnitCountOut]
    unit_count: int = Field(description="Unit records named by tasks, aliases merged, placeholders (各街镇) not counted; the import summary's units count.")
    placeholder_count: int = Field(description="Placeholders such as 各街镇 named by tasks.")
    indicators: int
    qualitative_targets: int
    last_import_at: dt.datetime | None


class IndicatorRowOut(IndicatorOut):
    task_seq: int
    urn: str


class PlaceholderTaskOut(BaseModel):
    placeholder: str = Field(description="The placeholder the task names, e.g. 各街镇.")
    task: TaskOut


class UnitTasksOut(BaseModel):
    code: str
    name: str
    kind: str
    lead: list[TaskOut]
    cooperator: list[TaskOut]
    via_placeholder: list[PlaceholderTaskOut]


class IssueOut(BaseModel):
    message: str = Field(description="The warning in the request's language.")
    line: int | None
    column: int | None
    column_name: str | None


class ImportSummaryOut(BaseModel):
    import_id: int | None = Field(description="Null when the file changed nothing.")
    changed: bool
    file_name: str
    file_format: str
    counts: dict[str, int]
    created: list[int]
    updated: list[int]
    removed: list[int]
    new_units: list[dict[str, str]]
    warnings: list[IssueOut]


def task_out(task: Task) -> TaskOut:
    return TaskOut(**task_json(task), urn=task.urn)


def task_detail_out(task: Task) -> TaskDetailOut:
    revisions = [
        RevisionOut(at=r.at, actor_name=r.actor_name, actor_label=actor_label(r.actor_name), import_id=r.import_id, changes=r.changes)
        for r in reversed(task.revisions)
    ]
    return TaskDetailOut(
        **task_json(task), urn=task.urn, section_seq=task.section.seq, key_project_number=task.key_project.number,
        created_at=task.created_at, updated_at=task.updated_at, revisions=revisions,
    )


def summary_out(summary: ImportSummary) -> ImportSummaryOut:
    warnings = [
        IssueOut(
            message=issue.render(gettext_),
            line=issue.location.line if issue.location else None,
            column=issue.location.column if issue.location else None,
            column_name=issue.location.column_name if issue.location else None,
        )
        for issue in summary.warnings
    ]
    return ImportSummaryOut(
        import_id=summary.import_id, changed=summary.changed, file_name=summary.file_name,
        file_format=summary.file_format, counts=summary.counts, created=summary.created,
        updated=summary.updated, removed=summary.removed, new_units=summary.new_units, warnings=warnings,
    )


def task_filter(
    session: Session, section: int | None, key_project: int | None, unit: str | None, role: str,
    has_indicators: bool | None, q: str | None,
) -> queries.TaskFilter:
    filters = queries.TaskFilter(section, key_project, unit or None, role, has_indicators, q or None)
    queries.check_filter(session, filters)
    return filters


@router.get("/overview", response_model=OverviewOut, summary="Counts by section, key project and unit")
def overview(principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> OverviewOut:
    data = queries.overview(session)
    sections = []
    for section in data.sections:
        labels = [kp.label for kp in section.key_projects]
        key_projects = [
            KeyProjectOut(
                id=kp.id, seq=kp.seq, number=kp.number, number_inferred=kp.number_inferred,
                heading=key_project_heading(kp, labels), title=kp.title, tasks=data.tasks_by_key_project[kp.id],
            )
            for kp in section.key_projects
        ]
        sections.append(SectionOut(
            seq=section.seq, number_label=section.label, title=section.title, heading=section_heading(section),
            tasks=data.tasks_by_section[section.id], indicators=data.indicators_by_section[section.id],
            key_projects=key_projects,
        ))
    units = [UnitCountOut(code=c.unit.code, name=c.unit.name, kind=c.unit.kind, lead=c.lead, cooperator=c.cooperator) for c in data.units]
    return OverviewOut(
        tasks=data.task_count, sections=sections, units=units, unit_count=data.unit_count,
        placeholder_count=data.placeholder_count, indicators=len(data.indicators),
        qualitative_targets=data.qualitative_count,
        last_import_at=data.last_import.imported_at if data.last_import else None,
    )


@router.get("/tasks", response_model=list[TaskOut], summary="Tasks, filtered")
def list_tasks(
    section: int | None = Query(None, description="Section number in plan order (1–6)."),
    key_project: int | None = Query(None, description="Key project id, from /api/plan/overview."),
    unit: str | None = Query(None, description="Unit code; tasks naming a placeholder for a town count too."),
    role: str = Query("any", description="With unit: lead, cooperator or any."),
    has_indicators: bool | None = Query(None, description="Only tasks with (true) or without (false) indicators."),
    q: str | None = Query(None, description="Text to find in the task or its unit names."),
    principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> list[TaskOut]:
    filters = task_filter(session, section, key_project, unit, role, has_indicators, q)
    return [task_out(task) for task in queries.find_tasks(session, filters)]


@router.get("/tasks/{seq}", response_model=TaskDetailOut, summary="One task with its history")
def get_task(seq: int, principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> TaskDetailOut:
    task = queries.task_by_seq(session, seq)
    if task is None:
        raise NotFound(N_("No task with sequence number {seq}."), params={"seq": seq})
    return task_detail_out(task)


@router.get("/indicators", response_model=list[IndicatorRowOut], summary="Every quantified indicator")
def list_indicators(principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> list[IndicatorRowOut]:
    rows = queries.overview(session).indicators
    return [IndicatorRowOut(**indicator_json(i), task_seq=i.task.seq, urn=i.urn) for i in rows]


@router.get("/units/{code}", response_model=UnitTasksOut, summary="A unit's tasks as lead and as cooperator")
def unit_tasks(code: str, principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> UnitTasksOut:
    unit = queries.unit_by_code(session, code)
    if unit is None:
        raise NotFound(N_("No unit with code {code}; /api/units lists them."), params={"code": code})
    found = queries.unit_tasks(session, unit)
    return UnitTasksOut(
        code=unit.code, name=unit.name, kind=unit.kind,
        lead=[task_out(t) for t in found.lead], cooperator=[task_out(t) for t in found.cooperator],
        via_placeholder=[PlaceholderTaskOut(placeholder=name, task=task_out(t)) for t, name in found.via_placeholder],
    )


@router.get("/export", response_model=list[TaskOut], summary="The whole plan in the export shape")
def export(principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> list[TaskOut]:
    return [task_out(task) for task in queries.all_tasks(session)]


@router.post(
    "/imports", response_model=ImportSummaryOut, summary="Import a task list file (.txt, .docx, .xlsx)",
    responses={201: {"description": "The file changed the plan."}, 200: {"description": "The plan already matched."}},
)
async def create_import(
    file: UploadFile = File(..., description="The task list file."),
    allow_removals: bool = Form(False, description="Remove tasks the file no longer lists, with their reports."),
    principal: Principal = Depends(require_permission(IMPORT, write=True)), session: Session = Depends(get_session),
) -> JSONResponse:
    data, name = await read_upload(file)
    summary = import_plan(session, data, name, allow_removals=allow_removals)
    session.commit()
    body = summary_out(summary).model_dump(mode="json")
    return JSONResponse(body, status_code=201 if summary.changed else 200)
