"""Pydantic shapes of the supervision JSON API. Every datetime carries its UTC offset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class PeriodOut(BaseModel):
    key: str
    starts_on: dt.date
    ends_on: dt.date
    due_at: dt.datetime


class IndicatorStatusOut(BaseModel):
    id: int
    urn: str
    text: str
    comparator: str
    target: Decimal
    target_max: Decimal | None
    unit: str
    current: Decimal | None
    as_of: dt.datetime | None
    source: str | None = Field(description="report, live or manual; null without a value")
    metric_key: str | None
    progress: Decimal | None = Field(description="Fraction 0..1")
    explanation: str
    due_on: dt.date


class DeadlineOut(BaseModel):
    id: int
    kind: str
    indicator_id: int | None
    title: str
    due_on: dt.date
    original_due_on: dt.date | None
    expected_progress: Decimal
    done_on: dt.date | None


class TaskStatusOut(BaseModel):
    seq: int
    urn: str
    lead_unit_code: str | None
    light: str
    reasons: list[str]
    progress: Decimal | None = Field(description="Fraction 0..1")
    expected: Decimal = Field(description="序时进度, fraction 0..1")
    progress_explanation: str
    due_on: dt.date
    indicators: list[IndicatorStatusOut]
    deadlines: list[DeadlineOut] | None = None


class ValueIn(BaseModel):
    indicator_id: int
    value: str | None = Field(None, description="Number as text; empty or null leaves no value")
    as_of: dt.date | None = None
    note: str = ""


class TargetIn(BaseModel):
    target_id: int
    percent: str | None = Field(None, description="Whole number 0..100 as text")
    note: str = ""


class ReportIn(BaseModel):
    narrative: str = ""
    percent: str | None = None
    values: list[ValueIn] = []
    targets: list[TargetIn] = []


class ReportOpenIn(BaseModel):
    task: int = Field(description="Task sequence number (序号)")
    period: str = Field(description="Period key such as 2022-05")


class ReasonIn(BaseModel):
    reason: str


class TextIn(BaseModel):
    text: str


class ReportValueOut(BaseModel):
    indicator_id: int
    value: Decimal
    as_of: dt.date | None
    note: str


class ReportTargetOut(BaseModel):
    target_id: int
    percent: int
    note: str


class ContributionOut(BaseModel):
    unit_code: str
    text: str
    updated_at: dt.datetime


class EventOut(BaseModel):
    action: str
    at: dt.datetime
    actor_name: str
    version: int
    comment: str | None


class EvidenceOut(BaseModel):
    id: int
    file_name: str
    unit_code: str
    size_bytes: int
    sha256: str
    uploaded_at: dt.datetime
    removed_at: dt.datetime | None
    url: str


class ReportOut(BaseModel):
    id: int
    task: int
    period: str
    unit_code: str
    status: str
    version: int
    narrative: str
    percent: int | None
    first_submitted_at: dt.datetime | None
    submitted_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reason: str | None
    accepted_at: dt.datetime | None
    values: list[ReportValueOut]
    targets: list[ReportTargetOut]
    contributions: list[ContributionOut]
    events: list[EventOut]
    evidence: list[EvidenceOut]


class NoticeIn(BaseModel):
    unit_code: str
    task: int | None = Field(None, description="Task sequence number, optional")
    title: str
    body: str
    reply_due_on: dt.date | None = None


class NoticeReturnIn(BaseModel):
    reason: str
    reply_due_on: dt.date | None = None


class NoticeCloseIn(BaseModel):
    comment: str = ""


class NoticeEventOut(BaseModel):
    action: str
    at: dt.datetime
    actor_name: str
    text: str | None


class NoticeOut(BaseModel):
    id: int
    label: str
    unit_code: str
    task: int | None
    title: str
    body: str
    status: str
    overdue: bool
    issued_at: dt.datetime
    reply_due_at: dt.datetime
    reply_text: str | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_comment: str | None
    events: list[NoticeEventOut]


class ExtensionIn(BaseModel):
    task: int
    requested_due_on: dt.date
    reason: str
    indicator_id: int | None = None


class DecisionIn(BaseModel):
    approve: bool
    reason: str = ""


class ExtensionOut(BaseModel):
    id: int
    task: int
    unit_code: str
    status: str
    current_due_on: dt.date
    requested_due_on: dt.date
    reason: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str | None


class BindingIn(BaseModel):
    metric_key: str


class BindingOut(BaseModel):
    indicator_id: int
    metric_key: str
    bound_by: str
    bound_at: dt.datetime


class MetricOut(BaseModel):
    key: str
    label: str
    unit: str
    value: Decimal
    at: dt.datetime


class UnitReportingOut(BaseModel):
    unit_code: str
    unit_name: str
    expected: int
    on_time: int
    late: int
    missing: int
    on_time_rate: Decimal | None


class DueReportOut(BaseModel):
    """A report the caller's unit still has to submit; ``days_left`` is negative once overdue."""

    task: int
    period: str
    due_on: dt.date
    days_left: int
    overdue: bool
    report_id: int | None
    link: str


class DueContributionOut(DueReportOut):
    """A contribution the caller's unit owes to the lead unit's report on a task it cooperates on."""


class TodoOut(BaseModel):
    """The caller's to-do list, as on the home page. ``view`` is reporter, office, viewer or none."""

    view: str
    reports_due: list[DueReportOut] = []
    contributions_due: list[DueContributionOut] = []
    reports_returned: list[ReportOut] = []
    reports_to_review: list[ReportOut] = []
    notices: list[NoticeOut] = []
    extensions: list[ExtensionOut] = []
    lights: dict[str, int] | None = None
    last_import_at: dt.datetime | None = None
