"""Response bodies and headers of the NGSI-LD API."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response

from citybase.context.api.negotiation import CONTEXT_REL, GEO_JSON, JSON, JSON_LD, RequestContext
from citybase.context.jsontext import encode


class BrokerJSONResponse(JSONResponse):
    """A JSON response encoded with orjson (see :mod:`citybase.context.jsontext`)."""

    def render(self, content: Any) -> bytes:
        return encode(content)


def link_header(context: RequestContext) -> str:
    return f'<{context.link_url}>; rel="{CONTEXT_REL}"; type="{JSON_LD}"'


def json_response(body: Any, context: RequestContext, media_type: str, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    """Return ``body`` as JSON or JSON-LD; JSON gets the @context as a Link header."""
    extra = dict(headers or {})
    if media_type == JSON_LD:
        body = _with_context(body, context)
    elif media_type == GEO_JSON:
        if isinstance(body, dict) and body.get("type") in ("Feature", "FeatureCollection"):
            body = {**body, "@context": context.body_value} if context.value is not None else body
        extra["Link"] = link_header(context)
    else:
        extra["Link"] = link_header(context)
    return BrokerJSONResponse(body, status_code=status, media_type=media_type, headers=extra)


def _with_context(body: Any, context: RequestContext) -> Any:
    if isinstance(body, list):
        return [_with_context(item, context) for item in body]
    if isinstance(body, dict):
        return {**body, "@context": context.body_value}
    return body


def no_content(headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=204, headers=headers)


def geo_feature(entity: dict[str, Any], geometry_property: str) -> dict[str, Any]:
    """Render one entity as a GeoJSON Feature with its GeoProperty as the geometry."""
    properties = {k: v for k, v in entity.items() if k != "id"}
    geometry = entity.get(geometry_property)
    if isinstance(geometry, dict) and geometry.get("type") == "GeoProperty":
        geometry = geometry.get("value")
    elif isinstance(geometry, list) and geometry and isinstance(geometry[0], dict):
        geometry = geometry[0].get("value")
    elif not (isinstance(geometry, dict) and "coordinates" in geometry):
        geometry = None
    return {"id": entity["id"], "type": "Feature", "geometry": geometry, "properties": properties}


def geo_collection(entities: list[dict[str, Any]], geometry_property: str) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [geo_feature(e, geometry_property) for e in entities]}


__all__ = ["JSON", "JSON_LD", "GEO_JSON", "geo_collection", "geo_feature", "json_response", "no_content"]
