"""Crime anticipation pages: this period's map and capacity advice of a base team, the
model card, exports, and the off switch. Aggregates per 125 m cell and neighbourhood: no
personal data, but police information: within the user's scope, and every view audited."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from regie.anticipation import maps, selectors, services
from regie.anticipation.models import PredictionRun, Status
from regie.audit.models import Action, Outcome, Purpose
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.organisation import geodata
from regie.organisation.access import base_team_in_scope, has_perm
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Perm
from regie.organisation.selectors import polygon_rings


def _team(request: HttpRequest, code: str | None) -> BaseTeam | None:
    """The requested team within scope (a refused one is audited and a 403), or the user's
    first team."""
    teams = selectors.teams_in_scope(request.user)
    if not code:
        return teams.first()
    team = BaseTeam.objects.select_related("district").filter(code=code).first()
    if team is None:
        raise Http404(_("Onbekend basisteam."))
    if not base_team_in_scope(request.user, team):
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="anticipation.team",
            object_id=code,
            purpose=Purpose.WPG10,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied(_("Dit basisteam valt buiten uw bevoegdheid."))
    return team


def _run_in_scope(request: HttpRequest, pk: int) -> PredictionRun:
    run = get_object_or_404(PredictionRun.objects.select_related("base_team__district"), pk=pk)
    if not base_team_in_scope(request.user, run.base_team):
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="anticipation.predictionrun",
            object_id=pk,
            purpose=Purpose.WPG10,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied(_("Deze voorspelling valt buiten uw bevoegdheid."))
    manage = has_perm(request.user, Perm.MANAGE_ANTICIPATION)
    if run.status != Status.PUBLISHED and not manage:
        raise PermissionDenied(_("Deze voorspelling is niet gepubliceerd."))
    return run


@rule(Perm.VIEW_ANTICIPATION)
def team_page(request: HttpRequest) -> HttpResponse:
    team = _team(request, request.GET.get("team"))
    manage = has_perm(request.user, Perm.MANAGE_ANTICIPATION)
    context: dict[str, Any] = {
        "teams": selectors.teams_in_scope(request.user),
        "team": team,
        "manage": manage,
    }
    if team is not None:
        kinds = selectors.crime_types_of(team)
        kind = request.GET.get("soort")
        if kind is None or kind not in kinds:
            kind = "" if "" in kinds or not kinds else kinds[0]
        run = selectors.latest_run(team, kind)
        switch = services.switch_of(team)
        context.update(run=run, switch=switch, kinds=kinds, kind=kind)
        # The map: published runs for everyone; a refused run only for the analysts who
        # review it, marked as not published.
        if run is not None and run.cells and (run.status == Status.PUBLISHED or manage):
            area = services.team_area(team)
            outlines = {code: polygon_rings(shape) for code, shape in area.shapes.items()}
            context["figure"] = maps.prediction_map(
                run.cells,
                run.cell_size,
                outlines,
                area.names,
                expected_label=_("verwacht aantal delicten"),
                high_risk_label=_("hoog risico (top 3%)"),
            )
            context["high_risk"] = sum(1 for c in run.cells if c.get("high_risk"))
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="anticipation.team",
            object_id=team.code,
            purpose=Purpose.WPG10,
            detail={"run": run.pk if run else None},
        )
    return render(request, "anticipation/team.html", context)


@rule(Perm.VIEW_ANTICIPATION)
def model_card(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_in_scope(request, pk)
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="anticipation.predictionrun",
        object_id=run.pk,
        purpose=Purpose.WPG10,
        detail={"what": "model card"},
    )
    return render(request, "anticipation/model_card.html", {"run": run})


@rule(Perm.VIEW_ANTICIPATION)
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    run = _run_in_scope(request, pk)
    name = f"cas-{run.base_team.code}-{run.start:%Y%m%d}"
    if fmt == "csv":
        buffer = io.StringIO()
        first = run.advice[0] if run.advice else {}
        columns = ["gebied", "naam", *[k for k in first if k not in ("gebied", "naam")]]
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(run.advice)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "geojson":
        to_lonlat = geodata.transformer(geodata.RD, geodata.WGS84).transform
        collection = maps.cells_geojson(run.cells, run.cell_size, to_lonlat)
        response = HttpResponse(json.dumps(collection), content_type="application/geo+json")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="anticipation.predictionrun",
        object_id=run.pk,
        purpose=Purpose.WPG10,
        detail={"format": fmt},
    )
    return response


@rule(Perm.MANAGE_ANTICIPATION)
def switch(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("anticipation:team")
    team = _team(request, request.POST.get("team"))
    if team is None:
        raise Http404
    enabled = request.POST.get("enabled") == "1"
    try:
        services.set_switch(
            team, enabled=enabled, reason=request.POST.get("reason", ""), actor=request.user
        )
    except services.AnticipationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Anticipatie ingeschakeld.") if enabled else _("Anticipatie uitgeschakeld."),
        )
    return redirect(f"{reverse('anticipation:team')}?team={team.code}")
