"""End-to-end: one search in headless Chromium against a real gunicorn process. An
investigator signs in, types a person's name with a typo into the header's search box, sees
the person among the ranked results with the name highlighted, and opens the person (through
the audited redirect) to the person's page with their registrations. Production-like server
(``DEBUG=0``, second factor required) on its own throwaway SQLite database, as in
``test_login_e2e.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.support import (
    ARTIFACTS,
    NEEDS_CHROMIUM,
    PASSWORD,
    Server,
    chromium,
    external,
    login,
    new_page,
    serve,
)

pytestmark = [pytest.mark.e2e, NEEDS_CHROMIUM]

# Runs inside ``regie shell -c``: an investigator of Utrecht's first base team with a TOTP
# device and two registrations involving Marloes van der Linden (one as victim).
SETUP = f"""
import datetime as dt, json
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.organisation import geodata
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.organisation.services import staff_create
from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, PersonIn, RegistrationIn
from regie.registration.services import registration_create
team = BaseTeam.objects.filter(neighbourhoods__municipality__code="GM0344").order_by("code").first()
p = staff_create(username="e2e-rechercheur", first_name="Rik", last_name="Rechercheur",
    role=Role.INVESTIGATOR, scope=team, password={PASSWORD!r})
key = TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key
wijk = team.neighbourhoods.order_by("code").first()
pt = geodata.to_rd(geodata.geometry_from_geojson(wijk.geometry)).representative_point()
now = dt.datetime.now(tz=dt.UTC)
marloes = PersonIn("Marloes", "Linden", "van der", dt.date(1988, 9, 14))
regs = []
for days, code, text, extra in (
    (20, "A72", "Fiets gestolen bij het Centraal Station, slot doorgeknipt.",
        InvolvementIn("stolen_good",
            good=GoodIn("bicycle", brand="Gazelle", frame_number="GZ 778 812"))),
    (5, "F30", "Slachtoffer werd geslagen bij de uitgang van het station.", None),
):
    invs = [InvolvementIn("victim", person=marloes)] + ([extra] if extra else [])
    reg, _ = registration_create(RegistrationIn(kind="aangifte", channel="desk",
        occurred_from=now - dt.timedelta(days=days, hours=2),
        occurred_to=now - dt.timedelta(days=days),
        reported_at=now - dt.timedelta(days=days - 1), x=pt.x, y=pt.y, offences=(OffenceIn(code),),
        narrative=text, involvements=tuple(invs)), actor=None, source="desk")
    regs.append(reg.number)
print("E2E:" + json.dumps({{"keys": {{"e2e-rechercheur": key}}, "registrations": regs}}))
"""


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-search-") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def test_search_a_person_by_name_with_a_typo_and_open_the_person(
    browser: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(browser, server)
    login(page, server, "e2e-rechercheur")
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill("Marloes van der Lindn")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoeken")
    expect(page.locator("#result-count")).to_contain_text("resultaat")
    first = page.locator("ol.search-results li").first
    expect(first).to_contain_text("Persoon")
    expect(first.locator("a.title mark").first).to_have_text("Marloes")
    expect(first.locator("a.title")).to_contain_text("Marloes van der Linden (14-09-1988)")
    page.screenshot(path=str(ARTIFACTS / "e2e-search-results.png"), full_page=True)
    first.locator("a.title").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marloes van der Linden")
    for number in server.info["registrations"]:
        expect(page.get_by_role("link", name=f"Aangifte {number}")).to_be_visible()
    assert "/registraties/personen/" in page.url
    page.screenshot(path=str(ARTIFACTS / "e2e-search-person.png"), full_page=True)
    # A frame number typed with other separators finds the bicycle exactly.
    page.get_by_role("search").get_by_role("searchbox").fill("gz-778812")
    page.get_by_role("search").get_by_role("button", name="Zoeken").click()
    expect(page.locator("ol.search-results li").first).to_contain_text("kenmerk exact gevonden")
    assert external(page.requested) == []
    page.context.close()
