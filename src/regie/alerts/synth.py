"""Synthetic red flags and watch lists for the demo (``regie synth``, step ``alerts``).

Plants registrations in the demo team that must raise each shipped rule (honour-related
violence, weapon, vulnerable victim, repeat victim), two watch lists (Amazone repeat
offenders of the demo unit, a national stolen-goods watch) with entries, and later
registrations involving the watched person and bicycle, so that ``make run`` shows queues,
hits and notifications. Planted rows carry ``source_ref`` ``alerts-plant:<RULE>:<n>``
(``alerts-hit:...`` for the watch-list hits), so tests can tell them from the rest.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from regie.alerts.models import WatchList
from regie.alerts.services import watch_entry_add
from regie.organisation import geodata
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.bulk import import_batch
from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, PersonIn, RegistrationIn
from regie.registration.models import Good, Person

PLANT = "alerts-plant"
HIT = "alerts-hit"

EGG_STORIES = (
    "Aangeefster verklaarde dat haar broers haar bedreigen omdat zij een afgekeurde relatie "
    "heeft; volgens haar vader brengt zij schande over de familie. Haar paspoort is "
    "ingenomen.",
    "Melder verklaarde dat haar nicht na de zomer zal worden uitgehuwelijkt in het land van "
    "herkomst; de familieraad heeft besloten dat zij de familie-eer moet herstellen.",
)
WEAPON_STORIES = (
    "Verdachte bedreigde de caissière met een mes en eiste het geld uit de kassa.",
    "Tijdens de ruzie op het plein toonde een van de mannen een vuurwapen.",
)


def _bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def _team() -> BaseTeam:
    """The demo team (the first base team of the demo municipality, Utrecht)."""
    from regie.synth.demo import DEMO_MUNICIPALITY

    team = (
        BaseTeam.objects.filter(neighbourhoods__municipality__code=DEMO_MUNICIPALITY)
        .order_by("code")
        .first()
    )
    assert team is not None, "load the organisation first"
    return team


def _point(team: BaseTeam) -> tuple[float, float]:
    wijk = team.neighbourhoods.order_by("code").first()
    assert wijk is not None
    p = geodata.to_rd(geodata.geometry_from_geojson(wijk.geometry)).representative_point()
    return float(p.x), float(p.y)


def run(*, seed: int, end: dt.date = dt.date(2019, 12, 31)) -> dict[str, Any]:
    rng = random.Random(f"{seed}:alerts")
    team = _team()
    x, y = _point(team)
    tz = timezone.get_default_timezone()

    def at(days_before_end: int, hour: int = 14) -> dt.datetime:
        day = end - dt.timedelta(days=days_before_end)
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=tz)

    def reg(
        days: int,
        codes: tuple[str, ...],
        involvements: tuple[InvolvementIn, ...] = (),
        narrative: str = "",
    ) -> RegistrationIn:
        start = at(days, 10)
        return RegistrationIn(
            kind="aangifte",
            occurred_from=start,
            occurred_to=start + dt.timedelta(hours=1),
            reported_at=at(days),
            channel="desk",
            offences=tuple(OffenceIn(c) for c in codes),
            involvements=involvements,
            narrative=narrative,
            x=x,
            y=y,
        )

    def person(first: str, surname: str, born: dt.date) -> PersonIn:
        return PersonIn(first, surname, "", born, bsn=_bsn(rng))

    rows: list[tuple[str, RegistrationIn]] = []
    for n, story in enumerate(EGG_STORIES):
        victim = person("Meryem", f"Kaya{n or ''}", dt.date(2001, 4, 2 + n))
        rows.append(
            (
                f"{PLANT}:EGG:{n}",
                reg(20 + n, ("F530",), (InvolvementIn("reporter", person=victim),), story),
            )
        )
    for n, story in enumerate(WEAPON_STORIES):
        rows.append((f"{PLANT}:WAPEN:{n}", reg(15 + n, ("F530",), (), story)))
    rows.append((f"{PLANT}:WAPEN:2", reg(14, ("F72",), (), "Bij fouillering aangetroffen.")))
    child = person("Daan", "Visser", end - dt.timedelta(days=365 * 13))
    elderly = person("Gerda", "Smit", dt.date(1936, 8, 1))
    rows.append(
        (
            f"{PLANT}:KWETSBAAR:0",
            reg(12, ("F550",), (InvolvementIn("victim", person=child),), "Geschopt op straat."),
        )
    )
    rows.append(
        (
            f"{PLANT}:KWETSBAAR:1",
            reg(11, ("B70",), (InvolvementIn("victim", person=elderly),), "Tas ontrukt."),
        )
    )
    repeat = person("Sanne", "de Wit", dt.date(1988, 11, 9))
    for n, days in enumerate((200, 90, 10)):
        rows.append(
            (
                f"{PLANT}:HERHAALD:{n}",
                reg(days, ("F550",), (InvolvementIn("victim", person=repeat),), "Geslagen."),
            )
        )
    # First appearances of the repeat offender and the bicycle to be watched.
    offender = person("Rico", "Vermeulen", dt.date(1994, 2, 17))
    frame = f"WL{rng.randint(100000, 999999)}"
    bike = GoodIn("bicycle", brand="Batavus", description="herenfiets", frame_number=frame)
    rows.append(
        (
            f"{PLANT}:WATCH:0",
            reg(60, ("A72",), (InvolvementIn("suspect", person=offender),), "Fiets gestolen."),
        )
    )
    rows.append(
        (
            f"{PLANT}:WATCH:1",
            reg(50, ("A72",), (InvolvementIn("stolen_good", good=bike),), "Fiets gestolen."),
        )
    )
    first = import_batch(rows, actor=None, source="synth")
    if first.errors:
        raise RuntimeError(f"planted alerts registrations rejected: {first.errors}")

    intel = (
        Position.objects.filter(
            role=Role.INTELLIGENCE_OFFICER, unit=team.district.unit, user__is_active=True
        )
        .order_by("pk")
        .first()
    )
    chief = Position.objects.filter(role=Role.TEAM_CHIEF, base_team=team).order_by("pk").first()
    owner = intel.user if intel else None
    amazone, _ = WatchList.objects.get_or_create(
        code=f"AMAZONE-{team.district.unit.code}",
        defaults={
            "title": f"Amazone veelplegers {team.district.unit.name}",
            "kind": "person",
            "description": "Veelplegers en andere doelgroepen van de eenheid (Amazone).",
            "unit": team.district.unit,
            "owner": owner,
        },
    )
    goods, _ = WatchList.objects.get_or_create(
        code="GESTOLEN-GOED",
        defaults={
            "title": "Gestolen goederen (landelijk)",
            "kind": "good",
            "description": "Goederen waarvan opduiken direct gemeld moet worden.",
            "owner": owner,
        },
    )
    if chief is not None:
        amazone.subscribers.add(chief.user)
        goods.subscribers.add(chief.user)
    expires = timezone.localdate() + dt.timedelta(days=365)
    watched = Person.objects.get(bsn=offender.bsn)
    watch_entry_add(
        amazone,
        object_id=watched.pk,
        reason="Veelpleger (meer dan tien antecedenten in vijf jaar)",
        expires_on=expires,
        actor=owner,
    )
    watch_entry_add(
        goods,
        object_id=Good.objects.get(frame_number=frame).pk,
        reason="Gestolen fiets, eigenaar vraagt terugmelding",
        expires_on=expires,
        actor=owner,
    )
    again = PersonIn(
        offender.first_names, offender.surname, "", offender.date_of_birth, offender.bsn
    )
    hits = import_batch(
        [
            (
                f"{HIT}:AMAZONE",
                reg(5, ("A20",), (InvolvementIn("suspect", person=again),), "Inbraak woning."),
            ),
            (
                f"{HIT}:GOED",
                reg(
                    3,
                    ("A72",),
                    (InvolvementIn("found_good", good=GoodIn("bicycle", frame_number=frame)),),
                    "Fiets aangetroffen bij het station.",
                ),
            ),
        ],
        actor=None,
        source="synth",
    )
    if hits.errors:
        raise RuntimeError(f"planted watch-list registrations rejected: {hits.errors}")
    return {
        "planted": len(first.created),
        "watch_lists": 2,
        "watch_registrations": len(hits.created),
        "team": team.code,
    }
