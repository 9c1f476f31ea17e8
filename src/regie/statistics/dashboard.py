"""The dashboard of one region: read from the summary tables, computed with the pure
``*_from_counts`` functions, drawn with :mod:`regie.statistics.charts`.

A region is (level, code): national, unit, district, base team or neighbourhood; its
children are the regions one level down (the map and the table), its peers the regions of
its level under the same parent (the comparison). A user sees a region within their scope;
peers outside their scope are shown without their names (a base-team chief sees the other
teams of the district only as "Basisteam A, B, ...").
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from regie.organisation.models import BaseTeam, District, Neighbourhood, Unit
from regie.statistics import charts, funnel, maps, selectors
from regie.statistics.selectors import Scope

LEVEL_LABELS = {
    "national": "Nederland",
    "unit": "Eenheid",
    "district": "District",
    "base_team": "Basisteam",
    "neighbourhood": "Wijk",
}
#: Fewer anonymous peers than this are not shown at all (each would be recognisable).
MIN_ANONYMOUS_PEERS = 3
#: Levels whose cases are summed (the case summaries stop at the base team).
CASE_LEVELS = ("national", "unit", "district", "base_team")
OFFENCE_CLASSES = funnel.OFFENCE_CLASSES


class OutOfScope(Exception):
    """The region is not within the user's scope (or does not exist)."""


@dataclass(frozen=True)
class Region:
    level: str
    code: str | None
    name: str
    population: int
    #: (level, code) of each ancestor, national first.
    ancestors: tuple[tuple[str, str | None], ...] = ()

    @property
    def key(self) -> tuple[str, str | None]:
        return self.level, self.code

    @property
    def parent(self) -> tuple[str, str | None] | None:
        return self.ancestors[-1] if self.ancestors else None


def region(level: str, code: str | None) -> Region:
    """The region (level, code); OutOfScope when it does not exist."""
    nl = ("national", None)
    if level == "national":
        total = BaseTeam.objects.aggregate(n=Sum("population"))["n"] or 0
        return Region("national", None, "Nederland", int(total))
    if level == "unit":
        unit = Unit.objects.filter(code=code, is_national=False).first()
        if unit is None:
            raise OutOfScope(code)
        total = BaseTeam.objects.filter(district__unit=unit).aggregate(n=Sum("population"))["n"]
        return Region("unit", unit.code, unit.name, int(total or 0), (nl,))
    if level == "district":
        district = District.objects.select_related("unit").filter(code=code).first()
        if district is None:
            raise OutOfScope(code)
        total = district.base_teams.aggregate(n=Sum("population"))["n"]
        return Region(
            "district",
            district.code,
            district.name,
            int(total or 0),
            (nl, ("unit", district.unit.code)),
        )
    if level == "base_team":
        team = BaseTeam.objects.select_related("district__unit").filter(code=code).first()
        if team is None:
            raise OutOfScope(code)
        return Region(
            "base_team",
            team.code,
            team.name,
            team.population,
            (nl, ("unit", team.district.unit.code), ("district", team.district.code)),
        )
    if level == "neighbourhood":
        wijk = (
            Neighbourhood.objects.select_related("base_team__district__unit")
            .filter(code=code)
            .first()
        )
        if wijk is None:
            raise OutOfScope(code)
        t = wijk.base_team
        return Region(
            "neighbourhood",
            wijk.code,
            wijk.name,
            wijk.population,
            (
                nl,
                ("unit", t.district.unit.code),
                ("district", t.district.code),
                ("base_team", t.code),
            ),
        )
    raise OutOfScope(level)


def _name(level: str, code: str | None) -> str:
    model: Any = {"unit": Unit, "district": District, "base_team": BaseTeam}.get(level)
    if model is None:
        return "Nederland"
    return str(model.objects.filter(code=code).values_list("name", flat=True).first() or code)


def _within(user_scope: Scope) -> dict[str, Any] | None:
    """The filter of the user's own scope, ANDed into every read of a region's rows (a
    region's code alone is not enough: a neighbourhood may have moved to another team)."""
    return {user_scope.column: user_scope.code} if user_scope.column else None


def in_scope(scope: Scope | None, r: Region) -> bool:
    if scope is None:
        return False
    if scope.level == "national":
        return True
    return (scope.level, scope.code) in (*r.ancestors, r.key)


def _children(r: Region) -> list[tuple[str, str, int]]:
    """(code, name, population) of the regions one level below ``r``."""
    rows: Any
    if r.level == "national":
        rows = (
            Unit.objects.filter(is_national=False)
            .annotate(p=Sum("districts__base_teams__population"))
            .values_list("code", "name", "p")
        )
    elif r.level == "unit":
        rows = (
            District.objects.filter(unit__code=r.code)
            .annotate(p=Sum("base_teams__population"))
            .values_list("code", "name", "p")
        )
    elif r.level == "district":
        rows = BaseTeam.objects.filter(district__code=r.code).values_list(
            "code", "name", "population"
        )
    elif r.level == "base_team":
        rows = Neighbourhood.objects.filter(base_team__code=r.code).values_list(
            "code", "name", "population"
        )
    else:
        return []
    return sorted((c, n, int(p or 0)) for c, n, p in rows)


def _peers(r: Region) -> list[tuple[str, str, int]]:
    """(code, name, population) of the regions of ``r``'s level under the same parent."""
    parent = r.parent
    if parent is None:
        return []
    return _children(region(*parent))


# --------------------------------------------------------------------------------------------
# Numbers


def _one_period(counts: pl.DataFrame, start: dt.date) -> pl.DataFrame:
    """Every row in one period (the whole span), so the *_from_counts functions give one row
    per region."""
    return counts.with_columns(pl.lit(start, dtype=pl.Date).alias("month"))


def _share(part: float | None, whole: float | None) -> float | None:
    return None if not whole else (part or 0) / whole


@dataclass
class RegionNumbers:
    """The numbers of one region (or child or peer) over the chosen span."""

    code: str
    name: str
    population: int
    per_offence: int = 0
    heaviest: int = 0
    online: int = 0
    cases: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    own: bool = False
    #: A peer outside the user's scope: shown by letter, rates only.
    hidden: bool = False

    @property
    def per_1000(self) -> float | None:
        return None if not self.population else 1000 * self.per_offence / self.population

    @property
    def online_share(self) -> float | None:
        return _share(self.online, self.heaviest)


def _offence_rows(
    scope: Scope,
    *,
    level: str,
    start: dt.date,
    end: dt.date,
    where: dict[str, Any] | None = None,
) -> pl.DataFrame:
    return selectors.offence_counts(
        scope, start=start, end=end, level=level, by_category=False, where=where
    )


def _offences_by(df: pl.DataFrame, level: str) -> dict[str, tuple[int, int, int]]:
    """Per region of ``level``: (per offence, heaviest, online registrations)."""
    column = selectors.LEVEL_COLUMN[level]
    if df.is_empty():
        return {}
    key = pl.col(column).fill_null("") if column else pl.lit("NL")
    sums = df.group_by(key.alias("k")).agg(
        pl.col("per_offence").sum(), pl.col("heaviest").sum(), pl.col("heaviest_online").sum()
    )
    return {k: (int(a), int(b), int(c)) for k, a, b, c in sums.iter_rows()}


def _case_rows(
    scope: Scope,
    *,
    level: str,
    start: dt.date,
    end: dt.date,
    offence_class: str,
    where: dict[str, Any] | None = None,
) -> pl.DataFrame:
    where = {**(where or {}), **({"offence_class": offence_class} if offence_class else {})}
    return _one_period(
        selectors.case_counts(
            scope, start=start, end=end, level=level, by="none", where=where or None
        ),
        start,
    )


def _cases_by(df: pl.DataFrame, level: str) -> dict[str, dict[str, Any]]:
    """Per region of ``level`` (``national``: all rows together): the funnel, lead times
    and compliance of the case rows ``df`` (one period)."""
    if df.is_empty():
        return {}
    stages = funnel.funnel_from_counts(df, level=level, period="year")  # type: ignore[arg-type]
    times = funnel.lead_times_from_counts(df, level=level, period="year")  # type: ignore[arg-type]
    joined = stages.join(
        times.drop("period", "registered", "screened", "to_om"), on="region", how="left"
    )
    return {row["region"]: row for row in joined.iter_rows(named=True)}


def _numbers(
    rows: list[tuple[str, str, int]],
    offences: dict[str, tuple[int, int, int]],
    cases: dict[str, dict[str, Any]],
) -> list[RegionNumbers]:
    out = []
    for code, name, population in rows:
        per_offence, heaviest, online = offences.get(code, (0, 0, 0))
        out.append(
            RegionNumbers(
                code, name, population, per_offence, heaviest, online, cases.get(code, {})
            )
        )
    return out


def _link(level: str, code: str | None, query: dict[str, str]) -> str:
    params = {**query, "niveau": level, **({"code": code} if code else {})}
    return reverse("statistics:dashboard") + "?" + urlencode(params)


@dataclass
class Dashboard:
    region: Region
    child_level: str | None
    total: RegionNumbers
    children: list[RegionNumbers]
    peers: list[RegionNumbers]
    trend: dict[str, Any]
    figures: dict[str, dict[str, Any]]
    breadcrumbs: list[tuple[str, str]]


STAGES_SHOWN = (
    ("registered", "Geregistreerd"),
    ("screened", "Gescreend"),
    ("taken_up", "Opgepakt"),
    ("under_investigation", "In onderzoek"),
    ("solved", "Opgelost met verdachte"),
    ("to_om", "Naar het OM"),
    ("om_decided", "OM-beslissing"),
    ("convicted", "Veroordeeld"),
)


def build(
    user_scope: Scope | None,
    r: Region,
    *,
    start: dt.date,
    end: dt.date,
    offence_class: str = "",
    query: dict[str, str] | None = None,
) -> Dashboard:
    """Everything the dashboard page shows for region ``r`` (which must be in scope)."""
    if user_scope is None or not in_scope(user_scope, r):
        raise OutOfScope(r.code)
    query = query or {}
    clearance = user_scope.clearance
    own = Scope(r.level, r.code, clearance)
    mine = _within(user_scope)
    span: dict[str, Any] = {"start": start, "end": end}
    child_level = maps.CHILD_LEVEL.get(r.level)

    # One read at the level of the children serves them, the region's total and its months
    # (the rows of every child add up to the region; unplaced rows count as "onbekend").
    offence_rows = _offence_rows(own, level=child_level or r.level, **span, where=mine)
    months = (
        offence_rows.group_by("month")
        .agg(pl.col("per_offence").sum(), pl.col("heaviest").sum(), pl.col("heaviest_online").sum())
        .sort("month")
    )
    total = RegionNumbers(
        r.code or "NL",
        r.name,
        r.population,
        int(months["per_offence"].sum() or 0),
        int(months["heaviest"].sum() or 0),
        int(months["heaviest_online"].sum() or 0),
    )
    case_level = child_level if child_level in CASE_LEVELS else r.level
    case_rows = (
        _case_rows(own, level=case_level, **span, offence_class=offence_class, where=mine)
        if r.level in CASE_LEVELS
        else pl.DataFrame()
    )
    total.cases = next(iter(_cases_by(case_rows, "national").values()), {})
    if r.level in CASE_LEVELS:
        total.cases["waiting_overdue"] = selectors.overdue_screenings(
            own, offence_class=offence_class, where=mine
        )

    # Children: the map and the table.
    children: list[RegionNumbers] = []
    if child_level:
        child_cases = _cases_by(case_rows, child_level) if child_level in CASE_LEVELS else {}
        children = _numbers(_children(r), _offences_by(offence_rows, child_level), child_cases)
        for c in children:
            c.link = _link(child_level, c.code, query)
        rest = RegionNumbers(
            "",
            _("Niet geplaatst of onbekend"),
            0,
            total.per_offence - sum(c.per_offence for c in children),
            total.heaviest - sum(c.heaviest for c in children),
            total.online - sum(c.online for c in children),
            child_cases.get("onbekend", {}),
        )
        if rest.per_offence or rest.cases:
            children.append(rest)

    # Peers: the same level under the same parent; names only within the user's scope.
    peers: list[RegionNumbers] = []
    if r.parent is not None:
        parent = region(*r.parent)
        parent_scope = Scope(parent.level, parent.code, clearance)
        peer_cases = (
            _cases_by(
                _case_rows(parent_scope, level=r.level, **span, offence_class=offence_class),
                r.level,
            )
            if r.level in CASE_LEVELS
            else {}
        )
        peers = _numbers(
            _peers(r),
            _offences_by(_offence_rows(parent_scope, level=r.level, **span), r.level),
            peer_cases,
        )
        # Peers share r's ancestors: in scope when the user's scope is above them, or is them.
        above = user_scope.level == "national" or (user_scope.level, user_scope.code) in r.ancestors
        hidden = [
            p
            for p in peers
            if not above and (user_scope.level, user_scope.code) != (r.level, p.code)
        ]
        hidden.sort(key=lambda p: (p.per_1000 is None, -(p.per_1000 or 0)))
        if 0 < len(hidden) < MIN_ANONYMOUS_PEERS:
            # Too few to hide among: "the other team" would be recognisable.
            peers = [p for p in peers if p not in hidden]
            hidden = []
        label = LEVEL_LABELS[r.level]
        for i, p in enumerate(hidden):
            p.name = f"{label} {string.ascii_uppercase[i % 26]}{i // 26 or ''}"
            p.code = ""
            p.hidden = True
        for p in peers:
            p.own = p.code == r.code
            if p.code and not p.own:
                p.link = _link(r.level, p.code, query)
        peers.sort(key=lambda p: (p.per_1000 is None, -(p.per_1000 or 0)))

    figures = _figures(r, child_level, total, children, peers, months)
    crumbs = [
        (_name(level, code), _link(level, code, query))
        for i, (level, code) in enumerate(r.ancestors)
        # An ancestor is in scope when the user's scope is it or above it.
        if user_scope.level == "national"
        or (user_scope.level, user_scope.code) in r.ancestors[: i + 1]
    ]
    return Dashboard(
        region=r,
        child_level=child_level,
        total=total,
        children=children,
        peers=peers,
        trend={"months": months.to_dicts()},
        figures=figures,
        breadcrumbs=crumbs,
    )


def _figures(
    r: Region,
    child_level: str | None,
    total: RegionNumbers,
    children: list[RegionNumbers],
    peers: list[RegionNumbers],
    months: pl.DataFrame,
) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    if child_level:
        areas = maps.child_areas(r.level, r.code)
        figures["map"] = charts.choropleth(
            areas,
            {c.code: c.per_1000 for c in children},
            links={c.code: c.link for c in children},
            value_label=_("Misdrijven per 1.000 inwoners"),
            no_data_label=_("geen inwoners"),
        )
    labels = [f"{m:%Y-%m}" for m in months["month"].to_list()]
    figures["trend"] = charts.trend_chart(
        labels,
        {
            _("Per feit"): months["per_offence"].to_list(),
            _("Zwaarste feit (telregel tot juli 2018)"): months["heaviest"].to_list(),
        },
        share=[
            _share(o, h)
            for o, h in zip(
                months["heaviest_online"].to_list(), months["heaviest"].to_list(), strict=True
            )
        ],
        share_label=_("Aandeel online aangiften"),
        y_label=_("Geregistreerde misdrijven"),
    )
    if total.cases:
        figures["funnel"] = charts.funnel_chart(
            [(_(label), int(total.cases.get(stage) or 0)) for stage, label in STAGES_SHOWN]
        )
    if peers:
        figures["peers_rate"] = charts.bars(
            [p.name for p in peers],
            [p.per_1000 for p in peers],
            own=[p.own for p in peers],
            x_label=_("Misdrijven per 1.000 inwoners"),
        )
        if any(p.cases for p in peers):
            ordered = sorted(
                peers,
                key=lambda p: -(p.cases.get("screened_in_time_share") or 0),
            )
            figures["peers_screening"] = charts.bars(
                [p.name for p in ordered],
                [p.cases.get("screened_in_time_share") for p in ordered],
                own=[p.own for p in ordered],
                x_label=_("Binnen 3 werkdagen gescreend"),
                percent=True,
            )
    return figures


def table(d: Dashboard) -> pl.DataFrame:
    """The children table (for the export): one row per child region."""
    rows = []
    for c in d.children:
        k = c.cases
        rows.append(
            {
                "code": c.code,
                "naam": c.name,
                "inwoners": c.population,
                "misdrijven_per_feit": c.per_offence,
                "misdrijven_zwaarste_feit": c.heaviest,
                "per_1000_inwoners": None if c.per_1000 is None else round(c.per_1000, 2),
                "aandeel_online": c.online_share,
                "zaken": k.get("registered"),
                "gescreend": k.get("screened"),
                "binnen_3_werkdagen": k.get("screened_in_time_share"),
                "te_laat_gescreend": k.get("screened_late"),
                "zsm_te_laat": k.get("zsm_late"),
                "vroegtijdig_beeindigd": k.get("terminated_early"),
                "opgelost": k.get("solved"),
                "advies_gevolgd": k.get("advice_followed_share"),
                "kwaliteitstoetsen": k.get("reviews"),
                "toetsingsgraad": k.get("review_rate"),
            }
        )
    schema: dict[str, Any] = {
        "code": pl.String(),
        "naam": pl.String(),
        "inwoners": pl.Int64(),
        "misdrijven_per_feit": pl.Int64(),
        "misdrijven_zwaarste_feit": pl.Int64(),
        "per_1000_inwoners": pl.Float64(),
        "aandeel_online": pl.Float64(),
        "zaken": pl.Int64(),
        "gescreend": pl.Int64(),
        "binnen_3_werkdagen": pl.Float64(),
        "te_laat_gescreend": pl.Int64(),
        "zsm_te_laat": pl.Int64(),
        "vroegtijdig_beeindigd": pl.Int64(),
        "opgelost": pl.Int64(),
        "advies_gevolgd": pl.Float64(),
        "kwaliteitstoetsen": pl.Int64(),
        "toetsingsgraad": pl.Float64(),
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


# --------------------------------------------------------------------------------------------
# The trend decomposition of one region


def monthly_series(user_scope: Scope, r: Region) -> Any:
    """The region's registered crime per month over every month with data (missing months
    are 0), from the summaries, as a :class:`trend.MonthlySeries`; None without data."""
    from regie.statistics.trend import MonthlySeries

    own = Scope(r.level, r.code, user_scope.clearance)
    span = selectors.summary_period(own)
    if span is None:
        return None
    rows = _offence_rows(own, level=r.level, start=span[0], end=span[1], where=_within(user_scope))
    sums = {
        m: (a, b, c)
        for m, a, b, c in rows.group_by("month")
        .agg(pl.col("per_offence").sum(), pl.col("heaviest").sum(), pl.col("heaviest_online").sum())
        .iter_rows()
    }
    months: list[dt.date] = []
    month = span[0]
    while month <= span[1]:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    values = [sums.get(m, (0, 0, 0)) for m in months]
    # The last months are incomplete while reports still come in (the current month; late
    # reports of a closed data set): trailing months below half the median of the twelve
    # before them are left out, so they do not read as a fall in crime.
    while len(values) > 13:
        before = sorted(v[0] for v in values[-13:-1])
        if values[-1][0] >= 0.5 * before[len(before) // 2]:
            break
        values.pop()
        months.pop()
    return MonthlySeries(
        months=months,
        per_offence=[float(v[0]) for v in values],
        heaviest=[float(v[1]) for v in values],
        online=[float(v[2]) for v in values],
        total_registrations=[float(v[1]) for v in values],
    )


def trend_figure(d: Any) -> dict[str, Any]:
    """The decomposition as a chart: published, corrected, the trend with its band, and the
    two effects."""
    labels = [f"{m:%Y-%m}" for m in d.months]

    def line(name: str, values: Any, **style: Any) -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "lines",
            "x": labels,
            "y": [round(float(v), 1) for v in values],
            "name": name,
            **style,
        }

    data = [
        line(
            _("Trendband (95 %)"),
            d.trend_upper,
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        ),
        line(
            _("Trendband (95 %)"),
            d.trend_lower,
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(49,130,189,0.2)",
        ),
        line(_("Gepubliceerd (telregel van dat moment)"), d.published, line={"color": "#4a5568"}),
        line(_("Gecorrigeerd"), d.corrected, line={"color": "#2b6cb0"}),
        line(_("Onderliggende trend"), d.trend, line={"color": "#08519c", "width": 3}),
        line(
            _("Effect telregel"), d.counting_rule.effect, line={"color": "#c05621", "dash": "dot"}
        ),
        line(
            _("Effect online-trendbreuk"), d.online.effect, line={"color": "#6b46c1", "dash": "dot"}
        ),
    ]
    layout = {
        "height": 440,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
        "separators": ",.",
        "xaxis": {"type": "category", "nticks": 16, "tickangle": -45},
        "yaxis": {"title": {"text": _("Geregistreerde misdrijven per maand")}},
        "legend": {"orientation": "h", "y": 1.2},
        "hovermode": "x unified",
    }
    return {"data": data, "layout": layout}
