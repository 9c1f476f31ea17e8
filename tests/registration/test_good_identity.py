"""A good entered with several identifiers (frame number, plate, IMEI) that existing goods
partly hold: the same rule on the desk/API path and in the bulk import, and nothing entered
is lost (``matching.good_identity``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn
from regie.registration.matching import good_identity
from regie.registration.models import Good, Involvement, Registration
from regie.registration.services import registration_create
from tests.conftest import registration_input


def test_new_good_takes_every_free_identifier() -> None:
    d = good_identity({"frame_number": "F1", "plate": "P1", "imei": None}, {})
    assert d.link is None and d.store == {"frame_number": "F1", "plate": "P1"}
    assert d.elsewhere == {}


def test_link_by_the_strongest_identifier_and_add_what_the_good_lacks() -> None:
    holders = {"frame_number": (7, {"frame_number": "F1", "plate": None, "imei": None})}
    d = good_identity({"frame_number": "F1", "plate": "P1"}, holders)
    assert d.link == 7 and d.store == {"plate": "P1"} and d.elsewhere == {}


def test_link_by_a_weaker_identifier_when_the_stronger_one_is_new() -> None:
    holders = {"plate": (7, {"frame_number": None, "plate": "P1", "imei": None})}
    d = good_identity({"frame_number": "F2", "plate": "P1"}, holders)
    assert d.link == 7 and d.store == {"frame_number": "F2"}


def test_a_contradicting_holder_is_another_good_and_its_identifier_is_kept_apart() -> None:
    # The plate is on a vehicle with another VIN: a different vehicle.
    holders = {"plate": (7, {"frame_number": "F1", "plate": "P1", "imei": None})}
    d = good_identity({"frame_number": "F2", "plate": "P1"}, holders)
    assert d.link is None and d.store == {"frame_number": "F2"}
    assert d.elsewhere == {"plate": "P1"}


def test_two_holders_the_stronger_wins_the_other_identifier_stays_apart() -> None:
    holders = {
        "frame_number": (7, {"frame_number": "F1", "plate": None, "imei": None}),
        "imei": (9, {"frame_number": None, "plate": None, "imei": "I1"}),
    }
    d = good_identity({"frame_number": "F1", "imei": "I1"}, holders)
    assert d.link == 7 and d.store == {} and d.elsewhere == {"imei": "I1"}


def _with_good(team: BaseTeam, good: GoodIn, **overrides: object) -> object:
    return registration_input(
        team,
        offences=(OffenceIn("A72"),),
        involvements=(InvolvementIn("stolen_good", good=good),),
        **overrides,
    )


@pytest.fixture
def desk(make_staff: Callable[..., Position]) -> Position:
    return make_staff(Role.DESK_OFFICER)


@pytest.mark.django_db
def test_desk_path_plate_on_another_vehicle(team: BaseTeam, desk: Position) -> None:
    """Used to be a server error: the new VIN was not found, the plate's unique index
    refused the new good, and the fallback looked the VIN up again."""
    first, _ = registration_create(
        _with_good(team, GoodIn("vehicle", frame_number="WVWZZZ1JZXW000001", plate="LV-894-J")),
        actor=desk.user,
        source="desk",
    )
    car = Good.objects.get(involvements__registration=first)
    second, _ = registration_create(
        _with_good(team, GoodIn("vehicle", frame_number="WVWZZZ1JZXW000002", plate="lv894j")),
        actor=desk.user,
        source="desk",
    )
    inv = Involvement.objects.get(registration=second)
    assert inv.good_id != car.pk
    assert inv.good is not None and inv.good.frame_number == "WVWZZZ1JZXW000002"
    assert inv.good.plate is None
    assert inv.identifiers_entered == {"plate": "LV894J"}
    assert inv.identifiers_entered_display == ["kenteken LV894J"]
    car.refresh_from_db()
    assert car.plate == "LV894J"


@pytest.mark.django_db
def test_desk_path_adds_a_missing_identifier_to_the_found_good(
    team: BaseTeam, desk: Position
) -> None:
    first, _ = registration_create(
        _with_good(team, GoodIn("bicycle", frame_number="GZ-1")), actor=desk.user, source="desk"
    )
    bike = Good.objects.get(involvements__registration=first)
    second, _ = registration_create(
        _with_good(team, GoodIn("bicycle", frame_number="gz1", imei=None, plate="12-ABC-3")),
        actor=desk.user,
        source="desk",
    )
    inv = Involvement.objects.get(registration=second)
    assert inv.good_id == bike.pk and inv.match_score == 1.0
    assert inv.identifiers_entered is None
    bike.refresh_from_db()
    assert bike.plate == "12ABC3"


@pytest.mark.django_db
def test_bulk_import_applies_the_same_rule_and_keeps_every_identifier(
    tmp_path: Path, team: BaseTeam, desk: Position
) -> None:
    registration_create(
        _with_good(team, GoodIn("vehicle", frame_number="VIN-A", plate="AB-12-CD")),
        actor=desk.user,
        source="desk",
    )
    base = json.loads(
        json.dumps(
            {
                "kind": "aangifte",
                "occurred_from": "2019-05-01T22:00:00+02:00",
                "occurred_to": "2019-05-01T22:10:00+02:00",
                "reported_at": "2019-05-02T09:00:00+02:00",
                "channel": "desk",
                "offences": [{"incident_code": "A72"}],
                "extra": {"kleur": "rood"},
            }
        )
    )
    from tests.conftest import point_in

    base["x"], base["y"] = point_in(team)

    def row(ref: str, **good: str) -> str:
        return json.dumps(
            {
                **base,
                "ref": ref,
                "involvements": [{"role": "stolen_good", "good": {"kind": "vehicle", **good}}],
            }
        )

    path = tmp_path / "goods.jsonl"
    path.write_text(
        "\n".join(
            [
                # A new VIN with a plate that another vehicle holds: a new good, plate kept.
                row("r1", frame_number="VIN-B", plate="ab12cd"),
                # Both new, sharing a VIN within the batch: one good with both identifiers.
                row("r2", frame_number="VIN-C"),
                row("r3", frame_number="VIN-C", imei="490154203237518"),
                # Found by plate, gets the IMEI it lacked.
                row("r4", plate="AB-12-CD", imei="356938035643809"),
            ]
        )
        + "\n"
    )
    call_command("import", "registrations", str(path), "--no-progress", "--source", "t")

    def inv(ref: str) -> Involvement:
        return Involvement.objects.select_related("good").get(registration__source_ref=f"t:{ref}")

    r1 = inv("r1")
    assert r1.good is not None and r1.good.frame_number == "VINB" and r1.good.plate is None
    assert r1.identifiers_entered == {"plate": "AB12CD"}
    r2, r3 = inv("r2"), inv("r3")
    assert r2.good_id == r3.good_id
    assert r3.good is not None and r3.good.imei == "490154203237518"
    car = Good.objects.get(frame_number="VINA")
    assert inv("r4").good_id == car.pk and car.imei == "356938035643809"
    assert Registration.objects.get(source_ref="t:r1").extra == {"kleur": "rood"}
