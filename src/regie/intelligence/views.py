"""Case linking and intelligence pictures: series proposals to review, series, problems,
the network of linked cases and the current-intelligence picture (HTML and PDF). Personal
data of suspects: within the user's scope and clearance, every view audited."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from regie.audit.models import Action, Outcome, Purpose
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.intelligence import drawing, picture, selectors, services
from regie.intelligence.linking.network import Node, bridging_objects, layout
from regie.intelligence.models import LinkProposal, LinkStatus, Problem, ProblemStatus, Series
from regie.organisation.access import has_perm, position_of, registrations_visible_to
from regie.organisation.models import Unit
from regie.organisation.roles import Perm
from regie.registration.models import Offence, Registration


def _audit(request: HttpRequest, what: str, pk: Any = "", **detail: Any) -> None:
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type=f"intelligence.{what}",
        object_id=pk,
        purpose=Purpose.WPG10,
        detail=detail,
    )


def _refuse(request: HttpRequest, what: str, pk: Any, message: str) -> PermissionDenied:
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type=f"intelligence.{what}",
        object_id=pk,
        purpose=Purpose.WPG10,
        outcome=Outcome.DENIED,
    )
    return PermissionDenied(message)


@rule(Perm.VIEW_INTELLIGENCE)
def proposals(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or LinkStatus.PROPOSED
    if status not in LinkStatus.values:
        status = LinkStatus.PROPOSED
    qs = (
        selectors.proposals_visible_to(request.user)
        .filter(status=status)
        .select_related("a__base_team", "b__base_team", "series", "decided_by")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("pagina"))
    page.object_list = list(page.object_list)
    selectors.shown_reasons(request.user, page.object_list)
    _audit(request, "proposals", status=status, page=page.number, shown=[p.pk for p in page])
    return render(
        request,
        "intelligence/proposals.html",
        {
            "page": page,
            "status": status,
            "statuses": LinkStatus.choices,
            "can_decide": has_perm(request.user, Perm.DECIDE_LINKS),
        },
    )


@rule(Perm.DECIDE_LINKS)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("intelligence:proposals")
    proposal = selectors.proposals_visible_to(request.user).filter(pk=pk).first()
    if proposal is None:
        if LinkProposal.objects.filter(pk=pk).exists():
            raise _refuse(
                request, "linkproposal", pk, _("Dit voorstel valt buiten uw bevoegdheid.")
            )
        raise Http404
    accept = request.POST.get("besluit") == "accepteren"
    if request.POST.get("besluit") not in ("accepteren", "afwijzen"):
        messages.error(request, _("Kies accepteren of afwijzen."))
    else:
        try:
            services.decide_link(
                proposal, accept=accept, reason=request.POST.get("reden", ""), actor=request.user
            )
        except services.IntelligenceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Koppeling geaccepteerd.") if accept else _("Koppeling afgewezen."),
            )
    back = request.POST.get("terug", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("intelligence:proposals")
    return redirect(back)


def _series_in_scope(request: HttpRequest, pk: int) -> tuple[Series, list[Registration]]:
    series = get_object_or_404(Series, pk=pk)
    members = list(
        registrations_visible_to(request.user, series.registrations.all())
        .select_related("base_team")
        .order_by("occurred_from")
    )
    if not members:
        raise _refuse(request, "series", pk, _("Deze serie valt buiten uw bevoegdheid."))
    return series, members


@rule(Perm.VIEW_INTELLIGENCE)
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series, members = _series_in_scope(request, pk)
    ids = [m.pk for m in members]
    links = list(
        selectors.proposals_visible_to(request.user)
        .filter(a_id__in=ids, b_id__in=ids)
        .select_related("a", "b", "decided_by")
    )
    selectors.shown_reasons(request.user, links)
    # What is shown is computed over the visible members only: nothing is said about the
    # members outside the user's scope.
    phenomena = Counter(
        Offence.objects.filter(registration_id__in=ids).values_list("category__code", flat=True)
    )
    _audit(request, "series", series.pk, registrations=[m.number for m in members])
    return render(
        request,
        "intelligence/series.html",
        {
            "series": series,
            "members": members,
            "links": links,
            "facts": {
                "phenomenon": (
                    max(sorted(phenomena), key=lambda c: phenomena[c]) if phenomena else ""
                ),
                "size": len(members),
                "first_at": members[0].occurred_from,
                "last_at": max(m.occurred_from for m in members),
                "accepted_links": sum(1 for p in links if p.status == LinkStatus.ACCEPTED),
            },
            "can_decide": has_perm(request.user, Perm.DECIDE_LINKS),
            "problems": selectors.problems_visible_to(request.user).filter(
                status=ProblemStatus.OPEN
            ),
            "can_manage": has_perm(request.user, Perm.MANAGE_PROBLEMS),
        },
    )


def network_of(user: Any, registrations: list[Registration]) -> dict[str, Any]:
    """Nodes and an SVG of the registrations, their visible core objects and the links
    between them. Large networks keep only the objects that tie registrations together
    and the suspects."""
    ids = [r.pk for r in registrations]
    nodes = {
        f"registration:{r.pk}": Node(f"registration:{r.pk}", "registration", r.number)
        for r in registrations
    }
    edges: set[tuple[str, str]] = set()
    suspects: set[str] = set()
    for inv in selectors.involvements_of(user, ids):
        for kind in ("person", "organisation", "good", "location"):
            obj = getattr(inv, kind)
            if obj is None:
                continue
            while obj.merged_into_id is not None:
                obj = obj.merged_into
            key = f"{kind}:{obj.pk}"
            label = f"{obj} ({inv.get_role_display()})" if kind == "person" else str(obj)
            nodes.setdefault(key, Node(key, kind, label))
            if inv.role in selectors.OFFENDER_ROLES:
                suspects.add(key)
            edges.add((f"registration:{inv.registration_id}", key))
    links = {
        (f"registration:{a}", f"registration:{b}")
        for a, b in selectors.proposals_visible_to(user)
        .filter(a_id__in=ids, b_id__in=ids)
        .exclude(status=LinkStatus.REJECTED)
        .values_list("a_id", "b_id")
    }
    node_list = sorted(nodes.values(), key=lambda n: n.key)
    edge_list = sorted(edges)
    bridges = set(bridging_objects(node_list, edge_list))
    if len(node_list) > 120:
        keep = {n.key for n in node_list if n.kind == "registration"} | bridges | suspects
        node_list = [n for n in node_list if n.key in keep]
        edge_list = [e for e in edge_list if e[1] in keep]
    placed, drawn = layout(node_list, [*edge_list, *sorted(links)])
    link_set = set(links)
    labelled = None if len(node_list) <= 40 else bridges
    return {
        "svg": mark_safe(  # noqa: S308 - built from escaped texts in drawing.network_svg
            drawing.network_svg(
                placed,
                [e for e in drawn if e not in link_set and (e[1], e[0]) not in link_set],
                links=sorted(links),
                labelled=labelled,
                title=_("Netwerk van gekoppelde zaken"),
            )
        ),
        "nodes": node_list,
        "bridges": [nodes[k] for k in bridging_objects(node_list, edge_list)],
        "counts": {
            drawing.KIND_LABELS[k]: sum(1 for n in node_list if n.kind == k)
            for k in drawing.KIND_COLOURS
        },
        "links": len(links),
    }


@rule(Perm.VIEW_INTELLIGENCE)
def network(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "serie":
        series, members = _series_in_scope(request, pk)
        title = series.key
        back = reverse("intelligence:series", args=[pk])
    elif kind == "probleem":
        problem = _problem_in_scope(request, pk)
        members = list(
            registrations_visible_to(request.user, problem.registrations.all()).order_by(
                "occurred_from"
            )
        )
        title = problem.title
        back = reverse("intelligence:problem", args=[pk])
    else:
        raise Http404
    members = members[:300]
    net = network_of(request.user, members)
    _audit(request, "network", f"{kind}:{pk}", nodes=len(net["nodes"]))
    return render(
        request,
        "intelligence/network.html",
        {
            "net": net,
            "title": title,
            "back": back,
            "legend": [
                (drawing.KIND_LABELS[k], c, net["counts"][drawing.KIND_LABELS[k]])
                for k, c in drawing.KIND_COLOURS.items()
            ],
            "kind_labels": drawing.KIND_LABELS,
        },
    )


def _problem_in_scope(request: HttpRequest, pk: int) -> Problem:
    problem = get_object_or_404(Problem.objects.select_related("owner_unit", "created_by"), pk=pk)
    if not selectors.problems_visible_to(request.user).filter(pk=pk).exists():
        raise _refuse(request, "problem", pk, _("Dit probleem valt buiten uw bevoegdheid."))
    return problem


@rule(Perm.VIEW_INTELLIGENCE)
def problems(request: HttpRequest) -> HttpResponse:
    rows = selectors.problems_visible_to(request.user).select_related("owner_unit")
    position = position_of(request.user)
    units = Unit.objects.order_by("code")
    if position is not None and position.scope_level != "national":
        unit_id = selectors.unit_id_of(position)
        units = units.filter(pk=unit_id) if unit_id is not None else units.none()
    return render(
        request,
        "intelligence/problems.html",
        {
            "problems": rows,
            "units": units,
            "can_manage": has_perm(request.user, Perm.MANAGE_PROBLEMS),
        },
    )


@rule(Perm.MANAGE_PROBLEMS)
def problem_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("intelligence:problems")
    position = position_of(request.user)
    unit = Unit.objects.filter(code=request.POST.get("eenheid", "")).first()
    if unit is None:
        messages.error(request, _("Kies een eenheid."))
        return redirect("intelligence:problems")
    national = position is None or position.scope_level == "national"
    if not national and selectors.unit_id_of(position) != unit.pk:
        raise _refuse(
            request, "problem", "", _("U kunt alleen problemen van uw eigen eenheid aanmaken.")
        )
    try:
        problem = services.problem_create(
            title=request.POST.get("titel", ""),
            description=request.POST.get("omschrijving", ""),
            owner_unit=unit,
            actor=request.user,
        )
    except services.IntelligenceError as exc:
        messages.error(request, str(exc))
        return redirect("intelligence:problems")
    return redirect("intelligence:problem", pk=problem.pk)


@rule(Perm.VIEW_INTELLIGENCE)
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem_in_scope(request, pk)
    members = list(
        registrations_visible_to(request.user, problem.registrations.all())
        .select_related("base_team", "neighbourhood")
        .prefetch_related("offences__category")
        .order_by("occurred_from")
    )
    # Timeline per week and the map, the same drawings as the picture.
    weeks: Counter[str] = Counter()
    for m in members:
        iso = m.occurred_from.isocalendar()
        weeks[f"{iso.year}-W{iso.week:02d}"] += 1
    timeline = drawing.bars_svg(sorted(weeks.items()), title=_("Registraties per week"))
    teams = sorted({m.base_team_id for m in members if m.base_team_id})
    from regie.organisation.models import BaseTeam

    outlines = picture._outlines("district", None, list(BaseTeam.objects.filter(pk__in=teams)))
    points = [(m.x, m.y, 1, m.number) for m in members if m.x is not None and m.y is not None]
    map_svg = drawing.map_svg(
        outlines, points, title=_("Kaart van de registraties van het probleem")
    )
    _audit(request, "problem", problem.pk, registrations=[m.number for m in members])
    return render(
        request,
        "intelligence/problem.html",
        {
            "problem": problem,
            "members": members,
            "timeline_svg": mark_safe(timeline),  # noqa: S308 - escaped in drawing
            "map_svg": mark_safe(map_svg),  # noqa: S308 - escaped in drawing
            "teams": BaseTeam.objects.filter(pk__in=teams).order_by("code"),
            "can_manage": has_perm(request.user, Perm.MANAGE_PROBLEMS),
        },
    )


@rule(Perm.MANAGE_PROBLEMS)
def problem_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("intelligence:problem", pk=pk)
    problem = _problem_in_scope(request, pk)
    numbers = [n for n in request.POST.get("registraties", "").replace(",", " ").split() if n]
    series_key = request.POST.get("serie", "").strip()
    wanted = Registration.objects.filter(number__in=numbers)
    if series_key:
        wanted = wanted | Registration.objects.filter(series__key=series_key)
    found = list(registrations_visible_to(request.user, wanted.distinct()))
    missing = sorted(set(numbers) - {r.number for r in found})
    if missing:
        # Unknown and out-of-scope numbers get the same answer: nothing is revealed.
        messages.error(
            request,
            _("Niet gevonden of buiten uw bevoegdheid: %(numbers)s; er is niets toegevoegd.")
            % {"numbers": ", ".join(missing)},
        )
        return redirect("intelligence:problem", pk=pk)
    try:
        n = services.problem_add(
            problem, found, reason=request.POST.get("reden", ""), actor=request.user
        )
    except services.IntelligenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)d registratie(s) toegevoegd.") % {"n": n})
    return redirect("intelligence:problem", pk=pk)


@rule(Perm.MANAGE_PROBLEMS)
def problem_status(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("intelligence:problem", pk=pk)
    problem = _problem_in_scope(request, pk)
    try:
        services.problem_set_status(problem, request.POST.get("status", ""), actor=request.user)
    except services.IntelligenceError as exc:
        messages.error(request, str(exc))
    return redirect("intelligence:problem", pk=pk)


def _picture(request: HttpRequest) -> dict[str, Any]:
    try:
        req = picture.parse_request(request.user, request.GET)
        content = picture.build(request.user, req)
    except picture.PictureError as exc:
        raise BadRequest(str(exc)) from exc
    except PermissionError as exc:
        raise _refuse(request, "picture", request.GET.get("code", ""), str(exc)) from exc
    content["map_svg"] = mark_safe(content["map_svg"])  # noqa: S308 - escaped in drawing
    content["trend_svg"] = mark_safe(content["trend_svg"])  # noqa: S308 - escaped in drawing
    return content


def _picture_detail(content: dict[str, Any]) -> dict[str, Any]:
    req = content["req"]
    return {
        "level": req.level,
        "code": req.code,
        "phenomenon": req.phenomenon,
        "period": [req.start.isoformat(), req.end.isoformat()],
        "registrations": content["total"],
    }


@rule(Perm.VIEW_INTELLIGENCE)
def picture_page(request: HttpRequest) -> HttpResponse:
    try:
        content = _picture(request)
    except BadRequest as exc:
        # The form again with the specific problem; nothing was shown.
        return render(
            request,
            "intelligence/picture.html",
            {
                "error": str(exc),
                "req": picture.default_request(request.user),
                "levels": picture.LEVEL_LABELS,
            },
            status=400,
        )
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="intelligence.picture",
        object_id=content["req"].code or "NL",
        purpose=Purpose.WPG10,
        detail=_picture_detail(content),
    )
    content["query"] = request.GET.urlencode()
    content["levels"] = picture.LEVEL_LABELS
    return render(request, "intelligence/picture.html", content)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The PDF is self-contained (inline CSS and SVG): nothing is fetched, offline."""
    raise ValueError(f"not fetched: {url[:60]}")


@rule(Perm.VIEW_INTELLIGENCE)
def picture_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML

    content = _picture(request)
    html = render_to_string("intelligence/picture_document.html", content, request=request)
    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="intelligence.picture",
        object_id=content["req"].code or "NL",
        purpose=Purpose.WPG10,
        detail={**_picture_detail(content), "format": "pdf"},
    )
    req = content["req"]
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"informatiebeeld-{req.code or 'NL'}-{req.start:%Y%m%d}-{req.end:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
