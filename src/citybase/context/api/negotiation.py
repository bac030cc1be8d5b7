"""Content negotiation of the NGSI-LD API (ETSI GS CIM 009 V1.6.1).

Requests with a body must be ``application/json`` (the @context then comes from a
``Link`` header, default the core context, and the body must not contain one) or
``application/ld+json`` (the body contains the @context); anything else is 415.
``application/merge-patch+json`` is read as ``application/json``.
Responses are ``application/json`` with the @context in a ``Link`` header, or
``application/ld+json`` with ``@context`` in the body, or, where a route allows
it, ``application/geo+json``; an Accept header none of these satisfies is 406.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from citybase.context.errors import BadRequestData, InvalidRequest, NotAcceptable, UnsupportedMediaType
from citybase.context.i18n import _
from citybase.context.jsonld.store import CORE_CONTEXT
from citybase.context.jsonbody import JsonBodyError, parse_json

JSON = "application/json"
JSON_LD = "application/ld+json"
GEO_JSON = "application/geo+json"
MERGE_PATCH = "application/merge-patch+json"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
MAX_BODY_BYTES = 16 * 1024 * 1024

_LINK_RE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")


@dataclass(frozen=True)
class RequestContext:
    """The @context a request carries (None means the core context) and whether it was inline."""

    value: Any = None

    @property
    def link_url(self) -> str:
        """URL to put in a response ``Link`` header."""
        return self.value if isinstance(self.value, str) else CORE_CONTEXT

    @property
    def body_value(self) -> Any:
        """Value to put in a response's ``@context`` member."""
        return self.value if self.value is not None else CORE_CONTEXT


def link_context(request: Request) -> RequestContext:
    """Read the @context of the ``Link`` header; none means the core context."""
    urls = []
    for header in request.headers.getlist("link"):
        for match in _LINK_RE.finditer(header):
            params = match.group(2).lower()
            if "rel" in params and CONTEXT_REL in params:
                urls.append(match.group(1).strip())
    if len(urls) > 1:
        raise BadRequestData(_("The request has {n} JSON-LD context Link headers; send at most one."), n=len(urls))
    return RequestContext(urls[0] if urls else None)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, allow_merge_patch: bool = False,
                    per_item: bool = False) -> tuple[Any, RequestContext]:
    """Parse the JSON body and find its @context; raise 415 or 400 as the spec requires.

    With ``per_item`` (batch operations) an array body is not checked item by item:
    the caller reports an item with a misplaced or missing @context through
    :func:`item_context_error` as that item's error.
    """
    media_type = _media_type(request)
    accepted = (JSON, JSON_LD, MERGE_PATCH) if allow_merge_patch else (JSON, JSON_LD)
    if media_type not in accepted:
        raise UnsupportedMediaType(
            _("Content-Type {value!r} is not supported; send application/json or application/ld+json."),
            value=media_type or _("(none)"),
        )
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequestData(_("The body has {n} bytes; the limit is {limit}."), n=len(raw), limit=MAX_BODY_BYTES)
    try:
        body = parse_json(raw)
    except JsonBodyError as exc:
        raise InvalidRequest(_("The body is not valid JSON: {reason}."), reason=str(exc)) from None
    if media_type == JSON_LD and link_context(request).value is not None:
        raise BadRequestData(
            _("With Content-Type application/ld+json the @context belongs in the body, not in a Link header.")
        )
    if per_item and isinstance(body, list):
        if not body:
            raise BadRequestData(_("The batch is empty; send an array with at least one entity."))
        return body, (link_context(request) if media_type != JSON_LD else RequestContext())
    return body, _body_context(request, media_type, body)


def item_context_error(request: Request, item: Any) -> BadRequestData | None:
    """The error of one batch item whose @context does not fit the Content-Type, else None."""
    if not isinstance(item, dict):
        return None
    if _media_type(request) == JSON_LD and "@context" not in item:
        return BadRequestData(
            _("With Content-Type application/ld+json every object in the body needs an "
              "@context; or send application/json with a Link header.")
        )
    if _media_type(request) != JSON_LD and "@context" in item:
        return BadRequestData(
            _("With Content-Type application/json the body must not contain @context; send it "
              "in a Link header or use application/ld+json.")
        )
    return None


def _body_context(request: Request, media_type: str, body: Any) -> RequestContext:
    items = body if isinstance(body, list) else [body]
    contexts = [item.get("@context") for item in items if isinstance(item, dict) and "@context" in item]
    if body == []:
        raise InvalidRequest(_("The body is empty; send the JSON object or array this operation expects."))
    if media_type == JSON_LD:
        # A batch delete body is an array of id strings: only objects carry an @context.
        objects = [item for item in items if isinstance(item, dict)]
        if len(contexts) != len(objects) or not items:
            raise BadRequestData(
                _("With Content-Type application/ld+json every object in the body needs an "
                  "@context; or send application/json with a Link header.")
            )
        return RequestContext(contexts[0] if contexts else None)
    if contexts:
        raise BadRequestData(
            _("With Content-Type application/json the body must not contain @context; send it "
              "in a Link header or use application/ld+json.")
        )
    return link_context(request)


def choose_response_type(request: Request, allow_geo_json: bool = False) -> str:
    """Pick the response media type from Accept; raise 406 when none can be produced."""
    header = request.headers.get("accept", "").strip()
    if not header:
        return JSON
    offered = [JSON, JSON_LD] + ([GEO_JSON] if allow_geo_json else [])
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for position, item in enumerate(header.split(",")):
        media_type, quality = _parse_accept_item(item)
        if quality <= 0:
            continue
        candidate = _match_offer(media_type, offered)
        if candidate is None:
            continue
        rank = (quality, -position)
        if best is None or rank > best:
            best, chosen = rank, candidate
    if chosen is None:
        raise NotAcceptable(
            _("Accept {value!r} names no type this resource offers: {offered}."),
            value=header, offered=", ".join(offered),
        )
    return chosen


def _parse_accept_item(item: str) -> tuple[str, float]:
    parts = [p.strip() for p in item.split(";")]
    quality = 1.0
    for param in parts[1:]:
        name, _sep, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return parts[0].lower(), quality


def _match_offer(media_type: str, offered: list[str]) -> str | None:
    if media_type in ("*/*", "application/*"):
        return JSON
    return media_type if media_type in offered else None
