"""The current-intelligence picture (actueel informatiebeeld): one uniform content for every
level (base team, district, unit, national), phenomenon (offence category or problem) and
period, read within the user's need-to-know. The HTML page and the PDF render the same
template (``intelligence/_picture.html``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.intelligence import drawing, selectors
from regie.intelligence.models import Problem
from regie.organisation import geodata
from regie.organisation.access import base_team_filter, position_of, registrations_visible_to
from regie.organisation.models import BaseTeam, District, Municipality, Neighbourhood, Unit
from regie.organisation.roles import ScopeLevel
from regie.organisation.selectors import polygon_rings
from regie.registration.models import Registration

TZ = ZoneInfo("Europe/Amsterdam")
LEVELS = ("base_team", "district", "unit", "national")
LEVEL_LABELS = {
    "base_team": "Basisteam",
    "district": "District",
    "unit": "Eenheid",
    "national": "Landelijk",
}
#: Case states that are still open for investigation.
OPEN_STATES = ("registered", "taken_up", "under_investigation")
LEAD_FIELDS = (
    "known_suspect",
    "camera_footage",
    "forensic_traces",
    "witness",
    "traceable_good",
    "linked_case",
)
MAX_POINTS = 4000


class PictureError(ValueError):
    """A request for a picture that cannot be made (unknown area, bad period)."""


@dataclass(frozen=True)
class PictureRequest:
    level: str
    code: str  # "" nationally
    phenomenon: str  # "" all, a category code prefix ("1.1.1"), or "probleem:<id>"
    start: dt.date
    end: dt.date  # inclusive


def default_request(user: Any) -> PictureRequest:
    """The user's own area, all phenomena, the 90 days up to the latest visible
    registration."""
    position = position_of(user)
    level, code = "national", ""
    if position is not None:
        scope = ScopeLevel(position.scope_level)
        if scope is ScopeLevel.BASE_TEAM and position.base_team is not None:
            level, code = "base_team", position.base_team.code
        elif scope is ScopeLevel.DISTRICT and position.district is not None:
            level, code = "district", position.district.code
        elif scope is ScopeLevel.UNIT and position.unit is not None:
            level, code = "unit", position.unit.code
    latest = registrations_visible_to(user, Registration.objects.all()).aggregate(
        last=Max("occurred_from")
    )["last"]
    end = timezone.localtime(latest, TZ).date() if latest else timezone.localdate()
    return PictureRequest(level, code, "", end - dt.timedelta(days=89), end)


def parse_request(user: Any, params: Any) -> PictureRequest:
    base = default_request(user)
    level = params.get("niveau") or base.level
    if level not in LEVELS:
        raise PictureError(_("Onbekend niveau: kies basisteam, district, eenheid of landelijk."))
    code = (params.get("code") or (base.code if level == base.level else "")).strip()
    try:
        start = dt.date.fromisoformat(params["van"]) if params.get("van") else base.start
        end = dt.date.fromisoformat(params["tot"]) if params.get("tot") else base.end
    except ValueError as exc:
        raise PictureError(_("Ongeldige datum (gebruik JJJJ-MM-DD).")) from exc
    if end < start:
        raise PictureError(_("De einddatum ligt voor de begindatum."))
    if (end - start).days > 366:
        raise PictureError(_("Kies een periode van hoogstens een jaar."))
    return PictureRequest(level, code, (params.get("fenomeen") or "").strip(), start, end)


def area_teams(level: str, code: str) -> tuple[Any, list[BaseTeam]]:
    """The area object and its base teams."""
    area, teams = area_team_query(level, code)
    return area, list(teams)


def area_team_query(level: str, code: str) -> tuple[Any, QuerySet[BaseTeam]]:
    """The area object and a query of its base teams (usable as a subquery)."""
    if level == "national":
        return None, BaseTeam.objects.all()
    model: Any = {"base_team": BaseTeam, "district": District, "unit": Unit}[level]
    area = model.objects.filter(code=code).first()
    if area is None:
        raise PictureError(_("Onbekend gebied: %(code)s") % {"code": code})
    q = {"base_team": Q(pk=area.pk), "district": Q(district=area), "unit": Q(district__unit=area)}
    return area, BaseTeam.objects.filter(q[level])


def area_in_scope(user: Any, teams: list[BaseTeam], level: str) -> bool:
    """The whole area must lie within the user's scope (a district analyst does not get the
    picture of the unit)."""
    team_q = base_team_filter(user)
    if team_q is None:
        return True
    if level == "national":
        return False
    allowed = set(BaseTeam.objects.filter(team_q).values_list("pk", flat=True))
    return bool(teams) and all(t.pk in allowed for t in teams)


def _phenomenon_filter(user: Any, phenomenon: str) -> tuple[Q, Problem | None]:
    if not phenomenon:
        return Q(), None
    if phenomenon.startswith("probleem:"):
        # Only problems the user may see: an invisible problem is answered as an unknown one.
        try:
            problem = selectors.problems_visible_to(user).get(pk=int(phenomenon.split(":", 1)[1]))
        except (ValueError, Problem.DoesNotExist) as exc:
            raise PictureError(_("Onbekend probleem.")) from exc
        return Q(problems=problem), problem
    return Q(offences__category__code__startswith=phenomenon), None


def _outlines(level: str, area: Any, teams: list[BaseTeam]) -> list[tuple[Any, Any]]:
    geoms: Any
    if level in ("base_team", "district"):
        geoms = Neighbourhood.objects.filter(base_team__in=teams).values_list("geometry", flat=True)
        tolerance = 20.0
    elif level == "unit":
        geoms = Municipality.objects.filter(unit=area).values_list("geometry", flat=True)
        tolerance = 80.0
    else:
        geoms = Unit.objects.filter(geometry__isnull=False).values_list("geometry", flat=True)
        tolerance = 400.0
    rings = []
    for g in geoms:
        if not g:
            continue
        shape = geodata.to_rd(geodata.geometry_from_geojson(g)).simplify(tolerance)
        rings.extend(polygon_rings(shape))
    return rings


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def build(user: Any, req: PictureRequest) -> dict[str, Any]:
    """The picture's content for the template; raises PictureError or PermissionError."""
    area, team_query = area_team_query(req.level, req.code)
    teams = list(team_query)
    if not area_in_scope(user, teams, req.level):
        raise PermissionError(_("Dit gebied valt buiten uw bevoegdheid."))
    phen_q, problem = _phenomenon_filter(user, req.phenomenon)
    start_at = dt.datetime(req.start.year, req.start.month, req.start.day, tzinfo=TZ)
    end_at = dt.datetime(req.end.year, req.end.month, req.end.day, tzinfo=TZ) + dt.timedelta(days=1)
    length = end_at - start_at
    visible = registrations_visible_to(user, Registration.objects.all())
    in_area = visible.filter(base_team__in=team_query.values("pk")).filter(phen_q)
    current = in_area.filter(occurred_from__gte=start_at, occurred_from__lt=end_at).distinct()
    # Everything below works on this subquery: no id list goes into SQL parameters, so a
    # national picture of a year does not run into the database's parameter limits.
    current_pks = current.values("pk")
    regs = Registration.objects.filter(pk__in=current_pks)
    total = regs.count()
    previous_n = (
        in_area.filter(occurred_from__gte=start_at - length, occurred_from__lt=start_at)
        .distinct()
        .count()
    )
    rows = list(
        regs.filter(x__isnull=False, y__isnull=False)
        .order_by("occurred_from")
        .values_list("pk", "number", "x", "y")[:MAX_POINTS]
    )
    # Trend: per week for periods up to four months, per month for longer ones; counted
    # by the database.
    weekly = (req.end - req.start).days <= 120
    trunc = TruncWeek if weekly else TruncMonth
    buckets: dict[dt.date, int] = {}
    for bucket, n in (
        regs.annotate(bucket=trunc("occurred_from", tzinfo=TZ))
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    ):
        day = bucket.date() if isinstance(bucket, dt.datetime) else bucket
        buckets[day] = buckets.get(day, 0) + n
    if weekly:
        first = req.start - dt.timedelta(days=req.start.weekday())
        keys = [first + dt.timedelta(weeks=k) for k in range((req.end - first).days // 7 + 1)]
        trend = [(f"wk {k.isocalendar().week}", buckets.get(k, 0)) for k in keys]
    else:
        trend = [(f"{m:%m-%Y}", buckets.get(m, 0)) for m in _months(req.start, req.end)]
    change = (total - previous_n) / previous_n if previous_n else None
    # Series among these registrations.
    series = list(
        selectors.series_visible_to(user)
        .filter(registrations__in=current_pks)
        .distinct()
        .order_by("-size", "key")[:15]
    )
    group_of: dict[int, int] = {}
    for n, s in enumerate(series, start=1):
        for reg_id in s.registrations.filter(pk__in=current_pks).values_list("pk", flat=True):
            group_of.setdefault(reg_id, n)
    points = [
        (r[2], r[3], group_of.get(r[0], 0), r[1])
        for r in rows
        if r[2] is not None and r[3] is not None
    ]
    area_name = area.name if area is not None else _("Nederland")
    map_svg = drawing.map_svg(
        _outlines(req.level, area, teams),
        points,
        title=_("Kaart van de delicten in %(area)s; series in kleur") % {"area": area_name},
    )
    trend_svg = drawing.bars_svg(
        trend,
        title=_("Aantal registraties per week") if weekly else _("Aantal registraties per maand"),
    )
    # Top entities and places.
    top = selectors.top_entities(user, regs.order_by("-occurred_from").values("pk")[:20000])
    places = list(
        regs.exclude(neighbourhood__name__isnull=True)
        .exclude(neighbourhood__name="")
        .values("neighbourhood__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "neighbourhood__name")
        .values_list("neighbourhood__name", "n")[:5]
    )
    # Open leads.
    from regie.selection.models import Case

    lead_q = Q()
    for f in LEAD_FIELDS:
        lead_q |= Q(**{f: True})
    open_cases = (
        Case.objects.filter(registration_id__in=current_pks, state__in=OPEN_STATES)
        .filter(lead_q)
        .filter(assignee__isnull=True)
        .select_related("registration", "category")
        .order_by("-advice_score", "reported_at")
    )
    return {
        "req": req,
        "level_label": LEVEL_LABELS[req.level],
        "area_name": area_name,
        "area_code": req.code,
        "problem": problem,
        "phenomenon_label": (
            problem.title if problem is not None else (req.phenomenon or _("alle delicten"))
        ),
        "generated_at": timezone.localtime(timezone.now(), TZ),
        "total": total,
        "previous_total": previous_n,
        "change": change,
        "trend": trend,
        "trend_svg": trend_svg,
        "map_svg": map_svg,
        "series": series,
        "series_colours": drawing.SERIES_COLOURS,
        "top": top,
        "places": places,
        "open_cases": list(open_cases[:15]),
        "open_cases_total": open_cases.count(),
        "undecided": selectors.undecided_count(user, current_pks),
    }
