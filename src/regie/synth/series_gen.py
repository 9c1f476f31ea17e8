"""Planted crime series with known truth (pure: no Django), for series detection.

Three kinds, as the source names them: residential burglary series (one modus operandi in a
few neighbourhoods over weeks), bicycle-theft series (one spot, a bolt cutter and a van, two
weeks) and mobile banditry (a travelling group shoplifting and pickpocketing across the
municipalities of a district within days, the same suspect arrested or recognised in some
registrations). Each series has its own recognisable modus operandi, written with variation
and typos as officers would. The truth (which registration belongs to which series) is only
in the reference of each registration (``synth-series:SEED:LABEL:N``): the detector never
reads it; the tests do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, PersonIn, RegistrationIn
from regie.synth.names import random_name

TZ = ZoneInfo("Europe/Amsterdam")
REF_PREFIX = "synth-series"


@dataclass(frozen=True)
class Anchor:
    """A place to plant around: RD metres inside a neighbourhood, with its name."""

    x: float
    y: float
    name: str
    municipality: str


@dataclass(frozen=True)
class SeriesSpec:
    label: str
    kind: str  # burglary | bicycle | banditry
    incident_codes: tuple[str, ...]
    features: tuple[str, ...]
    size: tuple[int, int]
    days: int
    radius_m: float


SPECS: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        "inbraak-kerntrek",
        "burglary",
        ("A20",),
        (
            "cilinder van de voordeur afgebroken (kerntrekken)",
            "alleen sieraden en contant geld weggenomen",
            "slaapkamerkasten overhoop gehaald",
            "tussen 17:00 en 20:00 uur toen het donker was",
            "sporen van een trekijzer op het slot",
        ),
        (6, 8),
        30,
        700,
    ),
    SeriesSpec(
        "inbraak-flipper",
        "burglary",
        ("A20",),
        (
            "achterdeur geopend met een flipper (plaatje tussen deur en kozijn)",
            "geen braakschade zichtbaar",
            "laptop en tablet meegenomen, de rest onaangeroerd",
            "overdag tussen 10:00 en 14:00 uur",
            "schoenafdruk met zigzagprofiel in de tuin",
        ),
        (6, 8),
        30,
        700,
    ),
    SeriesSpec(
        "inbraak-bovenraam",
        "burglary",
        ("A20",),
        (
            "via het openstaande bovenraam van de badkamer naar binnen geklommen",
            "kliko onder het raam gezet als opstapje",
            "autosleutels gepakt en de auto van de oprit weggereden",
            "'s nachts terwijl de bewoners sliepen",
            "handschoenafdrukken op de vensterbank",
        ),
        (5, 7),
        30,
        700,
    ),
    SeriesSpec(
        "fiets-betonschaar",
        "bicycle",
        ("A72",),
        (
            "kettingslot doorgeknipt met een betonschaar",
            "fietsen in een witte bestelbus geladen",
            "alleen dure elektrische fietsen gepakt",
            "bij de fietsenstalling van het winkelcentrum",
            "twee mannen in donkere werkkleding",
        ),
        (7, 9),
        14,
        350,
    ),
    SeriesSpec(
        "fiets-accu",
        "bicycle",
        ("A72",),
        (
            "accu van de e-bike losgebroken en meegenomen",
            "fietsslot met een breekijzer opengewrikt",
            "jongen op een scooter met tas op de rug",
            "rond middernacht bij de flats",
            "accuslot met een schroevendraaier geforceerd",
        ),
        (7, 9),
        14,
        350,
    ),
    SeriesSpec(
        "mobiel-banditisme-drogisterij",
        "banditry",
        ("A50", "A50", "A40"),
        (
            "groep van drie personen met een met folie beklede tas (anti-detectie)",
            "cosmetica en scheermesjes in grote hoeveelheden",
            "vertrokken in een grijze Volkswagen Transporter met buitenlands kenteken",
            "één persoon leidt het personeel af met een vraag",
            "spreken een Oost-Europese taal",
        ),
        (5, 6),
        9,
        0,
    ),
    SeriesSpec(
        "mobiel-banditisme-markt",
        "banditry",
        ("A40", "A40", "A50"),
        (
            "zakkenrollers op de weekmarkt werken met een jas over de arm",
            "portemonnee uit de handtas gerold terwijl slachtoffer werd aangestoten",
            "bankpas direct daarna gebruikt bij een geldautomaat",
            "twee vrouwen en een man, vertrokken met een zilveren Opel Zafira",
            "pinpas binnen een uur geplunderd",
        ),
        (5, 6),
        9,
        0,
    ),
)

_NARRATIVE = {
    "burglary": (
        "Aangever was {when} niet thuis. Bij thuiskomst bleek dat de woning in de wijk {hood} "
        "was binnengedrongen. {mo}."
    ),
    "bicycle": (
        "Aangever verklaarde dat de {brand} {when} op slot stond in de wijk {hood} en daarna "
        "was verdwenen. {mo}."
    ),
    "banditry": (
        "Aangever verklaarde dat {when} in de wijk {hood} ({municipality}) is gestolen. {mo}."
    ),
}
_BRANDS = ("Gazelle", "Batavus", "Cortina", "Sparta", "Stromer", "Trek", "Giant")


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 8 or rng.random() > 0.25:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _bsn(rng: random.Random) -> str:
    """A valid BSN starting with 7 (the background generator uses 8 and 9)."""
    while True:
        digits = [7, *(rng.randrange(10) for _ in range(7))]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def _person(rng: random.Random, *, adult_from: int = 1950, adult_to: int = 2001) -> PersonIn:
    name = random_name(rng)
    born = dt.date(rng.randrange(adult_from, adult_to), rng.randrange(1, 13), rng.randrange(1, 29))
    return PersonIn(name.first, name.last, name.particle, born, bsn=_bsn(rng))


@dataclass(frozen=True)
class Planted:
    ref: str
    label: str
    registration: RegistrationIn


def plant(
    rng: random.Random,
    anchors: Sequence[Anchor],
    *,
    start: dt.date,
    end: dt.date,
    seed: int,
    specs: Sequence[SeriesSpec] = SPECS,
) -> list[Planted]:
    """Registrations of the planted series between ``start`` and ``end`` (inclusive) around
    the ``anchors`` (local series around one anchor, mobile banditry across anchors in
    different municipalities)."""
    if not anchors:
        raise ValueError("no anchors to plant series around")
    span = (end - start).days
    planted: list[Planted] = []
    for spec in specs:
        days = min(spec.days, max(span, 1))
        first = start + dt.timedelta(days=rng.randrange(0, max(span - days, 0) + 1))
        size = rng.randint(*spec.size)
        home = rng.choice(anchors)
        towns = sorted({a.municipality for a in anchors})
        gang = [_person(rng, adult_from=1975, adult_to=2000) for _ in range(2)]
        for n in range(size):
            day = first + dt.timedelta(days=round(n * days / max(size - 1, 1)))
            if spec.kind == "banditry":
                # A different municipality each time where the district has several.
                town = towns[n % len(towns)]
                options = [a for a in anchors if a.municipality == town]
                anchor = rng.choice(options)
                x, y = anchor.x + rng.uniform(-150, 150), anchor.y + rng.uniform(-150, 150)
                hour = rng.randrange(10, 17)
            else:
                anchor = home
                x = home.x + rng.uniform(-spec.radius_m, spec.radius_m) * 0.7
                y = home.y + rng.uniform(-spec.radius_m, spec.radius_m) * 0.7
                hour = {"burglary": rng.randrange(10, 21), "bicycle": rng.randrange(0, 24)}[
                    spec.kind
                ]
            occurred_from = dt.datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=TZ
            )
            occurred_to = occurred_from + dt.timedelta(hours=rng.choice((1, 2, 3)))
            reported_at = occurred_to + dt.timedelta(hours=rng.randrange(1, 20))
            features = rng.sample(spec.features, k=min(len(spec.features), rng.choice((3, 4))))
            mo = "; ".join(_typo(f, rng) for f in features)
            if len(mo) > 200:
                mo = mo[:200].rsplit(" ", 1)[0]
            when = f"op {occurred_from:%d-%m-%Y} omstreeks {occurred_from:%H:%M}"
            brand = rng.choice(_BRANDS)
            narrative = _NARRATIVE[spec.kind].format(
                when=when,
                hood=anchor.name,
                municipality=anchor.municipality,
                brand=brand,
                mo=mo[0].upper() + mo[1:],
            )
            involvements = [InvolvementIn("reporter", person=_person(rng))]
            if spec.kind == "bicycle":
                frame = f"{brand[:2].upper()}{rng.randrange(10**7, 10**8)}"
                involvements.append(
                    InvolvementIn(
                        "stolen_good",
                        good=GoodIn("bicycle", brand=brand, frame_number=frame),
                    )
                )
            if spec.kind == "banditry" and rng.random() < 0.6:
                # The same suspect recognised on camera or arrested: one core object.
                involvements.append(InvolvementIn("suspect", person=rng.choice(gang)))
            code = spec.incident_codes[n % len(spec.incident_codes)]
            registration = RegistrationIn(
                kind="aangifte",
                occurred_from=occurred_from,
                occurred_to=occurred_to,
                reported_at=reported_at,
                channel=rng.choice(("desk", "phone", "internet")),
                offences=(OffenceIn(code),),
                involvements=tuple(involvements),
                narrative=narrative,
                modus_operandi=mo,
                x=round(x, 1),
                y=round(y, 1),
            )
            planted.append(
                Planted(f"{REF_PREFIX}:{seed}:{spec.label}:{n}", spec.label, registration)
            )
    return planted


def label_of(ref: str) -> str | None:
    """The series label hidden in a planted registration's reference (tests only)."""
    parts = ref.split(":")
    if len(parts) == 4 and parts[0] == REF_PREFIX:
        return parts[2]
    return None
