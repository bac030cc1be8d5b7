"""A map as inline SVG: local GeoJSON outlines and entity points, with no tiles and no JavaScript.

Longitude and latitude are projected equirectangularly, with longitude scaled by
the cosine of the middle latitude, which keeps shapes true to within a few per
cent over a district-sized area. The view fits the district outline and every
point, so entities outside the district are still drawn.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

WIDTH = 640
HEIGHT = 480
PADDING = 16
OUTLINE_FILE = "jiading-outline.geojson"


@dataclass(frozen=True)
class MapPoint:
    """An entity drawn as a dot; ``href`` is its page and ``label`` its accessible name."""

    lon: float
    lat: float
    label: str
    href: str


@dataclass(frozen=True)
class PlacedPoint:
    x: float
    y: float
    label: str
    href: str


@dataclass
class SvgMap:
    """What the template draws: outline paths and placed points in a WIDTH x HEIGHT view box."""

    width: int
    height: int
    outlines: list[tuple[str, str]] = field(default_factory=list)  # (name, SVG path data)
    points: list[PlacedPoint] = field(default_factory=list)


@lru_cache(maxsize=1)
def district_outlines() -> tuple[tuple[str, tuple[tuple[tuple[float, float], ...], ...]], ...]:
    """Return (name, rings) of each shipped outline polygon, read once from the package."""
    text = (resources.files("citybase.context.browse") / "geo" / OUTLINE_FILE).read_text(encoding="utf-8")
    outlines = []
    for feature in json.loads(text)["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = tuple(tuple((float(x), float(y)) for x, y in ring) for polygon in polygons for ring in polygon)
        outlines.append((feature["properties"]["name"], rings))
    return tuple(outlines)


def build_map(points: list[MapPoint]) -> SvgMap:
    """Project the district outlines and ``points`` into one SVG view box."""
    outlines = district_outlines()
    lons = [x for _name, rings in outlines for ring in rings for x, _y in ring] + [p.lon for p in points]
    lats = [y for _name, rings in outlines for ring in rings for _x, y in ring] + [p.lat for p in points]
    project = _projection(min(lons), max(lons), min(lats), max(lats))
    result = SvgMap(WIDTH, HEIGHT)
    for name, rings in outlines:
        result.outlines.append((name, " ".join(_ring_path(ring, project) for ring in rings)))
    for point in points:
        x, y = project(point.lon, point.lat)
        result.points.append(PlacedPoint(round(x, 1), round(y, 1), point.label, point.href))
    return result


def _projection(min_lon: float, max_lon: float, min_lat: float, max_lat: float) -> Any:
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * x_scale, 1e-6)
    span_y = max(max_lat - min_lat, 1e-6)
    scale = min((WIDTH - 2 * PADDING) / span_x, (HEIGHT - 2 * PADDING) / span_y)
    offset_x = (WIDTH - span_x * scale) / 2
    offset_y = (HEIGHT - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return offset_x + (lon - min_lon) * x_scale * scale, offset_y + (max_lat - lat) * scale

    return project


def _ring_path(ring: tuple[tuple[float, float], ...], project: Any) -> str:
    placed = [project(x, y) for x, y in ring]
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in placed) + " Z"
