"""Citizen online report ("aangifte doen"), MISSION system 1: online after a DigiD login.

Flow: the start page (:func:`start`) explains what can be reported online and lets the
citizen pick one of four crime types; the report form (:func:`report_view`) needs a DigiD
identity of at least level "midden" and otherwise sends the citizen through the DigiD step
(:func:`login` → provider → :func:`digid_return`, see :mod:`regie.registration.digid`); a
valid form becomes a registration (``kind="aangifte"``, ``channel="internet"``,
``source="online"``) and the citizen lands on the receipt (:func:`receipt`), the only
registration data a citizen ever sees.

Privacy: every page sends ``Cache-Control: no-store``; the BSN is never logged or put in an
audit detail; the session holds the identity for 15 minutes after the last activity. A
double submit cannot create two registrations: each rendered form carries a one-time token,
issued to this session, that becomes the registration's idempotency key.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from regie.audit.models import Action, Outcome, Purpose
from regie.audit.services import audit_log
from regie.core.access import PUBLIC, rule
from regie.registration.digid import (
    ASSURANCE_LEVELS,
    MINIMUM_ASSURANCE,
    DevelopmentDigiD,
    DevelopmentDigiDForm,
    DigiDError,
    DigiDIdentity,
    DigiDProvider,
    DigiDUnavailable,
    assurance_at_least,
    current_identity,
    forget_identity,
    get_provider,
    identity_state,
    store_identity,
)
from regie.registration.models import Registration
from regie.registration.normalise import normalise_bsn
from regie.registration.online_forms import REPORT_TYPES, REPORT_TYPES_BY_NAME, ReportType
from regie.registration.services import (
    IdempotencyConflict,
    RegistrationInvalid,
    registration_create,
)

#: Session keys besides the identity (``digid.SESSION_KEY``).
SESSION_NEXT: Final = "regie_online_next"
SESSION_TOKENS: Final = "regie_online_tokens"
SESSION_DONE: Final = "regie_online_done"
SESSION_RECEIPT: Final = "regie_online_receipt"
#: Registration number -> the reporter's status code for "Mijn zaak" (kept only in this
#: DigiD session; the database keeps a hash).
SESSION_STATUS_CODES: Final = "regie_online_status_codes"
#: Form tokens and finished reports remembered per session.
MAX_TOKENS: Final = 20
TEMPLATES: Final = "registration/online"


def _provider_or_unavailable(request: HttpRequest) -> DigiDProvider | HttpResponse:
    try:
        return get_provider()
    except DigiDUnavailable:
        return render(request, f"{TEMPLATES}/unavailable.html", status=503)


# --- Start, DigiD step, logout ----------------------------------------------------------------


@rule(PUBLIC)
@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    identity = current_identity(request)
    return render(
        request,
        f"{TEMPLATES}/start.html",
        {
            "report_types": REPORT_TYPES,
            "identity_name": identity.display_name if identity else "",
            "logged_in": identity is not None,
        },
    )


@rule(PUBLIC)
@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Start the DigiD step; ``?next=`` names the report type to return to (never a URL)."""
    target = request.GET.get("next", "")
    target = target if target in REPORT_TYPES_BY_NAME else ""
    if target and current_identity(request) is not None:
        return redirect(f"online:{target}")
    provider = _provider_or_unavailable(request)
    if isinstance(provider, HttpResponse):
        return provider
    request.session[SESSION_NEXT] = target
    return HttpResponseRedirect(provider.start(request, reverse("online:digid_return")))


@rule(PUBLIC)
@never_cache
@sensitive_post_parameters("bsn", "first_names", "particle", "surname", "date_of_birth")
@sensitive_variables()
@require_http_methods(["GET", "POST"])
def digid_dev(request: HttpRequest) -> HttpResponse:
    """The development stand-in's login page ("Ontwikkel-DigiD — geen echte DigiD")."""
    provider = _provider_or_unavailable(request)
    if isinstance(provider, HttpResponse):
        return provider
    if not isinstance(provider, DevelopmentDigiD):
        raise Http404
    form = DevelopmentDigiDForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        artifact = provider.hand_over(request, form.identity())
        return HttpResponseRedirect(
            f"{reverse('online:digid_return')}?{urlencode({'artifact': artifact})}"
        )
    return render(
        request,
        f"{TEMPLATES}/digid_dev.html",
        {"form": form, "minimum": MINIMUM_ASSURANCE},
        status=400 if request.method == "POST" else 200,
    )


def _audit_login(level: str, outcome: str) -> None:
    audit_log(
        actor=None,
        action=Action.LOGIN,
        object_type="online.digid",
        object_id="",
        purpose=Purpose.WPG8,
        outcome=outcome,
        # Only the level; never the BSN or the name.
        detail={"assurance": level if level in ASSURANCE_LEVELS else "onbekend"},
    )


@rule(PUBLIC)
@never_cache
@sensitive_variables()
@require_GET
def digid_return(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the citizen back (assertion consumer service)."""
    provider = _provider_or_unavailable(request)
    if isinstance(provider, HttpResponse):
        return provider
    try:
        identity: DigiDIdentity = provider.complete(request)
    except DigiDError as exc:
        messages.error(request, str(exc))
        return redirect("online:start")
    if not assurance_at_least(identity.assurance_level):
        forget_identity(request)
        _audit_login(identity.assurance_level, Outcome.DENIED)
        return render(
            request,
            f"{TEMPLATES}/digid_refused.html",
            {"level": identity.assurance_level, "minimum": MINIMUM_ASSURANCE},
            status=403,
        )
    bsn = normalise_bsn(identity.bsn)
    if bsn is None:
        _audit_login(identity.assurance_level, Outcome.FAILURE)
        messages.error(request, _("Inloggen met DigiD is niet gelukt. Probeer het opnieuw."))
        return redirect("online:start")
    identity = dataclasses.replace(identity, bsn=bsn)
    target = request.session.pop(SESSION_NEXT, "")
    store_identity(request, identity)
    _audit_login(identity.assurance_level, Outcome.SUCCESS)
    if target in REPORT_TYPES_BY_NAME:
        return redirect(f"online:{target}")
    return redirect("online:start")


@rule(PUBLIC)
@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        forget_identity(request)
        for key in (
            SESSION_NEXT,
            SESSION_TOKENS,
            SESSION_DONE,
            SESSION_RECEIPT,
            SESSION_STATUS_CODES,
        ):
            request.session.pop(key, None)
        messages.success(request, _("U bent uitgelogd."))
        return redirect("online:start")
    return render(request, f"{TEMPLATES}/logout.html")


# --- The report forms -------------------------------------------------------------------------


def _issue_token(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(24)
    tokens = [t for t in request.session.get(SESSION_TOKENS, []) if isinstance(t, str)]
    request.session[SESSION_TOKENS] = [*tokens, token][-MAX_TOKENS:]
    return token


def _token_issued(request: HttpRequest, token: str) -> bool:
    return bool(token) and token in request.session.get(SESSION_TOKENS, [])


def _remember_done(request: HttpRequest, token: str, number: str) -> None:
    done = dict(request.session.get(SESSION_DONE, {}))
    done[token] = number
    request.session[SESSION_DONE] = dict(list(done.items())[-MAX_TOKENS:])
    request.session[SESSION_RECEIPT] = number


def _render_form(
    request: HttpRequest, rtype: ReportType, form: Any, identity: DigiDIdentity, status: int
) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATES}/report_form.html",
        {"rtype": rtype, "form": form, "identity_name": identity.display_name},
        status=status,
    )


@sensitive_variables()
def report_view(request: HttpRequest, rtype: ReportType) -> HttpResponse:
    identity, expired = identity_state(request)
    if identity is None:
        if expired:
            messages.warning(
                request,
                _("Uw DigiD-sessie is verlopen (15 minuten zonder activiteit). Log opnieuw in."),
            )
        return redirect(f"{reverse('online:login')}?{urlencode({'next': rtype.url_name})}")
    form_class = rtype.form_class
    if request.method != "POST":
        form = form_class(identity=identity, initial={"form_token": _issue_token(request)})
        return _render_form(request, rtype, form, identity, 200)

    token = request.POST.get("form_token", "")
    done = request.session.get(SESSION_DONE, {})
    if token and token in done:
        # Sent before (a double click, a reload, the back button): show its receipt.
        request.session[SESSION_RECEIPT] = done[token]
        messages.info(
            request, _("Deze aangifte was al verstuurd. Hieronder ziet u de bevestiging.")
        )
        return redirect("online:receipt")
    if not _token_issued(request, token):
        data = request.POST.copy()
        data["form_token"] = _issue_token(request)
        form = form_class(data, identity=identity)
        form.is_valid()
        form.add_error(
            None,
            _("Dit formulier was verlopen. Controleer uw gegevens en verstuur het opnieuw."),
        )
        return _render_form(request, rtype, form, identity, 400)
    form = form_class(request.POST, identity=identity)
    if not form.is_valid():
        return _render_form(request, rtype, form, identity, 400)
    reg_in, involvement_fields = form.registration_input(now=timezone.now())
    key = f"online-{token}"
    created = False
    try:
        registration, created = registration_create(
            reg_in, actor=None, source="online", idempotency_key=key
        )
    except RegistrationInvalid as exc:
        form.add_service_errors(exc.errors, involvement_fields)
        return _render_form(request, rtype, form, identity, 400)
    except IdempotencyConflict:
        # The same form sent twice at once: the other request stored it. The token was
        # issued to this session, so the registration is this citizen's own.
        found = Registration.objects.filter(idempotency_key=key, source="online").first()
        if found is None:
            raise
        registration = found
    _remember_done(request, token, registration.number)
    if created:
        _issue_status_code(request, registration)
    return redirect("online:receipt")


def _issue_status_code(request: HttpRequest, registration: Registration) -> None:
    """The reporter's code for "Mijn zaak" (the case was opened with the registration)."""
    from regie.selection.models import Case
    from regie.selection.services import issue_status_code

    case = Case.objects.filter(registration=registration).first()
    if case is None:
        return
    codes = dict(request.session.get(SESSION_STATUS_CODES, {}))
    codes[registration.number] = issue_status_code(case, actor=None)
    request.session[SESSION_STATUS_CODES] = dict(list(codes.items())[-MAX_TOKENS:])


def _report_view_for(name: str) -> Callable[..., HttpResponseBase]:
    rtype = REPORT_TYPES_BY_NAME[name]

    @rule(PUBLIC)
    @never_cache
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        return report_view(request, rtype)

    view.__name__ = view.__qualname__ = f"report_{name}"
    return view


report_bicycle = _report_view_for("bicycle")
report_car = _report_view_for("car")
report_fraud = _report_view_for("fraud")
report_shoplifting = _report_view_for("shoplifting")


# --- Receipt ----------------------------------------------------------------------------------


@rule(PUBLIC)
@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt of the registration this session just made; nothing else is shown. It
    can be opened only while the DigiD session lasts (a shared computer keeps no receipt)."""
    number = request.session.get(SESSION_RECEIPT)
    if current_identity(request) is None:
        request.session.pop(SESSION_RECEIPT, None)
        if number:
            messages.info(
                request,
                _(
                    "Uw DigiD-sessie is verlopen; de ontvangstbevestiging is daarom niet meer te "
                    "zien. Uw aangifte is wel ontvangen."
                ),
            )
        return redirect("online:start")
    registration = None
    if isinstance(number, str) and number:
        registration = (
            Registration.objects.filter(number=number, source="online")
            .select_related("location", "municipality")
            .prefetch_related("offences__incident_code")
            .first()
        )
    if registration is None:
        messages.info(
            request, _("Er is geen aangifte om te tonen. Kies hieronder wat u wilt melden.")
        )
        return redirect("online:start")
    audit_log(
        actor=None,
        action=Action.VIEW,
        object_type="registration.registration",
        object_id=registration.pk,
        purpose=Purpose.WPG8,
        detail={"via": "online receipt"},
    )
    codes = [o.incident_code.code for o in registration.offences.all()]
    rtype = next((t for t in REPORT_TYPES if t.incident_code in codes), None)
    return render(
        request,
        f"{TEMPLATES}/receipt.html",
        {
            "r": registration,
            "rtype": rtype,
            "offences": list(registration.offences.all()),
            "status_code": request.session.get(SESSION_STATUS_CODES, {}).get(registration.number),
        },
    )
