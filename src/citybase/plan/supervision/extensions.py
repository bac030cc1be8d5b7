"""Extension requests (延期申请): the lead unit requests, the digital office approves or refuses with a reason."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.core.i18n_marker import N_
from citybase.plan.supervision.access import get_task, is_unit_scoped, require, require_lead_reporter, visible_task_ids
from citybase.plan.supervision.deadlines import effective_due_on, final_deadline
from citybase.plan.supervision.errors import Conflict, FieldError, NotFound, invalid
from citybase.plan.supervision.i18n import msg
from citybase.plan.supervision.labels import EXTENSION_STATUS_LABELS
from citybase.plan.supervision.messaging import notify_office, notify_unit
from citybase.plan.supervision.models import (
    DEADLINE_FINAL, EXTENSION_APPROVED, EXTENSION_PENDING, EXTENSION_REFUSED, Deadline, ExtensionRequest,
)
from citybase.plan.supervision.permissions import EXTENSION_DECIDE, EXTENSION_REQUEST, READ
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

logger = logging.getLogger(__name__)


def extension_link(request: ExtensionRequest) -> str:
    return f"/plan/extensions/{request.id}"


def request_extension(
    session: Session, user: User, task_id: int, *, requested_due_on: dt.date | str | None, reason: str, now: dt.datetime,
    indicator_id: int | None = None, settings: SupervisionSettings | None = None,
) -> ExtensionRequest:
    """Ask to move the final deadline of a task (or of one of its indicators) to a later day.

    ``requested_due_on`` may be the date as typed (YYYY-MM-DD); every invalid field,
    the date and the reason alike, is reported in one error.
    """
    settings = settings or get_supervision_settings()
    task = get_task(session, user, task_id)
    require_lead_reporter(session, user, task, EXTENSION_REQUEST)

    errors: list[FieldError] = []
    if not isinstance(requested_due_on, dt.date):
        typed = (requested_due_on or "").strip()
        try:
            requested_due_on = dt.date.fromisoformat(typed) if typed else None
        except ValueError:
            requested_due_on = None
        if requested_due_on is None:
            errors.append(FieldError("requested_due_on", "Give a date as YYYY-MM-DD.", typed))
    if indicator_id is not None and indicator_id not in {i.id for i in task.indicators}:
        errors.append(FieldError("indicator_id", "This indicator does not belong to the task.", indicator_id))
        indicator_id = None
    current = effective_due_on(session, task_id, indicator_id, settings)
    if requested_due_on is not None and requested_due_on <= current:
        errors.append(FieldError("requested_due_on", "The new deadline must be later than the current one, {due}.", requested_due_on.isoformat(), {"due": current.isoformat()}))
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError("reason", "Explain why the deadline cannot be met.", reason))
    pending = session.scalar(select(ExtensionRequest.id).where(
        ExtensionRequest.task_id == task_id, ExtensionRequest.status == EXTENSION_PENDING,
    ))
    if pending is not None:
        errors.append(FieldError("task_id", "Extension request {request_id} for this task is still pending; wait for its decision.", task_id, {"request_id": pending}))
    if errors or requested_due_on is None:
        raise invalid(*errors)

    deadline = final_deadline(session, task_id, indicator_id)
    if deadline is None:
        # Store the deadline that applies today, so the request and its approval refer to one row.
        deadline = Deadline(task_id=task_id, indicator_id=indicator_id, kind=DEADLINE_FINAL, due_on=current,
                            expected_progress=Decimal(1))
        session.add(deadline)
        session.flush()
    request = ExtensionRequest(
        task_id=task_id, deadline_id=deadline.id, unit_id=user.unit_id, status=EXTENSION_PENDING,
        current_due_on=current, requested_due_on=requested_due_on, reason=reason,
        requested_by_id=user.id, requested_at=now,
    )
    session.add(request)
    session.flush()
    notify_office(session, msg(N_("Extension requested for task {seq}: to {due}"), seq=task.seq, due=requested_due_on.isoformat()),
                  link=extension_link(request), dedupe_key=f"plan:extension:{request.id}:requested")
    return request


def get_extension(session: Session, user: User, request_id: int) -> ExtensionRequest:
    require(user, READ)
    request = session.get(ExtensionRequest, request_id)
    visible = visible_task_ids(session, user)
    if request is None or (visible is not None and request.task_id not in visible):
        raise NotFound("Extension request {request_id} was not found.", params={"request_id": request_id})
    return request


def decide_extension(
    session: Session, user: User, request_id: int, *, approve: bool, reason: str, now: dt.datetime,
) -> ExtensionRequest:
    """Approve (moving the deadline) or refuse a pending request; a refusal needs a reason."""
    require(user, EXTENSION_DECIDE)
    request = get_extension(session, user, request_id)
    if request.status != EXTENSION_PENDING:
        raise Conflict("The request is {status}; only a pending request can be decided.", params={"status": EXTENSION_STATUS_LABELS[request.status]})
    reason = (reason or "").strip()
    if not approve and not reason:
        raise invalid(FieldError("reason", "Give the reason for refusing, so the unit knows what to do.", reason))

    request.status = EXTENSION_APPROVED if approve else EXTENSION_REFUSED
    request.decided_by_id = user.id
    request.decided_at = now
    request.decision_reason = reason or None
    if approve and request.deadline is not None:
        deadline = request.deadline
        deadline.original_due_on = deadline.original_due_on or deadline.due_on
        deadline.due_on = request.requested_due_on
    session.flush()

    task = request.task
    if approve:
        title = msg(N_("Extension approved for task {seq}: new deadline {due}"), seq=task.seq, due=request.requested_due_on.isoformat())
    else:
        title = msg(N_("Extension refused for task {seq}"), seq=task.seq)
    body = msg(N_("Reason: {reason}"), reason=reason) if reason else None
    notify_unit(session, request.unit_id, title, body, link=extension_link(request),
                dedupe_key=f"plan:extension:{request.id}:decided")
    logger.info("extension %s %s by %s", request.id, request.status, user.username)
    return request


def list_extensions(session: Session, user: User, status: str | None = None) -> list[ExtensionRequest]:
    """Return the requests the user may see, newest first."""
    require(user, READ)
    query = select(ExtensionRequest)
    if is_unit_scoped(user):
        query = query.where(ExtensionRequest.unit_id == user.unit_id)
    if status is not None:
        query = query.where(ExtensionRequest.status == status)
    return list(session.scalars(query.order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())))
