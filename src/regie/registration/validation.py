"""Registration quality: rules that catch impossible data, with clear Dutch messages.

Pure (no Django). :func:`validate` returns ``{field path: [messages]}``; empty means valid.
Field paths follow the input: ``occurred_to``, ``offences[1].incident_code``,
``involvements[0].person.bsn``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection
from decimal import Decimal

from regie.registration.inputs import InvolvementIn, PersonIn, RegistrationIn
from regie.registration.normalise import (
    name_key,
    normalise_bsn,
    normalise_postcode,
    valid_imei,
    valid_kvk,
)

KINDS = ("melding", "aangifte", "aanhouding")
CHANNELS = ("desk", "phone", "video", "internet", "street", "chatbot", "tipline")
PERSON_ROLES = ("reporter", "victim", "witness", "suspect", "arrested")
ORGANISATION_ROLES = ("reporter", "victim", "injured_organisation", "suspect")
GOOD_ROLES = ("stolen_good", "found_good", "damaged_good")
GOOD_KINDS = ("bicycle", "vehicle", "phone", "laptop", "other")
#: RD New extent of the Netherlands (with a margin for the coast).
RD_BOUNDS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
#: Clocks of clients may run slightly ahead.
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_OFFENCES = 50
MAX_INVOLVEMENTS = 100
MAX_DAMAGE = Decimal("1000000000")

Errors = dict[str, list[str]]


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def validate(
    reg: RegistrationIn,
    *,
    now: dt.datetime,
    known_codes: Collection[str],
    inside_netherlands: Callable[[float, float], bool] | None = None,
) -> Errors:
    errors: Errors = {}
    if reg.kind not in KINDS:
        _add(errors, "kind", f"Onbekende soort {reg.kind!r}; kies uit {', '.join(KINDS)}.")
    if reg.channel not in CHANNELS:
        _add(errors, "channel", f"Onbekend kanaal {reg.channel!r}.")
    _validate_times(reg, now, errors)
    _validate_place(reg, inside_netherlands, errors)
    if reg.damage_amount is not None and not (Decimal(0) <= reg.damage_amount < MAX_DAMAGE):
        _add(errors, "damage_amount", "Het schadebedrag moet tussen 0 en 1 miljard euro liggen.")
    if reg.kind == "aangifte" and not reg.offences:
        _add(errors, "offences", "Een aangifte heeft minstens één strafbaar feit.")
    if len(reg.offences) > MAX_OFFENCES:
        _add(errors, "offences", f"Hoogstens {MAX_OFFENCES} feiten per registratie.")
    for i, offence in enumerate(reg.offences):
        if offence.incident_code not in known_codes:
            _add(
                errors,
                f"offences[{i}].incident_code",
                f"Onbekende incidentcode {offence.incident_code!r}.",
            )
    if len(reg.involvements) > MAX_INVOLVEMENTS:
        _add(errors, "involvements", f"Hoogstens {MAX_INVOLVEMENTS} betrokkenen per registratie.")
    for i, inv in enumerate(reg.involvements):
        _validate_involvement(i, inv, now, errors)
    if reg.kind == "aanhouding" and not any(
        inv.role == "arrested" and inv.person is not None for inv in reg.involvements
    ):
        _add(errors, "involvements", "Een aanhouding heeft een aangehouden persoon.")
    _validate_roles_consistent(reg, errors)
    return errors


def _validate_times(reg: RegistrationIn, now: dt.datetime, errors: Errors) -> None:
    for name in ("occurred_from", "occurred_to", "reported_at"):
        value = getattr(reg, name)
        if value.tzinfo is None:
            _add(errors, name, "Tijdstip zonder tijdzone.")
            return
        if value < EARLIEST:
            _add(errors, name, "Tijdstip vóór 1900.")
        if value > now + CLOCK_SKEW:
            _add(errors, name, "Tijdstip ligt in de toekomst.")
    # Compare instants in UTC: Python compares aware datetimes that share a tzinfo object by
    # wall-clock time, which is wrong in the hour repeated when summer time ends.
    occurred_from = reg.occurred_from.astimezone(dt.UTC)
    if reg.occurred_to.astimezone(dt.UTC) < occurred_from:
        _add(errors, "occurred_to", "Het einde van de pleegperiode ligt vóór het begin.")
    if reg.reported_at.astimezone(dt.UTC) < occurred_from:
        _add(errors, "reported_at", "De melding is gedaan vóór het begin van de pleegperiode.")


def _validate_place(
    reg: RegistrationIn, inside: Callable[[float, float], bool] | None, errors: Errors
) -> None:
    if (reg.x is None) != (reg.y is None):
        _add(errors, "x" if reg.x is None else "y", "Geef zowel x als y op.")
        return
    if reg.x is not None and reg.y is not None:
        if not (math.isfinite(reg.x) and math.isfinite(reg.y)):
            _add(errors, "x", "Coördinaten moeten eindige getallen zijn.")
            return
        x0, y0, x1, y1 = RD_BOUNDS
        if not (x0 <= reg.x <= x1 and y0 <= reg.y <= y1) or (
            inside is not None and not inside(reg.x, reg.y)
        ):
            _add(errors, "x", "Deze RD-coördinaten liggen buiten Nederland.")
    if (
        reg.address is not None
        and reg.address.postcode
        and normalise_postcode(reg.address.postcode) is None
    ):
        _add(errors, "address.postcode", "Ongeldige postcode (verwacht 1234 AB).")


def _validate_person(path: str, p: PersonIn, now: dt.datetime, errors: Errors) -> None:
    if p.existing_id is None and not (p.surname or "").strip():
        _add(errors, f"{path}.surname", "Achternaam is verplicht.")
    if p.bsn and normalise_bsn(p.bsn) is None:
        _add(errors, f"{path}.bsn", "Ongeldig BSN (elfproef klopt niet).")
    if p.date_of_birth is not None:
        if p.date_of_birth > now.date():
            _add(errors, f"{path}.date_of_birth", "Geboortedatum ligt in de toekomst.")
        elif p.date_of_birth.year < 1900:
            _add(errors, f"{path}.date_of_birth", "Geboortedatum vóór 1900.")


def _validate_involvement(i: int, inv: InvolvementIn, now: dt.datetime, errors: Errors) -> None:
    path = f"involvements[{i}]"
    objects = [o for o in (inv.person, inv.organisation, inv.good) if o is not None]
    if len(objects) != 1:
        _add(errors, path, "Een betrokkene is precies één persoon, organisatie of goed.")
        return
    if inv.person is not None:
        if inv.role not in PERSON_ROLES:
            _add(errors, f"{path}.role", f"Rol {inv.role!r} past niet bij een persoon.")
        _validate_person(f"{path}.person", inv.person, now, errors)
    elif inv.organisation is not None:
        if inv.role not in ORGANISATION_ROLES:
            _add(errors, f"{path}.role", f"Rol {inv.role!r} past niet bij een organisatie.")
        org = inv.organisation
        if org.existing_id is None and not org.name.strip():
            _add(errors, f"{path}.organisation.name", "Naam is verplicht.")
        if org.kvk_number and not valid_kvk(org.kvk_number):
            _add(errors, f"{path}.organisation.kvk_number", "Een KvK-nummer heeft 8 cijfers.")
    elif inv.good is not None:
        if inv.role not in GOOD_ROLES:
            _add(errors, f"{path}.role", f"Rol {inv.role!r} past niet bij een goed.")
        good = inv.good
        if good.kind not in GOOD_KINDS:
            _add(errors, f"{path}.good.kind", f"Onbekende soort goed {good.kind!r}.")
        if good.imei and not valid_imei(good.imei):
            _add(errors, f"{path}.good.imei", "Ongeldig IMEI (15 cijfers, Luhn-controle).")


def _person_identity(p: PersonIn) -> str | None:
    if p.existing_id is not None:
        return f"id:{p.existing_id}"
    bsn = normalise_bsn(p.bsn) if p.bsn else None
    if bsn:
        return f"bsn:{bsn}"
    if p.date_of_birth is None:
        return None
    return (
        f"{name_key(p.surname)}|{name_key(p.first_names.split()[0] if p.first_names else '')}"
        f"|{p.date_of_birth.isoformat()}"
    )


def _validate_roles_consistent(reg: RegistrationIn, errors: Errors) -> None:
    """The same person cannot be both suspect (or arrested) and victim/reporter."""
    accused: dict[str, int] = {}
    harmed: dict[str, int] = {}
    for i, inv in enumerate(reg.involvements):
        if inv.person is None:
            continue
        identity = _person_identity(inv.person)
        if identity is None:
            continue
        if inv.role in ("suspect", "arrested"):
            accused.setdefault(identity, i)
        elif inv.role in ("victim", "reporter"):
            harmed.setdefault(identity, i)
    for identity, i in accused.items():
        if identity in harmed:
            _add(
                errors,
                f"involvements[{i}].role",
                "Deze persoon is ook aangever of slachtoffer in deze registratie.",
            )
