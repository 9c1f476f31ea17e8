"""Point-in-polygon lookup: which neighbourhood (wijk) and municipality hold a coordinate.

Pure Python (shapely, pyproj); imports no Django. Geometries are indexed in RD New
(EPSG:28992, metres) with :class:`shapely.STRtree`; input points may be given in RD or in any
CRS pyproj knows, e.g. WGS84 (``crs="EPSG:4326"``, longitude first).

Resolution order for a point:

1. the neighbourhood that contains it (on the boundary counts). If several do (the simplified
   outlines overlap slightly), the first by code whose municipality also contains the point,
   else the first by code;
2. otherwise the municipality that contains it (first by code on overlap);
3. otherwise the nearest municipality within ``max_distance_m`` (default 100 m; the outlines,
   coast lines in particular, are simplified);
4. otherwise ``None`` (e.g. at sea or abroad).

In cases 2 and 3 the neighbourhood is the nearest wijk *of that municipality* within
``max_distance_m`` (wijk and municipality outlines were simplified separately, so a point
may fall in a sliver of a municipality that no wijk covers), or ``None`` if there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from regie.organisation.geodata import RD, ReferenceData, is_geographic, normalise_crs, to_rd
from regie.organisation.geodata import transformer as get_transformer

__all__ = ["Location", "Locator", "MunicipalityShape", "NeighbourhoodShape"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


class NeighbourhoodShape(Protocol):
    """What the locator needs of a neighbourhood (e.g. ``structure.Area``)."""

    @property
    def code(self) -> str: ...

    @property
    def municipality_code(self) -> str: ...

    @property
    def geometry_rd(self) -> BaseGeometry: ...


class MunicipalityShape(Protocol):
    """What the locator needs of a municipality (e.g. ``structure.Area``)."""

    @property
    def code(self) -> str: ...

    @property
    def geometry_rd(self) -> BaseGeometry: ...


@dataclass(frozen=True)
class Location:
    """Where a point lies. ``neighbourhood_code`` is ``None`` if no wijk could be assigned."""

    neighbourhood_code: str | None
    municipality_code: str


@dataclass(frozen=True)
class _WijkGeom:
    code: str
    municipality_code: str
    geometry_rd: BaseGeometry


@dataclass(frozen=True)
class _MunicipalityGeom:
    code: str
    geometry_rd: BaseGeometry


def _first_per_input(inputs: IntArray, targets: IntArray) -> tuple[IntArray, IntArray]:
    """For (input, target) pairs, keep the smallest target per input; sorted by input."""
    if inputs.size == 0:
        return inputs, targets
    order = np.lexsort((targets, inputs))
    inputs, targets = inputs[order], targets[order]
    keep = np.ones(inputs.size, dtype=bool)
    keep[1:] = inputs[1:] != inputs[:-1]
    return inputs[keep], targets[keep]


class Locator:
    """Spatial index over neighbourhoods and municipalities (geometries in RD metres).

    Build it once and reuse it: construction indexes all geometries; lookups are fast, and
    :meth:`locate_many` is vectorised for large batches. Instances are immutable after
    construction, so one can be shared between threads.
    """

    def __init__(
        self,
        neighbourhoods: Sequence[NeighbourhoodShape],
        municipalities: Sequence[MunicipalityShape],
        *,
        max_distance_m: float = 100.0,
    ) -> None:
        if not max_distance_m >= 0:
            raise ValueError("max_distance_m must be a non-negative number")
        wijken = sorted(
            (_WijkGeom(n.code, n.municipality_code, n.geometry_rd) for n in neighbourhoods),
            key=lambda w: w.code,
        )
        muns = sorted(
            (_MunicipalityGeom(m.code, m.geometry_rd) for m in municipalities),
            key=lambda m: m.code,
        )
        if not muns:
            raise ValueError("a Locator needs at least one municipality")
        for kind, codes in (
            ("neighbourhood", [w.code for w in wijken]),
            ("municipality", [m.code for m in muns]),
        ):
            if len(set(codes)) != len(codes):
                raise ValueError(f"duplicate {kind} codes")
        self.max_distance_m = float(max_distance_m)
        self._wijk_codes = [w.code for w in wijken]
        self._mun_codes = [m.code for m in muns]
        mun_index = {code: i for i, code in enumerate(self._mun_codes)}
        unknown = sorted({w.municipality_code for w in wijken} - set(mun_index))
        if unknown:
            raise ValueError(f"neighbourhoods refer to unknown municipalities: {unknown}")
        self._wijk_mun: IntArray = np.asarray(
            [mun_index[w.municipality_code] for w in wijken], dtype=np.intp
        )
        self._wijk_geoms = np.asarray([w.geometry_rd for w in wijken], dtype=object)
        self._mun_geoms = np.asarray([m.geometry_rd for m in muns], dtype=object)
        shapely.prepare(self._wijk_geoms)
        shapely.prepare(self._mun_geoms)
        self._wijk_tree = shapely.STRtree(self._wijk_geoms)
        self._mun_tree = shapely.STRtree(self._mun_geoms)
        # Shared, immutable results.
        self._wijk_locations = [Location(w.code, w.municipality_code) for w in wijken]
        self._mun_locations = [Location(None, code) for code in self._mun_codes]

    @classmethod
    def from_reference(cls, reference: ReferenceData, *, max_distance_m: float = 100.0) -> Locator:
        """Build a locator from :func:`regie.organisation.geodata.load_reference` data."""
        wijken = [
            _WijkGeom(n.code, n.municipality_code, to_rd(n.geometry_wgs84))
            for n in reference.neighbourhoods
        ]
        muns = [
            _MunicipalityGeom(m.code, to_rd(m.geometry_wgs84)) for m in reference.municipalities
        ]
        return cls(wijken, muns, max_distance_m=max_distance_m)

    # ------------------------------------------------------------------ public API

    def locate(self, x: float, y: float, crs: str = RD) -> Location | None:
        """Return the :class:`Location` of point (*x*, *y*) in *crs*, or ``None`` if outside.

        For WGS84 (``crs="EPSG:4326"``) *x* is the longitude and *y* the latitude. Raises
        ``ValueError`` for a non-finite or out-of-range coordinate or an unknown CRS.
        """
        return self.locate_many([x], [y], crs)[0]

    def locate_many(
        self,
        xs: Sequence[float] | npt.ArrayLike,
        ys: Sequence[float] | npt.ArrayLike,
        crs: str = RD,
    ) -> list[Location | None]:
        """Vectorised :meth:`locate` for many points; results in input order.

        Raises ``ValueError`` (naming the first offending index) if any coordinate is not
        finite or out of range, if the lengths differ, or if the CRS is unknown.
        """
        rx, ry = self._to_rd(xs, ys, crs)
        n = rx.size
        result: list[Location | None] = [None] * n
        if n == 0:
            return result
        points = shapely.points(rx, ry)
        wijk_of = np.full(n, -1, dtype=np.intp)
        mun_of = np.full(n, -1, dtype=np.intp)

        # 1. Neighbourhoods containing the point.
        inp, hit = self._wijk_tree.query(points, predicate="intersects")
        inp = np.asarray(inp, dtype=np.intp)
        hit = np.asarray(hit, dtype=np.intp)
        if inp.size:
            counts = np.bincount(inp, minlength=n)
            first_inp, first_hit = _first_per_input(inp, hit)
            wijk_of[first_inp] = first_hit
            for i in np.flatnonzero(counts > 1).tolist():
                wijk_of[i] = self._resolve_overlap(points[i], np.sort(hit[inp == i]))
            mun_of[first_inp] = self._wijk_mun[wijk_of[first_inp]]

        # 2. Municipalities containing the point.
        todo = np.flatnonzero(wijk_of < 0)
        if todo.size:
            inp, hit = self._mun_tree.query(points[todo], predicate="intersects")
            first_inp, first_hit = _first_per_input(
                np.asarray(inp, dtype=np.intp), np.asarray(hit, dtype=np.intp)
            )
            mun_of[todo[first_inp]] = first_hit

        # 3. Nearest municipality within the tolerance.
        todo = np.flatnonzero(mun_of < 0)
        if todo.size and self.max_distance_m > 0:
            inp, hit = self._mun_tree.query_nearest(
                points[todo], max_distance=self.max_distance_m, all_matches=True
            )
            first_inp, first_hit = _first_per_input(
                np.asarray(inp, dtype=np.intp), np.asarray(hit, dtype=np.intp)
            )
            mun_of[todo[first_inp]] = first_hit

        # Nearest wijk of the municipality for points found in steps 2 and 3.
        todo = np.flatnonzero((wijk_of < 0) & (mun_of >= 0))
        if todo.size and self.max_distance_m > 0:
            wijk_of[todo] = self._nearest_wijk_of(points[todo], mun_of[todo])

        for i in np.flatnonzero(wijk_of >= 0).tolist():
            result[i] = self._wijk_locations[wijk_of[i]]
        for i in np.flatnonzero((wijk_of < 0) & (mun_of >= 0)).tolist():
            result[i] = self._mun_locations[mun_of[i]]
        return result

    # ------------------------------------------------------------------ helpers

    def _to_rd(
        self, xs: Sequence[float] | npt.ArrayLike, ys: Sequence[float] | npt.ArrayLike, crs: str
    ) -> tuple[FloatArray, FloatArray]:
        canonical = normalise_crs(crs)  # ValueError for an unknown CRS
        try:
            x = np.asarray(xs, dtype=np.float64).reshape(-1)
            y = np.asarray(ys, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Coordinates must be numbers: {exc}") from exc
        if x.shape != y.shape:
            raise ValueError(f"Got {x.size} x values but {y.size} y values.")
        bad = ~(np.isfinite(x) & np.isfinite(y))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"Coordinate {i} is not a finite number: ({x[i]}, {y[i]}).")
        if canonical == RD:
            return x, y
        if is_geographic(canonical):
            bad = (np.abs(x) > 180.0) | (np.abs(y) > 90.0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"Coordinate {i} ({x[i]}, {y[i]}) is out of range for {crs}: expected "
                    "longitude -180..180 first, then latitude -90..90."
                )
        rx, ry = get_transformer(canonical, RD).transform(x, y)
        rx = np.asarray(rx, dtype=np.float64)
        ry = np.asarray(ry, dtype=np.float64)
        bad = ~(np.isfinite(rx) & np.isfinite(ry))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"Coordinate {i} ({x[i]}, {y[i]}) in {crs} cannot be converted to RD.")
        return rx, ry

    def _resolve_overlap(self, point: BaseGeometry, candidates: IntArray) -> int:
        """First wijk (by code) whose municipality contains the point, else the first."""
        for w in candidates.tolist():
            if self._mun_geoms[self._wijk_mun[w]].intersects(point):
                return int(w)
        return int(candidates[0])

    def _nearest_wijk_of(self, points: npt.NDArray[np.object_], muns: IntArray) -> IntArray:
        """Per point, the nearest wijk of the given municipality within the tolerance, or -1."""
        out = np.full(points.size, -1, dtype=np.intp)
        inp, hit = self._wijk_tree.query(points, predicate="dwithin", distance=self.max_distance_m)
        inp = np.asarray(inp, dtype=np.intp)
        hit = np.asarray(hit, dtype=np.intp)
        same = self._wijk_mun[hit] == muns[inp]
        inp, hit = inp[same], hit[same]
        if inp.size == 0:
            return out
        dist = shapely.distance(points[inp], self._wijk_geoms[hit])
        order = np.lexsort((hit, dist, inp))
        inp, hit = inp[order], hit[order]
        keep = np.ones(inp.size, dtype=bool)
        keep[1:] = inp[1:] != inp[:-1]
        out[inp[keep]] = hit[keep]
        return out
