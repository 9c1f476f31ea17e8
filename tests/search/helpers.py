from __future__ import annotations

import datetime as dt
from typing import Any

from regie.organisation.models import BaseTeam
from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, PersonIn
from regie.registration.models import Registration
from regie.registration.services import registration_create
from tests.conftest import registration_input


def person(
    first: str, surname: str, particle: str = "", born: dt.date | None = None, **kw: Any
) -> PersonIn:
    return PersonIn(first, surname, particle, born or dt.date(1985, 3, 7), **kw)


def register(
    team: BaseTeam, *, involvements: tuple[InvolvementIn, ...] = (), **kw: Any
) -> Registration:
    """A registration in ``team``'s area, stored through the normal intake."""
    values: dict[str, Any] = {"involvements": involvements, "offences": (OffenceIn("A72"),)}
    values.update(kw)
    reg, _ = registration_create(registration_input(team, **values), actor=None, source="desk")
    return reg


def bike_theft(
    team: BaseTeam, who: PersonIn, *, frame: str | None = None, **kw: Any
) -> Registration:
    invs: list[InvolvementIn] = [InvolvementIn("reporter", person=who)]
    if frame:
        invs.append(
            InvolvementIn(
                "stolen_good", good=GoodIn("bicycle", brand="Batavus", frame_number=frame)
            )
        )
    return register(team, involvements=tuple(invs), **kw)
