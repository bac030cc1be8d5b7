"""Parameters of the temporal reads: which entities, which instances, which representation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from citybase.context.api import params
from citybase.context.api.common import check_id_pattern, expand_names, type_expander
from citybase.context.entity_expand import expand_attribute_name, expand_types
from citybase.context.errors import BadRequestData
from citybase.context.geo import parse_geoquery
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.query.qlang import parse_q
from citybase.context.query.typeexpr import TypeAny, TypeName, parse_type_expression
from citybase.context.scope import parse_scope_q
from citybase.context.service.query import EntityQuery
from citybase.context.temporal.aggregation import (
    Aggregation,
    parse_aggregation,
    parse_methods,
    parse_period_duration,
)
from citybase.context.temporal.render import TemporalOptions
from citybase.context.temporal.timequery import TemporalQuery, parse_temporal_query
from citybase.context.uris import check_uri

_TIME_PARAMS = frozenset({"timerel", "timeAt", "endTimeAt", "timeproperty", "lastN"})
_AGGREGATION = frozenset({"aggrMethods", "aggrPeriodDuration"})
TEMPORAL_RETRIEVE = frozenset({"attrs", "type", "options", "format", "lang", "local"}) | _TIME_PARAMS | _AGGREGATION
TEMPORAL_QUERY = frozenset({
    "id", "type", "idPattern", "attrs", "q", "csf", "georel", "geometry", "coordinates", "geoproperty",
    "limit", "offset", "count", "options", "format", "lang", "local", "scopeQ",
}) | _TIME_PARAMS | _AGGREGATION
TEMPORAL_OPTIONS = frozenset({"temporalValues", "sysAttrs", "normalized", "aggregatedValues"})
TEMPORAL_FORMATS = frozenset({"temporalValues", "normalized", "aggregatedValues"})


def _chosen_options(request: Request) -> set[str]:
    raw = request.query_params.get("options")
    return {v.strip() for v in raw.split(",") if v.strip()} if raw is not None else set()


def temporal_options(request: Request, temporal: TemporalQuery) -> TemporalOptions:
    """Read ``options`` and ``format``; :func:`aggregation_from` reads the aggregation they may select."""
    chosen = _chosen_options(request)
    unknown = chosen - TEMPORAL_OPTIONS
    if unknown:
        raise BadRequestData(
            _("Unknown option {value!r}; the temporal API knows: {known}."),
            value=sorted(unknown)[0], known=", ".join(sorted(TEMPORAL_OPTIONS)),
        )
    requested = request.query_params.get("format")
    if requested is not None and requested not in TEMPORAL_FORMATS:
        raise BadRequestData(
            _("format {value!r} is not one of {known}."), value=requested, known=", ".join(sorted(TEMPORAL_FORMATS))
        )
    simplified = "temporalValues" in chosen or requested == "temporalValues"
    if simplified and ("aggregatedValues" in chosen or requested == "aggregatedValues"):
        raise BadRequestData(_("temporalValues and aggregatedValues are two representations; ask for one of them."))
    return TemporalOptions(simplified, "sysAttrs" in chosen, temporal.timeproperty, request.query_params.get("lang"))


def aggregation_from(request: Request, source: Callable[[str], Any]) -> Aggregation | None:
    """Return the aggregation that options=aggregatedValues or format=aggregatedValues selects, else None.

    ``source(name)`` returns aggrMethods and aggrPeriodDuration: the query parameters
    of a GET, or the members of a JSON Query. They are checked even when no
    aggregation is selected, so a bad value is reported and not silently ignored.
    """
    methods, duration = source("aggrMethods"), source("aggrPeriodDuration")
    if methods is not None:
        parse_methods(methods)
    if duration is not None:
        parse_period_duration(duration)
    if "aggregatedValues" not in _chosen_options(request) and request.query_params.get("format") != "aggregatedValues":
        return None
    return parse_aggregation(methods, duration)


def query_from_params(request: Request, active: ActiveContext) -> EntityQuery:
    """Build the entity selection of GET /temporal/entities, which needs type, attrs, q or a geo-query."""
    args = request.query_params
    ids = params.name_list(request, "id")
    for entity_id in ids or []:
        check_uri(entity_id, "id")
    types = parse_type_expression(args["type"]).map(type_expander(active)) if "type" in args else None
    attrs = expand_names(params.name_list(request, "attrs"), active)
    q = parse_q(args["q"]) if "q" in args else None
    geoproperty = args.get("geoproperty")
    geo = parse_geoquery(args.get("georel"), args.get("geometry"), args.get("coordinates"),
                         expand_attribute_name(geoproperty, active) if geoproperty else active.expand_iri("location"))
    scope_q = parse_scope_q(args["scopeQ"]) if "scopeQ" in args else None
    if not any((types, attrs, q, geo, scope_q, args.get("local") == "true")):
        raise BadRequestData(_("A temporal query needs at least one of type, attrs, q, scopeQ or a geo-query."))
    check_id_pattern(args.get("idPattern"))
    paging = params.paging(request)
    return EntityQuery(
        expand=lambda name: expand_attribute_name(name, active), ids=ids, id_pattern=args.get("idPattern"),
        types=types, attrs=attrs, q=q, geo=geo, scope_q=scope_q, limit=paging.limit, offset=paging.offset,
        count=paging.count,
    )


def query_from_body(body: dict[str, Any], active: ActiveContext) -> tuple[EntityQuery, TemporalQuery]:
    """Read the entity selection and temporal query of a JSON Query (POST /temporal/entityOperations/query)."""
    if body.get("type") != "Query":
        raise BadRequestData(_("The body of a temporal query must be a Query object with \"type\": \"Query\"."))
    selectors = body.get("entities") or []
    if not isinstance(selectors, list) or not all(isinstance(s, dict) for s in selectors):
        raise BadRequestData(_("'entities' of a Query must be an array of entity selectors."))
    ids = [check_uri(s["id"], "id") for s in selectors if "id" in s]
    patterns = [s["idPattern"] for s in selectors if "idPattern" in s]
    type_names = [s["type"] for s in selectors if "type" in s]
    types = TypeAny(tuple(TypeName(t) for t in expand_types(type_names, active))) if type_names else None
    attrs = expand_names(body.get("attrs"), active)
    q = parse_q(body["q"]) if body.get("q") else None
    geo_body = body.get("geoQ") or {}
    geoproperty = geo_body.get("geoproperty")
    geo = parse_geoquery(geo_body.get("georel"), geo_body.get("geometry"), geo_body.get("coordinates"),
                         expand_attribute_name(geoproperty, active) if geoproperty else active.expand_iri("location"))
    scope_q = parse_scope_q(body["scopeQ"]) if "scopeQ" in body else None
    if not any((ids, patterns, types, attrs, q, geo, scope_q)):
        raise BadRequestData(_("A temporal query needs at least one of entities, attrs, q, scopeQ or geoQ."))
    id_pattern = "|".join(f"(?:{p})" for p in patterns) or None
    check_id_pattern(id_pattern)
    temporal_body = body.get("temporalQ") or {}
    if not isinstance(temporal_body, dict):
        raise BadRequestData(_("'temporalQ' of a Query must be a JSON object."))
    temporal = parse_temporal_query(temporal_body.get)
    selection = EntityQuery(
        expand=lambda name: expand_attribute_name(name, active), ids=ids or None, id_pattern=id_pattern,
        types=types, attrs=attrs, q=q, geo=geo, scope_q=scope_q,
    )
    return selection, temporal




def body_aggregation_source(body: dict[str, Any]) -> Callable[[str], Any]:
    """Read aggrMethods and aggrPeriodDuration of a JSON Query from ``temporalQ`` or, failing that, ``aggrParams``."""
    temporal_body = body.get("temporalQ") if isinstance(body.get("temporalQ"), dict) else {}
    params = body.get("aggrParams") if isinstance(body.get("aggrParams"), dict) else {}

    def source(name: str) -> Any:
        return temporal_body.get(name, params.get(name))

    return source
