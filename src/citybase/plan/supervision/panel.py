"""The supervision panel of a task: what its page shows, gathered in one call.

The plan's own task page may include ``plan_supervision/_task_panel.html`` with the
context returned here; the supervision task page shows the same panel with forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core import registry
from citybase.core.auth.models import User
from citybase.plan.models import Task
from citybase.plan.supervision.access import get_task, has_permission, unit_role_in_task
from citybase.plan.supervision.deadlines import deadlines_of_task
from citybase.plan.supervision.lights import light_rules
from citybase.plan.supervision.models import ExtensionRequest
from citybase.plan.supervision.notices import list_notices
from citybase.plan.supervision.permissions import BINDING_MANAGE, EXTENSION_REQUEST, SCHEDULE_MANAGE
from citybase.plan.supervision.reports import reports_of_task
from citybase.plan.supervision.snapshots import light_history
from citybase.plan.supervision.summary import task_statuses
from citybase.plan.supervision.values import binding_of


def task_panel(session: Session, user: User, task_id: int, now: dt.datetime) -> dict[str, Any]:
    """Return the template context of a task's supervision panel, as seen by ``user``."""
    task: Task = get_task(session, user, task_id)
    status = task_statuses(session, now, [task.id])[0]
    role = unit_role_in_task(session, user.unit_id, task)
    extensions = list(session.scalars(select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)
                                      .order_by(ExtensionRequest.requested_at.desc())))
    return {
        "task": task,
        "status": status,
        "rules": light_rules(),
        "deadlines": deadlines_of_task(session, task.id),
        "reports": reports_of_task(session, user, task.id),
        "notices": list_notices(session, user, task_id=task.id),
        "extensions": extensions,
        "history": light_history(session, task.id),
        "bindings": {indicator.id: binding_of(session, indicator.id) for indicator in task.indicators},
        "metrics": registry.live_metrics(),
        "unit_role": role,
        "can_manage": has_permission(user, SCHEDULE_MANAGE),
        "can_bind": has_permission(user, BINDING_MANAGE),
        "can_request_extension": has_permission(user, EXTENSION_REQUEST) and role == "lead",
    }
