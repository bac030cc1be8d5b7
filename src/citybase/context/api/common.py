"""Helpers shared by the entity, attribute and batch routes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from citybase.context.api.errors import NgsiLdRoute
from citybase.context.entity_compact import RenderOptions
from citybase.context.entity_expand import ENTITY_MEMBERS, expand_attribute_name, expand_types
from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext

BASE_PATH = "/ngsi-ld/v1"
# RFC 3986 pchar without "%": unreserved, sub-delims, ":" and "@".
PATH_SEGMENT_SAFE = "-._~!$&'()*+,;=:@"
T = TypeVar("T")


def new_router() -> APIRouter:
    return APIRouter(prefix=BASE_PATH, tags=["NGSI-LD"], route_class=NgsiLdRoute)


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run blocking database work off the event loop."""
    return await run_in_threadpool(function, *args)


def entity_location(entity_id: str) -> str:
    """Return the entity's path; characters a path segment allows (``:`` included) stay as they are."""
    return f"{BASE_PATH}/entities/{quote(entity_id, safe=PATH_SEGMENT_SAFE)}"


def expand_names(names: list[str] | None, active: ActiveContext) -> list[str] | None:
    if names is None:
        return None
    return [expand_attribute_name(name, active) for name in names]


def render_options(fmt: str, sys_attrs: bool, attrs: list[str] | None, lang: str | None) -> RenderOptions:
    return RenderOptions(fmt, sys_attrs, frozenset(attrs) if attrs is not None else None, lang)


def require_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequestData(_("The body of {what} must be a JSON object."), what=what)
    return body


def fragment_of(body: dict[str, Any]) -> dict[str, Any]:
    """Return the attribute members of an entity fragment (without id, type and @context)."""
    return {k: v for k, v in body.items() if k not in ENTITY_MEMBERS}


def commit(session: Session) -> None:
    session.commit()


def raw_last_segment(request: Request, fallback: str) -> str:
    """The last path segment decoded exactly once from the raw path (type and attribute names may hold '/')."""
    raw = request.scope.get("raw_path")
    if not raw:
        return fallback
    return unquote(raw.decode("latin-1").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])


class EncodedSlashPaths:
    """ASGI middleware: under /ngsi-ld/, route on the path with ``%2F`` kept encoded.

    Servers decode ``%2F`` to ``/`` before routing, so an entity id, type or attribute
    name that contains a slash would be split into two path segments and not match
    its route. The handlers read their path parameters from the raw path
    (:func:`raw_path_params`, :func:`raw_last_segment`), so they see the slash.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        raw = scope.get("raw_path") if scope.get("type") == "http" else None
        if raw and b"%2f" in raw.lower() and scope.get("path", "").startswith(BASE_PATH):
            text = raw.decode("latin-1").split("?", 1)[0]
            parts = _ENCODED_SLASH.split(text)
            path = "%2F".join(unquote(part) for part in parts)
            scope = {**scope, "path": path}
        await self.app(scope, receive, send)


_ENCODED_SLASH = re.compile("%2[fF]")


def raw_path_params(request: Request, entity_id: str, attr_id: str | None = None) -> tuple[str, str | None]:
    """Entity id and attribute name decoded exactly once from the raw request path.

    Ids may hold percent-encoded octets themselves (``...-%E6%B3%B5``), which a
    client sends as ``%25E6...``; reading the raw path keeps them intact whichever
    server or test client decoded ``scope["path"]``.
    """
    raw = request.scope.get("raw_path")
    if not raw:
        return entity_id, attr_id
    segments = raw.decode("latin-1").split("?", 1)[0].split("/")
    try:
        position = segments.index("entities")
    except ValueError:
        return entity_id, attr_id
    decoded_id = unquote(segments[position + 1])
    if attr_id is not None and len(segments) > position + 3:
        return decoded_id, unquote(segments[position + 3])
    return decoded_id, attr_id


def type_expander(active: ActiveContext) -> Callable[[str], str]:
    """Return a function that expands one type name of a type expression against ``active``."""

    def expand(name: str) -> str:
        return expand_types(name, active)[0]

    return expand


def check_id_pattern(pattern: str | None) -> None:
    """Raise BadRequestData when an ``idPattern`` is not a valid regular expression."""
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise BadRequestData(_("idPattern {value!r} is not a valid regular expression: {reason}."),
                             value=pattern, reason=str(exc)) from None
