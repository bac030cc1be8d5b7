from __future__ import annotations

import pytest
from shapely.geometry import LineString, Point, Polygon

from citybase.context.errors import BadRequestData
from citybase.context.geo import distance_metres, parse_geometry, parse_geoquery

JIADING_SQUARE = "[[[121.20,31.35],[121.30,31.35],[121.30,31.42],[121.20,31.42],[121.20,31.35]]]"


def test_near_max_distance_matches_within_radius() -> None:
    query = parse_geoquery("near;maxDistance==1000", "Point", "[121.25,31.38]")
    assert query.matches(Point(121.255, 31.38))       # about 475 m east
    assert not query.matches(Point(121.265, 31.38))   # about 1.4 km east


def test_near_min_distance() -> None:
    query = parse_geoquery("near;minDistance==1000", "Point", "[121.25,31.38]")
    assert query.matches(Point(121.265, 31.38))
    assert not query.matches(Point(121.2501, 31.38))
    assert query.bbox_prefilter() is None


def test_near_bbox_covers_the_circle() -> None:
    box = parse_geoquery("near;maxDistance==1000", "Point", "[121.25,31.38]").bbox_prefilter()
    assert box.min_y == pytest.approx(31.38 - 0.00899, abs=1e-4)
    assert box.max_x - 121.25 == pytest.approx(0.01053, abs=1e-4)


def test_distance_in_metres_between_points() -> None:
    # One degree of latitude is about 111.2 km.
    assert distance_metres(Point(121.0, 31.0), Point(121.0, 32.0)) == pytest.approx(111_195, rel=1e-3)


def test_distance_point_to_line() -> None:
    line = LineString([(121.25, 31.37), (121.25, 31.39)])
    assert distance_metres(Point(121.26, 31.38), line) == pytest.approx(951, rel=0.01)


@pytest.mark.parametrize(
    ("georel", "candidate", "expected"),
    [
        ("within", Point(121.25, 31.38), True),
        ("within", Point(121.35, 31.38), False),
        ("intersects", LineString([(121.1, 31.38), (121.25, 31.38)]), True),
        ("disjoint", Point(121.35, 31.38), True),
        ("contains", Polygon([(121.1, 31.3), (121.4, 31.3), (121.4, 31.5), (121.1, 31.5)]), True),
        ("overlaps", Polygon([(121.25, 31.38), (121.4, 31.38), (121.4, 31.5), (121.25, 31.5)]), True),
        ("equals", Polygon([(121.2, 31.35), (121.3, 31.35), (121.3, 31.42), (121.2, 31.42)]), True),
    ],
)
def test_polygon_relations(georel: str, candidate, expected: bool) -> None:
    assert parse_geoquery(georel, "Polygon", JIADING_SQUARE).matches(candidate) is expected


def test_no_geo_parameters_gives_none() -> None:
    assert parse_geoquery(None, None, None) is None


@pytest.mark.parametrize(
    ("georel", "geometry", "coordinates", "fragment"),
    [
        ("near;maxDistance==1000", "Point", None, "coordinates"),
        ("near", "Point", "[121,31]", "maxDistance"),
        ("near;maxDistance==-5", "Point", "[121,31]", "non-negative"),
        ("near;maxDistance==abc", "Point", "[121,31]", "non-negative"),
        ("nearby", "Point", "[121,31]", "nearby"),
        ("within;x==1", "Polygon", JIADING_SQUARE, "no modifiers"),
        ("within", "Circle", "[121,31]", "Circle"),
        ("within", "Point", "[121,31", "JSON array"),
        ("within", "Point", "[200,31]", "longitude"),
        ("within", "Polygon", "[[[121,31],[122,31]]]", "Polygon"),
        ("within", "Point", '["a","b"]', "coordinates"),
    ],
)
def test_malformed_geoqueries_are_bad_request(georel, geometry, coordinates, fragment) -> None:
    with pytest.raises(BadRequestData) as raised:
        parse_geoquery(georel, geometry, coordinates)
    assert fragment in str(raised.value)


def test_parse_geometry_multipolygon() -> None:
    shape = parse_geometry(
        {"type": "MultiPolygon", "coordinates": [[[[121, 31], [121.1, 31], [121.1, 31.1], [121, 31]]]]},
        "location",
    )
    assert shape.geom_type == "MultiPolygon"
