"""Display names (msgids) of the statuses and actions stored in supervision tables."""

from citybase.core.i18n_marker import N_
from citybase.plan.supervision.i18n import msg
from citybase.plan.supervision.models import (
    ACTION_ACCEPT, ACTION_CONTRIBUTE, ACTION_CREATE, ACTION_EVIDENCE_ADD, ACTION_EVIDENCE_REMOVE,
    ACTION_RESUBMIT, ACTION_RETURN, ACTION_SUBMIT, EXTENSION_APPROVED, EXTENSION_PENDING,
    EXTENSION_REFUSED, EXTENSION_WITHDRAWN, NOTICE_ACTION_CLOSE, NOTICE_ACTION_ISSUE,
    NOTICE_ACTION_REPLY, NOTICE_ACTION_RETURN, NOTICE_CLOSED, NOTICE_OPEN, NOTICE_REPLIED,
    STATUS_ACCEPTED, STATUS_DRAFT, STATUS_RETURNED, STATUS_SUBMITTED,
)

REPORT_STATUS_LABELS = {
    STATUS_DRAFT: msg(N_("Draft")),
    STATUS_SUBMITTED: msg(N_("Submitted")),
    STATUS_RETURNED: msg(N_("Returned")),
    STATUS_ACCEPTED: msg(N_("Accepted")),
}

REPORT_ACTION_LABELS = {
    ACTION_CREATE: msg(N_("Draft started")),
    ACTION_SUBMIT: msg(N_("Submitted")),
    ACTION_RETURN: msg(N_("Returned")),
    ACTION_RESUBMIT: msg(N_("Resubmitted")),
    ACTION_ACCEPT: msg(N_("Accepted")),
    ACTION_CONTRIBUTE: msg(N_("Contribution added")),
    ACTION_EVIDENCE_ADD: msg(N_("Evidence added")),
    ACTION_EVIDENCE_REMOVE: msg(N_("Evidence removed")),
}

NOTICE_STATUS_LABELS = {
    NOTICE_OPEN: msg(N_("Awaiting reply")),
    NOTICE_REPLIED: msg(N_("Replied")),
    NOTICE_CLOSED: msg(N_("Closed")),
}

NOTICE_ACTION_LABELS = {
    NOTICE_ACTION_ISSUE: msg(N_("Issued")),
    NOTICE_ACTION_REPLY: msg(N_("Replied")),
    NOTICE_ACTION_RETURN: msg(N_("Reply returned")),
    NOTICE_ACTION_CLOSE: msg(N_("Closed")),
}

EXTENSION_STATUS_LABELS = {
    EXTENSION_PENDING: msg(N_("Pending")),
    EXTENSION_APPROVED: msg(N_("Approved")),
    EXTENSION_REFUSED: msg(N_("Refused")),
    EXTENSION_WITHDRAWN: msg(N_("Withdrawn")),
}
