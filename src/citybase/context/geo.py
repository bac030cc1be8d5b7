"""GeoJSON geometries and NGSI-LD geo-queries (ETSI GS CIM 009 V1.6.1).

Coordinates are WGS84 longitude/latitude in degrees. A geo-query names a
relationship (``georel``), a reference geometry (``geometry`` and
``coordinates``) and the GeoProperty to test (``geoproperty``, default
``location``). Evaluation has two steps: :meth:`GeoQuery.bbox_prefilter` gives a
bounding box that stored bounding boxes must intersect (so an index on them
discards most rows), then :meth:`GeoQuery.matches` tests the exact relation with
shapely. Distances are in metres on a local equirectangular projection around
the reference geometry, within about 0.5 % of the geodesic distance over the tens
of kilometres of a district.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely import geometry as shapely_geometry
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from citybase.context.errors import BadRequestData, FieldName
from citybase.context.i18n import _
from citybase.context.jsonbody import JsonBodyError, parse_json

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
GEORELS = ("near", "within", "contains", "intersects", "disjoint", "equals", "overlaps")
EARTH_RADIUS_M = 6_371_008.8
_METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(frozen=True)
class BoundingBox:
    min_x: float
    min_y: float
    max_x: float
    max_y: float

    def intersects(self, other: BoundingBox) -> bool:
        return not (other.min_x > self.max_x or other.max_x < self.min_x
                    or other.min_y > self.max_y or other.max_y < self.min_y)


def parse_geometry(value: Any, field: str | FieldName) -> BaseGeometry:
    """Build a shapely geometry from a GeoJSON object, raising BadRequestData naming ``field``."""
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise BadRequestData(
            _("{field} must be a GeoJSON geometry of type {types}, not {value!r}."),
            field=field, types=", ".join(GEOMETRY_TYPES), value=value,
        )
    coordinates = value.get("coordinates")
    _check_positions(coordinates, field)
    _check_rings_closed(value["type"], coordinates, field)
    try:
        shape = shapely_geometry.shape(value)
    except (GEOSException, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise BadRequestData(
            _("{field} has invalid {kind} coordinates {value!r}: {reason}."),
            field=field, kind=value["type"], value=coordinates, reason=str(exc),
        ) from None
    if shape.is_empty:
        raise BadRequestData(_("{field} is an empty {kind}."), field=field, kind=value["type"])
    _check_ranges(shape, field)
    return shape


def check_geometry(value: Any, field: str | FieldName) -> None:
    """Validate a GeoJSON geometry; Points skip shapely, which costs tens of microseconds."""
    if isinstance(value, dict) and value.get("type") == "Point" and _is_position(value.get("coordinates")):
        _check_point_range(value["coordinates"], field)
        return
    parse_geometry(value, field)


def geometry_bounds(value: dict[str, Any]) -> BoundingBox:
    """Bounding box of a GeoJSON geometry that has already been validated."""
    if value.get("type") == "Point":
        x, y = value["coordinates"][0], value["coordinates"][1]
        return BoundingBox(x, y, x, y)
    return bounding_box(shapely_geometry.shape(value))


def _is_position(coordinates: Any) -> bool:
    return (isinstance(coordinates, list) and 2 <= len(coordinates) <= 3
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in coordinates))


def _check_point_range(coordinates: list[float], field: str | FieldName) -> None:
    if not (-180 <= coordinates[0] <= 180 and -90 <= coordinates[1] <= 90):
        raise BadRequestData(
            _("{field} has coordinates outside longitude -180..180 or latitude -90..90; "
              "GeoJSON puts longitude first."),
            field=field,
        )


def bounding_box(shape: BaseGeometry) -> BoundingBox:
    min_x, min_y, max_x, max_y = shape.bounds
    return BoundingBox(min_x, min_y, max_x, max_y)


# A MultiPolygon's positions lie three arrays below its coordinates; no GeoJSON geometry nests deeper.
_MAX_COORDINATE_DEPTH = 3


def _check_positions(coordinates: Any, field: str | FieldName, depth: int = 0) -> None:
    if isinstance(coordinates, list) and coordinates and all(
        isinstance(c, (int, float)) and not isinstance(c, bool) for c in coordinates
    ):
        if len(coordinates) < 2:
            raise BadRequestData(
                _("{field} has a position {value!r} with fewer than two numbers."),
                field=field, value=coordinates,
            )
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise BadRequestData(
            _("{field} must have a non-empty 'coordinates' array, not {value!r}."),
            field=field, value=coordinates,
        )
    if depth >= _MAX_COORDINATE_DEPTH:
        raise BadRequestData(
            _("{field} nests its coordinates deeper than any GeoJSON geometry (a MultiPolygon "
              "is an array of polygons, each an array of rings of positions)."),
            field=field,
        )
    for item in coordinates:
        _check_positions(item, field, depth + 1)


def _check_rings_closed(kind: str, coordinates: Any, field: str | FieldName) -> None:
    """Reject a Polygon ring whose last position is not its first (RFC 7946, section 3.1.6).

    shapely closes such a ring silently, so without this check the broker would
    store or query a shape other than the one the client sent.
    """
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        return
    for polygon in polygons:
        for ring in polygon if isinstance(polygon, list) else []:
            if isinstance(ring, list) and len(ring) >= 2 and ring[0] != ring[-1]:
                raise BadRequestData(
                    _("{field} has a {kind} ring that is not closed: it starts at {first} and ends at "
                      "{last}; repeat the first position at the end."),
                    field=field, kind=kind, first=ring[0], last=ring[-1],
                )


def _check_ranges(shape: BaseGeometry, field: str | FieldName) -> None:
    min_x, min_y, max_x, max_y = shape.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise BadRequestData(
            _("{field} has coordinates outside longitude -180..180 or latitude -90..90; "
              "GeoJSON puts longitude first."),
            field=field,
        )


@dataclass(frozen=True)
class GeoQuery:
    """A parsed geo-query; ``distance`` is in metres and only set for ``near``."""

    georel: str
    geometry: BaseGeometry
    geoproperty: str = "location"
    distance_kind: str | None = None
    distance: float | None = None

    def bbox_prefilter(self) -> BoundingBox | None:
        """Box that a matching geometry's bounding box must intersect; None when any may match."""
        if self.georel == "disjoint" or self.distance_kind == "minDistance":
            return None
        box = bounding_box(self.geometry)
        if self.georel != "near":
            return box
        margin = self.distance or 0.0
        centre_lat = (box.min_y + box.max_y) / 2
        dy = margin / _METRES_PER_DEGREE
        dx = margin / (_METRES_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 1e-6))
        return BoundingBox(box.min_x - dx, box.min_y - dy, box.max_x + dx, box.max_y + dy)

    def matches(self, candidate: BaseGeometry) -> bool:
        reference = self.geometry
        if self.georel == "near":
            distance = distance_metres(reference, candidate)
            if self.distance_kind == "maxDistance":
                return distance <= (self.distance or 0.0)
            return distance >= (self.distance or 0.0)
        if self.georel == "within":
            return candidate.within(reference)
        if self.georel == "contains":
            return candidate.contains(reference)
        if self.georel == "intersects":
            return candidate.intersects(reference)
        if self.georel == "disjoint":
            return candidate.disjoint(reference)
        if self.georel == "equals":
            return candidate.equals(reference)
        return candidate.overlaps(reference)


def distance_metres(a: BaseGeometry, b: BaseGeometry) -> float:
    """Distance between two geometries in metres, on a projection centred on ``a``."""
    if a.geom_type == "Point" and b.geom_type == "Point":
        return haversine_metres(a.x, a.y, b.x, b.y)
    centre = a.centroid
    scale = np.array([_METRES_PER_DEGREE * math.cos(math.radians(centre.y)), _METRES_PER_DEGREE])
    origin = np.array([centre.x, centre.y])

    def project(coordinates: np.ndarray) -> np.ndarray:
        return (coordinates - origin) * scale

    return float(shapely.transform(a, project).distance(shapely.transform(b, project)))


def haversine_metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def parse_geoquery(georel: str | None, geometry: str | None, coordinates: Any,
                   geoproperty: str | None = None) -> GeoQuery | None:
    """Parse the ``georel``, ``geometry``, ``coordinates`` and ``geoproperty`` parameters.

    ``coordinates`` is the JSON text of a query string or an already decoded array
    (subscriptions carry it decoded). Returns None when no geo parameter is given;
    raises BadRequestData for a partial or malformed geo-query.
    """
    if georel is None and geometry is None and coordinates is None:
        return None
    missing = [name for name, value in (("georel", georel), ("geometry", geometry),
                                        ("coordinates", coordinates)) if value in (None, "")]
    if missing:
        raise BadRequestData(
            _("A geo-query needs georel, geometry and coordinates; missing: {missing}."),
            missing=", ".join(missing),
        )
    relation, kind, distance = _parse_georel(georel)  # type: ignore[arg-type]
    if geometry not in GEOMETRY_TYPES:
        raise BadRequestData(
            _("geometry {value!r} is not one of {types}."), value=geometry, types=", ".join(GEOMETRY_TYPES)
        )
    decoded = _decode_coordinates(coordinates)
    # NGSI-LD defines near for a reference Point; for other shapes the distance
    # is measured to the nearest part of the shape.
    shape = parse_geometry({"type": geometry, "coordinates": decoded}, "coordinates")
    return GeoQuery(relation, shape, geoproperty or "location", kind, distance)


def _parse_georel(text: str) -> tuple[str, str | None, float | None]:
    relation, *modifiers = text.split(";")
    if relation not in GEORELS:
        raise BadRequestData(
            _("georel {value!r} is not one of {relations}."), value=text, relations=", ".join(GEORELS)
        )
    if relation != "near":
        if modifiers:
            raise BadRequestData(_("georel {value!r} takes no modifiers; only near does."), value=text)
        return relation, None, None
    if len(modifiers) != 1:
        raise BadRequestData(
            _("georel {value!r} must be near;maxDistance==<metres> or near;minDistance==<metres>."),
            value=text,
        )
    kind, sep, number = modifiers[0].partition("==")
    if kind not in ("maxDistance", "minDistance") or not sep:
        raise BadRequestData(
            _("georel {value!r} must be near;maxDistance==<metres> or near;minDistance==<metres>."),
            value=text,
        )
    try:
        distance = float(number)
    except ValueError:
        distance = -1.0
    if not math.isfinite(distance) or distance < 0:
        raise BadRequestData(
            _("The distance in georel {value!r} must be a non-negative number of metres."), value=text
        )
    return relation, kind, distance


def _decode_coordinates(coordinates: Any) -> Any:
    if not isinstance(coordinates, str):
        return coordinates
    try:
        return parse_json(coordinates)
    except JsonBodyError:
        raise BadRequestData(
            _("coordinates {value!r} is not a JSON array such as [121.25,31.38]."), value=coordinates
        ) from None
