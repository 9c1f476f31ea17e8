from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import deny, rule
from regie.organisation.access import can_see_confidentiality, clearance_of, has_perm
from regie.organisation.roles import Perm
from regie.registration import selectors
from regie.registration.forms import RegistrationSearchForm
from regie.registration.models import Person, Registration
from regie.registration.services import canonical


@rule(Perm.VIEW_REGISTRATION)
def registration_list(request: HttpRequest) -> HttpResponse:
    form = RegistrationSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "registration/list.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data if request.GET else {}
    qs = selectors.registration_search(
        request.user, q=data.get("q", ""), kind=data.get("kind", ""), team_code=data.get("team", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="registration.registration",
        object_id="list",
        detail={"ids": [r.pk for r in page.object_list]},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registration/list.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "can_create": has_perm(request.user, Perm.CREATE_REGISTRATION),
        },
    )


@rule(Perm.VIEW_REGISTRATION)
def registration_detail(request: HttpRequest, number: str) -> HttpResponse:
    registration = selectors.registration_detail(request.user, number)
    if registration is None:
        if Registration.objects.filter(number=number).exists():
            deny(request, Perm.VIEW_REGISTRATION, "registration.registration")
        raise Http404
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="registration.registration",
        object_id=registration.pk,
    )
    clearance = int(clearance_of(request.user))
    involvements = [
        (inv, _confidentiality(inv) > clearance) for inv in registration.involvements.all()
    ]
    return render(
        request, "registration/detail.html", {"r": registration, "involvements": involvements}
    )


def _confidentiality(inv: Any) -> int:
    obj = inv.person or inv.organisation or inv.good or inv.location
    return int(obj.confidentiality) if obj is not None else 0


@rule(Perm.VIEW_REGISTRATION)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    registrations = list(selectors.person_registrations(request.user, person))
    if not registrations or not can_see_confidentiality(request.user, person.confidentiality):
        deny(request, Perm.VIEW_REGISTRATION, "registration.person")
    survivor = canonical(person)
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="registration.person",
        object_id=person.pk,
        detail={"registrations": [r.pk for r in registrations]},
    )
    return render(
        request,
        "registration/person.html",
        {
            "person": person,
            "survivor": survivor,
            "registrations": registrations,
            "merged": Person.objects.filter(merged_into=person),
        },
    )
