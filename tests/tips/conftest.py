"""Fixtures of the tip line's Django layer: recipients with known passphrases, a tip on the
desk, and attachments in a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regie.organisation.models import BaseTeam, Municipality, Position
from regie.organisation.roles import Role

PASSPHRASE_UTRECHT = "utrecht-sleutel-2020"
PASSPHRASE_AMSTERDAM = "amsterdam-sleutel-2020"
PASSPHRASE_POLICE = "politie-sleutel-2020"
ORIGINAL = {
    "what": "Jan de Vries verkoopt cocaïne vanuit zijn woning.",
    "who": "Jan de Vries, rijdt in een auto met kenteken GX-123-B, belt met 06-12345678.",
    "where": "Kerkstraat 12, Utrecht.",
    "when": "Elke vrijdag, het laatst op 14-11-2019.",
    "how": "Klanten bellen aan en krijgen een pakketje.",
}
CLEAN_REWRITE = "Vanuit een woning in deze gemeente wordt vermoedelijk cocaïne verkocht."


@pytest.fixture(autouse=True)
def _attachment_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "attachments"
    monkeypatch.setenv("TIPS_ATTACHMENT_DIR", str(path))
    return path


@pytest.fixture
def recipients(db: Any, team: BaseTeam) -> dict[str, Any]:
    from regie.tips import services
    from regie.tips.models import RecipientKind

    utrecht = services.create_recipient(
        name="Gemeente Utrecht",
        kind=RecipientKind.MUNICIPALITY,
        topics=["drugs", "nuisance"],
        passphrase=PASSPHRASE_UTRECHT,
        municipality=Municipality.objects.get(code="GM0344"),
        connected_on=__import__("datetime").date(2018, 3, 1),
    )
    amsterdam = services.create_recipient(
        name="Gemeente Amsterdam",
        kind=RecipientKind.MUNICIPALITY,
        topics=["drugs", "nuisance"],
        passphrase=PASSPHRASE_AMSTERDAM,
        municipality=Municipality.objects.get(code="GM0363"),
        connected_on=__import__("datetime").date(2020, 5, 1),
    )
    unit = team.district.unit
    police = services.create_recipient(
        name=f"Politie {unit.name}",
        kind=RecipientKind.AGENCY,
        topics=["drugs", "weapons"],
        passphrase=PASSPHRASE_POLICE,
        area=list(Municipality.objects.filter(unit=unit).values_list("code", flat=True)),
        unit=unit,
    )
    fiod = services.create_recipient(
        name="FIOD", kind=RecipientKind.AGENCY, topics=["tax"], passphrase="fiod-sleutel-2020"
    )
    return {"utrecht": utrecht, "amsterdam": amsterdam, "police": police, "fiod": fiod}


@pytest.fixture
def desk_tip(db: Any) -> tuple[Any, Any]:
    from regie.tips import services

    return services.submit_tip(answers=ORIGINAL, topic="drugs", municipality_code="GM0344")


@pytest.fixture
def operator(make_staff: Callable[..., Position]) -> Position:
    return make_staff(Role.TIPLINE_OPERATOR, username="mma-operator")
