"""The DigiD step of the citizen's online report: a small, pluggable interface.

Flow (mirrors a SAML login with DigiD):

1. The online pages need a DigiD identity; without one they send the citizen to
   ``online:login``, which asks the configured provider where to go
   (:meth:`DigiDProvider.start`) and redirects there.
2. The citizen logs in at the provider. The provider sends the citizen back to
   ``online:digid_return`` (the assertion consumer service).
3. That view calls :meth:`DigiDProvider.complete`, which returns a :class:`DigiDIdentity`
   or raises :class:`DigiDError`. The common code (:func:`store_identity`, called from
   :mod:`regie.registration.online`) then refuses an assurance level below
   :data:`MINIMUM_ASSURANCE`, stores the identity in the session under :data:`SESSION_KEY`
   with an expiry of :data:`LIFETIME` (refreshed on activity, like DigiD's own 15 minutes),
   and writes an audit entry without the BSN.

The provider is chosen by the setting ``REGIE_DIGID_PROVIDER`` (a dotted path to a class with
a no-argument constructor); the default is :class:`DevelopmentDigiD`, a clearly labelled
stand-in where one types a BSN, a name and an assurance level. It is not DigiD and must not
run in production.

Plugging in the real DigiD (out of scope here)
----------------------------------------------
Write a class implementing :class:`DigiDProvider`, e.g. ``myorg.digid.SamlDigiD``, and set
``REGIE_DIGID_PROVIDER = "myorg.digid.SamlDigiD"``.

* ``start(request, return_url)``: build a signed SAML ``AuthnRequest`` (service provider
  entity id and certificate from settings, ``AssertionConsumerServiceURL`` =
  ``request.build_absolute_uri(return_url)``, requested ``AuthnContextClassRef`` at least
  ``urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract`` for "midden"), keep its
  ID and a RelayState in the session under the provider's own key, and return the DigiD
  single-sign-on URL with the encoded request (HTTP-Redirect binding).
* ``complete(request)``: DigiD returns with ``SAMLart`` (artifact binding): resolve it over the
  back channel (``ArtifactResolve``, mutual TLS), verify the signature, ``InResponseTo``
  against the stored ID, the audience and the validity window; raise :class:`DigiDError` on a
  cancel or any failure. Take the BSN from the ``NameID`` (``s00000000:<bsn>``) and map the
  ``AuthnContextClassRef`` to "basis" / "midden" / "substantieel" / "hoog". DigiD does not
  return names or a date of birth: fetch them from the BRP (Haal Centraal) or leave them
  empty and let the form ask them.
* The return URL must answer a GET (artifact binding) — ``online:digid_return`` does; an
  HTTP-POST binding would need that view to accept POST without a CSRF token from our own
  form (``csrf_exempt`` on a separate view), which the present stand-in does not need.

Nothing here may log the BSN; neither may a provider.
"""

from __future__ import annotations

import datetime as dt
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Final

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from regie.registration.normalise import normalise_bsn

#: DigiD assurance levels ("betrouwbaarheidsniveaus"), weakest first.
ASSURANCE_LEVELS: Final = ("basis", "midden", "substantieel", "hoog")
ASSURANCE_LABELS: Final = {
    "basis": _("Basis (gebruikersnaam en wachtwoord)"),
    "midden": _("Midden (DigiD app of sms-controle)"),
    "substantieel": _("Substantieel (DigiD app met identiteitsbewijs)"),
    "hoog": _("Hoog (identiteitskaart of rijbewijs met chip)"),
}
#: What politie.nl asks for an online report.
MINIMUM_ASSURANCE: Final = "midden"
#: Session key of the logged-in DigiD identity (one dict, with its expiry).
SESSION_KEY: Final = "regie_online_digid"
#: DigiD ends a session after 15 minutes without activity; so do we.
LIFETIME: Final = dt.timedelta(minutes=15)
DEFAULT_PROVIDER: Final = "regie.registration.digid.DevelopmentDigiD"


class DigiDError(Exception):
    """The DigiD login failed or was cancelled; the message is shown to the citizen."""


class DigiDUnavailable(Exception):
    """No usable provider: the development stand-in outside debug, demo and test mode."""


@dataclass(frozen=True)
class DigiDIdentity:
    bsn: str
    assurance_level: str
    first_names: str = ""
    particle: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None

    def __repr__(self) -> str:  # never print the BSN by accident (tracebacks, logs)
        return f"DigiDIdentity(assurance_level={self.assurance_level!r}, bsn=<hidden>)"

    __str__ = __repr__

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_names, self.particle, self.surname) if p)


def assurance_at_least(level: str, minimum: str = MINIMUM_ASSURANCE) -> bool:
    if level not in ASSURANCE_LEVELS:
        return False
    return ASSURANCE_LEVELS.index(level) >= ASSURANCE_LEVELS.index(minimum)


class DigiDProvider(ABC):
    """A way to log a citizen in with DigiD. See the module docstring for a real provider."""

    #: Shown on the pages: the stand-in says clearly that it is not DigiD.
    is_development: bool = False

    @abstractmethod
    def start(self, request: HttpRequest, return_url: str) -> str:
        """Begin a login; return the URL to send the citizen to. The provider must send the
        citizen back to ``return_url`` (a local path) afterwards."""

    @abstractmethod
    def complete(self, request: HttpRequest) -> DigiDIdentity:
        """Finish the login on the return URL; raise :class:`DigiDError` when it failed."""


def development_allowed() -> bool:
    return bool(
        settings.DEBUG
        or getattr(settings, "DEMO_MODE", False)
        or getattr(settings, "TESTING", False)
    )


def get_provider() -> DigiDProvider:
    """The configured provider. The development stand-in is refused (:class:`DigiDUnavailable`)
    outside debug, demo and test mode, so a production system without a real provider offers
    no online report rather than a fake DigiD."""
    path = getattr(settings, "REGIE_DIGID_PROVIDER", DEFAULT_PROVIDER)
    provider = import_string(path)()
    if not isinstance(provider, DigiDProvider):
        raise TypeError(f"{path} is not a DigiDProvider")
    if provider.is_development and not development_allowed():
        raise DigiDUnavailable(path)
    return provider


# --- The identity in the session --------------------------------------------------------------


@sensitive_variables()
def store_identity(request: HttpRequest, identity: DigiDIdentity) -> None:
    """Keep the identity in the session (one key) for :data:`LIFETIME`. A new session key is
    issued first, so a session id planted before the login is worthless afterwards."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "bsn": identity.bsn,
        "assurance_level": identity.assurance_level,
        "first_names": identity.first_names,
        "particle": identity.particle,
        "surname": identity.surname,
        "date_of_birth": identity.date_of_birth.isoformat() if identity.date_of_birth else "",
        "expires": (timezone.now() + LIFETIME).isoformat(),
    }


@sensitive_variables()
def identity_state(request: HttpRequest) -> tuple[DigiDIdentity | None, bool]:
    """``(identity, expired)``: the session's identity while it is valid (its expiry is then
    extended); ``(None, True)`` when it has expired (and is removed); ``(None, False)`` when
    there is none."""
    data: Any = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None, False
    try:
        expires = dt.datetime.fromisoformat(data["expires"])
        identity = DigiDIdentity(
            bsn=data["bsn"],
            assurance_level=data["assurance_level"],
            first_names=data.get("first_names", ""),
            particle=data.get("particle", ""),
            surname=data.get("surname", ""),
            date_of_birth=(
                dt.date.fromisoformat(data["date_of_birth"]) if data.get("date_of_birth") else None
            ),
        )
    except (KeyError, TypeError, ValueError):
        forget_identity(request)
        return None, False
    if expires <= timezone.now():
        forget_identity(request)
        return None, True
    if not assurance_at_least(identity.assurance_level) or normalise_bsn(identity.bsn) is None:
        forget_identity(request)
        return None, False
    request.session[SESSION_KEY] = {**data, "expires": (timezone.now() + LIFETIME).isoformat()}
    return identity, False


def current_identity(request: HttpRequest) -> DigiDIdentity | None:
    return identity_state(request)[0]


def forget_identity(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


# --- The development stand-in ------------------------------------------------------------------


class DevelopmentDigiDForm(forms.Form):
    bsn = forms.CharField(
        label=_("BSN (burgerservicenummer)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Negen cijfers die de elfproef doorstaan, bijvoorbeeld 111222333."),
    )
    first_names = forms.CharField(label=_("Voornamen"), max_length=100)
    particle = forms.CharField(label=_("Tussenvoegsel"), max_length=20, required=False)
    surname = forms.CharField(label=_("Achternaam"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Geboortedatum"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assurance_level = forms.ChoiceField(
        label=_("Betrouwbaarheidsniveau"),
        choices=[(level, ASSURANCE_LABELS[level]) for level in ASSURANCE_LEVELS],
        initial=MINIMUM_ASSURANCE,
    )

    @sensitive_variables()
    def clean_bsn(self) -> str:
        bsn = normalise_bsn(self.cleaned_data["bsn"])
        if bsn is None:
            raise forms.ValidationError(
                _("Dit BSN is ongeldig: het moet uit 9 cijfers bestaan en de elfproef doorstaan."),
                code="invalid_bsn",
            )
        return bsn

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("De geboortedatum ligt in de toekomst."))
        if value.year < 1900:
            raise forms.ValidationError(_("De geboortedatum ligt vóór 1900."))
        return value

    def identity(self) -> DigiDIdentity:
        d = self.cleaned_data
        return DigiDIdentity(
            bsn=d["bsn"],
            assurance_level=d["assurance_level"],
            first_names=d["first_names"].strip(),
            particle=d["particle"].strip(),
            surname=d["surname"].strip(),
            date_of_birth=d["date_of_birth"],
        )


class DevelopmentDigiD(DigiDProvider):
    """Ontwikkel-DigiD: a page where one types the identity DigiD would have returned.

    ``start`` sends the citizen to ``online:digid_dev``; that page (a view in
    :mod:`regie.registration.online`) validates the form and hands the identity over with
    :meth:`hand_over`, under a one-time artifact, before redirecting to the return URL.
    ``complete`` redeems the artifact (valid for two minutes, once), as a real artifact
    binding would."""

    is_development = True
    HANDOVER_KEY: Final = "regie_online_digid_dev"
    ARTIFACT_LIFETIME: Final = dt.timedelta(minutes=2)

    def start(self, request: HttpRequest, return_url: str) -> str:
        return reverse("online:digid_dev")

    @sensitive_variables()
    def hand_over(self, request: HttpRequest, identity: DigiDIdentity) -> str:
        """Keep the typed identity for :meth:`complete`; return the artifact."""
        artifact = secrets.token_urlsafe(24)
        request.session[self.HANDOVER_KEY] = {
            "artifact": artifact,
            "at": timezone.now().isoformat(),
            "bsn": identity.bsn,
            "assurance_level": identity.assurance_level,
            "first_names": identity.first_names,
            "particle": identity.particle,
            "surname": identity.surname,
            "date_of_birth": identity.date_of_birth.isoformat() if identity.date_of_birth else "",
        }
        return artifact

    @sensitive_variables()
    def complete(self, request: HttpRequest) -> DigiDIdentity:
        data: Any = request.session.pop(self.HANDOVER_KEY, None)
        artifact = request.GET.get("artifact", "")
        if not isinstance(data, dict) or not artifact:
            raise DigiDError(_("Inloggen met DigiD is niet gelukt of afgebroken."))
        if not secrets.compare_digest(str(data.get("artifact", "")), artifact):
            raise DigiDError(_("Inloggen met DigiD is niet gelukt of afgebroken."))
        try:
            at = dt.datetime.fromisoformat(data["at"])
            identity = DigiDIdentity(
                bsn=data["bsn"],
                assurance_level=data["assurance_level"],
                first_names=data["first_names"],
                particle=data["particle"],
                surname=data["surname"],
                date_of_birth=(
                    dt.date.fromisoformat(data["date_of_birth"]) if data["date_of_birth"] else None
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DigiDError(_("Inloggen met DigiD is niet gelukt of afgebroken.")) from exc
        if timezone.now() - at > self.ARTIFACT_LIFETIME:
            raise DigiDError(_("Het inloggen duurde te lang. Probeer het opnieuw."))
        return identity
