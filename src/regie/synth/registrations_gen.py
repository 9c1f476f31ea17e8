"""Deterministic generator of a realistic stream of police registrations (pure Python).

No Django: the Django side persists what :class:`RegistrationGenerator` yields. Everything is
seeded; the same :class:`GeneratorConfig` (and inputs) gives an identical sequence.

The model, in short (see ``registration/data/OFFENCE_MIX.md`` for the offence mix):

* **Volume.** ``annual_national_volume`` registrations a year for the whole country, shared
  over the municipalities in proportion to ``population x urbanity`` where the urbanity factor
  is ``(density / median density) ** 0.3`` (normalised so the national total holds). Within a
  municipality the neighbourhoods get a share by population estimate with a seeded, stable
  heterogeneity factor; "central" offences (shoplifting, pickpocketing, bicycle theft,
  nightlife violence) lean towards dense neighbourhoods.
* **Time.** Every offence has a time profile: month (seasonality), day of week x hour of day
  (with an interaction for weekend nights) and a few special days (New Year's Eve). Residential
  burglary peaks in the dark months and shifts to the early evening then; bicycle theft peaks
  in the autumn. For burglary, bicycle theft, theft from cars and fraud the victim often knows
  only a window (``occurred_from``..``occurred_to``); ``reported_at`` comes after
  ``occurred_to``, minutes (street, phone) to days (internet, tip line) later.
* **Near repeats.** Offences flagged ``near_repeat`` are a self-exciting (Hawkes) process:
  every event spawns ``Poisson(NEAR_REPEAT_BRANCHING)`` children within
  ``NEAR_REPEAT_RADIUS_M`` and ``NEAR_REPEAT_DAYS``; the background rate is lowered by the same
  fraction, so the volume holds and ~12.5 % of these events are near repeats. A 14-day burn-in
  before ``start`` avoids a deficit of near repeats at the start.
* **Channels.** Arrests are registered on the street; internet reports exist only for the
  offence types in :data:`ONLINE_BASE` with the share :func:`online_share` (a rising trend
  with the DigiD break of April 2017); other reports go to the desk, phone, video (from
  mid-2018), chatbot (meldingen, from 2020) or the anonymous tip line.
* **Identities.** Recurring persons (repeat offenders with co-offender groups, repeat victims)
  and recurring goods (stolen bicycles/phones later found or fenced) share their ``true_key``;
  what is *entered* may differ (typos, day/month swaps, particle variants, missing BSN).

Two design choices the Django side must know: every registration has at least one offence,
also a *melding* (the incident code it is classified under, e.g. a found bicycle is an A72
melding with a ``found_good``); and the *true* occurrence time lies in ``[start, end]`` while
the reported window may extend a few days outside it and ``reported_at`` may lie after ``end``.
"""

from __future__ import annotations

import bisect
import csv
import math
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from regie.organisation.geodata import ReferenceData

__all__ = [
    "AMSTERDAM",
    "CHANNELS",
    "DIGID_BREAK",
    "GOOD_KINDS",
    "INCIDENT_REFERENCE_FILE",
    "NEAR_REPEAT_BRANCHING",
    "NEAR_REPEAT_DAYS",
    "NEAR_REPEAT_RADIUS_M",
    "OFFENCE_MIX_FILE",
    "ONLINE_BASE",
    "REGISTRATION_KINDS",
    "ROLES",
    "GenerationStats",
    "GeneratorConfig",
    "GoodEntry",
    "Involvement",
    "MunicipalityInput",
    "NeighbourhoodInput",
    "OffenceEntry",
    "OffenceMixRow",
    "OrganisationEntry",
    "PersonEntry",
    "RegistrationEntry",
    "RegistrationGenerator",
    "inputs_from_reference",
    "is_valid_bsn",
    "load_incident_reference",
    "load_offence_mix",
    "online_share",
    "online_trend",
]

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
DATA_DIR: Final = Path(__file__).resolve().parent.parent / "registration" / "data"
OFFENCE_MIX_FILE: Final = DATA_DIR / "offence_mix.csv"
INCIDENT_REFERENCE_FILE: Final = DATA_DIR / "politie_soort_misdrijf.csv"

ROLES: Final = frozenset(
    {
        "reporter",
        "victim",
        "witness",
        "suspect",
        "arrested",
        "injured_organisation",
        "stolen_good",
        "found_good",
    }
)
REGISTRATION_KINDS: Final = frozenset({"melding", "aangifte", "aanhouding"})
CHANNELS: Final = frozenset({"desk", "phone", "video", "internet", "street", "chatbot", "tipline"})
GOOD_KINDS: Final = frozenset({"bicycle", "vehicle", "phone", "laptop", "other"})

NEAR_REPEAT_BRANCHING: Final = 0.125
"""Expected number of near-repeat children per near-repeat event (= share of near repeats)."""
NEAR_REPEAT_RADIUS_M: Final = 200.0
NEAR_REPEAT_DAYS: Final = 14

DOB_FIRST: Final = date(1940, 1, 1)
DOB_LAST: Final = date(2008, 12, 31)


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A person as ENTERED in a registration (may contain typos); ``true_key`` is the identity."""

    true_key: str
    first_names: str
    particle: str
    surname: str
    date_of_birth: date | None
    bsn: str | None
    nationality: str


@dataclass(frozen=True, slots=True)
class GoodEntry:
    """A good as entered; ``kind`` is bicycle, vehicle, phone, laptop or other."""

    true_key: str
    kind: str
    brand: str
    description: str
    frame_number: str | None
    plate: str | None
    imei: str | None
    serial_number: str | None


@dataclass(frozen=True, slots=True)
class OrganisationEntry:
    true_key: str
    name: str
    kvk_number: str | None


@dataclass(frozen=True, slots=True)
class OffenceEntry:
    incident_code: str
    category_code: str
    attempt: bool


@dataclass(frozen=True, slots=True)
class Involvement:
    """One involvement; ``role`` is one of :data:`ROLES`. Exactly one of the objects is set."""

    role: str
    person: PersonEntry | None = None
    good: GoodEntry | None = None
    organisation: OrganisationEntry | None = None


@dataclass(frozen=True, slots=True)
class RegistrationEntry:
    """One registration. Datetimes are aware (Europe/Amsterdam); ``x``/``y`` are RD New metres
    inside the neighbourhood polygon. ``offences[0]`` is the main offence."""

    key: str
    kind: str
    occurred_from: datetime
    occurred_to: datetime
    reported_at: datetime
    x: float
    y: float
    municipality_code: str
    neighbourhood_code: str
    channel: str
    narrative: str
    damage_eur: Decimal | None
    offences: tuple[OffenceEntry, ...]
    involvements: tuple[Involvement, ...]


@dataclass(frozen=True, slots=True)
class OffenceMixRow:
    incident_code: str
    category_code: str
    weight: float
    vvc: bool
    high_impact: bool
    near_repeat: bool
    kind: str


@dataclass(frozen=True, slots=True)
class MunicipalityInput:
    code: str
    population: int
    area_km2: float
    #: Optional display name, used in organisation names and narratives.
    name: str = ""


@dataclass(frozen=True, slots=True)
class NeighbourhoodInput:
    code: str
    municipality_code: str
    population: int
    geometry_rd: BaseGeometry
    #: Optional display name, used in narratives.
    name: str = ""


@dataclass(frozen=True)
class GeneratorConfig:
    start: date
    end: date  # inclusive range of (true) occurrence dates
    annual_national_volume: int = 800_000
    municipality_codes: frozenset[str] | None = None
    seed: int = 1
    #: Optional extra restriction to some neighbourhoods (e.g. a district that covers part of a
    #: split municipality); a municipality's volume is scaled by the population share of its
    #: selected neighbourhoods.
    neighbourhood_codes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("GeneratorConfig: end must not be before start")
        if self.annual_national_volume < 0:
            raise ValueError("GeneratorConfig: annual_national_volume must not be negative")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class GenerationStats:
    """Counters of the last complete or partial iteration (for tests and reports)."""

    registrations: int = 0
    near_repeat_events: int = 0
    near_repeat_children: int = 0
    burn_in_events: int = 0
    found_goods: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- reference data


def load_incident_reference(path: Path | None = None) -> dict[tuple[str, str], str]:
    """Return ``{(incident_code, category_code): incident_title}`` of the police code list."""
    source = INCIDENT_REFERENCE_FILE if path is None else Path(path)
    result: dict[tuple[str, str], str] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            result[(row["incident_code"].strip(), row["category_code"].strip())] = row[
                "incident_title"
            ].strip()
    return result


def _flag(value: str, column: str, line: int) -> bool:
    if value.strip() not in {"0", "1"}:
        raise ValueError(f"offence mix line {line}: {column} must be 0 or 1, got {value!r}")
    return value.strip() == "1"


def load_offence_mix(path: Path | None = None) -> list[OffenceMixRow]:
    """Load and validate the offence mix (default: ``registration/data/offence_mix.csv``).

    Every (incident_code, category_code) must exist in ``politie_soort_misdrijf.csv``; codes
    must be unique, weights positive and ``kind`` aangifte or melding.
    """
    source = OFFENCE_MIX_FILE if path is None else Path(path)
    reference = load_incident_reference()
    rows: list[OffenceMixRow] = []
    seen: set[str] = set()
    with source.open(encoding="utf-8", newline="") as fh:
        for line, raw in enumerate(csv.DictReader(fh), start=2):
            code = raw["incident_code"].strip()
            category = raw["category_code"].strip()
            if (code, category) not in reference:
                raise ValueError(f"offence mix line {line}: unknown code {code} in {category}")
            if code in seen:
                raise ValueError(f"offence mix line {line}: duplicate code {code}")
            seen.add(code)
            weight = float(raw["weight"])
            if not math.isfinite(weight) or weight <= 0:
                raise ValueError(f"offence mix line {line}: weight must be positive")
            kind = raw["kind"].strip()
            if kind not in {"aangifte", "melding"}:
                raise ValueError(f"offence mix line {line}: kind must be aangifte or melding")
            rows.append(
                OffenceMixRow(
                    incident_code=code,
                    category_code=category,
                    weight=weight,
                    vvc=_flag(raw["vvc"], "vvc", line),
                    high_impact=_flag(raw["high_impact"], "high_impact", line),
                    near_repeat=_flag(raw["near_repeat"], "near_repeat", line),
                    kind=kind,
                )
            )
    if not rows:
        raise ValueError("offence mix is empty")
    return rows


def inputs_from_reference(
    reference: ReferenceData,
) -> tuple[list[MunicipalityInput], list[NeighbourhoodInput]]:
    """Build generator inputs from :func:`regie.organisation.geodata.load_reference`.

    Areas and geometries are reprojected to RD New (takes about a second nationally).
    """
    from regie.organisation.geodata import to_rd  # local import: pyproj is slow to import

    municipalities = [
        MunicipalityInput(
            code=m.code,
            population=m.population,
            area_km2=float(to_rd(m.geometry_wgs84).area) / 1e6,
            name=m.name,
        )
        for m in reference.municipalities
    ]
    neighbourhoods = [
        NeighbourhoodInput(
            code=n.code,
            municipality_code=n.municipality_code,
            population=n.population_estimate,
            geometry_rd=to_rd(n.geometry_wgs84),
            name=n.name,
        )
        for n in reference.neighbourhoods
    ]
    return municipalities, neighbourhoods


# --------------------------------------------------------------------------- online share

DIGID_BREAK: Final = date(2017, 4, 1)
"""Internet reports required DigiD with SMS verification from April 2017 (trend break)."""

ONLINE_BASE: Final[dict[str, float]] = {
    "A72": 0.45,  # bicycle theft
    "A10": 0.42,  # theft from a car
    "F636": 0.78,  # online purchase fraud
    "A50": 0.30,  # shoplifting, reported by shop staff
}
"""Internet share just before the DigiD break, for the only codes that may be reported online."""

_ONLINE_PRE_SLOPE = 0.035  # share points a year before the break
_ONLINE_PRE_FLOOR = -0.45
_ONLINE_DROP = 0.15  # share points lost at the break
_ONLINE_RECOVERY_YEARS = 2.0
_ONLINE_RECOVERY_RATE = 1.2  # per year; the recovery is fast at first, then levels off
_ONLINE_RECOVERED_GAIN = 0.02  # above the pre-break level when the recovery is complete
_ONLINE_POST_SLOPE = 0.015
_ONLINE_POST_CAP = 0.08
_ONLINE_MAX = 0.92


def online_trend(day: date) -> float:
    """Shift (share points) of the internet share relative to the level just before the break.

    Rises ``3.5`` points a year up to 31 March 2017, drops by ``15`` points on 1 April 2017,
    recovers (concave) to ``+2`` points by 1 April 2019 and then grows slowly (capped).
    """
    years = (day - DIGID_BREAK).days / 365.25
    if years < 0:
        return max(_ONLINE_PRE_FLOOR, _ONLINE_PRE_SLOPE * years)
    if years < _ONLINE_RECOVERY_YEARS:
        k = _ONLINE_RECOVERY_RATE
        done = (1.0 - math.exp(-k * years)) / (1.0 - math.exp(-k * _ONLINE_RECOVERY_YEARS))
        return -_ONLINE_DROP + (_ONLINE_DROP + _ONLINE_RECOVERED_GAIN) * done
    growth = _ONLINE_POST_SLOPE * (years - _ONLINE_RECOVERY_YEARS)
    return _ONLINE_RECOVERED_GAIN + min(_ONLINE_POST_CAP, growth)


def online_share(day: date, incident_code: str) -> float:
    """Probability that a registration of *incident_code* on *day* that is not an arrest is an
    internet report: ``ONLINE_BASE[code] + online_trend(day)`` clipped to ``[0, 0.92]``;
    ``0.0`` for codes that cannot be reported online."""
    base = ONLINE_BASE.get(incident_code)
    if base is None:
        return 0.0
    return min(_ONLINE_MAX, max(0.0, base + online_trend(day)))


def _video_share(day: date) -> float:
    """Share of non-internet aangiften taken by video call (pilot from mid-2018)."""
    years = (day - date(2018, 6, 1)).days / 365.25
    if years <= 0:
        return 0.0
    return min(0.08, 0.03 * years)


_CHATBOT_START: Final = date(2020, 1, 1)


# --------------------------------------------------------------------------- time profiles


@dataclass(frozen=True)
class _Profile:
    hours: tuple[float, ...]  # 24 weights
    dow: tuple[float, ...]  # 7 weights, Monday first
    months: tuple[float, ...]  # 12 weights
    weekend_night: float = 1.0  # Fri/Sat 22-24 h and Sat/Sun 0-6 h multiplier
    dark_evening: float = 1.0  # Oct-Feb 16-21 h multiplier (hour distribution only)
    special: tuple[tuple[int, int, float], ...] = ()  # (month, day, factor)


def _h(*values: float) -> tuple[float, ...]:
    assert len(values) == 24
    return values


_FLAT7 = (1.0,) * 7
# fmt: off
_PROFILES: Final[dict[str, _Profile]] = {
    "burglary": _Profile(
        _h(1.0, .8, .7, .6, .5, .5, .6, .8, 1.2, 1.6, 1.9, 2.0,
           2.0, 2.0, 2.0, 2.1, 2.3, 2.6, 2.9, 2.8, 2.4, 2.0, 1.6, 1.2),
        (1.0, 1.0, 1.0, 1.0, 1.1, 1.05, 0.9),
        (1.25, 1.05, .95, .85, .8, .78, .8, .85, .9, 1.1, 1.3, 1.4),
        dark_evening=1.6,
    ),
    "night": _Profile(
        _h(3.0, 3.0, 3.0, 2.6, 2.0, 1.2, .8, .6, .5, .5, .5, .5,
           .5, .5, .5, .5, .6, .7, .8, 1.0, 1.3, 1.8, 2.3, 2.8),
        (1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.0),
        (1.15, 1.05, 1.0, .95, .9, .9, .9, .95, .95, 1.05, 1.1, 1.15),
    ),
    "vehicle": _Profile(
        _h(2.2, 2.4, 2.4, 2.2, 1.8, 1.2, .8, .6, .5, .5, .5, .5,
           .5, .5, .5, .5, .6, .7, .8, 1.0, 1.3, 1.6, 1.9, 2.1),
        _FLAT7,
        (1.1, 1.05, 1.0, .95, .95, .9, .9, .95, 1.0, 1.05, 1.1, 1.1),
    ),
    "bike": _Profile(
        _h(.6, .5, .3, .2, .2, .2, .3, .6, 1.2, 1.4, 1.4, 1.5,
           1.6, 1.6, 1.7, 1.8, 1.9, 2.0, 1.9, 1.7, 1.5, 1.3, 1.1, .9),
        (1.05, 1.05, 1.05, 1.05, 1.05, .95, .8),
        (.75, .7, .8, .9, .95, 1.0, 1.0, 1.05, 1.25, 1.35, 1.25, .95),
    ),
    "shop": _Profile(
        _h(.02, .02, .02, .02, .02, .02, .02, .05, .3, .8, 1.2, 1.5,
           1.6, 1.7, 1.9, 2.1, 2.2, 2.0, 1.5, 1.0, .6, .3, .05, .02),
        (1.0, 1.0, 1.0, 1.05, 1.15, 1.25, .6),
        (.95, .9, .95, .95, .95, .95, .95, .95, .95, 1.0, 1.1, 1.3),
    ),
    "pickpocket": _Profile(
        _h(.2, .1, .05, .05, .05, .05, .1, .4, .9, 1.1, 1.3, 1.6,
           1.8, 1.9, 2.0, 2.0, 1.9, 1.8, 1.5, 1.1, .8, .6, .4, .3),
        (.9, .9, .9, 1.0, 1.1, 1.4, 1.0),
        (.9, .85, .9, .95, 1.0, 1.05, 1.15, 1.15, 1.0, 1.0, 1.0, 1.2),
    ),
    "nightlife": _Profile(
        _h(3.0, 3.2, 2.8, 2.0, 1.2, .6, .4, .4, .5, .6, .7, .8,
           .9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.9, 2.2, 2.6),
        (.75, .75, .8, .9, 1.05, 1.2, 1.15),
        (.95, .9, .95, 1.0, 1.05, 1.1, 1.1, 1.1, 1.0, 1.0, .95, 1.0),
        weekend_night=3.0,
        special=((1, 1, 2.5), (4, 27, 1.6)),
    ),
    "vandalism": _Profile(
        _h(2.4, 2.4, 2.0, 1.5, 1.0, .6, .5, .5, .6, .7, .8, .9,
           1.0, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0, 2.2, 2.3),
        (.85, .85, .9, .95, 1.05, 1.15, 1.1),
        (1.05, .95, .95, 1.0, 1.0, 1.0, 1.0, 1.0, .95, 1.0, 1.05, 1.05),
        weekend_night=1.8,
        special=((12, 31, 2.5), (1, 1, 5.0)),
    ),
    "domestic": _Profile(
        _h(.8, .6, .4, .3, .2, .2, .3, .5, .8, 1.0, 1.1, 1.2,
           1.2, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.7, 1.6, 1.5, 1.3, 1.0),
        (1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.1),
        (1.0, .95, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, .95, 1.05),
        special=((12, 25, 1.3), (1, 1, 1.5)),
    ),
    "evening": _Profile(
        _h(1.2, 1.0, .7, .4, .3, .2, .2, .3, .5, .6, .7, .8,
           .9, 1.0, 1.1, 1.3, 1.5, 1.8, 2.0, 2.2, 2.3, 2.2, 1.9, 1.5),
        (.95, .95, .95, 1.0, 1.1, 1.1, 1.0),
        (1.05, 1.0, .95, .95, .95, .95, .95, 1.0, 1.0, 1.05, 1.1, 1.1),
        dark_evening=1.2,
    ),
    "daytime": _Profile(
        _h(.2, .15, .1, .1, .1, .2, .4, .8, 1.3, 1.6, 1.7, 1.7,
           1.6, 1.6, 1.7, 1.7, 1.6, 1.4, 1.1, .9, .7, .5, .4, .3),
        (1.1, 1.1, 1.1, 1.1, 1.05, .8, .6),
        (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, .95, .95, 1.0, 1.0, 1.0, 1.05),
    ),
    "online": _Profile(
        _h(.3, .2, .1, .1, .1, .2, .4, .8, 1.0, 1.1, 1.2, 1.2,
           1.2, 1.2, 1.2, 1.2, 1.2, 1.3, 1.4, 1.6, 1.8, 1.8, 1.4, .8),
        (1.05, 1.0, 1.0, 1.0, 1.0, .9, 1.05),
        (1.1, 1.0, .95, .9, .9, .85, .85, .9, .95, 1.05, 1.2, 1.3),
    ),
    "traffic_night": _Profile(
        _h(2.6, 2.6, 2.2, 1.6, 1.0, .6, .5, .5, .5, .5, .5, .6,
           .7, .7, .8, .9, 1.1, 1.3, 1.4, 1.5, 1.6, 1.8, 2.1, 2.4),
        (.6, .6, .7, .9, 1.2, 1.45, 1.25),
        (1.0, .9, .95, 1.0, 1.05, 1.1, 1.05, 1.05, 1.0, 1.0, .95, 1.1),
        weekend_night=2.0,
        special=((1, 1, 1.5),),
    ),
}
# fmt: on
_DARK_MONTHS: Final = frozenset({10, 11, 12, 1, 2})
_NORM_START: Final = date(2016, 1, 1)
_NORM_END: Final = date(2019, 12, 31)


class _ProfileTables:
    """Hour distributions per (dark, weekday) and the normalised day factor of a profile."""

    def __init__(self, profile: _Profile) -> None:
        self.profile = profile
        self.cum: dict[tuple[bool, int], list[float]] = {}
        light_sums: list[float] = []
        for dark in (False, True):
            for dow in range(7):
                row = self._row(dow, dark)
                if not dark:
                    light_sums.append(sum(row))
                total = sum(row)
                self.cum[(dark, dow)] = [c / total for c in accumulate(row)]
        mean_sum = sum(light_sums) / 7.0
        self.dow_factor = [s / mean_sum for s in light_sums]
        self.special = {(m, d): f for m, d, f in profile.special}
        days = (_NORM_END - _NORM_START).days + 1
        total = math.fsum(self._raw(_NORM_START + timedelta(days=i)) for i in range(days))
        self.norm = total / days

    def _row(self, dow: int, dark: bool) -> list[float]:
        p = self.profile
        row = [p.dow[dow] * h for h in p.hours]
        for hour in range(24):
            if (dow in (4, 5) and hour >= 22) or (dow in (5, 6) and hour < 6):
                row[hour] *= p.weekend_night
            if dark and 16 <= hour <= 20:
                row[hour] *= p.dark_evening
        return row

    def _raw(self, day: date) -> float:
        return (
            self.profile.months[day.month - 1]
            * self.dow_factor[day.weekday()]
            * self.special.get((day.month, day.day), 1.0)
        )

    def factor(self, day: date) -> float:
        """Relative intensity on *day*; averages 1.0 over 2016-2019."""
        return self._raw(day) / self.norm

    def hour(self, day: date, u: float) -> int:
        cum = self.cum[(day.month in _DARK_MONTHS, day.weekday())]
        return min(23, bisect.bisect_right(cum, u))


# --------------------------------------------------------------------------- offence traits


@dataclass(frozen=True)
class _Traits:
    profile: str = "daytime"
    window: str = "exact"  # exact|short|burglary|parked|overnight|shed|days
    victim: str = "person"  # person|org|public|none
    org_type: str = "shop"  # shop|business|school|municipality|transport|horeca
    goods: tuple[str, ...] = ()  # good subtypes that may be taken
    max_goods: int = 1
    attempt: float = 0.0
    arrest: float = 0.02
    suspect: float = 0.2
    melding: float = 0.08  # chance an aangifte-type registration is only a melding
    tipline: float = 0.0
    police_detected: bool = False
    story: str = "generic"
    central: bool = False
    damage: tuple[float, float] | None = None  # lognormal (median EUR, sigma) besides goods
    companions: tuple[tuple[str, float], ...] = ()
    minor_victim: bool = False


_T = _Traits
_BURGLARY = _T(
    profile="burglary",
    window="burglary",
    goods=("laptop", "phone", "valuables", "other"),
    max_goods=3,
    attempt=0.33,
    arrest=0.03,
    suspect=0.08,
    melding=0.05,
    story="burglary",
    damage=(250.0, 0.8),
    companions=(("C40", 0.18), ("F15", 0.03)),
)
_SHED = _T(
    profile="night",
    window="shed",
    goods=("bicycle", "tools", "other"),
    max_goods=2,
    attempt=0.25,
    arrest=0.02,
    suspect=0.05,
    melding=0.06,
    story="shed",
    companions=(("C40", 0.12),),
)
_BUSINESS = _T(
    profile="night",
    window="shed",
    victim="org",
    org_type="business",
    goods=("tools", "laptop", "other"),
    max_goods=2,
    attempt=0.3,
    arrest=0.03,
    suspect=0.05,
    melding=0.04,
    story="business_burglary",
    damage=(400.0, 0.9),
    companions=(("C40", 0.2),),
)
_VEHICLE = _T(
    profile="vehicle",
    window="overnight",
    goods=("car",),
    attempt=0.12,
    arrest=0.02,
    suspect=0.05,
    melding=0.04,
    story="vehicle",
    companions=(("D51", 0.06),),
)
_VIOLENCE = _T(
    profile="nightlife",
    arrest=0.11,
    suspect=0.6,
    melding=0.12,
    story="assault",
    central=True,
    companions=(("F530", 0.22), ("F51", 0.1)),
)
_SEXUAL = _T(profile="domestic", arrest=0.1, suspect=0.6, melding=0.05, story="sexual")
_DRUGS = _T(
    profile="nightlife",
    victim="none",
    police_detected=True,
    arrest=0.45,
    suspect=1.0,
    story="drugs",
    central=True,
    tipline=0.1,
    companions=(("F72", 0.12),),
)
_TRAFFIC = _T(
    profile="traffic_night",
    victim="none",
    police_detected=True,
    arrest=0.55,
    suspect=1.0,
    story="dui",
)
_ORDER = _T(
    profile="nightlife",
    victim="none",
    police_detected=True,
    arrest=0.4,
    suspect=1.0,
    story="order",
    central=True,
)
_VANDALISM = _T(
    profile="vandalism",
    arrest=0.04,
    suspect=0.2,
    melding=0.25,
    story="vandalism",
    damage=(450.0, 1.0),
)
_FRAUD = _T(
    profile="online",
    window="days",
    arrest=0.02,
    suspect=0.4,
    melding=0.03,
    story="fraud",
    damage=(700.0, 1.4),
    companions=(("F617", 0.06),),
)

_TRAITS: Final[dict[str, _Traits]] = {
    "A20": _BURGLARY,
    "A30": replace(_BURGLARY, attempt=0.1, arrest=0.05, companions=(("C40", 0.06),)),
    "B20": replace(
        _BURGLARY,
        attempt=0.2,
        arrest=0.15,
        suspect=0.3,
        companions=(("F550", 0.4), ("F530", 0.3)),
    ),
    "A21": _SHED,
    "A34": replace(_SHED, attempt=0.08, companions=(("C40", 0.05),)),
    "A10": _T(
        profile="vehicle",
        window="overnight",
        goods=("phone", "laptop", "car_part", "other"),
        max_goods=2,
        attempt=0.1,
        arrest=0.01,
        suspect=0.04,
        melding=0.06,
        story="car",
        damage=(250.0, 0.7),
        companions=(("C40", 0.2),),
    ),
    "A70": _VEHICLE,
    "A71": replace(_VEHICLE, goods=("motorcycle",)),
    "A76": replace(_VEHICLE, goods=("van",), companions=()),
    "A72": _T(
        profile="bike",
        window="parked",
        goods=("bicycle",),
        attempt=0.02,
        arrest=0.01,
        suspect=0.03,
        melding=0.12,
        story="bike",
        central=True,
    ),
    "A73": _T(
        profile="bike",
        window="parked",
        goods=("moped",),
        attempt=0.08,
        arrest=0.02,
        suspect=0.05,
        melding=0.08,
        story="moped",
    ),
    "A40": _T(
        profile="pickpocket",
        window="short",
        goods=("phone", "wallet"),
        max_goods=2,
        arrest=0.02,
        suspect=0.02,
        melding=0.04,
        story="pickpocket",
        central=True,
    ),
    "D13": _T(
        profile="daytime",
        window="short",
        arrest=0.05,
        suspect=0.35,
        melding=0.1,
        story="hit_and_run",
        damage=(1200.0, 0.8),
    ),
    "F520": replace(_SEXUAL, profile="daytime", suspect=0.3, arrest=0.15, central=True),
    "F521": replace(_SEXUAL, suspect=0.75, arrest=0.12, companions=(("F550", 0.2),)),
    "F522": replace(_SEXUAL, suspect=0.5, companions=(("F550", 0.1),)),
    "F527": replace(_SEXUAL, window="days", suspect=0.85, minor_victim=True),
    "F540": _T(
        profile="nightlife",
        attempt=0.8,
        arrest=0.45,
        suspect=0.7,
        melding=0.0,
        story="homicide",
        companions=(("F70", 0.25),),
    ),
    "F12": replace(
        _VIOLENCE,
        arrest=0.2,
        suspect=0.45,
        story="public_violence",
        companions=(("F11", 0.15), ("F550", 0.15)),
    ),
    "F530": _T(
        profile="domestic",
        arrest=0.06,
        suspect=0.65,
        melding=0.15,
        story="threat",
        companions=(("F550", 0.22), ("F51", 0.15)),
    ),
    "F533": _T(
        profile="domestic",
        window="days",
        arrest=0.08,
        suspect=0.95,
        melding=0.1,
        story="stalking",
        companions=(("F530", 0.35),),
    ),
    "F550": _VIOLENCE,
    "F551": replace(
        _VIOLENCE, arrest=0.3, suspect=0.7, story="assault_serious", companions=(("F530", 0.25),)
    ),
    "B70": _T(
        profile="evening",
        goods=("phone", "wallet", "bag"),
        max_goods=2,
        attempt=0.2,
        arrest=0.1,
        suspect=0.15,
        melding=0.03,
        story="robbery",
        central=True,
        companions=(("F550", 0.3), ("F530", 0.2)),
    ),
    "B72": _T(
        profile="evening",
        goods=("valuables", "phone", "cash"),
        max_goods=2,
        attempt=0.2,
        arrest=0.15,
        suspect=0.2,
        melding=0.0,
        story="holdup_home",
        companions=(("F530", 0.4), ("F550", 0.3), ("F70", 0.1)),
    ),
    "B73": _T(
        profile="shop",
        victim="org",
        goods=("cash",),
        attempt=0.25,
        arrest=0.15,
        suspect=0.15,
        melding=0.0,
        story="holdup",
        companions=(("F530", 0.4), ("F70", 0.15)),
    ),
    "F13": replace(_VANDALISM, arrest=0.03, suspect=0.1, story="arson", damage=(3000.0, 1.1)),
    "A27": replace(_BUSINESS, goods=("tools", "other")),
    "A80": _T(
        profile="daytime",
        window="days",
        victim="org",
        org_type="business",
        arrest=0.05,
        suspect=0.9,
        melding=0.02,
        story="embezzlement",
        damage=(2500.0, 1.2),
    ),
    "A81": _T(
        profile="daytime",
        victim="none",
        police_detected=True,
        arrest=0.5,
        suspect=1.0,
        story="receiving",
        tipline=0.05,
    ),
    "A82": _T(
        profile="daytime",
        window="days",
        arrest=0.1,
        suspect=0.5,
        story="extortion",
        damage=(1000.0, 1.2),
    ),
    "A90": _T(
        profile="daytime",
        window="short",
        goods=("phone", "wallet", "bag", "other"),
        max_goods=2,
        arrest=0.04,
        suspect=0.1,
        story="theft",
        central=True,
    ),
    "A95": _T(
        profile="daytime",
        window="parked",
        goods=("tools", "other", "laptop"),
        arrest=0.02,
        suspect=0.05,
        story="theft",
    ),
    "C20": replace(
        _VANDALISM,
        victim="public",
        org_type="transport",
        story="vandalism_public",
        damage=(600.0, 0.8),
        central=True,
    ),
    "C30": replace(
        _VANDALISM,
        victim="public",
        org_type="municipality",
        story="vandalism_public",
        damage=(800.0, 0.9),
    ),
    "C40": replace(_VANDALISM, companions=(("F530", 0.08), ("F15", 0.03))),
    "F11": _T(
        profile="nightlife",
        victim="public",
        org_type="municipality",
        police_detected=True,
        arrest=0.15,
        suspect=0.3,
        story="public_violence_goods",
        central=True,
        damage=(900.0, 1.0),
        companions=(("F12", 0.15),),
    ),
    "F15": _T(
        profile="evening",
        arrest=0.15,
        suspect=0.8,
        melding=0.15,
        story="trespass",
        companions=(("C40", 0.2), ("F530", 0.12)),
    ),
    "A22": replace(_BUSINESS, org_type="shop", goods=("shop_goods", "cash")),
    "A23": _BUSINESS,
    "A26": replace(_BUSINESS, org_type="school", goods=("laptop", "other")),
    "A32": replace(
        _BUSINESS,
        profile="daytime",
        window="short",
        attempt=0.05,
        goods=("laptop", "phone", "other"),
        companions=(),
    ),
    "A50": _T(
        profile="shop",
        victim="org",
        goods=("shop_goods",),
        attempt=0.05,
        arrest=0.25,
        suspect=0.85,
        melding=0.05,
        story="shoplifting",
        central=True,
        companions=(("F530", 0.08), ("F550", 0.03)),
    ),
    "B50": _T(
        profile="shop",
        victim="org",
        goods=("shop_goods",),
        attempt=0.1,
        arrest=0.55,
        suspect=0.9,
        melding=0.02,
        story="shoplifting",
        central=True,
        companions=(("F550", 0.5), ("F530", 0.25)),
    ),
    "F40": _DRUGS,
    "F42": replace(_DRUGS, tipline=0.15, companions=(("F72", 0.1), ("F70", 0.03))),
    "F43": replace(_DRUGS, arrest=0.35, tipline=0.15, companions=(("F42", 0.1),)),
    "F45": replace(
        _DRUGS,
        profile="daytime",
        arrest=0.25,
        suspect=0.8,
        tipline=0.3,
        story="cannabis_farm",
        central=False,
        companions=(("F43", 0.25),),
    ),
    "F70": replace(_DRUGS, arrest=0.5, story="weapon", companions=(("F42", 0.1),)),
    "F72": replace(_DRUGS, arrest=0.4, story="weapon", tipline=0.03, companions=(("F40", 0.12),)),
    "F5291": _T(
        profile="daytime",
        window="days",
        victim="none",
        police_detected=True,
        arrest=0.1,
        suspect=0.9,
        story="csam",
        tipline=0.05,
    ),
    "D20": replace(_TRAFFIC, arrest=0.6, companions=(("D21", 0.15), ("D42", 0.06))),
    "D21": replace(_TRAFFIC, companions=(("D42", 0.08), ("D13", 0.05), ("F17", 0.03))),
    "D42": replace(
        _TRAFFIC, profile="daytime", arrest=0.35, story="disqualified", companions=(("D21", 0.12),)
    ),
    "D51": replace(_TRAFFIC, profile="night", arrest=0.3, suspect=0.6, story="false_plate"),
    "F17": replace(
        _ORDER,
        arrest=0.9,
        story="resisting",
        companions=(("F18", 0.35), ("F550", 0.25), ("F51", 0.2)),
    ),
    "F18": replace(_ORDER, companions=(("F17", 0.25), ("F51", 0.15))),
    "F19": replace(_ORDER, profile="daytime", arrest=0.3, companions=(("F51", 0.2),)),
    "F50": _T(profile="daytime", arrest=0.03, suspect=0.4, story="discrimination"),
    "F51": _T(
        profile="domestic",
        arrest=0.05,
        suspect=0.7,
        melding=0.2,
        story="insult",
        companions=(("F530", 0.15),),
    ),
    "F90": replace(
        _FRAUD, arrest=0.005, suspect=0.1, story="cyber", damage=(500.0, 1.3), companions=()
    ),
    "F617": replace(
        _FRAUD, suspect=0.1, story="identity_fraud", damage=(800.0, 1.2), companions=()
    ),
    "F620": replace(_FRAUD, suspect=0.3, damage=(1200.0, 1.3), companions=()),
    "F636": replace(
        _FRAUD,
        arrest=0.003,
        suspect=0.6,
        story="online_fraud",
        damage=(180.0, 1.0),
        companions=(("F617", 0.03),),
    ),
    "F600": _FRAUD,
    "F601": _T(
        profile="evening",
        victim="org",
        org_type="horeca",
        arrest=0.1,
        suspect=0.5,
        story="dine_and_dash",
        damage=(60.0, 0.7),
    ),
    "F94": _T(
        profile="daytime",
        window="days",
        victim="none",
        police_detected=True,
        arrest=0.3,
        suspect=1.0,
        story="laundering",
        tipline=0.1,
    ),
}
_DEFAULT_TRAITS: Final = _T()
#: Chance that the victim knows (and enters) the frame number / VIN of a stolen good.
_KNOWN_FRAME: Final[dict[str, float]] = {"bicycle": 0.8, "vehicle": 0.7}
#: Calibrates the per-code arrest chances to ~8 % arrests overall.
_ARREST_SCALE: Final = 0.85
#: Stories where co-offenders (2-3 suspects) occur.
_GROUP_STORIES: Final = frozenset(
    {
        "burglary",
        "shed",
        "business_burglary",
        "car",
        "vehicle",
        "moped",
        "robbery",
        "holdup",
        "holdup_home",
        "public_violence",
        "public_violence_goods",
        "assault",
        "assault_serious",
        "shoplifting",
        "drugs",
        "cannabis_farm",
        "vandalism",
        "pickpocket",
        "theft",
        "resisting",
        "order",
        "arson",
    }
)
_ARREST_EXTRA: Final = (("F17", 0.05), ("F18", 0.03))
_VIOLENT_STORIES: Final = frozenset({"assault", "assault_serious", "threat", "public_violence"})


def _traits(code: str) -> _Traits:
    return _TRAITS.get(code, _DEFAULT_TRAITS)


# --------------------------------------------------------------------------- names


def _words(text: str) -> list[str]:
    return text.split()


_NL_MALE = _words(
    "Johannes Cornelis Hendrik Jan Pieter Willem Gerrit Jacobus Adrianus Petrus Dirk "
    "Klaas Hans Peter Marco Erik Mark Dennis Jeroen Bas Tim Thomas Daan Sem Lucas Milan "
    "Levi Finn Jesse Bram Ruben Lars Kevin Niels Stijn Rick Sander Wouter Joost Martijn "
    "Jasper Luuk Noah Thijs Arjen Frank Robin Vincent"
)
_NL_FEMALE = _words(
    "Maria Johanna Cornelia Wilhelmina Anna Elisabeth Hendrika Geertruida Petronella "
    "Ingrid Monique Anita Sandra Linda Marieke Esther Femke Anouk Sanne Lotte Iris Emma "
    "Julia Sophie Eva Lisa Fleur Noor Tess Saskia Ilse Kim Naomi Mila Zoë Renée Ellen "
    "Wendy Nicole Karin"
)
_NL_SURNAMES: Final[tuple[tuple[str, str], ...]] = tuple(
    (p.replace("_", " "), s)
    for p, s in (
        item.split("|")
        for item in _words(
            "de|Jong |Jansen de|Vries van_den|Berg van|Dijk |Bakker |Janssen |Visser |Smit "
            "|Meijer de|Boer |Mulder de|Groot |Bos |Vos |Peters |Hendriks van|Leeuwen "
            "|Dekker |Brouwer de|Wit |Dijkstra |Smits de|Graaf van_der|Meer van_der|Linden "
            "|Kok |Jacobs de|Haan |Vermeulen van_den|Heuvel van_der|Veen van_den|Broek "
            "de|Bruijn de|Bruin van_der|Heijden |Schouten van|Beek |Willems van|Vliet "
            "van_de|Ven |Hoekstra |Maas |Verhoeven |Koster van|Dam van_der|Wal |Prins |Blom "
            "|Huisman |Kuiper |Postma |Timmermans |Groen |Wouters |Scholten |Jonker "
            "ter|Horst ten|Brink in_'t|Veld van_'t|Hof |Sanders |Lammers |Verbeek |Evers "
            "|Gerritsen op_de|Beek van_der|Zee |Bosch |Kramer van|Es |Hoek "
        )
    )
)
_ORIGIN_NAMES: Final[dict[str, tuple[list[str], list[str], list[str]]]] = {
    # origin: (male first names, female first names, surnames)
    "ma": (
        _words("Mohamed Youssef Ahmed Said Mustafa Hamza Bilal Ilias Anouar Khalid Rachid Karim"),
        _words("Fatima Khadija Samira Nadia Latifa Souad Imane Yasmina Salma Hajar Naima"),
        [
            n.replace("_", " ")
            for n in _words(
                "El_Amrani Bouzid Benali El_Idrissi Azzouzi Boukhari El_Khatib Ouali Haddou "
                "Ziani Ait_Ben_Ali Chaouch"
            )
        ],
    ),
    "tr": (
        _words("Mehmet Mustafa Ahmet Emre Murat Hakan Burak Kemal Yusuf Oğuz"),
        _words("Ayşe Fatma Elif Zeynep Emine Hatice Büşra Esra Derya"),
        _words("Yılmaz Kaya Demir Şahin Çelik Öztürk Aydın Arslan Doğan Kılıç Yıldız Koç"),
    ),
    "sr": (
        _words("Ravi Rajesh Sunil Anil Dinesh Glenn Rudi Clyde Errol Romano"),
        _words("Shanti Anjali Priya Sita Natasha Gwendolyn Jennifer Shirley"),
        _words(
            "Ramdin Ramsaran Jagesar Mahabier Sewdien Kalloe Tjon Pinas Wijngaarde Esajas "
            "Sabajo Kartodikromo"
        ),
    ),
    "cw": (
        _words("Giovanni Jurgen Rignald Shurandy Ivan"),
        _words("Shanaya Jeanine Ruthmila Sharline"),
        _words("Martina Isenia Pieternella Doran Statia Cijntje"),
    ),
    "pl": (
        _words("Piotr Krzysztof Tomasz Paweł Marek Łukasz Michał"),
        _words("Katarzyna Agnieszka Magdalena Joanna Małgorzata Anna"),
        _words("Nowak Kowalczyk Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak"),
    ),
    "ro": (
        _words("Andrei Ionuț Mihai Gheorghe Ivan Georgi Stefan"),
        _words("Elena Ioana Mariana Daniela Petya"),
        _words("Popescu Ionescu Popa Dumitru Stoica Ivanov Petrov Georgiev"),
    ),
    "sy": (
        _words("Mohammad Ahmad Omar Khaled Hassan Ali Yonas Tesfay Dawit"),
        _words("Rania Lina Nour Aya Hiba Selam Semhar"),
        _words("Al-Hassan Alkhatib Haddad Darwish Hamdan Ibrahim Mahmoud Haile Tekle Berhane"),
    ),
    "de": (
        _words("Lukas Jonas Felix Tobias James Daniel Pieter-Jan"),
        _words("Laura Hannah Lena Charlotte Sophie"),
        _words("Müller Schmidt Schneider Fischer Peeters Claes Smith Jones Wagner"),
    ),
}
_ORIGINS: Final = ("nl", "ma", "tr", "sr", "cw", "pl", "ro", "sy", "de")
_ORIGIN_CUM: Final = list(accumulate((0.745, 0.05, 0.045, 0.04, 0.01, 0.03, 0.015, 0.045, 0.02)))
#: (nationality for residents: [(code, weight)], chance of being a non-resident without BSN)
_NATIONALITY: Final[dict[str, tuple[tuple[tuple[str, float], ...], float]]] = {
    "nl": ((("NL", 1.0),), 0.0),
    "ma": ((("NL", 0.8), ("MA", 0.2)), 0.0),
    "tr": ((("NL", 0.75), ("TR", 0.25)), 0.0),
    "sr": ((("NL", 0.95), ("SR", 0.05)), 0.0),
    "cw": ((("NL", 1.0),), 0.0),
    "pl": ((("PL", 0.85), ("NL", 0.15)), 0.25),
    "ro": ((("RO", 0.7), ("BG", 0.3)), 0.3),
    "sy": ((("SY", 0.45), ("ER", 0.15), ("NL", 0.4)), 0.0),
    "de": ((("DE", 0.4), ("BE", 0.35), ("GB", 0.25)), 0.3),
}
_PARTICLE_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "van der": ("v.d.", "vd", "v/d", "van de", "Van der"),
    "van den": ("v.d.", "vd", "van de", "Van den"),
    "van de": ("v.d.", "vd", "Van de"),
    "van": ("v.", "Van"),
    "de": ("De", "d."),
    "ter": ("Ter", "te"),
    "ten": ("Ten", "te"),
    "in 't": ("in het", "int", "in t"),
    "van 't": ("van het", "v. 't", "van t"),
    "op de": ("Op de", "op den"),
}
_KEYBOARD_NEIGHBOURS: Final[dict[str, str]] = {
    "a": "sqe",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uoy",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "mb",
    "o": "ip",
    "p": "o",
    "r": "et",
    "s": "adz",
    "t": "rd",
    "u": "yi",
    "v": "cbw",
    "w": "ve",
    "x": "zc",
    "y": "ij",
    "z": "xs",
}


# --------------------------------------------------------------------------- helpers


def is_valid_bsn(bsn: str) -> bool:
    """Eleven test (elfproef) for a 9-digit BSN: weights 9..2 and -1 for the last digit."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    digits = [int(c) for c in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def _bsn_from_index(n: int, mult: int, offset: int) -> str:
    """A unique valid BSN for person number *n* (< 10**7): a bijective permutation of *n*
    gives 7 digits, prefixed "9" (or "8" when the check digit would be 10)."""
    body = (mult * n + offset) % 10_000_000
    total, rest = 0, body
    for weight in range(2, 9):  # last body digit has weight 2, first weight 8
        rest, digit = divmod(rest, 10)
        total += weight * digit
    for first in (9, 8):
        check = (first * 9 + total) % 11
        if check < 10:
            return f"{first}{body:07d}{check}"
    raise AssertionError("unreachable: prefixes 9 and 8 differ by 9 mod 11")


def _luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _poisson(rng: random.Random, lam: float) -> int:
    """Small-mean Poisson draw (inverse transform)."""
    u = rng.random()
    k, p = 0, math.exp(-lam)
    cum = p
    while u > cum and k < 50:
        k += 1
        p *= lam / k
        cum += p
    return k


def _choice[T](rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without the bit-exact rejection sampling (faster, still deterministic)."""
    return seq[int(rng.random() * len(seq))]


def _pick_cum(rng: random.Random, cum: Sequence[float]) -> int:
    return min(len(cum) - 1, bisect.bisect_right(cum, rng.random() * cum[-1]))


def _localize(naive: datetime) -> datetime:
    """Local Amsterdam wall time -> aware UTC (times in the spring-forward gap move +1 h)."""
    utc = naive.replace(tzinfo=AMSTERDAM).astimezone(UTC)
    if utc.astimezone(AMSTERDAM).replace(tzinfo=None) != naive:
        utc = (naive + timedelta(hours=1)).replace(tzinfo=AMSTERDAM).astimezone(UTC)
    return utc


def _dmy(moment: datetime) -> str:
    """Day-month-year as ``01-04-2017``; faster than strftime-style formatting."""
    return f"{moment.day:02d}-{moment.month:02d}-{moment.year}"


def _hm(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _typo(word: str, rng: random.Random) -> str:
    """One-letter edit: substitution by a keyboard neighbour, deletion, doubling or swap."""
    if len(word) < 3:
        return word + word[-1:]
    i = rng.randrange(1, len(word))
    op = rng.random()
    ch = word[i]
    if op < 0.4:
        options = _KEYBOARD_NEIGHBOURS.get(ch.lower(), "e")
        new = _choice(rng, options)
        return word[:i] + (new.upper() if ch.isupper() else new) + word[i + 1 :]
    if op < 0.65:
        return word[:i] + word[i + 1 :]
    if op < 0.85:
        return word[:i] + ch + word[i:]
    if i + 1 < len(word):
        return word[:i] + word[i + 1] + ch + word[i + 2 :]
    return word[: i - 1] + ch + word[i - 1]


def _money(value: float) -> Decimal:
    rounded = max(5.0, round(value / 5.0) * 5.0) if value >= 20 else max(1.0, round(value))
    return Decimal(f"{rounded:.2f}")


# --------------------------------------------------------------------------- internal records


@dataclass(slots=True)
class _Person:
    key: str
    first_names: str
    particle: str
    surname: str
    dob: date
    bsn: str | None
    nationality: str
    seen: int = 0


@dataclass(slots=True)
class _Org:
    key: str
    name: str
    kvk: str
    seen: int = 0


@dataclass(slots=True)
class _OffenderPool:
    people: list[_Person]
    cum: list[float]
    group_of: list[int]
    groups: list[list[int]]


@dataclass(slots=True)
class _OrgPool:
    orgs: list[_Org]
    cum: list[float]


@dataclass(slots=True)
class _Hood:
    code: str
    name: str
    municipality: int
    geom: BaseGeometry
    bounds: tuple[float, float, float, float]
    anchors: list[tuple[float, float]]
    uniform: list[tuple[float, float]]
    clustered: list[tuple[float, float]]


@dataclass(slots=True)
class _Event:
    day: date
    when: datetime  # naive local wall time of the (true) occurrence
    code: int
    municipality: int
    hood: int
    x: float
    y: float
    child: bool
    seq: int


# --------------------------------------------------------------------------- generator


_OFFENDER_POOL_PER_REGISTRATION: Final = 0.08
_REPEAT_VICTIM_POOL_PER_REGISTRATION: Final = 0.03
_SUSPECT_FROM_POOL: Final = 0.6
#: Spread (lognormal sigma) of offender activity: a few prolific offenders, many occasional.
_OFFENDER_ACTIVITY_SIGMA: Final = 1.15
_CENTRAL_EXPONENT: Final = 1.0
_URBANITY_EXPONENT: Final = 0.3


class RegistrationGenerator:
    """Seeded stream of :class:`RegistrationEntry` for the selected municipalities.

    *municipalities* should cover the whole country (the urbanity factor is normalised over
    them so that their total is ``annual_national_volume``); ``config.municipality_codes``
    selects the ones generated. *neighbourhoods* must include those of the selected
    municipalities (others are ignored).
    """

    def __init__(
        self,
        config: GeneratorConfig,
        municipalities: Sequence[MunicipalityInput],
        neighbourhoods: Sequence[NeighbourhoodInput],
        offence_mix: Sequence[OffenceMixRow] | None = None,
    ) -> None:
        self.config = config
        self.mix: list[OffenceMixRow] = list(offence_mix or load_offence_mix())
        if not self.mix:
            raise ValueError("empty offence mix")
        self.last_stats: GenerationStats | None = None
        try:
            self.titles = {code: t for (code, _), t in load_incident_reference().items()}
        except OSError:  # pragma: no cover - the reference file ships with the package
            self.titles = {}

        populated = [m for m in municipalities if m.population > 0]
        if not populated:
            raise ValueError("no municipalities with inhabitants")
        densities = [m.population / max(m.area_km2, 0.01) for m in populated]
        median = float(np.median(densities))
        weights = {
            m.code: m.population * (d / median) ** _URBANITY_EXPONENT
            for m, d in zip(populated, densities, strict=True)
        }
        total_weight = math.fsum(weights.values())
        self.urbanity = {
            m.code: (d / median) ** _URBANITY_EXPONENT
            for m, d in zip(populated, densities, strict=True)
        }
        self.national_population = sum(m.population for m in populated)

        by_code = {m.code: m for m in populated}
        if config.municipality_codes is None:
            selected = sorted(by_code)
        else:
            unknown = sorted(config.municipality_codes - set(by_code))
            if unknown:
                raise ValueError(f"unknown or empty municipalities: {', '.join(unknown)}")
            selected = sorted(config.municipality_codes)
        self.municipalities = [by_code[c] for c in selected]
        index = {c: i for i, c in enumerate(selected)}

        hoods_by_m: dict[int, list[NeighbourhoodInput]] = defaultdict(list)
        all_pop_by_m: dict[int, int] = defaultdict(int)
        for n in sorted(neighbourhoods, key=lambda n: n.code):
            mi = index.get(n.municipality_code)
            if mi is None:
                continue
            all_pop_by_m[mi] += max(0, n.population)
            if config.neighbourhood_codes is None or n.code in config.neighbourhood_codes:
                hoods_by_m[mi].append(n)
        self.hood_inputs = hoods_by_m
        # Volume scale when only some neighbourhoods of a municipality are selected.
        scale: list[float] = []
        for mi, code in enumerate(selected):
            if not hoods_by_m.get(mi):
                if config.neighbourhood_codes is None:
                    raise ValueError(f"municipality {code} has no neighbourhoods")
                scale.append(0.0)
                continue
            chosen = sum(max(0, n.population) for n in hoods_by_m[mi])
            scale.append(1.0 if all_pop_by_m[mi] <= 0 else chosen / all_pop_by_m[mi])
        self.share = np.array(
            [weights[c] / total_weight * s for c, s in zip(selected, scale, strict=True)],
            dtype=np.float64,
        )

        total_mix = math.fsum(r.weight for r in self.mix)
        self.tables = {name: _ProfileTables(p) for name, p in _PROFILES.items()}
        self.code_traits = [_traits(r.incident_code) for r in self.mix]
        self.profile_names = sorted(_PROFILES)
        self.code_profile = np.array(
            [self.profile_names.index(t.profile) for t in self.code_traits], dtype=np.int64
        )
        self.annual_rate = np.array(
            [config.annual_national_volume * r.weight / total_mix / 365.25 for r in self.mix],
            dtype=np.float64,
        )
        self.near_repeat = np.array([r.near_repeat for r in self.mix], dtype=bool)
        self.background = np.where(self.near_repeat, 1.0 - NEAR_REPEAT_BRANCHING, 1.0)
        self.code_index = {r.incident_code: i for i, r in enumerate(self.mix)}

    # ------------------------------------------------------------------ expectations

    def _profile_factors(self, day: date) -> npt.NDArray[np.float64]:
        return np.array(
            [self.tables[name].factor(day) for name in self.profile_names], dtype=np.float64
        )

    def daily_rates(self, day: date) -> npt.NDArray[np.float64]:
        """Expected registrations per offence code on *day* for the whole country
        (including near repeats)."""
        return self.annual_rate * self._profile_factors(day)[self.code_profile]

    def expected_by_municipality(self) -> dict[str, float]:
        """Expected number of registrations per selected municipality in the period."""
        total = 0.0
        day = self.config.start
        while day <= self.config.end:
            total += float(self.daily_rates(day).sum())
            day += timedelta(days=1)
        return {
            m.code: float(s) * total for m, s in zip(self.municipalities, self.share, strict=True)
        }

    def expected_count(self) -> int:
        """Expected number of registrations (rounded): ``annual_national_volume`` x the
        selection's share of ``population x urbanity`` x the period's share of a year
        (seasonality and weekdays taken into account)."""
        return round(sum(self.expected_by_municipality().values()))

    # ------------------------------------------------------------------ iteration

    def __iter__(self) -> Iterator[RegistrationEntry]:
        """A fresh, deterministic pass: day by day (true occurrence date), within a day by true
        occurrence time. Not in ``reported_at`` order. Each pass starts from the seed again and
        sets :attr:`last_stats`."""
        return _Run(self).generate()


class _Run:
    """State of one iteration (pools, registries, random streams)."""

    def __init__(self, gen: RegistrationGenerator) -> None:
        cfg = gen.config
        self.g = gen
        self.cfg = cfg
        self.rng = random.Random(f"regie-registrations:{cfg.seed}")
        self.np = np.random.default_rng([cfg.seed, 20_170_401])
        self.stats = GenerationStats()
        gen.last_stats = self.stats
        self.ref_year = cfg.start.year
        self.person_seq = 0
        self.good_seq = 0
        self.org_seq = 0
        self.event_seq = 0
        self.bsn_mult = 7_654_321 if cfg.seed % 2 else 3_141_593  # coprime to 10**7
        self.bsn_offset = self.rng.randrange(10_000_000)
        self.reg_seq: dict[tuple[int, int], int] = defaultdict(int)
        self.utc_shift: dict[tuple[int, int, int, int], timedelta] = {}
        self.offenders: dict[int, _OffenderPool] = {}
        self.repeat_victims: dict[int, list[_Person]] = {}
        self.orgs: dict[tuple[int, str], _OrgPool] = {}
        self.transport: _OrgPool | None = None
        self.stolen: dict[tuple[int, str], list[GoodEntry]] = defaultdict(list)
        self.expected_m = gen.expected_by_municipality()
        self.m_codes = [m.code for m in gen.municipalities]
        self.m_names = [m.name or m.code for m in gen.municipalities]
        self.m_cum = list(accumulate(max(1e-9, v) for v in self.expected_m.values()))
        self._build_hoods()

    # ------------------------------------------------------------------ space

    def _build_hoods(self) -> None:
        g = self.g
        self.hoods: list[_Hood] = []
        self.hood_cum: dict[tuple[int, bool], list[float]] = {}
        self.hood_ids: dict[int, list[int]] = {}
        for mi in range(len(g.municipalities)):
            inputs = g.hood_inputs.get(mi, [])
            ids: list[int] = []
            base: list[float] = []
            central: list[float] = []
            densities: list[float] = []
            for n in inputs:
                geom = n.geometry_rd
                if geom.is_empty or geom.area <= 0:
                    continue
                shapely.prepare(geom)
                het = random.Random(f"hood:{self.cfg.seed}:{n.code}").lognormvariate(0.0, 0.35)
                density = max(n.population, 1) / max(geom.area / 1e6, 0.01)
                ids.append(len(self.hoods))
                base.append(max(n.population, 25) * het)
                densities.append(density)
                self.hoods.append(
                    _Hood(n.code, n.name or n.code, mi, geom, geom.bounds, [], [], [])
                )
            if not ids and g.share[mi] > 0:
                raise ValueError(f"municipality {self.m_codes[mi]}: no usable neighbourhoods")
            med = float(np.median(densities)) if densities else 1.0
            for b, d in zip(base, densities, strict=True):
                central.append(b * (d / med) ** _CENTRAL_EXPONENT)
            self.hood_ids[mi] = ids
            self.hood_cum[(mi, False)] = list(accumulate(base))
            self.hood_cum[(mi, True)] = list(accumulate(central))
        for hood in self.hoods:
            hood.anchors = [self._uniform_point(hood) for _ in range(3)]

    def _refill(self, hood: _Hood, clustered: bool) -> None:
        minx, miny, maxx, maxy = hood.bounds
        for _ in range(60):
            if clustered:
                ax = np.array([a[0] for a in hood.anchors])
                ay = np.array([a[1] for a in hood.anchors])
                pick = self.np.integers(0, len(ax), 48)
                xs = ax[pick] + self.np.normal(0.0, 150.0, 48)
                ys = ay[pick] + self.np.normal(0.0, 150.0, 48)
            else:
                xs = self.np.uniform(minx, maxx, 48)
                ys = self.np.uniform(miny, maxy, 48)
            inside = shapely.contains_xy(hood.geom, xs, ys)
            found = [(float(x), float(y)) for x, y, ok in zip(xs, ys, inside, strict=True) if ok]
            if found:
                (hood.clustered if clustered else hood.uniform).extend(reversed(found))
                return
        point = hood.geom.representative_point()
        (hood.clustered if clustered else hood.uniform).append((point.x, point.y))

    def _uniform_point(self, hood: _Hood) -> tuple[float, float]:
        if not hood.uniform:
            self._refill(hood, clustered=False)
        return hood.uniform.pop()

    def _point(self, hood: _Hood) -> tuple[float, float]:
        if self.rng.random() < 0.5:
            return self._uniform_point(hood)
        if not hood.clustered:
            self._refill(hood, clustered=True)
        return hood.clustered.pop()

    def _near_point(self, hood: _Hood, x: float, y: float) -> tuple[float, float]:
        r = NEAR_REPEAT_RADIUS_M * np.sqrt(self.np.uniform(0.0, 1.0, 8))
        theta = self.np.uniform(0.0, 2 * math.pi, 8)
        xs = x + r * np.cos(theta)
        ys = y + r * np.sin(theta)
        inside = shapely.contains_xy(hood.geom, xs, ys)
        for px, py, ok in zip(xs, ys, inside, strict=True):
            if ok:
                return float(px), float(py)
        return x, y

    # ------------------------------------------------------------------ events

    def _when(self, day: date, code: int) -> datetime:
        table = self.g.tables[self.g.code_traits[code].profile]
        hour = table.hour(day, self.rng.random())
        return datetime(day.year, day.month, day.day, hour, self.rng.randrange(60))

    def _background(self, day: date, mi: int, code: int) -> _Event:
        central = self.g.code_traits[code].central
        ids = self.hood_ids[mi]
        hood_id = ids[_pick_cum(self.rng, self.hood_cum[(mi, central)])]
        x, y = self._point(self.hoods[hood_id])
        self.event_seq += 1
        return _Event(day, self._when(day, code), code, mi, hood_id, x, y, False, self.event_seq)

    def _spawn(self, parent: _Event, pending: dict[date, list[_Event]]) -> None:
        for _ in range(_poisson(self.rng, NEAR_REPEAT_BRANCHING)):
            lag = 1 + min(NEAR_REPEAT_DAYS - 1, int(self.rng.expovariate(1 / 4.0)))
            day = parent.day + timedelta(days=lag)
            if day > self.cfg.end:
                continue
            hood = self.hoods[parent.hood]
            x, y = self._near_point(hood, parent.x, parent.y)
            self.event_seq += 1
            child = _Event(
                day,
                self._when(day, parent.code),
                parent.code,
                parent.municipality,
                parent.hood,
                x,
                y,
                True,
                self.event_seq,
            )
            pending[day].append(child)

    def generate(self) -> Iterator[RegistrationEntry]:
        g, cfg = self.g, self.cfg
        pending: dict[date, list[_Event]] = defaultdict(list)
        day = cfg.start - timedelta(days=NEAR_REPEAT_DAYS)
        background_rates = g.annual_rate * g.background
        nr_only = np.where(g.near_repeat, 1.0, 0.0)
        while day <= cfg.end:
            in_window = day >= cfg.start
            rates = background_rates * g._profile_factors(day)[g.code_profile]
            if not in_window:
                rates = rates * nr_only
            counts = self.np.poisson(np.outer(g.share, rates))
            events: list[_Event] = []
            rows, cols = np.nonzero(counts)
            for mi, ki in zip(rows.tolist(), cols.tolist(), strict=True):
                for _ in range(int(counts[mi, ki])):
                    events.append(self._background(day, mi, ki))
            events.extend(pending.pop(day, ()))
            events.sort(key=lambda e: (e.when, e.seq))
            for event in events:
                if g.near_repeat[event.code]:
                    self._spawn(event, pending)
                if not in_window:
                    self.stats.burn_in_events += 1
                    continue
                if g.near_repeat[event.code]:
                    self.stats.near_repeat_events += 1
                    self.stats.near_repeat_children += event.child
                entry = self._build(event)
                self.stats.registrations += 1
                self.stats.by_kind[entry.kind] = self.stats.by_kind.get(entry.kind, 0) + 1
                yield entry
            day += timedelta(days=1)

    # ------------------------------------------------------------------ persons

    def _next_person_key(self) -> tuple[str, int]:
        self.person_seq += 1
        return f"P{self.person_seq:08d}", self.person_seq

    def _new_person(self, age_kind: str) -> _Person:
        rng = self.rng
        key, n = self._next_person_key()
        origin = _ORIGINS[_pick_cum(rng, _ORIGIN_CUM)]
        female = rng.random() < 0.5
        if origin == "nl":
            pool = _NL_FEMALE if female else _NL_MALE
            count = 1 + (rng.random() < 0.6) + (rng.random() < 0.2)
            first = " ".join(dict.fromkeys(_choice(rng, pool) for _ in range(count)))
            particle, surname = _choice(rng, _NL_SURNAMES)
        else:
            males, females, surnames = _ORIGIN_NAMES[origin]
            first = _choice(rng, females if female else males)
            if rng.random() < 0.15:
                second = _choice(rng, females if female else males)
                if second != first:
                    first = f"{first} {second}"
            particle, surname = "", _choice(rng, surnames)
        born = self._birth_date(age_kind)
        options, non_resident = _NATIONALITY[origin]
        if rng.random() < non_resident:
            nationality = options[0][0] if options[0][0] != "NL" else "DE"
            bsn = None
        else:
            u, nationality = rng.random(), options[-1][0]
            for code, w in options:
                u -= w
                if u < 0:
                    nationality = code
                    break
            bsn = _bsn_from_index(n, self.bsn_mult, self.bsn_offset)
        return _Person(key, first, particle, surname, born, bsn, nationality)

    def _birth_date(self, age_kind: str) -> date:
        """Age drawn for the role at the start of the period; redrawn while the date falls
        outside 1940-2008 (then spread over the nearest three years of the range)."""
        rng = self.rng
        mid_year = date(self.ref_year, 7, 1)
        born = mid_year
        for _ in range(6):
            if age_kind == "offender":
                age = 14 + min(60.0, rng.gammavariate(2.0, 6.5))
            elif age_kind == "minor":
                age = rng.uniform(4, 17)
            else:
                age = rng.triangular(12, 88, 35)
            born = mid_year - timedelta(days=int(age * 365.25) + rng.randrange(-180, 180))
            if DOB_FIRST <= born <= DOB_LAST:
                return born
        if born > DOB_LAST:
            return DOB_LAST - timedelta(days=rng.randrange(3 * 365))
        return DOB_FIRST + timedelta(days=rng.randrange(3 * 365))

    def _enter(self, p: _Person, bsn_missing: float, dob_missing: float = 0.0) -> PersonEntry:
        rng = self.rng
        first, particle, surname, dob = p.first_names, p.particle, p.surname, p.dob
        if p.seen:
            if rng.random() < 0.05:
                surname = _typo(surname, rng)
            if particle and rng.random() < 0.15:
                if rng.random() < 0.25:
                    surname = f"{particle[:1].upper()}{particle[1:]} {surname}"
                    particle = ""
                else:
                    particle = _choice(rng, _PARTICLE_VARIANTS.get(particle, (particle.title(),)))
            if dob.day <= 12 and dob.day != dob.month and rng.random() < 0.083:
                dob = date(dob.year, dob.day, dob.month)
            if " " in first and rng.random() < 0.1:
                parts = first.split()
                first = parts[0] if rng.random() < 0.5 else "".join(f"{q[0]}." for q in parts)
        p.seen += 1
        bsn = p.bsn if p.bsn is not None and rng.random() >= bsn_missing else None
        dob_entered = None if dob_missing and rng.random() < dob_missing else dob
        return PersonEntry(p.key, first, particle, surname, dob_entered, bsn, p.nationality)

    def _offender_pool(self, mi: int) -> _OffenderPool:
        pool = self.offenders.get(mi)
        if pool is None:
            rng = self.rng
            size = max(
                4, round(_OFFENDER_POOL_PER_REGISTRATION * self.expected_m[self.m_codes[mi]])
            )
            people = [self._new_person("offender") for _ in range(size)]
            cum = list(
                accumulate(rng.lognormvariate(0.0, _OFFENDER_ACTIVITY_SIGMA) for _ in range(size))
            )
            order = list(range(size))
            rng.shuffle(order)
            groups: list[list[int]] = []
            group_of = [0] * size
            i = 0
            while i < size:
                members = order[i : i + rng.randint(2, 5)]
                for m in members:
                    group_of[m] = len(groups)
                groups.append(members)
                i += len(members)
            pool = _OffenderPool(people, cum, group_of, groups)
            self.offenders[mi] = pool
        return pool

    def _suspects(self, mi: int, count: int) -> list[_Person]:
        rng = self.rng
        if rng.random() >= _SUSPECT_FROM_POOL:
            first = self._new_person("offender")
            return [first] + [self._new_person("offender") for _ in range(count - 1)]
        home = mi if rng.random() < 0.8 else _pick_cum(rng, self.m_cum)
        pool = self._offender_pool(home)
        idx = _pick_cum(rng, pool.cum)
        chosen = [idx]
        for _ in range(count - 1):
            group = pool.groups[pool.group_of[idx]]
            mates = [m for m in group if m not in chosen]
            if mates and rng.random() < 0.7:
                chosen.append(_choice(rng, mates))
            else:
                other = _pick_cum(rng, pool.cum)
                if other not in chosen:
                    chosen.append(other)
        return [pool.people[i] for i in chosen]

    def _victim(self, mi: int, story: str, minor: bool = False) -> _Person:
        rng = self.rng
        if minor:
            return self._new_person("minor")
        if story in _VIOLENT_STORIES and rng.random() < 0.15:
            pool = self._offender_pool(mi)
            return pool.people[_pick_cum(rng, pool.cum)]
        if rng.random() < 0.12:
            victims = self.repeat_victims.get(mi)
            if victims is None:
                size = max(
                    3,
                    round(_REPEAT_VICTIM_POOL_PER_REGISTRATION * self.expected_m[self.m_codes[mi]]),
                )
                victims = [self._new_person("adult") for _ in range(size)]
                self.repeat_victims[mi] = victims
            return _choice(rng, victims)
        return self._new_person("adult")

    # ------------------------------------------------------------------ organisations

    def _org_pool(self, mi: int, org_type: str) -> _OrgPool:
        key = (mi, org_type)
        if org_type == "transport":
            if self.transport is None:
                operators = (
                    "NS Stations",
                    "ProRail",
                    "Arriva",
                    "Connexxion",
                    "Qbuzz",
                    "RET",
                    "HTM",
                    "GVB",
                    "Keolis",
                    "EBS",
                )
                orgs = [self._new_org(n) for n in operators]
                self.transport = _OrgPool(orgs, list(accumulate(1.0 / (i + 1) for i in range(10))))
            return self.transport
        pool = self.orgs.get(key)
        if pool is None:
            rng = self.rng
            town = self.m_names[mi]
            pop = self.g.municipalities[mi].population
            if org_type == "municipality":
                names = [f"Gemeente {town}"]
            elif org_type == "school":
                names = [
                    f"{_choice(rng, _SCHOOLS)} {_choice(rng, _SCHOOL_NAMES)}"
                    for _ in range(max(2, pop // 8000))
                ]
            elif org_type == "horeca":
                names = [
                    f"{_choice(rng, _HORECA)} {_choice(rng, _HORECA_NAMES)}"
                    for _ in range(max(3, pop // 3000))
                ]
            elif org_type == "business":
                names = [self._business_name() for _ in range(max(5, pop // 2000))]
            else:
                names = [
                    f"{_choice(rng, _CHAINS)} {town} {_choice(rng, _STREETS)}"
                    if rng.random() < 0.75
                    else f"{_choice(rng, _LOCAL_SHOPS)} {_choice(rng, _NL_SURNAMES)[1]}"
                    for _ in range(max(5, pop // 2500))
                ]
            orgs = [self._new_org(n) for n in dict.fromkeys(names)]
            cum = list(accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(orgs))))
            pool = _OrgPool(orgs, cum)
            self.orgs[key] = pool
        return pool

    def _business_name(self) -> str:
        rng = self.rng
        surname = _choice(rng, _NL_SURNAMES)[1]
        return _choice(rng, _BUSINESS_PATTERNS).format(s=surname)

    def _new_org(self, name: str) -> _Org:
        self.org_seq += 1
        kvk = (48_271 * self.org_seq + 10_000_000) % 90_000_000 + 10_000_000
        return _Org(f"O{self.org_seq:07d}", name, f"{kvk:08d}")

    def _org_entry(self, org: _Org) -> OrganisationEntry:
        rng = self.rng
        name = org.name
        if org.seen and rng.random() < 0.1:
            name = name.replace("Albert Heijn", "AH").replace(" B.V.", "").upper()
        org.seen += 1
        kvk = org.kvk if rng.random() < 0.65 else None
        return OrganisationEntry(org.key, name, kvk)

    # ------------------------------------------------------------------ goods

    def _new_good(self, subtype: str) -> tuple[GoodEntry, GoodEntry, float]:
        """Return a new good as entered (only the identifiers the victim knows), the good
        with all its identifiers, and its value in EUR."""
        full, value = self._make_good(subtype)
        rng = self.rng
        frame, imei, serial = full.frame_number, full.imei, full.serial_number
        if frame is not None and rng.random() >= _KNOWN_FRAME[full.kind]:
            frame = None
        if imei is not None and rng.random() >= 0.55:
            imei = None
        if serial is not None and rng.random() >= 0.4:
            serial = None
        if (frame, imei, serial) == (full.frame_number, full.imei, full.serial_number):
            return full, full, value
        entered = GoodEntry(
            full.true_key, full.kind, full.brand, full.description, frame, full.plate, imei, serial
        )
        return entered, full, value

    def _make_good(self, subtype: str) -> tuple[GoodEntry, float]:
        rng = self.rng
        self.good_seq += 1
        n = self.good_seq
        key = f"G{n:08d}"
        perm = (7_919 * n + 1_234_567) % 10_000_000
        if subtype == "bicycle":
            brand = _choice(rng, _BIKE_BRANDS)
            electric = rng.random() < 0.3
            kind_text = "elektrische fiets" if electric else _choice(rng, _BIKE_TYPES)
            desc = f"{kind_text}, {_choice(rng, _COLOURS)}"
            frame = f"{brand[:2].upper()}{perm:07d}"
            value = rng.lognormvariate(math.log(1800 if electric else 350), 0.5)
            return GoodEntry(key, "bicycle", brand, desc, frame, None, None, None), value
        if subtype in {"car", "motorcycle", "van", "moped"}:
            brand = _choice(rng, _VEHICLE_BRANDS[subtype])
            plate = self._plate(subtype, perm)
            vin = "".join(_choice(rng, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(17))
            label = {
                "car": "personenauto",
                "motorcycle": "motor",
                "van": "bestelauto",
                "moped": "scooter",
            }[subtype]
            desc = f"{label}, {_choice(rng, _COLOURS)}"
            median = {"car": 12_000, "motorcycle": 6_000, "van": 15_000, "moped": 1_500}[subtype]
            value = rng.lognormvariate(math.log(median), 0.6)
            return GoodEntry(key, "vehicle", brand, desc, vin, plate, None, None), value
        if subtype == "phone":
            brand = _choice(rng, _PHONE_BRANDS)
            tac = _choice(rng, _TACS)
            body = f"{tac}{perm % 1_000_000:06d}"
            imei = body + _luhn_digit(body)
            desc = f"smartphone {brand}, {_choice(rng, _COLOURS)}"
            value = rng.lognormvariate(math.log(450), 0.6)
            return GoodEntry(key, "phone", brand, desc, None, None, imei, None), value
        if subtype == "laptop":
            brand = _choice(rng, _LAPTOP_BRANDS)
            serial = f"{brand[:2].upper()}{perm:07d}{_choice(rng, 'ABCDEFGHJK')}"
            desc = f"laptop {brand}"
            value = rng.lognormvariate(math.log(800), 0.5)
            return GoodEntry(key, "laptop", brand, desc, None, None, None, serial), value
        choices = _OTHER_GOODS.get(subtype, _OTHER_GOODS["other"])
        desc, typical = choices[rng.randrange(len(choices))]
        value = rng.lognormvariate(math.log(typical), 0.8)
        return GoodEntry(key, "other", "", desc, None, None, None, None), value

    @staticmethod
    def _plate(subtype: str, perm: int) -> str:
        letters = "BDFGHJKLNPRSTVXZ"
        a = perm % 1000
        b = perm // 1000
        l1, l2, l3 = letters[b % 16], letters[(b // 16) % 16], letters[(b // 256) % 16]
        if subtype == "moped":
            return f"D-{a:03d}-{l1}{l2}"
        if subtype == "van":
            return f"V-{a:03d}-{l1}{l2}"
        if subtype == "motorcycle":
            return f"M{l1}-{a % 100:02d}-{l2}{l3}"
        style = perm % 4
        if style == 0:
            return f"{a // 10:02d}-{l1}{l2}{l3}-{a % 10}"
        if style == 1:
            return f"{a % 10}-{l1}{l2}{l3}-{a // 10:02d}"
        if style == 2:
            return f"{l1}{l2}-{a:03d}-{l3}"
        return f"{l1}-{a:03d}-{l2}{l3}"

    def _remember_stolen(self, mi: int, good: GoodEntry) -> None:
        if good.kind not in {"bicycle", "phone", "vehicle"}:
            return
        stock = self.stolen[(mi, good.kind)]
        stock.append(good)
        if len(stock) > 4000:
            del stock[:2000]

    def _recover(self, mi: int, kind: str) -> GoodEntry | None:
        """Take an earlier stolen good (preferably from municipality *mi*) out of stock; the
        found entry carries all identifiers (read off the object itself)."""
        rng = self.rng
        stock = self.stolen.get((mi, kind))
        if not stock:
            home = _pick_cum(rng, self.m_cum)
            stock = self.stolen.get((home, kind))
            if not stock:
                return None
        i = rng.randrange(len(stock))
        stock[i], stock[-1] = stock[-1], stock[i]
        good = stock.pop()
        self.stats.found_goods += 1
        return good

    # ------------------------------------------------------------------ build

    def _to_utc(self, naive: datetime) -> datetime:
        """:func:`_localize` with the wall-to-UTC shift cached per local hour."""
        hour_key = (naive.year, naive.month, naive.day, naive.hour)
        shift = self.utc_shift.get(hour_key)
        if shift is None:
            utc = _localize(naive)
            shift = naive - utc.replace(tzinfo=None)
            self.utc_shift[hour_key] = shift
            return utc
        return (naive - shift).replace(tzinfo=UTC)

    def _key(self, mi: int, year: int) -> str:
        self.reg_seq[(mi, year)] += 1
        return f"PL{self.m_codes[mi][2:]}-{year}{self.reg_seq[(mi, year)]:06d}"

    def _window(self, kind: str) -> float:
        """Length of the occurred window in minutes."""
        rng = self.rng
        u = rng.random()
        if kind == "exact":
            return 0.0 if u < 0.7 else rng.uniform(1, 30)
        if kind == "short":
            return rng.uniform(0, 10) if u < 0.5 else rng.uniform(10, 120)
        if kind == "burglary":
            if u < 0.15:
                return rng.uniform(0, 30)
            if u < 0.87:
                return min(16 * 60.0, rng.lognormvariate(math.log(300), 0.6))
            return rng.uniform(1, 10) * 1440
        if kind == "parked":
            if u < 0.25:
                return rng.uniform(0, 30)
            if u < 0.85:
                return min(14 * 60.0, rng.lognormvariate(math.log(240), 0.7))
            return rng.uniform(12 * 60, 3 * 1440)
        if kind == "overnight":
            return rng.uniform(0, 60) if u < 0.25 else rng.uniform(360, 840)
        if kind == "shed":
            if u < 0.2:
                return rng.uniform(0, 60)
            if u < 0.65:
                return rng.uniform(360, 840)
            return rng.uniform(1, 14) * 1440
        # days
        if u < 0.2:
            return rng.uniform(0, 60)
        return min(45 * 1440.0, rng.lognormvariate(math.log(4 * 1440), 0.8))

    def _delay(self, channel: str, slow: bool) -> float:
        """Minutes between occurred_to and reported_at."""
        median, sigma = _DELAYS[channel]
        minutes = self.rng.lognormvariate(math.log(median), sigma)
        if slow and channel not in {"street", "phone"}:
            minutes *= 2.0
        return max(2.0, min(minutes, 90 * 1440.0))

    def _channel(self, day: date, kind: str, traits: _Traits) -> str:
        rng = self.rng
        u = rng.random()
        if kind == "aangifte":
            video = _video_share(day)
            if u < video:
                return "video"
            return "phone" if u < video + 0.18 else "desk"
        # melding
        if traits.police_detected:
            if u < traits.tipline:
                return "tipline"
            return "street" if u < traits.tipline + 0.85 else "phone"
        if u < max(traits.tipline, 0.02):
            return "tipline"
        if u < 0.08:
            return "desk"
        if u < 0.30:
            return "street"
        if day >= _CHATBOT_START and u < 0.36:
            return "chatbot"
        return "phone"

    def _build(self, ev: _Event) -> RegistrationEntry:
        rng = self.rng
        g = self.g
        row = g.mix[ev.code]
        traits = g.code_traits[ev.code]
        code = row.incident_code
        day = ev.day
        mi = ev.municipality
        hood = self.hoods[ev.hood]

        arrested = rng.random() < traits.arrest * _ARREST_SCALE
        if arrested:
            kind, channel = "aanhouding", "street"
        elif rng.random() < online_share(day, code):
            kind, channel = "aangifte", "internet"
        else:
            kind = row.kind
            if kind == "aangifte" and rng.random() < traits.melding:
                kind = "melding"
            channel = self._channel(day, kind, traits)

        found: GoodEntry | None = None
        found_bike = code == "A72" and kind == "melding" and rng.random() < 0.6
        if found_bike:
            found = self._recover(mi, "bicycle")
        elif code == "A81":
            found = self._recover(mi, "bicycle" if rng.random() < 0.6 else "phone")
        elif arrested and rng.random() < 0.04:
            found = self._recover(mi, "phone" if rng.random() < 0.6 else "bicycle")
        found_only = found_bike and found is not None

        # offences
        attempt = rng.random() < traits.attempt and not found_only
        offences = [OffenceEntry(code, row.category_code, attempt)]
        companions = traits.companions + (_ARREST_EXTRA if arrested else ())
        for extra, p in companions:
            if (
                rng.random() < p
                and extra != code
                and all(o.incident_code != extra for o in offences)
            ):
                index = g.code_index.get(extra)
                category = g.mix[index].category_code if index is not None else ""
                if category:
                    offences.append(OffenceEntry(extra, category, False))

        # time
        window = 0.0 if found_only else self._window(traits.window)
        true_utc = self._to_utc(ev.when)
        window = float(round(window))
        from_utc = true_utc - timedelta(minutes=round(window * rng.random()))
        to_utc = from_utc + timedelta(minutes=window)
        slow = traits.window == "days"
        rep_utc = to_utc + timedelta(minutes=round(self._delay(channel, slow)))
        reported = rep_utc.astimezone(AMSTERDAM)
        if channel in {"desk", "video"} and not 8 <= reported.hour <= 21:
            next_day = reported.date() + timedelta(days=1 if reported.hour > 21 else 0)
            opening = datetime(next_day.year, next_day.month, next_day.day, 9, 0)
            reported = _localize(opening + timedelta(minutes=rng.randrange(180))).astimezone(
                AMSTERDAM
            )
        occurred_from = from_utc.astimezone(AMSTERDAM)
        occurred_to = to_utc.astimezone(AMSTERDAM)

        # involvements
        inv: list[Involvement] = []
        anonymous = channel == "tipline"
        victim: PersonEntry | None = None
        org_entry: OrganisationEntry | None = None
        if found_only:
            if not anonymous:
                finder = self._enter(self._new_person("adult"), 0.3)
                inv.append(Involvement("reporter", person=finder))
        elif traits.victim == "person":
            v = self._victim(mi, traits.story, traits.minor_victim)
            with_victim = kind != "melding" or rng.random() < 0.5
            if with_victim:
                victim = self._enter(v, 0.2 if kind == "aangifte" else 0.45)
            if not anonymous:
                if victim is not None and not traits.minor_victim and rng.random() < 0.85:
                    if kind != "aanhouding" or rng.random() < 0.5:
                        inv.append(Involvement("reporter", person=victim))
                elif kind != "aanhouding":
                    reporter = self._reporter(mi)
                    inv.append(Involvement("reporter", person=reporter))
            if victim is not None:
                inv.append(Involvement("victim", person=victim))
        elif traits.victim in {"org", "public"}:
            org_type = traits.org_type
            pool = self._org_pool(mi, org_type)
            org = pool.orgs[_pick_cum(rng, pool.cum)]
            org_entry = self._org_entry(org)
            if not anonymous and (kind != "aanhouding" or rng.random() < 0.3):
                employee = self._enter(self._new_person("adult"), 0.35)
                inv.append(Involvement("reporter", person=employee))
            inv.append(Involvement("injured_organisation", organisation=org_entry))
        elif kind == "melding" and channel not in {"street", "tipline"}:
            inv.append(Involvement("reporter", person=self._reporter(mi)))

        # suspects
        if arrested or (not found_only and rng.random() < traits.suspect):
            u = rng.random()
            count = 1 if u < 0.82 or traits.story not in _GROUP_STORIES else 2 if u < 0.96 else 3
            suspects = self._suspects(mi, count)
            if victim is not None:  # a pooled victim is never their own suspect
                suspects = [
                    p if p.key != victim.true_key else self._new_person("offender")
                    for p in suspects
                ]
            for i, person in enumerate(suspects):
                is_arrested = arrested and (i == 0 or rng.random() < 0.6)
                entry = self._enter(
                    person,
                    0.1 if is_arrested else 0.5,
                    0.0 if is_arrested else 0.15,
                )
                inv.append(Involvement("suspect", person=entry))
                if is_arrested:
                    inv.append(Involvement("arrested", person=entry))

        # witnesses
        if not found_only:
            p_witness = 0.25 if traits.story in _VIOLENT_STORIES else 0.1
            while rng.random() < p_witness and sum(i.role == "witness" for i in inv) < 3:
                inv.append(
                    Involvement("witness", person=self._enter(self._new_person("adult"), 0.3))
                )
                p_witness = 0.2

        # goods
        damage = 0.0
        stolen: list[GoodEntry] = []
        if traits.goods and not attempt and not found_only:
            count = 1 if traits.max_goods == 1 else rng.randint(1, traits.max_goods)
            for subtype in rng.sample(traits.goods, min(count, len(traits.goods))):
                good, full, value = self._new_good(subtype)
                stolen.append(good)
                damage += value
                self._remember_stolen(mi, full)
        for good in stolen:
            inv.append(Involvement("stolen_good", good=good))
        if found is not None:
            inv.append(Involvement("found_good", good=found))
        if traits.damage is not None and not found_only:
            median, sigma = traits.damage
            damage += rng.lognormvariate(math.log(median), sigma) * (0.5 if attempt else 1.0)
        elif attempt and traits.window == "burglary":
            damage += rng.lognormvariate(math.log(300), 0.7)
        if any(o.incident_code == "C40" for o in offences[1:]):
            damage += rng.lognormvariate(math.log(300), 0.8)
        damage_eur = _money(damage) if damage > 0 else None

        narrative = self._narrative(
            code,
            kind,
            traits,
            hood,
            occurred_from,
            occurred_to,
            stolen,
            found,
            org_entry,
            attempt,
            arrested,
            found_only,
            damage_eur,
        )
        return RegistrationEntry(
            key=self._key(mi, day.year),
            kind=kind,
            occurred_from=occurred_from,
            occurred_to=occurred_to,
            reported_at=reported,
            x=ev.x,
            y=ev.y,
            municipality_code=self.m_codes[mi],
            neighbourhood_code=hood.code,
            channel=channel,
            narrative=narrative,
            damage_eur=damage_eur,
            offences=tuple(offences),
            involvements=tuple(inv),
        )

    def _reporter(self, mi: int) -> PersonEntry:
        rng = self.rng
        victims = self.repeat_victims.get(mi)
        if victims and rng.random() < 0.2:
            return self._enter(_choice(rng, victims), 0.4)
        return self._enter(self._new_person("adult"), 0.4)

    # ------------------------------------------------------------------ narrative

    def _narrative(
        self,
        code: str,
        kind: str,
        traits: _Traits,
        hood: _Hood,
        occurred_from: datetime,
        occurred_to: datetime,
        stolen: list[GoodEntry],
        found: GoodEntry | None,
        org: OrganisationEntry | None,
        attempt: bool,
        arrested: bool,
        found_only: bool,
        damage: Decimal | None,
    ) -> str:
        rng = self.rng
        who = {"aangifte": "Aangever", "melding": "Melder", "aanhouding": "Verbalisant"}[kind]
        start = f"{_dmy(occurred_from)} omstreeks {_hm(occurred_from)}"
        if occurred_to - occurred_from > timedelta(minutes=45):
            start = (
                f"tussen {_dmy(occurred_from)} {_hm(occurred_from)} "
                f"en {_dmy(occurred_to)} {_hm(occurred_to)}"
            )
        where = f"in de wijk {hood.name}"
        goods = ", ".join(
            g.description
            if not g.brand or g.brand in g.description
            else f"{g.description} ({g.brand})"
            for g in stolen
        )
        story = traits.story
        if found_only and found is not None:
            text = (
                f"{who} trof op {_dmy(occurred_from)} een kennelijk achtergelaten fiets aan "
                f"{_choice(rng, _PLACES['bike'])} {where}. Framenummer {found.frame_number} is "
                "nagetrokken: de fiets staat als gestolen geregistreerd."
            )
        elif story == "burglary":
            entry = _choice(rng, _ENTRY_POINTS)
            if attempt:
                text = (
                    f"{who} verklaarde dat {start} is geprobeerd de woning {where} binnen te "
                    f"komen via {entry}. Er zijn braaksporen aangetroffen; er is niets weggenomen."
                )
            else:
                text = (
                    f"{who} was {start} niet thuis. Bij thuiskomst bleek dat de woning {where} "
                    f"via {entry} was binnengedrongen. Weggenomen: {goods or 'onbekend'}."
                )
        elif story in {"shed", "business_burglary"}:
            obj = (
                org.name
                if org is not None
                else _choice(rng, ("de schuur", "de berging", "de garagebox"))
            )
            text = f"{who} verklaarde dat {start} is ingebroken in {obj} {where}. " + (
                "Het bleef bij een poging." if attempt else f"Weggenomen: {goods or 'onbekend'}."
            )
        elif attempt and story in _ATTEMPT_OBJECTS:
            text = (
                f"{who} verklaarde dat {start} {where} is geprobeerd "
                f"{_ATTEMPT_OBJECTS[story]} weg te nemen. Het bleef bij een poging."
            )
        elif story == "car":
            text = (
                f"{who} verklaarde dat {start} een ruit van de geparkeerde personenauto "
                f"{where} is ingeslagen. Weggenomen: {goods or 'niets'}."
            )
        elif story in {"vehicle", "moped"}:
            plate = stolen[0].plate if stolen else None
            text = (
                f"{who} verklaarde dat {start} het voertuig"
                + (f" met kenteken {plate}" if plate else "")
                + f" {where} is weggenomen. {_choice(rng, _VEHICLE_DETAILS)}"
            )
        elif story == "bike":
            bike = stolen[0] if stolen else None
            desc = f"de {bike.description} ({bike.brand})" if bike else "de fiets"
            text = (
                f"{who} verklaarde dat {desc} {start} op slot stond "
                f"{_choice(rng, _PLACES['bike'])} {where}. Bij terugkomst was de fiets weg. "
                + _choice(rng, _BIKE_DETAILS)
            )
        elif story == "shoplifting":
            shop = org.name if org is not None else "de winkel"
            text = (
                f"{who} verklaarde namens {shop} dat {start} een persoon artikelen "
                f"({goods or 'diverse artikelen'}) in een tas stopte en zonder te betalen de "
                "kassa passeerde."
            )
        elif story in {"assault", "assault_serious", "public_violence"}:
            text = (
                f"{who} verklaarde dat {start} {_choice(rng, _PLACES['nightlife'])} {where} een "
                f"woordenwisseling ontstond, waarna {_choice(rng, _VIOLENCE_ACTS)}."
            )
        elif story == "threat":
            text = (
                f"{who} verklaarde dat {start} {where} werd bedreigd met de woorden "
                f'"{_choice(rng, _THREATS)}".'
            )
        elif story == "online_fraud":
            text = (
                f"{who} kocht via een online marktplaats {_choice(rng, _ONLINE_ITEMS)} en betaalde "
                f"vooruit{f' EUR {damage}' if damage else ''}. Het artikel is nooit geleverd; "
                "de verkoper reageert niet meer."
            )
        elif story in {"fraud", "identity_fraud", "cyber"}:
            text = f"{who} verklaarde dat {start} {_choice(rng, _FRAUD_STORIES)}."
        elif story == "pickpocket":
            text = (
                f"{who} verklaarde dat {start} {_choice(rng, _PLACES['crowd'])} {where} "
                f"ongemerkt is weggenomen: {goods or 'de portemonnee'}."
            )
        elif story == "robbery":
            text = (
                f"{who} verklaarde dat {start} {where} een onbekende man dreigend op hem/haar "
                f"afkwam en {goods or 'de telefoon'} uit de hand griste."
            )
        elif story in {"dui", "disqualified", "false_plate"}:
            text = (
                f"{who} zag {start} {where} een bestuurder die {_choice(rng, _TRAFFIC_OBS)}. "
                "De bestuurder werd staande gehouden en gecontroleerd."
            )
        elif story in {"drugs", "weapon", "cannabis_farm"}:
            text = f"{who} trof {start} {where} {_choice(rng, _FIND_STORIES[story])} aan."
        elif story in {"vandalism", "vandalism_public", "arson"}:
            target = org.name if org is not None else _choice(rng, _VANDAL_TARGETS)
            act = "in brand gestoken" if story == "arson" else "vernield"
            text = f"{who} verklaarde dat {start} {where} {target} is {act}."
        else:
            title = self.g.titles.get(code, code)
            what = "aangifte" if kind == "aangifte" else "melding"
            text = f"{who} deed {what} van {title.lower()} {start} {where}."
        if arrested:
            text += " Verdachte is ter plaatse aangehouden en overgebracht naar het bureau."
        return text


# --------------------------------------------------------------------------- vocabulary

_ATTEMPT_OBJECTS: Final[dict[str, str]] = {
    "car": "goederen uit de geparkeerde personenauto",
    "vehicle": "het voertuig",
    "moped": "de scooter",
    "bike": "de fiets",
    "pickpocket": "de portemonnee",
    "robbery": "de telefoon",
    "shoplifting": "artikelen uit de winkel",
    "theft": "eigendommen van aangever",
    "holdup": "geld uit de kassa",
    "holdup_home": "geld en sieraden",
}

_CHAINS: Final = (
    "Albert Heijn",
    "Jumbo",
    "Lidl",
    "Aldi",
    "Plus",
    "Dirk",
    "Coop",
    "Kruidvat",
    "Etos",
    "HEMA",
    "Action",
    "Zeeman",
    "Primark",
    "Blokker",
    "MediaMarkt",
    "Gamma",
    "Praxis",
    "Karwei",
    "H&M",
    "C&A",
    "JD Sports",
    "Intertoys",
    "Bol.com Afhaalpunt",
    "Hornbach",
)
_LOCAL_SHOPS: Final = (
    "Bakkerij",
    "Slagerij",
    "Tabakszaak",
    "Fietsenwinkel",
    "Drogisterij",
    "Slijterij",
    "Juwelier",
    "Modehuis",
)
_STREETS: Final = (
    "Stationsplein",
    "Kerkstraat",
    "Hoogstraat",
    "Marktplein",
    "Winkelcentrum Noord",
    "Winkelcentrum Zuid",
    "Dorpsstraat",
    "Molenstraat",
    "Julianaplein",
    "Wilhelminastraat",
    "Promenade",
    "Passage",
)
_BUSINESS_PATTERNS: Final = (
    "{s} Installatietechniek B.V.",
    "Bouwbedrijf {s}",
    "Transportbedrijf {s} B.V.",
    "{s} & Zn.",
    "Garagebedrijf {s}",
    "Autobedrijf {s} B.V.",
    "Administratiekantoor {s}",
    "Schildersbedrijf {s}",
    "Hoveniersbedrijf {s}",
    "{s} Metaal B.V.",
)
_SCHOOLS: Final = ("OBS", "CBS", "Basisschool", "College", "Lyceum", "ROC-locatie")
_SCHOOL_NAMES: Final = (
    "De Regenboog",
    "De Wegwijzer",
    "Het Kompas",
    "De Springplank",
    "De Linde",
    "Het Baken",
    "De Vlinder",
    "Erasmus",
    "Comenius",
    "Het Anker",
)
_HORECA: Final = ("Café", "Restaurant", "Eetcafé", "Grand Café", "Snackbar", "Taxibedrijf")
_HORECA_NAMES: Final = (
    "De Gouden Leeuw",
    "Het Wapen",
    "De Kroon",
    "Centraal",
    "De Zon",
    "Bella Italia",
    "De Ster",
    "Aan de Gracht",
    "Het Hoekje",
)
_BIKE_BRANDS: Final = (
    "Gazelle",
    "Batavus",
    "Sparta",
    "Cortina",
    "Giant",
    "Trek",
    "Cube",
    "Stella",
    "VanMoof",
    "Union",
    "Koga",
    "Fietsfabriek",
    "Multicycle",
    "Cannondale",
    "Popal",
)
_BIKE_TYPES: Final = (
    "herenfiets",
    "damesfiets",
    "transportfiets",
    "racefiets",
    "mountainbike",
    "kinderfiets",
    "omafiets",
)
_COLOURS: Final = ("zwart", "grijs", "blauw", "wit", "rood", "groen", "zilver", "mat zwart")
_VEHICLE_BRANDS: Final[dict[str, tuple[str, ...]]] = {
    "car": (
        "Volkswagen",
        "Opel",
        "Peugeot",
        "Renault",
        "Toyota",
        "Kia",
        "Ford",
        "BMW",
        "Mercedes-Benz",
        "Audi",
        "Volvo",
        "Skoda",
        "Fiat",
        "Hyundai",
    ),
    "motorcycle": ("Yamaha", "Honda", "BMW", "Kawasaki", "Suzuki", "KTM"),
    "van": ("Volkswagen", "Mercedes-Benz", "Ford", "Renault", "Peugeot", "Citroën"),
    "moped": ("Vespa", "Piaggio", "Kymco", "Sym", "Peugeot", "Niu", "AGM"),
}
_PHONE_BRANDS: Final = ("Apple", "Samsung", "Huawei", "OnePlus", "Xiaomi", "Google", "Motorola")
_TACS: Final = ("35332510", "35391110", "35460311", "86891204", "35875709", "35291011")
_LAPTOP_BRANDS: Final = ("HP", "Dell", "Lenovo", "Apple", "Asus", "Acer", "Microsoft")
_OTHER_GOODS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "other": (
        ("tablet", 350.0),
        ("spelcomputer", 300.0),
        ("koptelefoon", 150.0),
        ("fotocamera", 400.0),
        ("horloge", 200.0),
        ("parfum", 60.0),
    ),
    "valuables": (
        ("sieraden", 800.0),
        ("contant geld", 200.0),
        ("horloge", 400.0),
        ("tablet", 350.0),
    ),
    "wallet": (("portemonnee met bankpassen", 60.0), ("portemonnee met rijbewijs", 80.0)),
    "bag": (("handtas met inhoud", 150.0), ("rugzak met inhoud", 120.0)),
    "cash": (("contant geld uit de kassa", 900.0),),
    "tools": (
        ("gereedschap", 600.0),
        ("accuboormachine", 250.0),
        ("grasmaaier", 300.0),
        ("koperen leidingen", 900.0),
    ),
    "car_part": (
        ("navigatiesysteem", 300.0),
        ("airbag", 900.0),
        ("koplamp", 700.0),
        ("tas met inhoud", 150.0),
    ),
    "shop_goods": (
        ("cosmetica", 45.0),
        ("levensmiddelen", 30.0),
        ("kleding", 80.0),
        ("alcoholische dranken", 50.0),
        ("elektronica", 150.0),
        ("scheermesjes", 60.0),
    ),
}
_DELAYS: Final[dict[str, tuple[float, float]]] = {
    # channel: (median minutes, lognormal sigma) from occurred_to to reported_at
    "street": (20.0, 0.6),
    "phone": (45.0, 1.0),
    "desk": (22 * 60.0, 1.0),
    "video": (20 * 60.0, 0.9),
    "internet": (40 * 60.0, 1.1),
    "chatbot": (10 * 60.0, 1.0),
    "tipline": (7 * 1440.0, 1.0),
}
_PLACES: Final[dict[str, tuple[str, ...]]] = {
    "bike": (
        "bij het station",
        "voor de woning",
        "in de fietsenstalling",
        "bij de supermarkt",
        "op het schoolplein",
        "bij het winkelcentrum",
        "bij de sportvereniging",
    ),
    "nightlife": (
        "voor een café",
        "op straat",
        "bij een snackbar",
        "in een uitgaansgelegenheid",
        "bij de bushalte",
        "in de woning",
    ),
    "crowd": (
        "in de tram",
        "op de markt",
        "in een drukke winkelstraat",
        "in de trein",
        "bij een evenement",
    ),
}
_ENTRY_POINTS: Final = (
    "de achterdeur",
    "een raam aan de achterzijde",
    "de voordeur",
    "een kantelraam",
    "de balkondeur",
    "de schuifpui",
)
_VEHICLE_DETAILS: Final = (
    "Er is geen glasschade aangetroffen.",
    "De sleutels zijn nog in bezit van aangever.",
    "Op de plaats lagen glasscherven.",
    "Het voertuig had een GPS-tracker.",
)
_BIKE_DETAILS: Final = (
    "Het slot is niet teruggevonden.",
    "Het ringslot was opengebroken.",
    "De fiets was met een kettingslot vastgezet.",
    "De fiets is niet geregistreerd.",
)
_VIOLENCE_ACTS: Final = (
    "aangever een vuistslag in het gezicht kreeg",
    "aangever tegen de grond werd geduwd en geschopt",
    "aangever meerdere klappen tegen het hoofd kreeg",
    "een fles naar aangever werd gegooid",
)
_THREATS: Final = (
    "Ik maak je kapot",
    "Ik weet waar je woont",
    "Jij bent de volgende",
    "Ik steek je neer",
)
_ONLINE_ITEMS: Final = (
    "een spelcomputer",
    "een smartphone",
    "concertkaartjes",
    "een fiets",
    "een laptop",
    "sneakers",
    "een kinderwagen",
)
_FRAUD_STORIES: Final = (
    "aangever via een WhatsApp-bericht van een zogenaamd familielid geld overmaakte",
    "aangever na een telefoontje van een zogenaamde bankmedewerker de bankpas afgaf",
    "er zonder toestemming betalingen van de rekening van aangever zijn gedaan",
    "aangever via een phishingmail inloggegevens invulde waarna geld werd weggesluisd",
    "op naam van aangever een abonnement werd afgesloten",
)
_TRAFFIC_OBS: Final = (
    "slingerend over de weg reed",
    "zonder verlichting reed",
    "met hoge snelheid door rood reed",
    "bij een controle aangaf geen geldig rijbewijs te hebben",
    "een voertuig bestuurde met valse kentekenplaten",
)
_FIND_STORIES: Final[dict[str, tuple[str, ...]]] = {
    "drugs": (
        "bij fouillering van een persoon meerdere wikkels cocaïne",
        "in een geparkeerde auto een hoeveelheid XTC-pillen",
        "bij een persoon een hoeveelheid verdovende middelen en contant geld",
    ),
    "weapon": (
        "bij fouillering een mes met een lemmet van ruim 10 cm",
        "in een auto een vuurwapen",
        "bij een persoon een boksbeugel",
    ),
    "cannabis_farm": (
        "in een woning een hennepkwekerij met circa 300 planten",
        "op een zolder een kweekruimte met hennepplanten",
    ),
}
_VANDAL_TARGETS: Final = (
    "de geparkeerde auto van aangever",
    "de voordeur van de woning",
    "de schutting",
    "een ruit van de woning",
    "de brievenbus",
)
