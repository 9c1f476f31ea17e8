"""Investigative leads (opsporingsindicaties) and offence groups: the vocabulary shared by the
framework, the solvability model, the synthetic flow and the screens.

Pure (no Django).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: The lead factors in a fixed order (the model's feature order), with Dutch labels.
LEADS: dict[str, str] = {
    "known_suspect": "Bekende of genoemde verdachte",
    "caught_in_act": "Op heterdaad betrapt",
    "camera_footage": "Camerabeelden",
    "forensic_traces": "Sporen (DNA, vingerafdruk, schoenspoor)",
    "witness": "Getuige",
    "traceable_good": "Traceerbaar goed (framenummer, IMEI, kenteken)",
    "linked_case": "Koppeling met andere zaak",
    "damage_above_threshold": "Schade boven de drempel",
    "vulnerable_victim": "Kwetsbaar slachtoffer",
}
LEAD_NAMES: tuple[str, ...] = tuple(LEADS)

#: Leads the system derives from the registration; the others the screener records.
DERIVED_LEADS = frozenset(
    {
        "known_suspect",
        "caught_in_act",
        "witness",
        "traceable_good",
        "linked_case",
        "damage_above_threshold",
        "vulnerable_victim",
    }
)
RECORDED_LEADS = frozenset(LEAD_NAMES) - DERIVED_LEADS

#: Offence groups the solvability model is fitted per (category code prefix -> group). The
#: first matching prefix wins; "other" catches the rest.
OFFENCE_GROUPS: dict[str, str] = {
    "bicycle_theft": "Fietsdiefstal",
    "shoplifting": "Winkeldiefstal",
    "burglary": "Woninginbraak en inbraak",
    "vehicle_crime": "Auto- en voertuigcriminaliteit",
    "fraud": "Fraude (o.a. marktplaats)",
    "violence": "Geweld en bedreiging",
    "damage": "Vernieling",
    "other": "Overig",
}
_GROUP_OF_CATEGORY: tuple[tuple[str, str], ...] = (
    ("1.2.3", "bicycle_theft"),
    ("2.5.2", "shoplifting"),
    ("1.1.", "burglary"),
    ("2.5.1", "burglary"),
    ("1.2.", "vehicle_crime"),
    ("3.9.", "fraud"),
    ("1.4.", "violence"),
    ("2.2.1", "damage"),
)


def offence_group(category_code: str) -> str:
    for prefix, group in _GROUP_OF_CATEGORY:
        if category_code == prefix or (prefix.endswith(".") and category_code.startswith(prefix)):
            return group
    return "other"


@dataclass(frozen=True)
class CaseFeatures:
    """What the framework and the model look at for one case."""

    category_code: str
    high_impact: bool
    undermining: bool
    leads: Mapping[str, bool]

    @property
    def group(self) -> str:
        return offence_group(self.category_code)

    def vector(self) -> list[float]:
        return [1.0 if self.leads.get(name) else 0.0 for name in LEAD_NAMES]

    def present(self) -> list[str]:
        return [name for name in LEAD_NAMES if self.leads.get(name)]


#: A victim younger than this, or at least ``VULNERABLE_FROM`` years old, is vulnerable.
VULNERABLE_UNDER, VULNERABLE_FROM = 18, 75


@dataclass(frozen=True)
class InvolvementFacts:
    """What the lead derivation needs of one involvement."""

    role: str
    date_of_birth: date | None = None
    #: A good with a frame number, plate, IMEI or serial number.
    identifiable_good: bool = False


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def derive_leads(
    *,
    kind: str,
    occurred_on: date,
    damage: Decimal | None,
    damage_threshold: Decimal,
    involvements: Iterable[InvolvementFacts],
    linked_case: bool,
) -> dict[str, bool]:
    """The leads that follow from a registration (all but camera footage and traces, which
    the screener records): an arrest is a known suspect caught in the act; a witness; a
    stolen good that can be traced; damage from the threshold; a victim under 18 or 75+;
    a core object shared with another registration (``linked_case``, known to the caller)."""
    involvements = list(involvements)
    roles = {i.role for i in involvements}
    arrested = kind == "aanhouding" or "arrested" in roles
    return {
        "known_suspect": arrested or "suspect" in roles,
        "caught_in_act": arrested,
        "witness": "witness" in roles,
        "traceable_good": any(
            i.role == "stolen_good" and i.identifiable_good for i in involvements
        ),
        "linked_case": bool(linked_case),
        "damage_above_threshold": damage is not None and damage >= damage_threshold,
        "vulnerable_victim": any(
            i.role == "victim"
            and i.date_of_birth is not None
            and not VULNERABLE_UNDER <= age_on(i.date_of_birth, occurred_on) < VULNERABLE_FROM
            for i in involvements
        ),
    }
