"""Permissions of plan supervision and the roles that hold them.

Unit reporters hold the reporting permissions but the service layer also checks
that the task or notice belongs to one of their units.
"""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DATA_STEWARD, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, VIEWER

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
