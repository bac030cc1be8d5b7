"""Shared pieces of the NGSI-LD routes: the context processor, access checks and auditing.

Access: every call needs a bearer token (or a login session) whose user has
``context.read`` for reads and ``context.write`` for writes; a write also needs a
token with write access. With ``CITYBASE_CONTEXT_AUTH=off`` every call is
allowed and audited as anonymous, for local conformance runs only.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import insert
from sqlalchemy.orm import Session

from citybase.context import jsontext
from citybase.context.jsonld.context import ActiveContext, ContextProcessor
from citybase.context.jsonld.store import ContextStore
from citybase.context.permissions import READ, WRITE
from citybase.context.settings import get_context_settings
from citybase.context.sqlite_functions import install_for_all_engines
from citybase.core.audit import Actor, AuditEntry
from citybase.core.auth.deps import Principal, client_ip, get_session, optional_principal, require_permission
from citybase.core.db import utcnow

logger = logging.getLogger(__name__)

_AUDIT_IDS = 100


@lru_cache(maxsize=1)
def processor() -> ContextProcessor:
    """Return the process-wide context processor, whose cache of active contexts all requests share."""
    return ContextProcessor(ContextStore(get_context_settings().jsonld_directories()))


def active_context(value: Any) -> ActiveContext:
    return processor().active_context(value)


def startup(app: FastAPI) -> None:
    """Prepare the broker when the app is built: SQL functions, error rendering, auth warning."""
    from citybase.context.api.common import EncodedSlashPaths
    from citybase.context.api.errors import install

    install_for_all_engines()
    jsontext.install_for_postgresql()
    install(app)
    app.add_middleware(EncodedSlashPaths)
    processor()
    if app.state.settings.context_auth == "off":
        logger.warning(
            "NGSI-LD authentication is OFF (CITYBASE_CONTEXT_AUTH=off): anyone who can reach "
            "this server may read and write every entity; use this only for local conformance runs"
        )


def _auth_off(request: Request) -> bool:
    return request.app.state.settings.context_auth == "off"


def _anonymous(request: Request, session: Session) -> None:
    session.info["actor"] = Actor("anonymous", "anonymous", None, client_ip(request))


async def can_read(request: Request, session: Session = Depends(get_session)) -> Principal | None:
    if _auth_off(request):
        _anonymous(request, session)
        return None
    check = require_permission(READ)
    return await check(request, optional_principal(request, session))


async def can_write(request: Request, session: Session = Depends(get_session)) -> Principal | None:
    if _auth_off(request):
        _anonymous(request, session)
        return None
    check = require_permission(WRITE, write=True)
    return await check(request, optional_principal(request, session))


def audit(session: Session, action: str, operation: str, entity_ids: list[str]) -> None:
    """Record one audit entry for a write request; the instance table keeps every value."""
    actor: Actor = session.info.get("actor") or Actor("system", "system")
    session.execute(insert(AuditEntry), [{
        "at": utcnow(), "actor_kind": actor.kind, "actor_name": actor.name,
        "actor_user_id": actor.user_id, "ip": actor.ip, "action": action,
        "table": "ctx_entities", "row_key": (entity_ids[0] if len(entity_ids) == 1 else f"{len(entity_ids)} entities")[:200],
        "before": None, "after": {"operation": operation, "entities": entity_ids[:_AUDIT_IDS], "count": len(entity_ids)},
    }])
