"""Tables of plan supervision; every name is re-exported here."""

from citybase.plan.supervision.models.lights import (
    LIGHT_BLUE, LIGHT_GREEN, LIGHT_RED, LIGHT_YELLOW, LIGHTS, LightSnapshot,
)
from citybase.plan.supervision.models.notices import (
    NOTICE_ACTION_CLOSE, NOTICE_ACTION_ISSUE, NOTICE_ACTION_REPLY, NOTICE_ACTION_RETURN,
    NOTICE_CLOSED, NOTICE_OPEN, NOTICE_REPLIED, NOTICE_STATUSES, NoticeEvent, SupervisionNotice,
)
from citybase.plan.supervision.models.reminders import (
    REMINDER_DIGEST, REMINDER_NOTICE_DUE, REMINDER_NOTICE_OVERDUE, REMINDER_REPORT_DUE,
    REMINDER_REPORT_OVERDUE, Reminder,
)
from citybase.plan.supervision.models.reports import (
    ACTION_ACCEPT, ACTION_CONTRIBUTE, ACTION_CREATE, ACTION_EVIDENCE_ADD, ACTION_EVIDENCE_REMOVE,
    ACTION_RESUBMIT, ACTION_RETURN, ACTION_SUBMIT, REPORT_STATUSES, STATUS_ACCEPTED, STATUS_DRAFT,
    STATUS_RETURNED, STATUS_SUBMITTED, EvidenceFile, ProgressReport, ReportContribution,
    ReportEvent, ReportIndicatorValue, ReportTargetProgress,
)
from citybase.plan.supervision.models.schedule import (
    DEADLINE_FINAL, DEADLINE_MILESTONE, EXTENSION_APPROVED, EXTENSION_PENDING, EXTENSION_REFUSED,
    EXTENSION_WITHDRAWN, Deadline, ExtensionRequest, ReportingPeriod,
)
from citybase.plan.supervision.models.values import (
    SOURCE_LIVE, SOURCE_MANUAL, SOURCE_REPORT, IndicatorBinding, IndicatorValue,
)

__all__ = [
    "ACTION_ACCEPT", "ACTION_CONTRIBUTE", "ACTION_CREATE", "ACTION_EVIDENCE_ADD",
    "ACTION_EVIDENCE_REMOVE", "ACTION_RESUBMIT", "ACTION_RETURN", "ACTION_SUBMIT",
    "DEADLINE_FINAL", "DEADLINE_MILESTONE", "EXTENSION_APPROVED", "EXTENSION_PENDING",
    "EXTENSION_REFUSED", "EXTENSION_WITHDRAWN", "LIGHTS", "LIGHT_BLUE", "LIGHT_GREEN",
    "LIGHT_RED", "LIGHT_YELLOW", "NOTICE_ACTION_CLOSE", "NOTICE_ACTION_ISSUE",
    "NOTICE_ACTION_REPLY", "NOTICE_ACTION_RETURN", "NOTICE_CLOSED", "NOTICE_OPEN",
    "NOTICE_REPLIED", "NOTICE_STATUSES", "REMINDER_DIGEST", "REMINDER_NOTICE_DUE",
    "REMINDER_NOTICE_OVERDUE", "REMINDER_REPORT_DUE", "REMINDER_REPORT_OVERDUE",
    "REPORT_STATUSES", "SOURCE_LIVE", "SOURCE_MANUAL", "SOURCE_REPORT", "STATUS_ACCEPTED",
    "STATUS_DRAFT", "STATUS_RETURNED", "STATUS_SUBMITTED", "Deadline", "EvidenceFile",
    "ExtensionRequest", "IndicatorBinding", "IndicatorValue", "LightSnapshot", "NoticeEvent",
    "ProgressReport", "Reminder", "ReportContribution", "ReportEvent", "ReportIndicatorValue",
    "ReportTargetProgress", "ReportingPeriod", "SupervisionNotice",
]
