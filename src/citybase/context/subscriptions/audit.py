"""One audit entry per subscription request (the table itself is not audited row by row).

Endpoint credentials are masked in the audited documents, as in API reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from citybase.context.subscriptions.secrets import mask_document
from citybase.core.audit import Actor, AuditEntry
from citybase.core.db import utcnow


def record(session: Session, action: str, subscription_id: str, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    actor: Actor = session.info.get("actor") or Actor("system", "system")
    session.execute(insert(AuditEntry), [{
        "at": utcnow(), "actor_kind": actor.kind, "actor_name": actor.name, "actor_user_id": actor.user_id,
        "ip": actor.ip, "action": action, "table": "ctx_subscriptions", "row_key": subscription_id[:200],
        "before": mask_document(before) if before else None, "after": mask_document(after) if after else None,
    }])
