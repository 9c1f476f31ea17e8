"""Reads of the organisation. Staff (personal data) only through the access functions."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import plotly.graph_objects as go
from django.db.models import Count, QuerySet, Sum

from regie.organisation import geodata
from regie.organisation.access import base_team_in_scope, staff_visible_to
from regie.organisation.lookup import Locator
from regie.organisation.models import (
    BaseTeam,
    District,
    Municipality,
    Neighbourhood,
    Position,
    Unit,
)
from regie.organisation.roles import ScopeLevel
from regie.organisation.structure import Area


def units_overview() -> QuerySet[Unit]:
    return Unit.objects.annotate(
        n_districts=Count("districts", distinct=True),
        n_base_teams=Count("districts__base_teams", distinct=True),
        n_municipalities=Count("municipalities", distinct=True),
        inhabitants=Sum("municipalities__population"),
    ).order_by("is_national", "code")


def districts_of(unit: Unit) -> QuerySet[District]:
    return unit.districts.annotate(
        n_base_teams=Count("base_teams", distinct=True),
        inhabitants=Sum("base_teams__population"),
    ).order_by("code")


def base_teams_of(district: District) -> QuerySet[BaseTeam]:
    return district.base_teams.annotate(n_neighbourhoods=Count("neighbourhoods")).order_by("code")


@dataclass(frozen=True)
class MunicipalityPart:
    municipality: Municipality
    whole: bool
    neighbourhoods: int
    population: int


def municipalities_of_team(team: BaseTeam) -> list[MunicipalityPart]:
    rows = (
        Neighbourhood.objects.filter(base_team=team)
        .values("municipality_id")
        .annotate(n=Count("id"), pop=Sum("population"))
    )
    by_id = {r["municipality_id"]: r for r in rows}
    parts = []
    for mun in Municipality.objects.filter(pk__in=by_id).order_by("name"):
        r = by_id[mun.pk]
        parts.append(MunicipalityPart(mun, mun.base_team_id == team.pk, r["n"], r["pop"] or 0))
    return parts


def team_of_position(position: Position) -> BaseTeam | None:
    return position.base_team


def position_summary(position: Position) -> dict[str, Any]:
    return {
        "name": position.display_name,
        "role": position.get_role_display(),
        "scope_level": ScopeLevel(position.scope_level).label,
        "scope": position.scope_label,
        "base_team": position.base_team,
        "district": position.district,
        "unit": position.unit,
    }


def staff_of_team(user: Any, team: BaseTeam) -> QuerySet[Position]:
    return staff_visible_to(user).filter(base_team=team).select_related("user")


def staff_search(
    user: Any, *, q: str = "", role: str = "", team_code: str = ""
) -> QuerySet[Position]:
    qs = staff_visible_to(user).select_related(
        "user", "base_team", "district", "unit", "municipality"
    )
    if q:
        from django.db.models import Q

        qs = qs.filter(
            Q(user__last_name__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(employee_number__iexact=q)
            | Q(user__username__iexact=q)
        )
    if role:
        qs = qs.filter(role=role)
    if team_code:
        qs = qs.filter(base_team__code=team_code)
    return qs


def can_open_team_staff(user: Any, team: BaseTeam) -> bool:
    return base_team_in_scope(user, team)


# --- Maps -------------------------------------------------------------------------------------


def polygon_rings(geom: Any) -> list[tuple[list[float], list[float]]]:
    """Exterior rings (xs, ys) of a Polygon or MultiPolygon."""
    rings = []
    for p in getattr(geom, "geoms", [geom]):
        if p.geom_type != "Polygon" or p.is_empty:
            continue
        xs, ys = p.exterior.coords.xy
        rings.append((list(xs), list(ys)))
    return rings


def _rd_rings(geojson: dict[str, Any]) -> list[tuple[list[float], list[float]]]:
    return polygon_rings(geodata.to_rd(geodata.geometry_from_geojson(geojson)))


def _area_trace(
    xs: list[float], ys: list[float], *, colour: str, name: str, show: bool, hover: str
) -> go.Scatter:
    """One filled area of a map, in a legend group per ``name``."""
    return go.Scatter(
        x=xs,
        y=ys,
        fill="toself",
        mode="lines",
        line={"width": 1, "color": "#1a202c"},
        fillcolor=colour,
        opacity=0.55,
        name=name,
        legendgroup=name,
        showlegend=show,
        hovertemplate=hover + "<extra></extra>",
    )


def _map_layout(fig: go.Figure, *, height: int, legend: str) -> dict[str, Any]:
    """Equal-aspect RD axes without ticks or tiles (works offline); the figure as a dict."""
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
        plot_bgcolor="#f7fafc",
        legend={"title": {"text": legend}},
    )
    return fig.to_plotly_json()


def _nl_int(n: int) -> str:
    """12345 -> '12.345' (Dutch thousands separator)."""
    return f"{n:,}".replace(",", ".")


PALETTE = [
    "#2b6cb0",
    "#c05621",
    "#2f855a",
    "#6b46c1",
    "#b83280",
    "#975a16",
    "#2c7a7b",
    "#9b2c2c",
    "#4a5568",
    "#276749",
]


def team_map(team: BaseTeam) -> dict[str, Any]:
    """A Plotly figure (as a dict) of the team's neighbourhoods in RD metres, coloured by
    municipality; works offline (no map tiles)."""
    fig = go.Figure()
    wijken = Neighbourhood.objects.filter(base_team=team).select_related("municipality")
    # Context: the other neighbourhoods of partly covered municipalities, in grey.
    others = (
        Neighbourhood.objects.filter(municipality__in=wijken.values("municipality"))
        .exclude(base_team=team)
        .select_related("base_team")
    )
    first_other = True
    for w in others.order_by("code"):
        for xs, ys in _rd_rings(w.geometry):
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    fill="toself",
                    mode="lines",
                    line={"width": 0.5, "color": "#a0aec0"},
                    fillcolor="#edf2f7",
                    name="Andere basisteams",
                    legendgroup="other",
                    showlegend=first_other,
                    hovertemplate=f"{w.name}<br>{w.base_team.name}<extra></extra>",
                )
            )
            first_other = False
    mun_names = sorted({w.municipality.name for w in wijken})
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(mun_names)}
    shown: set[str] = set()
    for w in wijken.order_by("municipality__name", "name"):
        mname = w.municipality.name
        hover = f"{w.name}<br>{mname}<br>± {_nl_int(w.population)} inwoners"
        for xs, ys in _rd_rings(w.geometry):
            fig.add_trace(
                _area_trace(
                    xs, ys, colour=colour[mname], name=mname, show=mname not in shown, hover=hover
                )
            )
            shown.add(mname)
    return _map_layout(fig, height=460, legend="Gemeente")


def teams_map(teams: QuerySet[BaseTeam], *, colour_by_district: bool) -> dict[str, Any]:
    """A Plotly figure of base-team areas (union of their neighbourhoods) in RD metres,
    coloured by district (unit page) or by team (district page). Offline: no tiles."""
    from shapely import unary_union

    teams = teams.select_related("district").order_by("district__code", "code")
    wijken: dict[int, list[Any]] = {}
    for w in Neighbourhood.objects.filter(base_team__in=teams).only("base_team_id", "geometry"):
        wijken.setdefault(w.base_team_id, []).append(
            geodata.to_rd(geodata.geometry_from_geojson(w.geometry))
        )
    keys = sorted({t.district.name if colour_by_district else t.name for t in teams})
    colour = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    fig = go.Figure()
    shown: set[str] = set()
    for t in teams:
        key = t.district.name if colour_by_district else t.name
        hover = f"{t.name}<br>{t.district.name}<br>± {_nl_int(t.population)} inwoners"
        shape = unary_union(wijken.get(t.pk, [])).buffer(0)
        for xs, ys in polygon_rings(shape):
            fig.add_trace(
                _area_trace(
                    xs, ys, colour=colour[key], name=key, show=key not in shown, hover=hover
                )
            )
            shown.add(key)
    return _map_layout(fig, height=520, legend="District" if colour_by_district else "Basisteam")


# --- Point lookup -----------------------------------------------------------------------------

_locator_lock = threading.Lock()
_locator_cache: dict[tuple[int, int], Locator] = {}
_locator_checked = [0.0]
LOCATOR_RECHECK_S = 30.0


def locator() -> Locator:
    """A spatial index over the stored neighbourhoods and municipalities, rebuilt when they
    change (keyed on count and highest id, checked at most every 30 seconds: the index works
    on codes and geometry, which change only when an administrator reloads them)."""
    now = time.monotonic()
    with _locator_lock:
        if _locator_cache and now - _locator_checked[0] < LOCATOR_RECHECK_S:
            return next(iter(_locator_cache.values()))
    key = (
        Neighbourhood.objects.count(),
        Neighbourhood.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )
    with _locator_lock:
        cached = _locator_cache.get(key)
        if cached is not None:
            _locator_checked[0] = now
            return cached
        wijken = [
            Area(
                code=n.code,
                name=n.name,
                unit_code="",
                municipality_code=n.municipality.code,
                population=n.population,
                geometry_rd=geodata.to_rd(geodata.geometry_from_geojson(n.geometry)),
            )
            for n in Neighbourhood.objects.select_related("municipality")
        ]
        muns = [
            Area(
                code=m.code,
                name=m.name,
                unit_code="",
                municipality_code=m.code,
                population=m.population,
                geometry_rd=geodata.to_rd(geodata.geometry_from_geojson(m.geometry)),
            )
            for m in Municipality.objects.all()
        ]
        built = Locator(wijken, muns)
        _locator_cache.clear()
        _locator_cache[key] = built
        _locator_checked[0] = now
        return built


@dataclass(frozen=True)
class Placement:
    neighbourhood: Neighbourhood | None
    municipality: Municipality
    base_team: BaseTeam | None
    district: District | None
    unit: Unit


def locate(x: float, y: float, crs: str = geodata.RD) -> Placement | None:
    """Map a coordinate to neighbourhood / municipality / base team / district / unit."""
    hit = locator().locate(x, y, crs=crs)
    if hit is None:
        return None
    mun = Municipality.objects.select_related("unit", "base_team__district").get(
        code=hit.municipality_code
    )
    wijk = (
        Neighbourhood.objects.select_related("base_team__district")
        .filter(code=hit.neighbourhood_code)
        .first()
        if hit.neighbourhood_code
        else None
    )
    team = wijk.base_team if wijk is not None else mun.base_team
    return Placement(
        neighbourhood=wijk,
        municipality=mun,
        base_team=team,
        district=team.district if team else None,
        unit=mun.unit,
    )


class PlaceIds(NamedTuple):
    """Where a registration lies, as ids: what intake stores and its receivers need."""

    neighbourhood_id: int | None
    municipality_id: int
    base_team_id: int | None
    #: The unit of the base team (None without a team).
    unit_id: int | None
    base_team_code: str | None


def place_ids(x: float, y: float, crs: str = geodata.RD) -> PlaceIds | None:
    """The place of a coordinate: the neighbourhood, else the municipality (and its base
    team when it is not split), or None outside the Netherlands. One indexed query after
    the in-memory point lookup: the fast path for intake."""
    hit = locator().locate(x, y, crs=crs)
    if hit is None:
        return None
    if hit.neighbourhood_code:
        row = (
            Neighbourhood.objects.filter(code=hit.neighbourhood_code)
            .values_list(
                "pk",
                "municipality_id",
                "base_team_id",
                "base_team__district__unit_id",
                "base_team__code",
            )
            .first()
        )
        if row is not None:
            return PlaceIds(*row)
    return municipality_place(hit.municipality_code)


def municipality_place(code: str) -> PlaceIds | None:
    """The place of a whole municipality (no neighbourhood), or None for an unknown code."""
    row = (
        Municipality.objects.filter(code=code)
        .values_list("pk", "base_team_id", "base_team__district__unit_id", "base_team__code")
        .first()
    )
    return None if row is None else PlaceIds(None, *row)


def locate_ids(x: float, y: float, crs: str = geodata.RD) -> tuple[int, int, int | None] | None:
    """(neighbourhood id or 0, municipality id, base team id) of a coordinate, or None."""
    place = place_ids(x, y, crs=crs)
    if place is None:
        return None
    return (place.neighbourhood_id or 0, place.municipality_id, place.base_team_id)
