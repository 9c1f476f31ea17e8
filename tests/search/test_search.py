"""Searching: full text in Dutch, fuzzy names, identifiers, filters, ranking, and need-to-know
(scope, clearance, the kinds a role may search) with counts that never leak."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from regie.legal_assistance.services import receive
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Confidentiality, Role, ScopeLevel
from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, OrganisationIn
from regie.registration.models import Person, Registration
from regie.search import selectors
from regie.search.selectors import areas_for
from tests.search.helpers import bike_theft, person, register

pytestmark = pytest.mark.django_db

LEGAL = (
    '{"kind": "diffusion", "purpose": "locate", "channel": "interpol",'
    ' "references": {"interpol": "2019/54321"}, "issuing_country": "BE",'
    ' "received_at": "2019-11-04T09:30:00+01:00", "summary": "Gezocht wegens woninginbraken",'
    ' "subjects": [{"forename": "Aleksandr", "name": "Volkov", "date_of_birth": "1980"}]}'
)


def found(user: Any, text: str, **kw: Any) -> list[tuple[str, int]]:
    return [(h.kind, h.object_id) for h in selectors.search(user, text, **kw).hits]


@pytest.fixture
def world(team: BaseTeam, other_team: BaseTeam) -> dict[str, Any]:
    jansen = bike_theft(
        team,
        person("Pieter", "Jansen", born=dt.date(1990, 1, 2), bsn="123456782"),
        frame="WBK 2048 AXQ",
        narrative="Mijn fiets is gestolen bij de Jaarbeurs; het slot was doorgeknipt.",
    )
    burglary = register(
        team,
        offences=(OffenceIn("B10"),),
        narrative="Inbraak in woning via achterdeur, sieraden en laptop weggenomen.",
        involvements=(InvolvementIn("victim", person=person("Fatima", "el Amrani")),),
    )
    far = bike_theft(
        other_team,
        person("Pieter", "Jansens", born=dt.date(1970, 5, 5)),
        narrative="Fiets gestolen bij het station in een andere eenheid.",
    )
    return {"jansen": jansen, "burglary": burglary, "far": far}


def test_full_text_in_dutch_finds_inflections(
    world: dict[str, Any], make_staff: Callable[..., Position]
) -> None:
    user = make_staff(Role.INVESTIGATOR).user
    assert ("registration", world["jansen"].pk) in found(user, "fietsen gestolen")
    assert ("registration", world["burglary"].pk) in found(user, "woningen inbraken")
    assert ("registration", world["burglary"].pk) not in found(user, "fiets gestolen")


def test_names_with_typos_find_the_person(
    world: dict[str, Any], make_staff: Callable[..., Position]
) -> None:
    user = make_staff(Role.INVESTIGATOR).user
    pieter = Person.objects.get(surname="Jansen")
    for typo in (
        "Pieter Jansen",
        "pieter jansen",
        "Peter Janssen",
        "Pieter Jansn",
        "Fatima El-Amrani",
    ):
        kinds = found(user, typo)
        assert kinds, typo
    assert found(user, "Pieter Jansen")[0] == ("person", pieter.pk)
    assert ("person", pieter.pk) in found(user, "Pieter Jansn")


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("WBK2048AXQ", "good"),
        ("wbk-2048-axq", "good"),
        ("123456782", "person"),
        ("123.456.782", "person"),
    ],
)
def test_identifiers_match_exactly_after_normalisation(
    world: dict[str, Any], make_staff: Callable[..., Position], query: str, kind: str
) -> None:
    user = make_staff(Role.INVESTIGATOR).user
    result = selectors.search(user, query)
    assert result.hits and result.hits[0].kind == kind and result.hits[0].identifier_match


def test_registration_number_and_plate_and_imei(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    reg = register(
        team,
        offences=(OffenceIn("C40"),),
        involvements=(
            InvolvementIn("damaged_good", good=GoodIn("vehicle", brand="Volvo", plate="XT-123-B")),
            InvolvementIn(
                "stolen_good", good=GoodIn("phone", brand="Fairphone", imei="490154203237518")
            ),
            InvolvementIn(
                "victim", organisation=OrganisationIn("Bakkerij Jansen B.V.", kvk_number="12345678")
            ),
        ),
    )
    user = make_staff(Role.DESK_OFFICER).user
    assert found(user, reg.number)[0] == ("registration", reg.pk)
    assert found(user, reg.number.lower())[0] == ("registration", reg.pk)
    assert found(user, "xt 123 b")[0][0] == "good"
    assert found(user, "49 015420 323751 8")[0][0] == "good"
    assert found(user, "12345678")[0][0] == "organisation"
    assert (
        "organisation",
        reg.involvements.get(organisation__isnull=False).organisation_id,
    ) in found(user, "bakkerij jansen")


def test_ranking_puts_the_best_match_first(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    many = register(
        team, narrative="Fiets gestolen. Fiets gestolen bij de fietsenstalling, fietsslot."
    )
    once = register(team, narrative="Een tas weggenomen; later zag aangever een fiets.")
    user = make_staff(Role.DESK_OFFICER).user
    hits = found(user, "fiets gestolen fietsenstalling")
    assert hits and hits[0] == ("registration", many.pk)
    assert ("registration", once.pk) not in hits  # every term must match
    ranked = [h.rank for h in selectors.search(user, "fiets").hits]
    assert ranked == sorted(ranked, reverse=True)


def test_filters_kind_period_and_area(
    world: dict[str, Any], team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    analyst = make_staff(Role.ANALYST).user  # district scope
    assert {k for k, _ in found(analyst, "Jansen", kinds=["person"])} == {"person"}
    assert found(analyst, "Jansen", kinds=["registration"]) == []
    today = dt.date.today()
    assert found(analyst, "fiets", date_from=today + dt.timedelta(days=1)) == []
    assert found(analyst, "fiets", date_to=today)
    areas = {a.value: a for a in areas_for(analyst)}
    assert f"d:{team.district.code}" in areas and f"t:{team.code}" in areas
    assert found(analyst, "fiets", area=areas[f"t:{team.code}"])
    other = next(a for a in areas.values() if a.value.startswith("t:") and a.pk != team.pk)
    assert found(analyst, "fiets", area=other) == []


def test_scope_limits_results_and_counts(
    world: dict[str, Any], team: BaseTeam, other_team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    here = make_staff(Role.DESK_OFFICER).user
    there = make_staff(Role.DESK_OFFICER, at=other_team).user
    national = make_staff(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL).user
    mine = selectors.search(here, "fiets gestolen")
    theirs = selectors.search(there, "fiets gestolen")
    everyone = selectors.search(national, "fiets gestolen")
    assert ("registration", world["far"].pk) not in [(h.kind, h.object_id) for h in mine.hits]
    assert [(h.kind, h.object_id) for h in theirs.hits] == [("registration", world["far"].pk)]
    assert everyone.count == mine.count + theirs.count
    # A person seen only in another unit's registration is not found, not even counted.
    near = selectors.search(here, "Jansens")
    assert near.count == len(near.hits)
    assert ("person", Person.objects.get(surname="Jansens").pk) not in found(here, "Jansens")
    assert ("person", Person.objects.get(surname="Jansens").pk) in found(there, "Jansens")


def test_clearance_hides_confidential_records(
    world: dict[str, Any], make_staff: Callable[..., Position]
) -> None:
    reg: Registration = world["burglary"]
    reg.confidentiality = Confidentiality.CONFIDENTIAL
    reg.save(update_fields=["confidentiality"])  # kept current by the post_save receiver
    desk = make_staff(Role.DESK_OFFICER).user  # clearance: internal
    investigator = make_staff(Role.INVESTIGATOR).user  # clearance: confidential
    assert found(desk, "inbraak woning") == []
    assert selectors.search(desk, "inbraak woning").count == 0
    assert ("registration", reg.pk) in found(investigator, "inbraak woning")
    # The victim is seen only through that registration.
    amrani = Person.objects.get(surname="Amrani")
    assert ("person", amrani.pk) not in found(desk, "Fatima Amrani")
    assert ("person", amrani.pk) in found(investigator, "Fatima Amrani")
    Person.objects.filter(pk=amrani.pk).update(confidentiality=Confidentiality.SECRET)
    from regie.search.services import index_objects

    index_objects("person", [amrani.pk])
    assert ("person", amrani.pk) not in found(investigator, "Fatima Amrani")


def test_legal_assistance_messages_only_for_the_lirc(
    make_staff: Callable[..., Position],
) -> None:
    msg = receive(LEGAL, channel="test")
    lirc = make_staff(Role.LIRC_OFFICER).user
    national_intel = make_staff(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL).user
    assert ("legal_message", msg.pk) in found(lirc, "Volkov")
    assert ("legal_message", msg.pk) in found(lirc, "2019/54321")
    assert ("legal_message", msg.pk) in found(lirc, "woninginbraken")
    assert found(national_intel, "Volkov") == []
    assert selectors.search(national_intel, "Volkov").count == 0
    assert "legal_message" not in {p.kind for p in selectors.searchable(national_intel)}


def test_roles_without_the_permission_find_nothing(
    world: dict[str, Any], make_staff: Callable[..., Position]
) -> None:
    for role in (Role.ADMINISTRATOR, Role.TIPLINE_OPERATOR, Role.MUNICIPALITY_RECIPIENT):
        user = make_staff(role).user
        assert selectors.search(user, "fiets").count == 0


def test_window_caps_and_says_so(
    team: BaseTeam, make_staff: Callable[..., Position], monkeypatch: Any
) -> None:
    for i in range(4):
        register(team, narrative=f"Fiets {i} gestolen.")
    monkeypatch.setattr(selectors, "WINDOW", 3)
    result = selectors.search(make_staff(Role.DESK_OFFICER).user, "gestolen")
    assert result.count == 3 and result.capped


def test_paging(team: BaseTeam, make_staff: Callable[..., Position]) -> None:
    for i in range(5):
        register(team, narrative=f"Scooter {i} weggenomen.")
    user = make_staff(Role.DESK_OFFICER).user
    first = selectors.search(user, "scooter", page_size=2)
    last = selectors.search(user, "scooter", page=3, page_size=2)
    assert first.count == 5 and first.pages == 3 and len(first.hits) == 2 and len(last.hits) == 1
    assert {h.object_id for h in first.hits}.isdisjoint({h.object_id for h in last.hits})
