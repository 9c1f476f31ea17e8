"""Read a real district/base-team structure from CSV or GeoJSON into rows for
:func:`regie.organisation.services.import_structure`.

CSV (UTF-8, comma separated, header required), one row per municipality, or per
neighbourhood where a municipality is split over base teams::

    unit_code,district_code,district_name,base_team_code,base_team_name,municipality_code,neighbourhood_code
    RE06,RE06-D1,District Utrecht-Stad,RE06-B01,Basisteam Utrecht-Centrum,GM0344,WK034401
    RE06,RE06-D2,District Utrecht-Oost,RE06-B05,Basisteam Zeist,GM0355,

GeoJSON: a FeatureCollection of base-team areas (WGS84 or RD New, declared with the usual
``crs`` member) with properties ``unit_code, district_code, district_name, base_team_code,
base_team_name``. Each neighbourhood goes to the base team containing its representative point.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from shapely import STRtree

from regie.organisation import geodata

REQUIRED = ("unit_code", "district_code", "district_name", "base_team_code", "base_team_name")


class ImportFormatError(ValueError):
    """The file cannot be read as a structure; the message says why and where."""


def read_structure_file(
    path: Path, neighbourhoods: list[tuple[str, str, dict[str, Any]]]
) -> list[dict[str, str]]:
    """``neighbourhoods``: (wijk code, municipality code, GeoJSON geometry in WGS84)."""
    if not path.exists():
        raise ImportFormatError(f"{path}: bestand bestaat niet")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in {".geojson", ".json"}:
        return read_geojson(path, neighbourhoods)
    raise ImportFormatError(f"{path}: onbekend formaat {suffix!r}; gebruik .csv of .geojson")


def read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in (*REQUIRED, "municipality_code") if c not in header]
            if missing:
                raise ImportFormatError(f"{path}: kolommen ontbreken: {', '.join(missing)}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: geen UTF-8 ({exc.reason})") from exc
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: ongeldige CSV: {exc}") from exc


def read_geojson(
    path: Path, neighbourhoods: list[tuple[str, str, dict[str, Any]]]
) -> list[dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{path}: geen geldige JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFormatError(f"{path}: verwacht een GeoJSON FeatureCollection")
    crs = data.get("crs") or {}
    crs_props = crs.get("properties") if isinstance(crs, dict) else None
    crs_name = crs_props.get("name") if isinstance(crs_props, dict) else None
    if crs and not isinstance(crs_name, str):
        raise ImportFormatError(
            f"{path}: 'crs' moet de vorm "
            '{"type": "name", "properties": {"name": "EPSG:28992"}} hebben'
        )
    is_rd = "28992" in (crs_name or "EPSG:4326")
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFormatError(f"{path}: 'features' moet een lijst zijn")
    teams = []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise ImportFormatError(f"{path}: feature {i} is geen GeoJSON Feature met geometrie")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise ImportFormatError(f"{path}: feature {i}: 'properties' moet een object zijn")
        missing = [k for k in REQUIRED if not props.get(k)]
        if missing:
            raise ImportFormatError(
                f"{path}: feature {i}: eigenschappen ontbreken: {', '.join(missing)}"
            )
        try:
            geom = geodata.polygonal(geodata.geometry_from_geojson(feature["geometry"]))
        except Exception as exc:
            raise ImportFormatError(f"{path}: feature {i}: ongeldige geometrie: {exc}") from exc
        teams.append(({k: str(props[k]) for k in REQUIRED}, geom if is_rd else geodata.to_rd(geom)))
    if not teams:
        raise ImportFormatError(f"{path}: geen features")
    tree = STRtree([g for _, g in teams])
    rows = []
    for code, mun_code, geometry in neighbourhoods:
        point = geodata.to_rd(geodata.geometry_from_geojson(geometry)).representative_point()
        hits = [int(i) for i in tree.query(point, predicate="intersects")]
        if not hits:
            continue  # reported by import_structure as a neighbourhood without base team
        props, _ = teams[min(hits)]
        rows.append({**props, "municipality_code": mun_code, "neighbourhood_code": code})
    return rows
