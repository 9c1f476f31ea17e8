"""Signals other apps listen to, so the registration app does not import them.

``registrations_created`` is sent inside the transaction that stored the registrations (a
receiver's failure rolls the registrations back: nothing half-done is acknowledged), with
``ids`` (the new registrations' primary keys), ``actor`` and ``source``, and optionally
``new``: a :class:`NewRegistration` per id, in the same order, with what the writer already
has in memory, so that receivers (opening the case, marking the statistics) need not read
the rows back. Receivers must work without ``new`` too (then they read the rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import Signal

registrations_created = Signal()


@dataclass(frozen=True, slots=True)
class NewInvolvement:
    role: str
    #: "person_id", "organisation_id", "good_id" or "location_id".
    column: str
    object_id: int
    #: Created in this transaction: no other registration can share it yet.
    created: bool
    date_of_birth: dt.date | None = None
    #: A good with a frame number, plate, IMEI or serial number.
    identifiable_good: bool = False


@dataclass(frozen=True, slots=True)
class NewRegistration:
    """A registration just stored, as its writer knows it."""

    id: int
    kind: str
    reported_at: dt.datetime
    occurred_from: dt.datetime
    damage_amount: Decimal | None
    neighbourhood_id: int | None
    base_team_id: int | None
    #: The unit of the base team, and the team's code (None without a team).
    unit_id: int | None
    base_team_code: str | None
    #: (seq, offence category id) per offence.
    offences: tuple[tuple[int, int], ...]
    involvements: tuple[NewInvolvement, ...]


#: Core objects changed outside a registration's intake, merge or split (for instance a BSN
#: added to a person on an automatic link). Sent with ``kind`` ("person", "organisation",
#: "good", "location") and ``ids``, inside the transaction of the change.
core_objects_changed = Signal()
