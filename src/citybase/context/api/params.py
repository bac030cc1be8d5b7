"""Query-string parameters of the NGSI-LD API: known names, options, paging."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from citybase.context.errors import BadRequestData, InvalidRequest, TooManyResults
from citybase.context.i18n import _
from citybase.context.service.query import DEFAULT_LIMIT, MAX_LIMIT

# Largest integer SQLite and PostgreSQL (bigint) accept as a LIMIT or OFFSET.
MAX_SQL_INTEGER = 2**63 - 1

# Parameters the broker reads; ``lang`` also selects the locale of messages.
ENTITY_QUERY = frozenset({
    "id", "type", "idPattern", "attrs", "q", "georel", "geometry", "coordinates", "geoproperty",
    "geometryProperty", "csf", "limit", "offset", "count", "options", "format", "lang", "local",
    "scopeQ",
})
ENTITY_RETRIEVE = frozenset({"attrs", "type", "options", "format", "geometryProperty", "lang", "local"})
WRITE_OPTIONS = frozenset({"options"})
DELETE_ATTR = frozenset({"datasetId", "deleteAll", "lang"})
DISCOVERY = frozenset({"details", "lang", "local"})
NONE = frozenset({"lang"})

KNOWN_OPTIONS = frozenset({
    "keyValues", "simplified", "concise", "normalized", "sysAttrs", "noOverwrite", "update", "replace",
})


def check_names(request: Request, allowed: frozenset[str]) -> None:
    """Raise InvalidRequest for a parameter the route does not define, or a repeated one."""
    seen: set[str] = set()
    for name, _value in request.query_params.multi_items():
        if name not in allowed:
            raise InvalidRequest(
                _("Unknown query parameter {name!r}; this operation accepts: {allowed}."),
                name=name, allowed=", ".join(sorted(allowed)),
            )
        if name in seen:
            raise InvalidRequest(_("Query parameter {name!r} is given twice."), name=name)
        seen.add(name)
    # The broker has no context sources to skip, so local only needs a valid value.
    if "local" in seen:
        _boolean(request, "local")


def options(request: Request) -> set[str]:
    raw = request.query_params.get("options")
    if raw is None:
        return set()
    values = {v.strip() for v in raw.split(",") if v.strip()}
    unknown = values - KNOWN_OPTIONS
    if unknown:
        raise BadRequestData(
            _("Unknown option {value!r}; known options: {known}."),
            value=sorted(unknown)[0], known=", ".join(sorted(KNOWN_OPTIONS)),
        )
    return values


@dataclass(frozen=True)
class Representation:
    format: str
    sys_attrs: bool


def representation(request: Request) -> Representation:
    """Read the output format from ``format`` and ``options`` (keyValues, concise, sysAttrs)."""
    chosen = options(request)
    requested = request.query_params.get("format")
    if requested is not None and requested not in ("normalized", "concise", "keyValues", "simplified"):
        raise BadRequestData(
            _("format {value!r} is not normalized, concise or keyValues."), value=requested
        )
    names = {requested} if requested else set()
    names |= chosen & {"keyValues", "simplified", "concise", "normalized"}
    if {"keyValues", "simplified"} & names:
        kind = "keyValues"
    elif "concise" in names:
        kind = "concise"
    else:
        kind = "normalized"
    return Representation(kind, "sysAttrs" in chosen)


def name_list(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if not values:
        raise BadRequestData(_("Parameter {name} is empty; give a comma-separated list."), name=name)
    return values


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int
    count: bool


def paging(request: Request) -> Paging:
    limit = _integer(request, "limit", DEFAULT_LIMIT)
    offset = _integer(request, "offset", 0)
    count = _boolean(request, "count")
    if limit > MAX_LIMIT:
        raise TooManyResults(
            _("limit {value} is above the maximum page size {max}; page with offset."),
            value=limit, max=MAX_LIMIT,
        )
    if offset > MAX_SQL_INTEGER:
        raise BadRequestData(_("{name} {value} is above the maximum {max}."), name="offset", value=offset,
                             max=MAX_SQL_INTEGER)
    if limit == 0 and not count:
        raise BadRequestData(_("limit=0 is only allowed together with count=true."))
    return Paging(limit, offset, count)


def _integer(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # str.isdigit() also accepts digits int() rejects, such as '²'.
    if not raw.isascii() or not raw.isdigit():
        raise BadRequestData(_("{name} {value!r} must be a non-negative integer."), name=name, value=raw)
    return int(raw)


def _boolean(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw not in ("true", "false"):
        raise BadRequestData(_("{name} {value!r} must be true or false."), name=name, value=raw)
    return raw == "true"


def boolean(request: Request, name: str) -> bool:
    return _boolean(request, name)
