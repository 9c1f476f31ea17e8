"""The shapes of the dashboard's map: the child regions of a region, in RD metres,
simplified for the screen and cached per process (boundaries change only when an
administrator reloads the reference data; the cache key includes a version of it)."""

from __future__ import annotations

import functools
from typing import Any

from regie.organisation import geodata
from regie.organisation.models import Neighbourhood, Unit
from regie.statistics.charts import Area

#: The level below each level on the map.
CHILD_LEVEL = {
    "national": "unit",
    "unit": "district",
    "district": "base_team",
    "base_team": "neighbourhood",
}
#: Simplification tolerance (metres) of the shapes of each child level.
TOLERANCE = {"unit": 400.0, "district": 150.0, "base_team": 60.0, "neighbourhood": 8.0}


def _version() -> tuple[int, int]:
    last = Neighbourhood.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Neighbourhood.objects.count(), last


def child_areas(level: str, code: str | None) -> tuple[Area, ...]:
    """The areas of the regions one level below (``level``, ``code``), by code."""
    return _child_areas(level, code, _version())


def _rings(shape: Any) -> list[tuple[list[float], list[float]]]:
    out = []
    for part in getattr(shape, "geoms", [shape]):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        xs, ys = part.exterior.coords.xy
        out.append(([round(x) for x in xs], [round(y) for y in ys]))
    return out


def _area(code: str, name: str, shape: Any, tolerance: float) -> Area:
    simple = shape.simplify(tolerance, preserve_topology=True)
    point = shape.representative_point()
    return Area(code, name, _rings(simple), round(point.x), round(point.y))


def _rd(geojson: Any) -> Any:
    return geodata.to_rd(geodata.geometry_from_geojson(geojson))


@functools.lru_cache(maxsize=128)
def _child_areas(level: str, code: str | None, version: tuple[int, int]) -> tuple[Area, ...]:
    from shapely import unary_union

    child = CHILD_LEVEL.get(level)
    if child is None:
        return ()
    tolerance = TOLERANCE[child]
    if child == "unit":
        units = Unit.objects.filter(is_national=False, geometry__isnull=False).order_by("code")
        return tuple(_area(u.code, u.name, _rd(u.geometry), tolerance) for u in units)
    wijken = Neighbourhood.objects.select_related("base_team__district")
    if level == "unit":
        wijken = wijken.filter(base_team__district__unit__code=code)
    elif level == "district":
        wijken = wijken.filter(base_team__district__code=code)
    else:
        wijken = wijken.filter(base_team__code=code)
    if child == "neighbourhood":
        return tuple(
            _area(w.code, w.name, _rd(w.geometry), tolerance) for w in wijken.order_by("code")
        )
    parts: dict[str, list[Any]] = {}
    names: dict[str, str] = {}
    for w in wijken:
        owner = w.base_team.district if child == "district" else w.base_team
        parts.setdefault(owner.code, []).append(_rd(w.geometry))
        names[owner.code] = owner.name
    return tuple(
        _area(c, names[c], unary_union(parts[c]).buffer(0), tolerance) for c in sorted(parts)
    )
