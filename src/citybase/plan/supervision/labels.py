"""Display names (msgids) of the statuses and actions stored in supervision tables."""

from citybase.plan.supervision.i18n import msg
from citybase.plan.supervision.models import (
    ACTION_ACCEPT, ACTION_CONTRIBUTE, ACTION_CREATE, ACTION_EVIDENCE_ADD, ACTION_EVIDENCE_REMOVE,
    ACTION_RESUBMIT, ACTION_RETURN, ACTION_SUBMIT, EXTENSION_APPROVED, EXTENSION_PENDING,
    EXTENSION_REFUSED, EXTENSION_WITHDRAWN, NOTICE_ACTION_CLOSE, NOTICE_ACTION_ISSUE,
    NOTICE_ACTION_REPLY, NOTICE_ACTION_RETURN, NOTICE_CLOSED, NOTICE_OPEN, NOTICE_REPLIED,
    STATUS_ACCEPTED, STATUS_DRAFT, STATUS_RETURNED, STATUS_SUBMITTED,
)

REPORT_STATUS_LABELS = {
    STATUS_DRAFT: msg("Draft"),
    STATUS_SUBMITTED: msg("Submitted"),
    STATUS_RETURNED: msg("Returned"),
    STATUS_ACCEPTED: msg("Accepted"),
}

REPORT_ACTION_LABELS = {
    ACTION_CREATE: msg("Draft started"),
    ACTION_SUBMIT: msg("Submitted"),
    ACTION_RETURN: msg("Returned"),
    ACTION_RESUBMIT: msg("Resubmitted"),
    ACTION_ACCEPT: msg("Accepted"),
    ACTION_CONTRIBUTE: msg("Contribution added"),
    ACTION_EVIDENCE_ADD: msg("Evidence added"),
    ACTION_EVIDENCE_REMOVE: msg("Evidence removed"),
}

NOTICE_STATUS_LABELS = {
    NOTICE_OPEN: msg("Awaiting reply"),
    NOTICE_REPLIED: msg("Replied"),
    NOTICE_CLOSED: msg("Closed"),
}

NOTICE_ACTION_LABELS = {
    NOTICE_ACTION_ISSUE: msg("Issued"),
    NOTICE_ACTION_REPLY: msg("Replied"),
    NOTICE_ACTION_RETURN: msg("Reply returned"),
    NOTICE_ACTION_CLOSE: msg("Closed"),
}

EXTENSION_STATUS_LABELS = {
    EXTENSION_PENDING: msg("Pending"),
    EXTENSION_APPROVED: msg("Approved"),
    EXTENSION_REFUSED: msg("Refused"),
    EXTENSION_WITHDRAWN: msg("Withdrawn"),
}
