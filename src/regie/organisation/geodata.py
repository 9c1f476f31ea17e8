"""Reference geodata for the organisation app: loading, repair and reprojection.

Pure Python (shapely, pyproj); imports no Django so it can be used and tested on its own.

The data files live next to this module in ``data/`` (see ``data/PROVENANCE.md``):

* ``regionale_eenheid_2020.geojson``: the 10 regional police units (RE01..RE10);
* ``gemeente_2020.geojson``: the 355 municipalities of 2020 (GMxxxx);
* ``wijk_2020.geojson``: 3,177 neighbourhoods (wijken, WKxxxxxx) with their ``gmCode``;
* ``gemeente_eenheid_2020.csv``: each municipality's police unit and population.

All source geometries are simplified WGS84 (lon/lat) polygons. Some are invalid in the source
(self-intersections); they are repaired with :func:`shapely.make_valid` and reduced to their
polygonal parts. Areas and distances are computed in RD New (EPSG:28992, metres).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "DATA_DIR",
    "RD",
    "WGS84",
    "MunicipalityRecord",
    "NeighbourhoodRecord",
    "ReferenceData",
    "UnitRecord",
    "estimate_neighbourhood_population",
    "geometry_from_geojson",
    "geometry_to_geojson",
    "is_geographic",
    "largest_remainder",
    "load_reference",
    "normalise_crs",
    "point_to_rd",
    "polygonal",
    "to_rd",
    "to_wgs84",
    "transformer",
    "unit_display_name",
]

RD = "EPSG:28992"
"""Amersfoort / RD New: the Dutch national grid, metres."""

WGS84 = "EPSG:4326"
"""WGS 84 geographic coordinates; always used in (lon, lat) order here (``always_xy``)."""

DATA_DIR = Path(__file__).parent / "data"

UNIT_FILE = "regionale_eenheid_2020.geojson"
MUNICIPALITY_FILE = "gemeente_2020.geojson"
NEIGHBOURHOOD_FILE = "wijk_2020.geojson"
MUNICIPALITY_UNIT_FILE = "gemeente_eenheid_2020.csv"

# Source spellings that differ from how Regie displays the unit.
_UNIT_DISPLAY_NAMES: Mapping[str, str] = {"DenHaag": "Den Haag"}

Coords = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- reprojection


def normalise_crs(crs: str) -> str:
    """Return a canonical ``AUTHORITY:CODE`` string for *crs* ("epsg:4326" -> "EPSG:4326").

    Raises ``ValueError`` for a CRS pyproj does not know.
    """
    if not isinstance(crs, str) or not crs.strip():
        raise ValueError(f"Unknown CRS {crs!r}: expected a string such as {RD!r} or {WGS84!r}.")
    return _normalise_crs(crs.strip())


@lru_cache(maxsize=64)
def _normalise_crs(crs: str) -> str:
    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        raise ValueError(f"Unknown CRS {crs!r}: {exc}") from exc
    authority = parsed.to_authority()
    if authority is None:
        return str(parsed.to_wkt())
    return f"{authority[0]}:{authority[1]}"


def is_geographic(crs: str) -> bool:
    """Whether *crs* has geographic (longitude/latitude) coordinates; ``ValueError`` if unknown."""
    return _is_geographic(normalise_crs(crs))


@lru_cache(maxsize=32)
def _is_geographic(crs: str) -> bool:
    return bool(CRS.from_user_input(crs).is_geographic)


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transformer(source: str, target: str) -> Transformer:
    """Return a cached pyproj transformer (``always_xy=True``: lon/lat, x/y order).

    Raises ``ValueError`` for a CRS pyproj does not know.
    """
    src = normalise_crs(source)
    dst = normalise_crs(target)
    try:
        return _transformer(src, dst)
    except ProjError as exc:  # pragma: no cover - only for exotic CRS pairs
        raise ValueError(f"Cannot transform from {source!r} to {target!r}: {exc}") from exc


def _reproject(geom: BaseGeometry, source: str, target: str) -> BaseGeometry:
    trans = transformer(source, target)

    def apply(x: Coords, y: Coords) -> tuple[Coords, Coords]:
        tx, ty = trans.transform(x, y)
        return np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)

    return shapely.transform(geom, apply, interleaved=False)


def to_rd(geom: BaseGeometry) -> BaseGeometry:
    """Reproject a WGS84 (lon/lat) shapely geometry to RD New (metres)."""
    return _reproject(geom, WGS84, RD)


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """Reproject an RD New shapely geometry to WGS84 (lon/lat)."""
    return _reproject(geom, RD, WGS84)


def point_to_rd(x: float, y: float, crs: str = RD) -> tuple[float, float]:
    """Return the RD New coordinates of point (*x*, *y*) given in *crs*.

    For a geographic CRS such as WGS84, *x* is the longitude and *y* the latitude.
    Raises ``ValueError`` for an unknown CRS.
    """
    if normalise_crs(crs) == RD:
        return float(x), float(y)
    rx, ry = transformer(crs, RD).transform(x, y)
    return float(rx), float(ry)


# --------------------------------------------------------------------------- geometry helpers


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Repair *geom* with ``make_valid`` and keep only its polygonal parts.

    Returns a ``Polygon`` or ``MultiPolygon`` (possibly empty if nothing polygonal is left).
    """
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts: list[Polygon] = []
    for part in _flatten(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(p for p in part.geoms if not p.is_empty)
    if not parts:
        return MultiPolygon()
    if len(parts) == 1:
        return parts[0]
    merged = shapely.union_all(parts)
    if isinstance(merged, Polygon | MultiPolygon):
        return merged
    return MultiPolygon(parts)  # pragma: no cover - union of polygons is polygonal


def _flatten(geom: BaseGeometry) -> Iterable[BaseGeometry]:
    if hasattr(geom, "geoms") and not isinstance(geom, MultiPolygon):
        for part in geom.geoms:
            yield from _flatten(part)
    else:
        yield geom


def _round_coords(value: Any, decimals: int) -> Any:
    if isinstance(value, float | int):
        return round(float(value), decimals)
    return [_round_coords(v, decimals) for v in value]


def geometry_to_geojson(geom: BaseGeometry, decimals: int | None = 5) -> dict[str, Any]:
    """Return a GeoJSON geometry mapping for *geom*.

    With *decimals* (default 5, about 1 m in WGS84 degrees) coordinates are snapped to that
    grid with ``shapely.set_precision`` (which keeps the geometry valid) and rounded, to keep
    the stored text small. Pass ``None`` to keep full precision.
    """
    if decimals is not None:
        geom = shapely.set_precision(geom, 10.0**-decimals)
    result = dict(mapping(geom))
    if decimals is not None and "coordinates" in result:
        result["coordinates"] = _round_coords(result["coordinates"], decimals)
    if "geometries" in result:
        result["geometries"] = [
            geometry_to_geojson(shape(g), decimals) for g in result["geometries"]
        ]
    return result


def geometry_from_geojson(data: Mapping[str, Any]) -> BaseGeometry:
    """Return the shapely geometry for a GeoJSON geometry mapping."""
    return shape(data)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UnitRecord:
    """A regional police unit (regionale eenheid)."""

    code: str
    name: str
    geometry_wgs84: Polygon | MultiPolygon


@dataclass(frozen=True)
class MunicipalityRecord:
    """A municipality (gemeente) with its police unit and population."""

    code: str
    name: str
    unit_code: str
    population: int
    geometry_wgs84: Polygon | MultiPolygon


@dataclass(frozen=True)
class NeighbourhoodRecord:
    """A neighbourhood (wijk). ``population_estimate`` is an estimate, see
    :func:`estimate_neighbourhood_population`."""

    code: str
    name: str
    municipality_code: str
    geometry_wgs84: Polygon | MultiPolygon
    population_estimate: int


@dataclass(frozen=True)
class ReferenceData:
    """All reference areas, each list sorted by code."""

    units: list[UnitRecord]
    municipalities: list[MunicipalityRecord]
    neighbourhoods: list[NeighbourhoodRecord]

    @property
    def total_population(self) -> int:
        return sum(m.population for m in self.municipalities)


def unit_display_name(source_name: str) -> str:
    """Return the display name of a unit ("DenHaag" in the source becomes "Den Haag")."""
    return _UNIT_DISPLAY_NAMES.get(source_name, source_name)


# --------------------------------------------------------------------------- population estimate


def largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Apportion the integer *total* over *weights* (largest-remainder / Hamilton method).

    The result sums exactly to *total*. Ties in the remainders are broken by key, so the
    result is deterministic. If all weights are zero the total is spread evenly.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot apportion a non-zero total over no weights")
        return {}
    keys = sorted(weights)
    values = [max(0.0, float(weights[k])) for k in keys]
    if any(not math.isfinite(v) for v in values):
        raise ValueError("weights must be finite")
    weight_sum = math.fsum(values)
    if weight_sum <= 0.0:
        values = [1.0] * len(keys)
        weight_sum = float(len(keys))
    quotas = [total * v / weight_sum for v in values]
    result = {k: math.floor(q) for k, q in zip(keys, quotas, strict=True)}
    short = total - sum(result.values())
    order = sorted(range(len(keys)), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), keys[i]))
    for i in order[:short]:
        result[keys[i]] += 1
    return result


#: Wijk names that mark ports and industrial estates, where hardly anyone lives. Without this,
#: the area-based estimate gives e.g. Rotterdam's Botlek-Europoort-Maasvlakte ~100k people.
NON_RESIDENTIAL = re.compile(
    r"industrie|bedrijventerrein|botlek|europoort|maasvlakte|westelijk havengebied|waalhaven|"
    r"westpoort|sloegebied|luchthaven|vondelingenplaat|spaanse polder|nieuw mathenesse",
    re.IGNORECASE,
)
NON_RESIDENTIAL_WEIGHT = 0.02


def estimate_neighbourhood_population(
    municipality_population: int,
    areas_m2: Mapping[str, float],
    names: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Estimate neighbourhood populations from the municipality's population.

    The source data has no population per wijk, so this is an **estimate**: the municipality's
    population is spread over its wijken in proportion to the square root of each wijk's
    area (in RD m²). The square root damps the effect of size: small, dense urban wijken get
    more than their area share and big rural (or harbour, or water-rich) wijken less, which is
    closer to reality than a pure area share, but still only a rough approximation.

    Wijken whose name marks a port or industrial estate (:data:`NON_RESIDENTIAL`, when
    ``names`` are given) get a small fraction of that weight.

    Integers are apportioned with the largest-remainder method, so the estimates of a
    municipality's wijken sum exactly to its population.
    """
    names = names or {}
    weights = {
        code: math.sqrt(max(0.0, area))
        * (NON_RESIDENTIAL_WEIGHT if NON_RESIDENTIAL.search(names.get(code, "")) else 1.0)
        for code, area in areas_m2.items()
    }
    return largest_remainder(municipality_population, weights)


# --------------------------------------------------------------------------- loading


def _read_features(path: Path) -> list[tuple[dict[str, Any], Polygon | MultiPolygon]]:
    with path.open(encoding="utf-8") as fh:
        collection = json.load(fh)
    features: list[tuple[dict[str, Any], Polygon | MultiPolygon]] = []
    for feature in collection["features"]:
        properties = dict(feature["properties"])
        geom = polygonal(shape(feature["geometry"]))
        features.append((properties, geom))
    return features


def _read_municipality_units(path: Path) -> dict[str, tuple[str, str, int]]:
    """Return ``{gemeente_code: (gemeente_naam, eenheid_code, population)}``."""
    result: dict[str, tuple[str, str, int]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["gemeente_code"].strip()
            if code in result:
                raise ValueError(f"{path.name}: duplicate municipality {code}")
            result[code] = (
                row["gemeente_naam"].strip(),
                row["eenheid_code"].strip(),
                int(row["population"]),
            )
    return result


def load_reference(data_dir: Path | None = None) -> ReferenceData:
    """Load, repair and cross-check the reference areas from *data_dir* (default: ``data/``).

    Geometries stay in WGS84 (repaired with ``make_valid``, polygonal parts only);
    neighbourhood populations are estimated with :func:`estimate_neighbourhood_population`.
    Raises ``ValueError`` if the files are inconsistent (unknown codes, missing rows).
    """
    directory = DATA_DIR if data_dir is None else Path(data_dir)

    units = sorted(
        (
            UnitRecord(
                code=str(props["statcode"]),
                name=unit_display_name(str(props["statnaam"])),
                geometry_wgs84=geom,
            )
            for props, geom in _read_features(directory / UNIT_FILE)
        ),
        key=lambda u: u.code,
    )
    unit_codes = {u.code for u in units}

    attributes = _read_municipality_units(directory / MUNICIPALITY_UNIT_FILE)
    municipalities: list[MunicipalityRecord] = []
    for props, geom in _read_features(directory / MUNICIPALITY_FILE):
        code = str(props["statcode"])
        if code not in attributes:
            raise ValueError(f"{MUNICIPALITY_UNIT_FILE}: no row for municipality {code}")
        name, unit_code, population = attributes[code]
        if unit_code not in unit_codes:
            raise ValueError(f"municipality {code}: unknown unit {unit_code}")
        municipalities.append(
            MunicipalityRecord(
                code=code,
                name=name or str(props["statnaam"]),
                unit_code=unit_code,
                population=population,
                geometry_wgs84=geom,
            )
        )
    municipalities.sort(key=lambda m: m.code)
    missing = sorted(set(attributes) - {m.code for m in municipalities})
    if missing:
        raise ValueError(f"{MUNICIPALITY_FILE}: no geometry for {', '.join(missing)}")
    population_by_code = {m.code: m.population for m in municipalities}

    raw = sorted(_read_features(directory / NEIGHBOURHOOD_FILE), key=lambda f: f[0]["statcode"])
    areas: dict[str, dict[str, float]] = {code: {} for code in population_by_code}
    wijk_names = {str(props["statcode"]): str(props["statnaam"]) for props, _ in raw}
    for props, geom in raw:
        municipality_code = str(props["gmCode"])
        if municipality_code not in areas:
            raise ValueError(f"wijk {props['statcode']}: unknown municipality {municipality_code}")
        areas[municipality_code][str(props["statcode"])] = float(to_rd(geom).area)
    empty = sorted(code for code, wijken in areas.items() if not wijken)
    if empty:
        raise ValueError(f"municipalities without neighbourhoods: {', '.join(empty)}")
    estimates: dict[str, int] = {}
    for municipality_code, wijk_areas in areas.items():
        estimates.update(
            estimate_neighbourhood_population(
                population_by_code[municipality_code], wijk_areas, wijk_names
            )
        )

    neighbourhoods = [
        NeighbourhoodRecord(
            code=str(props["statcode"]),
            name=str(props["statnaam"]),
            municipality_code=str(props["gmCode"]),
            geometry_wgs84=geom,
            population_estimate=estimates[str(props["statcode"])],
        )
        for props, geom in raw
    ]
    return ReferenceData(units=units, municipalities=municipalities, neighbourhoods=neighbourhoods)
