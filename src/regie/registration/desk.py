"""The desk officer's intake: the aangifte form with live match suggestions (htmx)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.organisation.roles import Perm
from regie.registration.desk_forms import (
    GoodFormSet,
    OffenceFormSet,
    PersonFormSet,
    RegistrationForm,
    attach_errors,
    build_input,
)
from regie.registration.inputs import PersonIn
from regie.registration.services import (
    IdempotencyConflict,
    RegistrationInvalid,
    person_suggestions,
    registration_create,
)

OFFERED_KEY = "regie_offered_persons"


@rule(Perm.CREATE_REGISTRATION)
def desk_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    main = RegistrationForm(data)
    groups: dict[str, Any] = {
        "offences": OffenceFormSet(data, prefix="offence"),
        "persons": PersonFormSet(data, prefix="person"),
        "goods": GoodFormSet(data, prefix="good"),
    }
    if request.method == "POST" and main.is_valid() and all(g.is_valid() for g in groups.values()):
        reg_in, where = build_input(main, groups["offences"], groups["persons"], groups["goods"])
        token = request.POST.get("form_token") or ""
        key = (
            f"desk:{request.user.pk}:{hashlib.sha256(token.encode()).hexdigest()[:40]}"
            if token
            else None
        )
        try:
            registration, _created = registration_create(
                reg_in,
                actor=request.user,
                source="desk",
                idempotency_key=key,
                offered=request.session.get(OFFERED_KEY, []),
            )
        except RegistrationInvalid as exc:
            attach_errors(exc.errors, where, main, groups)
        except IdempotencyConflict:
            main.add_error(
                None,
                _("Dit formulier is al verstuurd met andere gegevens; laad het formulier opnieuw."),
            )
        else:
            messages.success(
                request,
                _("Registratie %(number)s is vastgelegd.") % {"number": registration.number},
            )
            return redirect("registration:detail", number=registration.number)
    token = (request.POST.get("form_token") or "")[:64] or f"desk-{secrets.token_urlsafe(16)}"
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/desk_form.html",
        {"form": main, "token": token, **groups},
        status=status,
    )


@rule(Perm.CREATE_REGISTRATION)
def person_suggest(request: HttpRequest) -> HttpResponse:
    """htmx fragment: existing persons that match what is typed in one person block."""
    prefix = request.GET.get("prefix", "")
    if not prefix.startswith("person-") or not prefix[7:].isdigit():
        return HttpResponse(status=400)
    g = request.GET

    def field(name: str) -> str:
        return (g.get(f"{prefix}-{name}") or "").strip()[:100]

    dob = None
    try:
        if field("date_of_birth"):
            dob = dt.date.fromisoformat(field("date_of_birth"))
    except ValueError:
        dob = None
    query = PersonIn(
        first_names=field("first_names"),
        particle=field("particle"),
        surname=field("surname"),
        date_of_birth=dob,
        bsn=field("bsn") or None,
    )
    suggestions = []
    if len(query.surname) >= 2 or query.bsn:
        suggestions = person_suggestions(query)
    if suggestions:
        # Remember what was offered: the officer may link these even outside their scope.
        offered = request.session.get(OFFERED_KEY, [])
        offered = [*[p.pk for p, _, _ in suggestions if p.pk not in offered], *offered][:500]
        request.session[OFFERED_KEY] = offered
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="registration.person",
            object_id="suggestions",
            detail={"ids": [p.pk for p, _, _ in suggestions]},
        )
    return render(
        request,
        "registration/_person_suggestions.html",
        {
            "prefix": prefix,
            "suggestions": suggestions,
            "selected": g.get(f"{prefix}-existing_id") or "",
        },
    )
