"""Conversions from supervision rows and results to the JSON API shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from citybase.core.units import Unit
from citybase.plan.supervision.api_models import (
    BindingOut, ContributionOut, DeadlineOut, EventOut, EvidenceOut, ExtensionOut, IndicatorStatusOut,
    NoticeEventOut, NoticeOut, ReportOut, ReportTargetOut, ReportValueOut, TaskStatusOut, UnitReportingOut,
)
from citybase.plan.supervision.models import (
    Deadline, ExtensionRequest, IndicatorBinding, ProgressReport, SupervisionNotice,
)
from citybase.plan.supervision.notices import is_overdue
from citybase.plan.supervision.reporting import UnitReporting
from citybase.plan.supervision.summary import TaskStatus


def task_status_out(status: TaskStatus, deadlines: Sequence[Deadline] | None = None) -> TaskStatusOut:
    task = status.task
    indicators = [
        IndicatorStatusOut(
            id=item.indicator.id, urn=item.indicator.urn, text=item.indicator.text, comparator=item.indicator.comparator,
            target=item.indicator.value, target_max=item.indicator.value_max, unit=item.indicator.unit,
            current=item.current.value, as_of=item.current.at, source=item.current.source, metric_key=item.current.metric_key,
            progress=item.progress.fraction, explanation=str(item.progress.explanation), due_on=item.due_on,
        )
        for item in status.indicators
    ]
    return TaskStatusOut(
        seq=task.seq, urn=task.urn, lead_unit_code=task.lead_unit.code if task.lead_unit else None,
        light=status.light.light, reasons=[str(reason) for reason in status.light.reasons],
        progress=status.light.progress.fraction, expected=status.light.expected,
        progress_explanation=str(status.light.progress.explanation), due_on=status.due_on, indicators=indicators,
        deadlines=[deadline_out(d) for d in deadlines] if deadlines is not None else None,
    )


def deadline_out(deadline: Deadline) -> DeadlineOut:
    return DeadlineOut(
        id=deadline.id, kind=deadline.kind, indicator_id=deadline.indicator_id, title=deadline.title,
        due_on=deadline.due_on, original_due_on=deadline.original_due_on,
        expected_progress=deadline.expected_progress, done_on=deadline.done_on,
    )


def report_out(report: ProgressReport) -> ReportOut:
    return ReportOut(
        id=report.id, task=report.task.seq, period=report.period.key, unit_code=report.unit.code, status=report.status,
        version=report.version, narrative=report.narrative, percent=report.percent,
        first_submitted_at=report.first_submitted_at, submitted_at=report.submitted_at, returned_at=report.returned_at,
        return_reason=report.return_reason, accepted_at=report.accepted_at,
        values=[ReportValueOut(indicator_id=v.indicator_id, value=v.value, as_of=v.as_of, note=v.note) for v in report.values],
        targets=[ReportTargetOut(target_id=t.target_id, percent=t.percent, note=t.note) for t in report.target_progress],
        contributions=[ContributionOut(unit_code=c.unit.code, text=c.text, updated_at=c.updated_at) for c in report.contributions],
        events=[EventOut(action=e.action, at=e.at, actor_name=e.actor_name, version=e.version, comment=e.comment)
                for e in report.events],
        evidence=[
            EvidenceOut(id=f.id, file_name=f.file_name, unit_code=f.unit.code, size_bytes=f.size_bytes,
                        sha256=f.sha256, uploaded_at=f.uploaded_at, removed_at=f.removed_at, url=f"/plan/evidence/{f.id}")
            for f in report.evidence
        ],
    )


def notice_out(notice: SupervisionNotice, now: dt.datetime) -> NoticeOut:
    return NoticeOut(
        id=notice.id, label=notice.label, unit_code=notice.unit.code, task=notice.task.seq if notice.task else None,
        title=notice.title, body=notice.body, status=notice.status, overdue=is_overdue(notice, now),
        issued_at=notice.issued_at, reply_due_at=notice.reply_due_at, reply_text=notice.reply_text,
        replied_at=notice.replied_at, closed_at=notice.closed_at, close_comment=notice.close_comment,
        events=[NoticeEventOut(action=e.action, at=e.at, actor_name=e.actor_name, text=e.text) for e in notice.events],
    )


def extension_out(row: ExtensionRequest) -> ExtensionOut:
    return ExtensionOut(
        id=row.id, task=row.task.seq, unit_code=row.unit.code, status=row.status,
        current_due_on=row.current_due_on, requested_due_on=row.requested_due_on, reason=row.reason,
        requested_at=row.requested_at, decided_at=row.decided_at, decision_reason=row.decision_reason,
    )


def binding_out(binding: IndicatorBinding) -> BindingOut:
    return BindingOut(indicator_id=binding.indicator_id, metric_key=binding.metric_key, bound_by=binding.bound_by,
                      bound_at=binding.bound_at)


def unit_reporting_out(unit: Unit, row: UnitReporting) -> UnitReportingOut:
    return UnitReportingOut(unit_code=unit.code, unit_name=unit.name, expected=row.expected, on_time=row.on_time,
                            late=row.late, missing=row.missing, on_time_rate=row.on_time_rate)
