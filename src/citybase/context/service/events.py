"""Entity change events, delivered inside the writing transaction.

Every write of the broker ends in :meth:`Workspace.commit`, which calls each
registered listener with the list of changes after the rows are written and
before the caller commits. A listener that needs durability (for example
subscriptions queueing notifications for the worker) writes its own rows in the
same session, so they commit or roll back together with the entities.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from citybase.context.service.store import StoredEntity

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"


@dataclass(frozen=True)
class EntityChange:
    """One entity's change; ``attributes`` contains the IRIs written or deleted.

    ``created_attributes`` are the written ones the entity did not have before the
    request (attributeCreated rather than attributeUpdated); ``None`` when the
    writer does not tell them apart, and then every written attribute counts as both.
    ``previous`` holds the instances the written or deleted attributes had before.
    """

    kind: str
    entity: StoredEntity
    attributes: frozenset[str]
    deleted_attributes: frozenset[str] = frozenset()
    created_attributes: frozenset[str] | None = None
    # The instances the changed attributes had before the request (for showChanges).
    previous: dict[str, list[dict[str, Any]]] | None = None


ChangeListener = Callable[[Session, list[EntityChange]], None]
_listeners: list[ChangeListener] = []


def add_listener(listener: ChangeListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: ChangeListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(session: Session, changes: list[EntityChange]) -> None:
    """Call every listener; an exception propagates so the whole write rolls back."""
    if not changes:
        return
    for listener in list(_listeners):
        listener(session, changes)
