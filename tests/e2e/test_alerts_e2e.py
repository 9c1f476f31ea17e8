"""End-to-end: a desk officer enters an aangifte at the desk screen whose narrative carries
honour-related violence indicators; an officer of the LEC EGG (national queue, another unit)
finds the red flag in the LEC EGG queue with the words that triggered it, and records an
assessment. Headless Chromium against gunicorn on a throwaway SQLite database."""

from __future__ import annotations

import datetime as dt
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

TEAM = "RE03-B15"
NARRATIVE = (
    "Aangeefster verklaarde dat zij door haar broers wordt bedreigd omdat zij een afgekeurde "
    "relatie heeft; volgens haar vader brengt zij schande over de familie. Zij vreest een "
    "gedwongen huwelijk in het land van herkomst."
)

SETUP = f"""
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.organisation.models import BaseTeam, Unit
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import staff_create
team = BaseTeam.objects.get(code={TEAM!r})
elsewhere = (Unit.objects.exclude(pk=team.district.unit_id).filter(is_national=False)
    .order_by("code").first())
keys = {{}}
for username, role, level, scope in (
    ("e2e-balie", Role.DESK_OFFICER, ScopeLevel.UNIT, team.district.unit),
    ("e2e-lec", Role.INTELLIGENCE_OFFICER, ScopeLevel.UNIT, elsewhere),
):
    p = staff_create(username=username, first_name="E2E", last_name=role.label, role=role,
        scope_level=level, scope=scope, password={PASSWORD!r})
    keys[username] = TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key
from regie.organisation import geodata
wijk = team.neighbourhoods.order_by("code").first()
pt = geodata.to_rd(geodata.geometry_from_geojson(wijk.geometry)).representative_point()
print("E2E:" + json.dumps({{"keys": keys, "x": round(pt.x, 1), "y": round(pt.y, 1)}}))
"""


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-alerts-") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def test_honour_violence_at_the_desk_reaches_the_lec_egg_queue(
    browser: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    desk = new_page(browser, server)
    login(desk, server, "e2e-balie")
    desk.goto("/registraties/nieuw/")
    now = dt.datetime.now().replace(second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    desk.fill("[name=occurred_from]", (now - dt.timedelta(days=2)).strftime(fmt))
    desk.fill("[name=occurred_to]", (now - dt.timedelta(days=2, hours=-1)).strftime(fmt))
    desk.fill("[name=reported_at]", now.strftime(fmt))
    desk.fill("[name=x]", str(server.info["x"]))
    desk.fill("[name=y]", str(server.info["y"]))
    desk.fill("[name=narrative]", NARRATIVE)
    desk.select_option("[name=offence-0-incident_code]", "F530")
    desk.select_option("[name=person-0-role]", "reporter")
    desk.fill("[name=person-0-first_names]", "Meryem")
    desk.fill("[name=person-0-surname]", "Kaya")
    desk.fill("[name=person-0-date_of_birth]", "2001-04-02")
    desk.get_by_role("button", name="Registratie vastleggen").click()
    heading = desk.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Aangifte")
    number = desk.url.rstrip("/").split("/")[-1]
    desk.screenshot(path=str(ARTIFACTS / "e2e-alerts-desk.png"), full_page=True)
    assert external(desk.requested) == []
    desk.context.close()

    lec = new_page(browser, server)
    login(lec, server, "e2e-lec")
    lec.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    lec.get_by_role("link", name="Landelijk Expertisecentrum Eergerelateerd Geweld (24/7)").click()
    rows = lec.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number)
    expect(rows.first).to_contain_text("kritiek")
    lec.screenshot(path=str(ARTIFACTS / "e2e-alerts-lec-queue.png"), full_page=True)
    rows.first.get_by_role("link").click()
    expect(lec.get_by_role("heading", level=1)).to_have_text("Mogelijk eergerelateerd geweld")
    facts = lec.locator("ul.flag-facts")
    expect(facts).to_contain_text("(Dreigend) gedwongen huwelijk")
    expect(facts.locator("mark").first).to_be_visible()
    # The expert works in another unit: the registration itself is not opened from here.
    expect(lec.get_by_text("geen inzage in de registratie")).to_be_visible()
    lec.select_option("[name=action]", "assessed")
    lec.fill("[name=reason]", "Checklist besproken met de eenheid; advies verhoorplan gegeven.")
    lec.get_by_role("button", name="Vastleggen").click()
    expect(lec.get_by_text("Signaal bijgewerkt.")).to_be_visible()
    expect(lec.locator("ol.events")).to_contain_text("advies verhoorplan")
    lec.screenshot(path=str(ARTIFACTS / "e2e-alerts-lec-flag.png"), full_page=True)
    assert external(lec.requested) == []
    assert lec.errors == []
    lec.context.close()
