"""Pages of the plan: overview, task list, task, unit, and the import page."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import CitybaseError, FieldError, InvalidInput, NotFound
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.plan import queries
from citybase.plan.formatting import comparator_label, format_quantity, format_target
from citybase.plan.import_summary import COUNT_LABELS, ImportSummary
from citybase.plan.importer import import_plan
from citybase.plan.models import PlanImport
from citybase.plan.permissions import IMPORT, READ
from citybase.plan.task_state import key_project_heading, section_heading
from citybase.plan.uploads import read_upload
from citybase.web.templating import render, render_panels

router = APIRouter(prefix="/plan", include_in_schema=False)

TASKS_PER_PAGE = 50

# Helpers every plan template can call.
HELPERS: dict[str, Any] = {
    "target": format_target,
    "comparator_label": comparator_label,
    "quantity": format_quantity,
    "section_heading": section_heading,
    "kp_heading": lambda kp: key_project_heading(kp, [sibling.label for sibling in kp.section.key_projects]),
    "count_labels": COUNT_LABELS,
    "field_labels": {
        "section": N_("Section"),
        "key_project": N_("Key project"),
        "sub_number": N_("Sub-number"),
        "text": N_("Task text"),
        "units": N_("Responsible units"),
        "indicators": N_("Quantified indicators"),
        "qualitative_targets": N_("Qualitative targets"),
    },
}


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(request, template, {**HELPERS, **context}, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def overview_page(
    request: Request, principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> Response:
    return _page(request, "plan/overview.html", {"data": queries.overview(session)})


def _optional_int(value: str | None, field: str) -> int | None:
    """Read an optional whole-number filter; an empty field means "any"."""
    if value is None or value.strip() == "":
        return None
    if not value.strip().isdigit():
        raise InvalidInput(errors=[FieldError(field, N_("Enter a whole number."), value)])
    return int(value)


def _page_base(request: Request) -> str:
    """Return the list's URL with its filters and without ``page``, ready for "page=N"."""
    params = [(key, value) for key, value in request.query_params.multi_items() if key != "page"]
    return f"{request.url.path}?{urlencode(params)}&" if params else f"{request.url.path}?"


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request, section: str | None = None, key_project: str | None = None, unit: str | None = None,
    role: str = "any", has_indicators: str | None = None, q: str | None = None, page: int = 1,
    principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> Response:
    choices = {"": None, "yes": True, "no": False}
    if (has_indicators or "") not in choices:
        raise InvalidInput(errors=[FieldError("has_indicators", N_("Choose one of: {choices}."), has_indicators,
                                              {"choices": "yes, no"})])
    filters = queries.TaskFilter(
        _optional_int(section, "section"), _optional_int(key_project, "key_project"), unit or None, role or "any",
        choices[has_indicators or ""], (q or "").strip() or None,
    )
    queries.check_filter(session, filters)
    tasks = queries.find_tasks(session, filters)
    pages = max(1, math.ceil(len(tasks) / TASKS_PER_PAGE))
    page = min(max(page, 1), pages)
    context = {
        "tasks": tasks[(page - 1) * TASKS_PER_PAGE : page * TASKS_PER_PAGE],
        "total": len(tasks),
        "page": page,
        "pages": pages,
        "filters": filters,
        "has_indicators": has_indicators or "",
        "sections": queries.sections(session),
        "units": [count.unit for count in queries.overview(session).units],
        "page_base": _page_base(request),
    }
    return _page(request, "plan/tasks.html", context)


@router.get("/tasks/{seq}", response_class=HTMLResponse)
def task_page(
    request: Request, seq: int, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    task = queries.task_by_seq(session, seq)
    if task is None:
        raise NotFound(N_("No task with sequence number {seq}."), params={"seq": seq})
    # Other modules add sections here through registry.PagePanel (slot "plan.task"), e.g. supervision.
    panels = render_panels(request, session, principal, "plan.task", task)
    context = {"task": task, "revisions": list(reversed(task.revisions)), "panels": panels}
    return _page(request, "plan/task.html", context)


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_page(
    request: Request, code: str, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> Response:
    unit = queries.unit_by_code(session, code)
    if unit is None:
        raise NotFound(N_("No unit with code {code}; /api/units lists them."), params={"code": code})
    return _page(request, "plan/unit.html", {"found": queries.unit_tasks(session, unit)})


def _import_context(session: Session, **extra: Any) -> dict[str, Any]:
    return {"imports": queries.recent_imports(session), "summary": None, "problem": None, **extra}


@router.get("/import", response_class=HTMLResponse)
def import_form(
    request: Request, principal: Principal = Depends(require_permission(IMPORT)), session: Session = Depends(get_session),
) -> Response:
    return _page(request, "plan/import.html", _import_context(session))


@router.post("/import", response_class=HTMLResponse)
async def import_upload(
    request: Request, file: UploadFile | None = File(None), allow_removals: bool = Form(False),
    principal: Principal = Depends(require_permission(IMPORT, write=True)), session: Session = Depends(get_session),
) -> Response:
    try:
        data, name = await read_upload(file)
        summary = import_plan(session, data, name, allow_removals=allow_removals)
    except CitybaseError as error:
        session.rollback()
        problem = {
            "detail": gettext_(error.detail, **error.params),
            "errors": [(e.field, e.value, gettext_(e.message, **e.params)) for e in error.errors],
        }
        return _page(request, "plan/import.html", _import_context(session, problem=problem), status_code=error.status)
    session.commit()
    return _page(request, "plan/import.html", _import_context(session, summary=summary))


@router.get("/imports/{import_id}", response_class=HTMLResponse)
def import_record(
    request: Request, import_id: int, principal: Principal = Depends(require_permission(IMPORT)),
    session: Session = Depends(get_session),
) -> Response:
    record = session.get(PlanImport, import_id)
    if record is None:
        raise NotFound(N_("No import with number {id}."), params={"id": import_id})
    summary = ImportSummary.from_json(record.summary, record.id)
    return _page(request, "plan/import.html", _import_context(session, summary=summary, record=record))
