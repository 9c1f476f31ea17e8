"""Routing a forwarded tip to its recipients, by topic and area.

Recipients are agencies (police units, FIOD, NVWA-IOD, ...) with the topics they take and an
optional area, and connected municipalities with the topics they agreed to receive and their
own area (normally their own municipality code; more codes after a merger or for a shared
service). A tip goes to every active recipient whose topics include the tip's topic and whose
area includes the tip's municipality; a recipient without an area (``None``) is national and
receives its topics from everywhere, also when the tip has no known municipality.

Agencies come first in the result, then municipalities, each by name. An empty result means
the desk must decide by hand (the caller shows that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class RecipientKind(StrEnum):
    AGENCY = "agency"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True, slots=True)
class Recipient:
    id: str
    name: str
    kind: RecipientKind
    topics: frozenset[str]
    #: Municipality codes (GMxxxx); ``None``: national (agencies only).
    area: frozenset[str] | None = None
    active: bool = True

    def __post_init__(self) -> None:
        if self.kind is RecipientKind.MUNICIPALITY and not self.area:
            raise ValueError("a municipality recipient needs its own area")


@dataclass(frozen=True, slots=True)
class Route:
    recipient: Recipient
    reason: str


def route_tip(
    topic: str, municipality_code: str | None, recipients: Iterable[Recipient]
) -> list[Route]:
    """The recipients of a tip about ``topic`` in ``municipality_code`` (``None``: unknown
    place), with a Dutch reason per recipient."""
    routes = []
    for r in recipients:
        if not r.active or topic not in r.topics:
            continue
        if r.area is None:
            reason = f"{r.name} ontvangt landelijk meldingen over '{topic}'."
        elif municipality_code is not None and municipality_code in r.area:
            if r.kind is RecipientKind.MUNICIPALITY:
                reason = (
                    f"{r.name} is aangesloten voor '{topic}' en de melding speelt in het "
                    "eigen gebied."
                )
            else:
                reason = f"{r.name} ontvangt meldingen over '{topic}' uit {municipality_code}."
        else:
            continue
        routes.append(Route(r, reason))
    routes.sort(
        key=lambda route: (route.recipient.kind is not RecipientKind.AGENCY, route.recipient.name)
    )
    return routes
