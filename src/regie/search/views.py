from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import deny, rule
from regie.organisation.access import (
    can_see_confidentiality,
    clearance_of,
    registrations_visible_to,
)
from regie.organisation.roles import Perm
from regie.search import selectors
from regie.search.forms import SearchForm
from regie.search.providers import CORE_KINDS, CoreProvider, provider, providers

OBJECT_PAGE_KINDS = ("organisation", "good", "location")


@rule(Perm.SEARCH)
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {"form": form, "result": None}
    if not request.GET:
        return render(request, "search/search.html", context)
    if not form.is_valid():
        return render(request, "search/search.html", context, status=400)
    data = form.cleaned_data
    text = data.get("q") or ""
    if not text.strip():
        return render(request, "search/search.html", context)
    area = form.area
    result = selectors.search(
        request.user,
        text,
        kinds=data.get("soort") or None,
        date_from=data.get("van"),
        date_to=data.get("tot"),
        area=area,
        page=data.get("pagina") or 1,
    )
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="search.query",
        object_id="zoeken",
        detail={
            "q": result.parsed.text,
            "filters": {
                "kinds": data.get("soort") or [],
                "from": data.get("van"),
                "to": data.get("tot"),
                "area": area.value if area else "",
                "page": result.page,
            },
            "count": result.count,
            "capped": result.capped,
            "shown": [f"{h.kind}:{h.object_id}" for h in result.hits],
        },
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    context.update(result=result, querystring=query.urlencode(), q=result.parsed.text)
    return render(request, "search/search.html", context)


@rule(Perm.SEARCH)
def open_result(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Opening a result: checked against the index's access filter and audited, then the
    object's own page (which audits its view again, as every page does)."""
    if kind not in {p.kind for p in providers()}:
        raise Http404
    if not selectors.can_open(request.user, kind, pk):
        deny(request, Perm.SEARCH, f"search.{kind}")
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="search.open",
        object_id=f"{kind}:{pk}",
        detail={"q": request.GET.get("q", "")[:200]},
    )
    return HttpResponseRedirect(provider(kind).url(pk))


@rule(Perm.VIEW_REGISTRATION)
def object_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """An organisation, good or location with the registrations it appears in that the user
    may see (persons have their own page in the registration app)."""
    if kind not in OBJECT_PAGE_KINDS:
        raise Http404
    core = provider(kind)
    assert isinstance(core, CoreProvider)
    obj = core.model().objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    family = [o.pk for o in core.families([pk]).get(pk, [obj])]
    from regie.registration.models import Registration

    registrations = list(
        registrations_visible_to(
            request.user,
            Registration.objects.filter(**{f"involvements__{core.column}__in": family}),
        )
        .distinct()
        .order_by("-reported_at")[:200]
    )
    if not registrations or not can_see_confidentiality(request.user, obj.confidentiality):
        deny(request, Perm.VIEW_REGISTRATION, f"registration.{kind}")
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type=f"registration.{kind}",
        object_id=pk,
        detail={"registrations": [r.pk for r in registrations]},
    )
    fields = [
        (f.verbose_name, getattr(obj, f"get_{f.name}_display", lambda f=f: getattr(obj, f.name))())
        for f in obj._meta.concrete_fields
        if f.name in _SHOWN[kind] and getattr(obj, f.name) not in (None, "")
    ]
    survivor = obj.merged_into_id
    return render(
        request,
        "search/object.html",
        {
            "obj": obj,
            "kind": kind,
            "kind_label": core.label,
            "fields": fields,
            "registrations": registrations,
            "merged": [
                o
                for o in core.families([pk]).get(pk, [])[1:]
                if can_see_confidentiality(request.user, o.confidentiality)
            ],
            "survivor": survivor,
            "clearance": int(clearance_of(request.user)),
        },
    )


_SHOWN = {
    "organisation": ("name", "kvk_number"),
    "good": (
        "kind",
        "brand",
        "description",
        "frame_number",
        "plate",
        "imei",
        "serial_number",
    ),
    "location": ("street", "house_number", "house_number_suffix", "postcode", "city"),
}
assert set(_SHOWN) == set(OBJECT_PAGE_KINDS) and set(OBJECT_PAGE_KINDS) < set(CORE_KINDS)
