"""The report workflow: draft, submit, return (退回) with a reason, resubmit, accept.

Only the lead unit's reporters edit and submit a report; cooperating units add
contributions and evidence while it is a draft or returned. Accepting a report
records its values as the indicators' current values, with date and source.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.core.i18n_marker import N_
from citybase.plan.models import ROLE_LEAD, Task
from citybase.plan.supervision.access import get_task, require, unit_role_in_task, visible_task_ids
from citybase.plan.supervision.clock import end_of_day, local_date
from citybase.plan.supervision.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied, invalid
from citybase.plan.supervision.i18n import msg
from citybase.plan.supervision.labels import REPORT_STATUS_LABELS
from citybase.plan.supervision.messaging import notify_office, notify_unit
from citybase.plan.supervision.models import (
    ACTION_ACCEPT, ACTION_CONTRIBUTE, ACTION_CREATE, ACTION_RESUBMIT, ACTION_RETURN, ACTION_SUBMIT,
    SOURCE_REPORT, STATUS_ACCEPTED, STATUS_DRAFT, STATUS_RETURNED, STATUS_SUBMITTED, IndicatorValue,
    ProgressReport, ReportContribution, ReportEvent, ReportIndicatorValue, ReportingPeriod,
    ReportTargetProgress,
)
from citybase.plan.supervision.permissions import READ, REPORT, REVIEW
from citybase.plan.supervision.progress import format_number
from citybase.plan.supervision.values import binding_of, check_indicator_value, parse_decimal

logger = logging.getLogger(__name__)

EDITABLE = (STATUS_DRAFT, STATUS_RETURNED)
MAX_NARRATIVE = 20000
MAX_NOTE = 500


@dataclass
class ValueInput:
    """A reported indicator value as typed: ``value`` may be text; ``as_of`` is the measurement day."""

    value: Any
    as_of: dt.date | None = None
    note: str = ""


@dataclass
class TargetInput:
    """Reported progress on a qualitative target: ``percent`` 0..100 as typed, and a note."""

    percent: Any
    note: str = ""


@dataclass
class ReportDraft:
    """The fields a reporter saves: narrative, overall estimate, values and target progress by id."""

    narrative: str = ""
    percent: Any = None
    values: Mapping[int, ValueInput] = field(default_factory=dict)
    targets: Mapping[int, TargetInput] = field(default_factory=dict)
    # Errors found while reading the form (such as an unreadable date), reported with the others.
    input_errors: list[FieldError] = field(default_factory=list)


def late_by(report: ProgressReport) -> dt.timedelta | None:
    """Return how long after its period's due time the report was first submitted, or None if on time."""
    submitted = report.first_submitted_at
    if submitted is None:
        return None
    delay = submitted - report.period.due_at
    return delay if delay > dt.timedelta(0) else None


def report_link(report: ProgressReport) -> str:
    return f"/plan/reports/{report.id}"


def _event(report: ProgressReport, user: User | None, action: str, now: dt.datetime, comment: str | None = None,
           snapshot: dict[str, Any] | None = None) -> None:
    report.events.append(ReportEvent(
        action=action, at=now, user_id=user.id if user else None,
        actor_name=user.display_name if user else "system", unit_id=user.unit_id if user else None,
        comment=comment, version=report.version, snapshot=snapshot,
    ))


def snapshot(report: ProgressReport) -> dict[str, Any]:
    """Return what the report states now, as JSON, for its history."""
    return {
        "narrative": report.narrative,
        "percent": report.percent,
        "values": {
            str(item.indicator_id): {"value": format_number(item.value), "as_of": item.as_of.isoformat() if item.as_of else None,
                                     "note": item.note}
            for item in report.values
        },
        "targets": {str(item.target_id): {"percent": item.percent, "note": item.note} for item in report.target_progress},
        "contributions": {str(item.unit_id): item.text for item in report.contributions},
        "evidence": [item.id for item in report.evidence if item.removed_at is None],
    }


def get_report(session: Session, user: User, report_id: int) -> ProgressReport:
    """Load a report the user may see."""
    require(user, READ)
    report = session.get(ProgressReport, report_id)
    visible = visible_task_ids(session, user)
    if report is None or (visible is not None and report.task_id not in visible):
        raise NotFound("Report {report_id} was not found.", params={"report_id": report_id})
    return report


def find_report(session: Session, task_id: int, period_id: int) -> ProgressReport | None:
    return session.scalar(select(ProgressReport).where(
        ProgressReport.task_id == task_id, ProgressReport.period_id == period_id
    ))


def open_report(session: Session, user: User, task_id: int, period: ReportingPeriod, now: dt.datetime) -> ProgressReport:
    """Return the task's report for ``period``, creating a draft for the lead unit if there is none.

    Any reporter of a unit taking part in the task may open it, so cooperating units
    can add their contribution before the lead unit starts.
    """
    require(user, REPORT)
    task = get_task(session, user, task_id)
    if unit_role_in_task(session, user.unit_id, task) is None:
        raise PermissionDenied("Your unit does not take part in task {seq}.", params={"seq": task.seq})
    if period.starts_on > local_date(now):
        raise invalid(FieldError("period", "This period has not started yet; report on the current or an earlier period.", period.key))
    if task.lead_unit_id is None:
        raise Conflict("Task {seq} has no lead unit, so it cannot take reports; ask the digital office to set one.", params={"seq": task.seq})

    report = find_report(session, task.id, period.id)
    if report is not None:
        return report
    report = ProgressReport(
        task_id=task.id, period_id=period.id, unit_id=task.lead_unit_id, status=STATUS_DRAFT,
        created_by_id=user.id, created_at=now, updated_at=now,
    )
    session.add(report)
    _event(report, user, ACTION_CREATE, now)
    session.flush()
    logger.info("report %s opened for task %s period %s by %s", report.id, task.seq, period.key, user.username)
    return report


def _require_lead_editor(session: Session, user: User, report: ProgressReport) -> Task:
    require(user, REPORT)
    task = report.task
    if unit_role_in_task(session, user.unit_id, task) != ROLE_LEAD:
        raise PermissionDenied("Only the lead unit of task {seq} may edit or submit its report; your unit can add a contribution.", params={"seq": task.seq})
    return task


def _require_editable(report: ProgressReport) -> None:
    if report.status not in EDITABLE:
        raise Conflict("The report is {status} and cannot be changed; only a draft or a returned report can.", params={"status": REPORT_STATUS_LABELS[report.status]})


def _check_percent(field_name: str, raw: Any, errors: list[FieldError]) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = parse_decimal(field_name, raw)
    except InvalidInput as error:
        errors.extend(error.errors)
        return None
    if value != value.to_integral_value() or not 0 <= value <= 100:
        errors.append(FieldError(field_name, "Give a whole number from 0 to 100.", raw))
        return None
    return int(value)


def _check_values(task: Task, draft: ReportDraft, today: dt.date, errors: list[FieldError]) -> dict[int, tuple[Decimal, dt.date | None, str]]:
    indicators = {indicator.id: indicator for indicator in task.indicators}
    indicator_ids = set(indicators)
    checked: dict[int, tuple[Decimal, dt.date | None, str]] = {}
    for indicator_id, item in draft.values.items():
        prefix = f"values[{indicator_id}]"
        if indicator_id not in indicator_ids:
            errors.append(FieldError(prefix, "This indicator does not belong to the task.", indicator_id))
            continue
        if item.value is None or str(item.value).strip() == "":
            continue  # left blank: no value yet
        try:
            value = parse_decimal(f"{prefix}.value", item.value)
        except InvalidInput as error:
            errors.extend(error.errors)
            continue
        problem = check_indicator_value(f"{prefix}.value", indicators[indicator_id], value, item.value)
        if problem is not None:
            errors.append(problem)
            continue
        if item.as_of is not None and item.as_of > today:
            errors.append(FieldError(prefix + ".as_of", "The date lies in the future; give the day the value was measured.", item.as_of.isoformat()))
            continue
        if len(item.note) > MAX_NOTE:
            errors.append(FieldError(prefix + ".note", "The note is longer than {max} characters; shorten it.", len(item.note), {"max": MAX_NOTE}))
            continue
        checked[indicator_id] = (value, item.as_of, item.note.strip())
    return checked


def _check_targets(task: Task, draft: ReportDraft, errors: list[FieldError]) -> dict[int, tuple[int, str]]:
    target_ids = {target.id for target in task.qualitative_targets}
    checked: dict[int, tuple[int, str]] = {}
    for target_id, item in draft.targets.items():
        prefix = f"targets[{target_id}]"
        if target_id not in target_ids:
            errors.append(FieldError(prefix, "This qualitative target does not belong to the task.", target_id))
            continue
        percent = _check_percent(f"{prefix}.percent", item.percent, errors)
        if len(item.note) > MAX_NOTE:
            errors.append(FieldError(prefix + ".note", "The note is longer than {max} characters; shorten it.", len(item.note), {"max": MAX_NOTE}))
            continue
        if percent is not None:
            checked[target_id] = (percent, item.note.strip())
    return checked


def _apply_values(report: ProgressReport, values: dict[int, tuple[Decimal, dt.date | None, str]]) -> None:
    existing = {item.indicator_id: item for item in report.values}
    for indicator_id, (value, as_of, note) in values.items():
        row = existing.get(indicator_id)
        if row is None:
            report.values.append(ReportIndicatorValue(indicator_id=indicator_id, value=value, as_of=as_of, note=note))
        else:
            row.value, row.as_of, row.note = value, as_of, note


def _apply_targets(report: ProgressReport, targets: dict[int, tuple[int, str]]) -> None:
    existing = {item.target_id: item for item in report.target_progress}
    for target_id, (percent, note) in targets.items():
        row = existing.get(target_id)
        if row is None:
            report.target_progress.append(ReportTargetProgress(target_id=target_id, percent=percent, note=note))
        else:
            row.percent, row.note = percent, note


def save_report(session: Session, user: User, report_id: int, draft: ReportDraft, now: dt.datetime,
                for_submit: bool = False) -> ProgressReport:
    """Validate and save a draft; every invalid field is reported together and nothing changes.

    With ``for_submit`` the fields a submission needs (narrative, every value) are checked
    in the same round, so the reporter sees all problems of the form at once.
    """
    report = get_report(session, user, report_id)
    task = _require_lead_editor(session, user, report)
    _require_editable(report)

    errors: list[FieldError] = list(draft.input_errors)
    if len(draft.narrative) > MAX_NARRATIVE:
        errors.append(FieldError("narrative", "The narrative is longer than {max} characters; shorten it.", len(draft.narrative), {"max": MAX_NARRATIVE}))
    percent = _check_percent("percent", draft.percent, errors)
    values = _check_values(task, draft, local_date(now), errors)
    targets = _check_targets(task, draft, errors)
    if for_submit:
        errors.extend(_draft_completeness_errors(session, report, draft, percent, errors))
    if errors:
        raise invalid(*errors)

    report.narrative = draft.narrative.strip()
    report.percent = percent
    _apply_values(report, values)
    _apply_targets(report, targets)
    report.updated_at = now
    session.flush()
    return report


def _missing_errors(session: Session, task: Task, narrative: str, reported: set[int], answered: set[int],
                    percent: int | None) -> list[FieldError]:
    """Return an error for each field a submission needs that would be empty."""
    errors: list[FieldError] = []
    if not narrative.strip():
        errors.append(FieldError("narrative", "Describe the progress of this period before submitting.", ""))
    for indicator in task.indicators:
        if indicator.id not in reported and binding_of(session, indicator.id) is None:
            field = f"values[{indicator.id}].value"
            errors.append(FieldError(field, "Give the current value of “{text}”.", None, {"text": indicator.text}))
    for target in task.qualitative_targets:
        if target.id not in answered:
            field = f"targets[{target.id}].percent"
            errors.append(FieldError(field, "Give the progress (0–100) of “{text}”.", None, {"text": target.text}))
    if not task.indicators and not task.qualitative_targets and percent is None:
        errors.append(FieldError("percent", "Give the task's overall progress (0–100).", None))
    return errors


def _completeness_errors(session: Session, report: ProgressReport) -> list[FieldError]:
    reported = {item.indicator_id for item in report.values}
    answered = {item.target_id for item in report.target_progress}
    return _missing_errors(session, report.task, report.narrative, reported, answered, report.percent)


def _draft_completeness_errors(session: Session, report: ProgressReport, draft: ReportDraft, percent: int | None,
                               found: list[FieldError]) -> list[FieldError]:
    """Return what the report would miss once ``draft`` is saved, skipping fields already in ``found``."""
    def typed(raw: Any) -> bool:
        return raw is not None and str(raw).strip() != ""

    reported = {item.indicator_id for item in report.values} | {i for i, item in draft.values.items() if typed(item.value)}
    answered = {item.target_id for item in report.target_progress} | {i for i, item in draft.targets.items() if typed(item.percent)}
    flagged = {error.field for error in found}
    missing = _missing_errors(session, report.task, draft.narrative, reported, answered,
                              percent if percent is not None or "percent" in flagged else report.percent)
    return [error for error in missing if error.field not in flagged]


def submit_report(session: Session, user: User, report_id: int, now: dt.datetime) -> ProgressReport:
    """Submit a draft, or resubmit a returned report; the office is notified."""
    report = get_report(session, user, report_id)
    _require_lead_editor(session, user, report)
    _require_editable(report)
    errors = _completeness_errors(session, report)
    if errors:
        raise InvalidInput("The report is incomplete; fill in the {count} missing fields and submit again.", params={"count": len(errors)}, errors=errors)

    action = ACTION_RESUBMIT if report.status == STATUS_RETURNED else ACTION_SUBMIT
    report.status = STATUS_SUBMITTED
    report.version += 1
    report.submitted_at = now
    report.submitted_by_id = user.id
    report.first_submitted_at = report.first_submitted_at or now
    report.updated_at = now
    _event(report, user, action, now, snapshot=snapshot(report))
    session.flush()

    title = msg(N_("Report to review: task {seq}, period {period}"), seq=report.task.seq, period=report.period.key)
    notify_office(session, title, link=report_link(report), dedupe_key=f"plan:report:{report.id}:v{report.version}:submitted")
    logger.info("report %s %s (version %s) by %s", report.id, action, report.version, user.username)
    return report


def _require_submitted(report: ProgressReport) -> None:
    if report.status != STATUS_SUBMITTED:
        raise Conflict("The report is {status}; only a submitted report can be accepted or returned.", params={"status": REPORT_STATUS_LABELS[report.status]})


def return_report(session: Session, user: User, report_id: int, reason: str, now: dt.datetime) -> ProgressReport:
    """Return a submitted report to the lead unit with a reason (退回)."""
    require(user, REVIEW)
    report = get_report(session, user, report_id)
    _require_submitted(report)
    reason = (reason or "").strip()
    if not reason:
        raise invalid(FieldError("reason", "Give the reason for returning the report, so the unit knows what to fix.", reason))

    report.status = STATUS_RETURNED
    report.returned_at = now
    report.return_reason = reason
    report.updated_at = now
    _event(report, user, ACTION_RETURN, now, comment=reason)
    session.flush()

    title = msg(N_("Report returned: task {seq}, period {period}"), seq=report.task.seq, period=report.period.key)
    body = msg(N_("Reason: {reason}"), reason=reason)
    notify_unit(session, report.unit_id, title, body, link=report_link(report),
                dedupe_key=f"plan:report:{report.id}:v{report.version}:returned")
    logger.info("report %s returned by %s", report.id, user.username)
    return report


def _as_of(item: ReportIndicatorValue, report: ProgressReport, now: dt.datetime) -> dt.datetime:
    """Return the instant a reported value stands for: the end of its measurement day (or of the period)."""
    day = item.as_of or min(report.period.ends_on, local_date(now))
    return end_of_day(day) - dt.timedelta(seconds=1)


def accept_report(session: Session, user: User, report_id: int, now: dt.datetime) -> ProgressReport:
    """Accept a submitted report; its values become the indicators' current values."""
    require(user, REVIEW)
    report = get_report(session, user, report_id)
    _require_submitted(report)

    report.status = STATUS_ACCEPTED
    report.accepted_at = now
    report.accepted_by_id = user.id
    report.updated_at = now
    for item in report.values:
        session.add(IndicatorValue(
            indicator_id=item.indicator_id, value=item.value, as_of=_as_of(item, report, now),
            source=SOURCE_REPORT, report_id=report.id, recorded_at=now, recorded_by=user.username,
        ))
    _event(report, user, ACTION_ACCEPT, now, snapshot=snapshot(report))
    session.flush()

    title = msg(N_("Report accepted: task {seq}, period {period}"), seq=report.task.seq, period=report.period.key)
    notify_unit(session, report.unit_id, title, link=report_link(report), dedupe_key=f"plan:report:{report.id}:accepted")
    logger.info("report %s accepted by %s", report.id, user.username)
    return report


def contribute(session: Session, user: User, report_id: int, text: str, now: dt.datetime) -> ReportContribution:
    """Add or replace the user's unit's contribution to a report it cooperates on."""
    require(user, REPORT)
    report = get_report(session, user, report_id)
    role = unit_role_in_task(session, user.unit_id, report.task)
    if role is None or role == ROLE_LEAD:
        raise PermissionDenied("Only cooperating units add contributions; the lead unit writes the report itself.")
    _require_editable(report)
    text = (text or "").strip()
    if not text:
        raise invalid(FieldError("text", "Describe what your unit did for this task in the period.", text))
    if len(text) > MAX_NARRATIVE:
        raise invalid(FieldError("text", "The narrative is longer than {max} characters; shorten it.", len(text), {"max": MAX_NARRATIVE}))

    existing = {item.unit_id: item for item in report.contributions}
    row = existing.get(user.unit_id)
    if row is None:
        row = ReportContribution(unit_id=user.unit_id, text=text, created_at=now, updated_at=now, updated_by_id=user.id)
        report.contributions.append(row)
    else:
        row.text, row.updated_at, row.updated_by_id = text, now, user.id
    _event(report, user, ACTION_CONTRIBUTE, now, comment=text)
    session.flush()

    title = msg(N_("Contribution added to task {seq}, period {period}"), seq=report.task.seq, period=report.period.key)
    notify_unit(session, report.unit_id, title, link=report_link(report))
    return row


def review_queue(session: Session, user: User) -> list[ProgressReport]:
    """Return submitted reports waiting for the office, oldest submission first."""
    require(user, REVIEW)
    query = select(ProgressReport).where(ProgressReport.status == STATUS_SUBMITTED).order_by(ProgressReport.submitted_at)
    return list(session.scalars(query))


def reports_of_task(session: Session, user: User, task_id: int) -> list[ProgressReport]:
    """Return a task's reports, newest period first."""
    get_task(session, user, task_id)
    query = (select(ProgressReport).join(ReportingPeriod).where(ProgressReport.task_id == task_id)
             .order_by(ReportingPeriod.starts_on.desc()))
    return list(session.scalars(query))
