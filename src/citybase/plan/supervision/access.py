"""Access rules of supervision rows: which users may see and change them.

Roles come from the registry's permission table. On top of that a unit reporter
works only on tasks where the user's unit is the lead or a cooperating unit,
including through a placeholder such as 各街镇 that stands for the user's town.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core import registry
from citybase.core.auth.models import User
from citybase.core.auth.roles import UNIT_REPORTER, permission_label, role_label
from citybase.core.units import KIND_PLACEHOLDER, Unit, expand_placeholder
from citybase.plan.models import ROLE_LEAD, Task, TaskUnit
from citybase.plan.supervision.errors import NotFound, PermissionDenied
from citybase.plan.supervision.permissions import READ


def has_permission(user: User, permission: str) -> bool:
    return user.is_active and user.role in registry.permissions().get(permission, frozenset())


def require(user: User, permission: str) -> None:
    """Raise PermissionDenied unless the user's role has ``permission``."""
    if not has_permission(user, permission):
        raise PermissionDenied("Your role ({role}) does not have the permission “{permission}” ({code}); ask the digital office for access.",
                               params={"role": role_label(user.role), "permission": permission_label(permission),
                                       "code": permission})


def is_unit_scoped(user: User) -> bool:
    """Return True for users who see only their own unit's work."""
    return user.role == UNIT_REPORTER


def _placeholders_covering(session: Session, unit_id: int) -> list[int]:
    placeholders = session.scalars(select(Unit).where(Unit.kind == KIND_PLACEHOLDER))
    return [
        placeholder.id for placeholder in placeholders
        if any(member.id == unit_id for member in expand_placeholder(session, placeholder))
    ]


def task_roles_of_unit(session: Session, unit_id: int) -> dict[int, str]:
    """Return task id → role (lead or cooperator) for every task the unit takes part in."""
    unit_ids = [unit_id, *_placeholders_covering(session, unit_id)]
    roles: dict[int, str] = {}
    rows = session.execute(select(TaskUnit.task_id, TaskUnit.role, TaskUnit.unit_id).where(TaskUnit.unit_id.in_(unit_ids)))
    for task_id, role, member_id in rows:
        # A placeholder makes its towns cooperating units, never the lead.
        effective = role if member_id == unit_id else "cooperator"
        if roles.get(task_id) != ROLE_LEAD:
            roles[task_id] = effective
    lead_tasks = session.scalars(select(Task.id).where(Task.lead_unit_id == unit_id))
    for task_id in lead_tasks:
        roles[task_id] = ROLE_LEAD
    return roles


def unit_role_in_task(session: Session, unit_id: int | None, task: Task) -> str | None:
    if unit_id is None:
        return None
    if task.lead_unit_id == unit_id:
        return ROLE_LEAD
    return task_roles_of_unit(session, unit_id).get(task.id)


def visible_task_ids(session: Session, user: User) -> set[int] | None:
    """Return the ids of tasks the user may see, or None for every task."""
    if not is_unit_scoped(user):
        return None
    if user.unit_id is None:
        return set()
    return set(task_roles_of_unit(session, user.unit_id))


def get_task(session: Session, user: User, task_id: int) -> Task:
    """Load a task the user may see; a task outside a reporter's units is reported as not found."""
    require(user, READ)
    task = session.get(Task, task_id)
    visible = visible_task_ids(session, user)
    if task is None or (visible is not None and task.id not in visible):
        raise NotFound("Task {task_id} was not found.", params={"task_id": task_id})
    return task


def require_lead_reporter(session: Session, user: User, task: Task, permission: str) -> None:
    """Raise PermissionDenied unless the user reports for the task's lead unit."""
    require(user, permission)
    if unit_role_in_task(session, user.unit_id, task) != ROLE_LEAD:
        raise PermissionDenied("Only the lead unit of task {seq} may do this; your unit is not its lead unit.", params={"seq": task.seq})


def require_unit_member(user: User, unit_id: int, permission: str) -> None:
    """Raise PermissionDenied unless the user has ``permission`` and belongs to ``unit_id``."""
    require(user, permission)
    if user.unit_id != unit_id:
        raise PermissionDenied("This belongs to another unit; you can act only for your own unit.")
