from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import deny, rule
from regie.organisation import selectors
from regie.organisation.access import can_view_staff_member, has_perm, position_of
from regie.organisation.forms import LocateForm, StaffSearchForm
from regie.organisation.models import BaseTeam, District, Municipality, Position, Unit
from regie.organisation.roles import Perm


@rule(Perm.VIEW_ORGANISATION)
def units(request: HttpRequest) -> HttpResponse:
    return render(request, "organisation/units.html", {"units": selectors.units_overview()})


@rule(Perm.VIEW_ORGANISATION)
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    teams = BaseTeam.objects.filter(district__unit=unit)
    area = selectors.teams_map(teams, colour_by_district=True) if teams.exists() else None
    return render(
        request,
        "organisation/unit.html",
        {"unit": unit, "districts": selectors.districts_of(unit), "map": area},
    )


@rule(Perm.VIEW_ORGANISATION)
def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    district = get_object_or_404(District.objects.select_related("unit"), code=code)
    area = selectors.teams_map(district.base_teams.all(), colour_by_district=False)
    return render(
        request,
        "organisation/district.html",
        {"district": district, "base_teams": selectors.base_teams_of(district), "map": area},
    )


@rule(Perm.VIEW_ORGANISATION)
def base_team_detail(request: HttpRequest, code: str) -> HttpResponse:
    team = get_object_or_404(BaseTeam.objects.select_related("district__unit"), code=code)
    staff = None
    if has_perm(request.user, Perm.VIEW_STAFF) and selectors.can_open_team_staff(
        request.user, team
    ):
        staff = list(selectors.staff_of_team(request.user, team))
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="organisation.position",
            object_id=f"team:{team.code}",
            detail={"ids": [p.pk for p in staff], "page": "base_team_detail"},
        )
    return render(
        request,
        "organisation/base_team.html",
        {
            "team": team,
            "parts": selectors.municipalities_of_team(team),
            "map": selectors.team_map(team),
            "staff": staff,
            "is_own_team": getattr(position_of(request.user), "base_team_id", None) == team.pk,
        },
    )


@rule(Perm.VIEW_ORGANISATION)
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    mun = get_object_or_404(Municipality.objects.select_related("unit", "base_team"), code=code)
    wijken = mun.neighbourhoods.select_related("base_team").order_by("code")
    return render(request, "organisation/municipality.html", {"mun": mun, "wijken": wijken})


@rule(Perm.VIEW_ORGANISATION)
def my_team(request: HttpRequest) -> HttpResponse:
    position = position_of(request.user)
    assert position is not None
    if position.base_team is not None:
        return redirect("organisation:base_team", code=position.base_team.code)
    if position.district is not None:
        return redirect("organisation:district", code=position.district.code)
    if position.unit is not None:
        return redirect("organisation:unit", code=position.unit.code)
    return redirect("organisation:units")


@rule(Perm.LOCATE)
def locate(request: HttpRequest) -> HttpResponse:
    form = LocateForm(request.GET or None)
    placement = None
    searched = False
    if request.GET and form.is_valid():
        searched = True
        placement = selectors.locate(
            form.cleaned_data["x"], form.cleaned_data["y"], form.cleaned_data["crs"]
        )
    status = 400 if request.GET and not form.is_valid() else 200
    return render(
        request,
        "organisation/locate.html",
        {"form": form, "placement": placement, "searched": searched},
        status=status,
    )


@rule(Perm.VIEW_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request, "organisation/staff_list.html", {"form": form, "page": None}, status=400
        )
    data = form.cleaned_data if request.GET else {}
    qs = selectors.staff_search(
        request.user, q=data.get("q", ""), role=data.get("role", ""), team_code=data.get("team", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="organisation.position",
        object_id="list",
        detail={
            "ids": [p.pk for p in page.object_list],
            "query": {k: v for k, v in data.items() if v},
        },
    )
    return render(request, "organisation/staff_list.html", {"form": form, "page": page})


@rule(Perm.VIEW_STAFF)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(
        Position.objects.select_related(
            "user", "base_team__district__unit", "district", "unit", "municipality"
        ),
        pk=pk,
    )
    if not can_view_staff_member(request.user, staff):
        deny(request, Perm.VIEW_STAFF, "organisation.position")
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="organisation.position",
        object_id=staff.pk,
    )
    return render(request, "organisation/staff_detail.html", {"staff": staff})
