"""JSON API of plan supervision under ``/api/plan``: lights, reports, notices, extensions, bindings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core import registry
from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import FieldError
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.core.units import Unit
from citybase.plan.supervision import evidence, extensions, notices, reports, values
from citybase.plan.supervision.access import visible_task_ids
from citybase.plan.supervision.api_models import (
    BindingIn, BindingOut, DecisionIn, DueContributionOut, DueReportOut, ExtensionIn, ExtensionOut, MetricOut, NoticeCloseIn, NoticeIn, NoticeOut,
    NoticeReturnIn, PeriodOut, ReasonIn, ReportIn, ReportOpenIn, ReportOut, TaskStatusOut, TextIn, TodoOut, UnitReportingOut,
)
from citybase.plan.supervision.api_shapes import (
    binding_out, extension_out, notice_out, report_out, task_status_out, unit_reporting_out,
)
from citybase.plan.supervision.clock import local_date
from citybase.plan.supervision.deadlines import deadlines_of_task
from citybase.plan.supervision.errors import invalid
from citybase.plan.supervision.home_panel import todo
from citybase.plan.supervision.models import LIGHTS, ProgressReport, ReportingPeriod
from citybase.plan.supervision.periods import list_periods, period_by_key
from citybase.plan.supervision.permissions import (
    BINDING_MANAGE, EXTENSION_DECIDE, EXTENSION_REQUEST, NOTICE_ISSUE, NOTICE_REPLY, READ, REPORT, REVIEW,
)
from citybase.plan.supervision.reporting import on_time_reporting
from citybase.plan.supervision.reports import ReportDraft, TargetInput, ValueInput
from citybase.plan.supervision.summary import task_statuses
from citybase.plan.supervision.web import data_dir_of, now_of, reporting_period, task_by_seq, task_in_field

router = APIRouter(prefix="/api/plan", tags=["plan supervision"])


@router.get("/periods", response_model=list[PeriodOut], summary="Reporting periods")
def get_periods(principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> list[PeriodOut]:
    return [PeriodOut(key=p.key, starts_on=p.starts_on, ends_on=p.ends_on, due_at=p.due_at) for p in list_periods(session)]


@router.get("/lights", response_model=list[TaskStatusOut], summary="Every visible task's light, progress and 序时进度")
def get_lights(
    request: Request, light: str | None = None, principal: Principal = Depends(require_permission(READ)),
    session: Session = Depends(get_session),
) -> list[TaskStatusOut]:
    if light is not None and light not in LIGHTS:
        raise invalid(FieldError("light", N_("Choose one of: {choices}."), light, {"choices": ", ".join(LIGHTS)}))
    statuses = task_statuses(session, now_of(request), visible_task_ids(session, principal.user))
    return [task_status_out(s) for s in statuses if light is None or s.light.light == light]


@router.get("/tasks/{seq}/supervision", response_model=TaskStatusOut, summary="One task's light with its explanation and deadlines")
def get_task_supervision(
    request: Request, seq: int, principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> TaskStatusOut:
    task = task_by_seq(session, principal, seq)
    status = task_statuses(session, now_of(request), [task.id])[0]
    return task_status_out(status, deadlines_of_task(session, task.id))


@router.get("/reports", response_model=list[ReportOut], summary="Reports, filtered by task, period and status")
def get_reports(
    request: Request, task: int | None = None, period: str | None = None, status: str | None = None,
    principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> list[ReportOut]:
    query = select(ProgressReport).join(ReportingPeriod).order_by(ReportingPeriod.starts_on.desc(), ProgressReport.id)
    visible = visible_task_ids(session, principal.user)
    if visible is not None:
        query = query.where(ProgressReport.task_id.in_(visible))
    if task is not None:
        query = query.where(ProgressReport.task_id == task_by_seq(session, principal, task).id)
    if period is not None:
        query = query.where(ProgressReport.period_id == period_by_key(session, period, today=local_date(now_of(request))).id)
    if status is not None:
        query = query.where(ProgressReport.status == status)
    return [report_out(r) for r in session.scalars(query)]


@router.post("/reports", response_model=ReportOut, status_code=201, summary="Open (or return) the report of a task for a period")
def post_report(
    request: Request, body: ReportOpenIn, principal: Principal = Depends(require_permission(REPORT, write=True)),
    session: Session = Depends(get_session),
) -> ReportOut:
    now = now_of(request)
    task = task_by_seq(session, principal, body.task)
    report = reports.open_report(session, principal.user, task.id, reporting_period(session, body.period, now), now)
    session.commit()
    return report_out(report)


@router.get("/reports/{report_id}", response_model=ReportOut, summary="One report with values, contributions, evidence and history")
def get_report(report_id: int, principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> ReportOut:
    return report_out(reports.get_report(session, principal.user, report_id))


@router.put("/reports/{report_id}", response_model=ReportOut, summary="Save a draft or returned report")
def put_report(
    request: Request, report_id: int, body: ReportIn,
    principal: Principal = Depends(require_permission(REPORT, write=True)), session: Session = Depends(get_session),
) -> ReportOut:
    draft = ReportDraft(
        narrative=body.narrative, percent=body.percent,
        values={v.indicator_id: ValueInput(v.value, v.as_of, v.note) for v in body.values},
        targets={t.target_id: TargetInput(t.percent, t.note) for t in body.targets},
    )
    report = reports.save_report(session, principal.user, report_id, draft, now_of(request))
    session.commit()
    return report_out(report)


@router.post("/reports/{report_id}/submit", response_model=ReportOut, summary="Submit or resubmit a report")
def submit(request: Request, report_id: int, principal: Principal = Depends(require_permission(REPORT, write=True)),
           session: Session = Depends(get_session)) -> ReportOut:
    report = reports.submit_report(session, principal.user, report_id, now_of(request))
    session.commit()
    return report_out(report)


@router.post("/reports/{report_id}/return", response_model=ReportOut, summary="Return a submitted report with a reason")
def return_(request: Request, report_id: int, body: ReasonIn, principal: Principal = Depends(require_permission(REVIEW, write=True)),
            session: Session = Depends(get_session)) -> ReportOut:
    report = reports.return_report(session, principal.user, report_id, body.reason, now_of(request))
    session.commit()
    return report_out(report)


@router.post("/reports/{report_id}/accept", response_model=ReportOut, summary="Accept a submitted report")
def accept(request: Request, report_id: int, principal: Principal = Depends(require_permission(REVIEW, write=True)),
           session: Session = Depends(get_session)) -> ReportOut:
    report = reports.accept_report(session, principal.user, report_id, now_of(request))
    session.commit()
    return report_out(report)


@router.post("/reports/{report_id}/contributions", response_model=ReportOut, summary="Add a cooperating unit's contribution")
def contribute(request: Request, report_id: int, body: TextIn, principal: Principal = Depends(require_permission(REPORT, write=True)),
               session: Session = Depends(get_session)) -> ReportOut:
    row = reports.contribute(session, principal.user, report_id, body.text, now_of(request))
    session.commit()
    return report_out(row.report)


@router.post("/reports/{report_id}/evidence", response_model=ReportOut, status_code=201, summary="Attach an evidence file")
def upload(request: Request, report_id: int, file: UploadFile = File(...),
           principal: Principal = Depends(require_permission(REPORT, write=True)), session: Session = Depends(get_session)) -> ReportOut:
    row = evidence.add_evidence(session, principal.user, report_id, file.filename or "", file.file,
                                file.content_type or "", now_of(request), data_dir_of(request))
    session.commit()
    return report_out(row.report)


@router.get("/notices", response_model=list[NoticeOut], summary="Supervision notices the caller may see")
def get_notices(request: Request, status: str | None = None, principal: Principal = Depends(require_permission(READ)),
                session: Session = Depends(get_session)) -> list[NoticeOut]:
    now = now_of(request)
    return [notice_out(n, now) for n in notices.list_notices(session, principal.user, status=status)]


@router.post("/notices", response_model=NoticeOut, status_code=201, summary="Issue a supervision notice")
def post_notice(request: Request, body: NoticeIn, principal: Principal = Depends(require_permission(NOTICE_ISSUE, write=True)),
                session: Session = Depends(get_session)) -> NoticeOut:
    now = now_of(request)
    unit = session.scalar(select(Unit).where(Unit.code == body.unit_code))
    if unit is None:
        raise invalid(FieldError("unit_code", N_("No unit has this code; see /api/units for the codes."), body.unit_code))
    task_id = task_in_field(session, principal, "task", body.task).id if body.task is not None else None
    notice = notices.issue_notice(session, principal.user, unit_id=unit.id, task_id=task_id, title=body.title,
                                  body=body.body, reply_due_on=body.reply_due_on, now=now)
    session.commit()
    return notice_out(notice, now)


@router.get("/notices/{notice_id}", response_model=NoticeOut, summary="One notice with its history")
def get_notice(request: Request, notice_id: int, principal: Principal = Depends(require_permission(READ)),
               session: Session = Depends(get_session)) -> NoticeOut:
    return notice_out(notices.get_notice(session, principal.user, notice_id), now_of(request))


@router.post("/notices/{notice_id}/reply", response_model=NoticeOut, summary="Reply to a notice")
def reply(request: Request, notice_id: int, body: TextIn, principal: Principal = Depends(require_permission(NOTICE_REPLY, write=True)),
          session: Session = Depends(get_session)) -> NoticeOut:
    now = now_of(request)
    notice = notices.reply_notice(session, principal.user, notice_id, body.text, now)
    session.commit()
    return notice_out(notice, now)


@router.post("/notices/{notice_id}/return", response_model=NoticeOut, summary="Return a reply with a reason")
def return_reply(request: Request, notice_id: int, body: NoticeReturnIn,
                 principal: Principal = Depends(require_permission(NOTICE_ISSUE, write=True)),
                 session: Session = Depends(get_session)) -> NoticeOut:
    now = now_of(request)
    notice = notices.return_notice_reply(session, principal.user, notice_id, body.reason, now, body.reply_due_on)
    session.commit()
    return notice_out(notice, now)


@router.post("/notices/{notice_id}/close", response_model=NoticeOut, summary="Close (办结) a notice")
def close(request: Request, notice_id: int, body: NoticeCloseIn, principal: Principal = Depends(require_permission(NOTICE_ISSUE, write=True)),
          session: Session = Depends(get_session)) -> NoticeOut:
    now = now_of(request)
    notice = notices.close_notice(session, principal.user, notice_id, body.comment, now)
    session.commit()
    return notice_out(notice, now)


@router.get("/extensions", response_model=list[ExtensionOut], summary="Extension requests the caller may see")
def get_extensions(status: str | None = None, principal: Principal = Depends(require_permission(READ)),
                   session: Session = Depends(get_session)) -> list[ExtensionOut]:
    return [extension_out(r) for r in extensions.list_extensions(session, principal.user, status)]


@router.post("/extensions", response_model=ExtensionOut, status_code=201, summary="Request a later deadline")
def post_extension(request: Request, body: ExtensionIn, principal: Principal = Depends(require_permission(EXTENSION_REQUEST, write=True)),
                   session: Session = Depends(get_session)) -> ExtensionOut:
    task = task_by_seq(session, principal, body.task)
    row = extensions.request_extension(session, principal.user, task.id, requested_due_on=body.requested_due_on,
                                       reason=body.reason, now=now_of(request), indicator_id=body.indicator_id)
    session.commit()
    return extension_out(row)


@router.post("/extensions/{request_id}/decision", response_model=ExtensionOut, summary="Approve or refuse an extension")
def decide(request: Request, request_id: int, body: DecisionIn, principal: Principal = Depends(require_permission(EXTENSION_DECIDE, write=True)),
           session: Session = Depends(get_session)) -> ExtensionOut:
    row = extensions.decide_extension(session, principal.user, request_id, approve=body.approve, reason=body.reason,
                                      now=now_of(request))
    session.commit()
    return extension_out(row)


@router.get("/metrics", response_model=list[MetricOut], summary="Live metrics an indicator can be bound to, with their values")
def get_metrics(principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session)) -> list[MetricOut]:
    result = []
    for metric in registry.live_metrics().values():
        reading = metric.read(session)
        result.append(MetricOut(key=metric.key, label=gettext_(metric.label), unit=metric.unit, value=reading.value, at=reading.at))
    return result


@router.put("/indicators/{indicator_id}/binding", response_model=BindingOut, summary="Bind an indicator to a live metric")
def put_binding(request: Request, indicator_id: int, body: BindingIn,
                principal: Principal = Depends(require_permission(BINDING_MANAGE, write=True)),
                session: Session = Depends(get_session)) -> BindingOut:
    binding = values.bind_indicator(session, principal.user, indicator_id, body.metric_key, now_of(request))
    session.commit()
    return binding_out(binding)


@router.delete("/indicators/{indicator_id}/binding", status_code=204, summary="Remove an indicator's live binding")
def delete_binding(indicator_id: int, principal: Principal = Depends(require_permission(BINDING_MANAGE, write=True)),
                   session: Session = Depends(get_session)) -> None:
    values.unbind_indicator(session, principal.user, indicator_id)
    session.commit()


@router.get("/reporting", response_model=list[UnitReportingOut], summary="On-time reporting per lead unit for a period")
def get_reporting(request: Request, period: str, principal: Principal = Depends(require_permission(REVIEW)),
                  session: Session = Depends(get_session)) -> list[UnitReportingOut]:
    figures = on_time_reporting(session, period_by_key(session, period, today=local_date(now_of(request))), now_of(request))
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(figures))))}
    return [unit_reporting_out(units[unit_id], row) for unit_id, row in sorted(figures.items(), key=lambda item: units[item[0]].code)]


@router.get("/todo", response_model=TodoOut, summary="The caller's to-do list, as on the home page (工作台)")
def get_todo(
    request: Request, principal: Principal = Depends(require_permission(READ)), session: Session = Depends(get_session),
) -> TodoOut:
    now = now_of(request)
    items = todo(session, principal.user, now)
    if items is None:
        return TodoOut(view="none")
    if items["view"] == "reporter":
        due = [
            DueReportOut(task=item.task.seq, period=item.period.key, due_on=item.due_on, days_left=item.days_left,
                         overdue=item.overdue, report_id=item.report.id if item.report else None, link=item.link)
            for item in items["due"]
        ]
        contributions = [
            DueContributionOut(task=item.task.seq, period=item.period.key, due_on=item.due_on, days_left=item.days_left,
                               overdue=item.overdue, report_id=item.report.id if item.report else None, link=item.link)
            for item in items["contributions"]
        ]
        return TodoOut(
            view="reporter", reports_due=due, contributions_due=contributions, reports_returned=[report_out(r) for r in items["returned"]],
            notices=[notice_out(item.notice, now) for item in items["to_reply"]],
            extensions=[extension_out(row) for row in items["decisions"]],
        )
    if items["view"] == "office":
        last_import = items["last_import"]
        return TodoOut(
            view="office", reports_to_review=[report_out(r) for r in items["queue"]],
            notices=[notice_out(item.notice, now) for item in items["overdue_notices"]],
            extensions=[extension_out(row) for row in items["pending_extensions"]],
            lights=items["lights"], last_import_at=last_import.imported_at if last_import else None,
        )
    return TodoOut(view="viewer", lights=items["lights"])
