"""Permissions of plan supervision and the roles that hold them.

Unit reporters hold the reporting permissions but the service layer also checks
that the task or notice belongs to one of their units.
"""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DATA_STEWARD, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, VIEWER
from citybase.core.i18n_marker import N_

READ = "plan.supervision.read"
REPORT = "plan.report"  # write and submit the own unit's reports, contributions, evidence
REVIEW = "plan.review"  # accept or return reports
NOTICE_ISSUE = "plan.notice.issue"  # issue, return and close notices
NOTICE_REPLY = "plan.notice.reply"
EXTENSION_REQUEST = "plan.extension.request"
EXTENSION_DECIDE = "plan.extension.decide"
SCHEDULE_MANAGE = "plan.schedule.manage"  # deadlines, milestones, manual values
BINDING_MANAGE = "plan.binding.manage"
DASHBOARD = "plan.dashboard.read"  # the district-wide dashboard: every unit's figures

_OFFICE = frozenset({ADMIN, DIGITAL_OFFICE})

PERMISSIONS: dict[str, frozenset[str]] = {
    READ: frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    REPORT: frozenset({UNIT_REPORTER}),
    REVIEW: _OFFICE,
    NOTICE_ISSUE: _OFFICE,
    NOTICE_REPLY: frozenset({UNIT_REPORTER}),
    EXTENSION_REQUEST: frozenset({UNIT_REPORTER}),
    EXTENSION_DECIDE: _OFFICE,
    SCHEDULE_MANAGE: _OFFICE,
    BINDING_MANAGE: _OFFICE,
    DASHBOARD: frozenset({ADMIN, DIGITAL_OFFICE, VIEWER}),
}

PERMISSION_LABELS: dict[str, str] = {
    READ: N_("View supervision"),
    REPORT: N_("Write progress reports"),
    REVIEW: N_("Review progress reports"),
    NOTICE_ISSUE: N_("Issue supervision notices"),
    NOTICE_REPLY: N_("Reply to supervision notices"),
    EXTENSION_REQUEST: N_("Request deadline extensions"),
    EXTENSION_DECIDE: N_("Decide deadline extensions"),
    SCHEDULE_MANAGE: N_("Manage deadlines and milestones"),
    BINDING_MANAGE: N_("Manage indicator bindings"),
    DASHBOARD: N_("View the district dashboard"),
}
