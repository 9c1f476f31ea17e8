"""What a registration looks like on the way in: plain dataclasses, no Django.

Every intake path (desk form, online report, JSON API, bulk import, synthetic country)
builds a :class:`RegistrationIn`; :mod:`regie.registration.validation` checks it and
:func:`regie.registration.services.registration_create` stores it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class PersonIn:
    first_names: str
    surname: str
    particle: str = ""
    date_of_birth: dt.date | None = None
    bsn: str | None = None
    nationality: str = ""
    #: The user confirmed this existing person (a proposed match).
    existing_id: int | None = None


@dataclass(frozen=True)
class OrganisationIn:
    name: str
    kvk_number: str | None = None
    existing_id: int | None = None


@dataclass(frozen=True)
class GoodIn:
    kind: str
    brand: str = ""
    description: str = ""
    frame_number: str | None = None
    plate: str | None = None
    imei: str | None = None
    serial_number: str | None = None
    existing_id: int | None = None


@dataclass(frozen=True)
class AddressIn:
    street: str = ""
    house_number: str = ""
    house_number_suffix: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class InvolvementIn:
    role: str
    person: PersonIn | None = None
    organisation: OrganisationIn | None = None
    good: GoodIn | None = None


@dataclass(frozen=True)
class OffenceIn:
    incident_code: str
    attempt: bool = False
    #: Needed only when a code exists in several categories (F614).
    category_code: str | None = None


@dataclass(frozen=True)
class RegistrationIn:
    kind: str
    occurred_from: dt.datetime
    occurred_to: dt.datetime
    reported_at: dt.datetime
    channel: str
    offences: tuple[OffenceIn, ...] = ()
    involvements: tuple[InvolvementIn, ...] = ()
    narrative: str = ""
    modus_operandi: str = ""
    damage_amount: Decimal | None = None
    #: RD New metres (EPSG:28992); the address alone is not geocoded here.
    x: float | None = None
    y: float | None = None
    address: AddressIn | None = None
    #: When there are no coordinates (e.g. an online report with an address only): the
    #: municipality the reporter chose; the base team follows when the municipality is not
    #: split over several teams.
    municipality_code: str | None = None
    confidentiality: int = 1
    extra: dict[str, str] = field(default_factory=dict)
