"""End-to-end: an analyst reviews the series proposals in headless Chromium (against a real
gunicorn process on a throwaway SQLite database, ``DEBUG=0``, second factor required),
accepts one with a reason, opens the current-intelligence picture of the district and
downloads it as PDF. The data: four weeks of the demo district's registrations with the
planted series of ``regie synth`` among them, and one detection run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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

SETUP = f"""
import datetime as dt, json, random
from zoneinfo import ZoneInfo
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.intelligence.services import run_detection
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import staff_create
from regie.synth import series_plant
from regie.synth.services import demo_district
district = demo_district()
p = staff_create(username="e2e-analyst", first_name="E2E", last_name="Analist",
    role=Role.ANALYST, scope_level=ScopeLevel.DISTRICT, scope=district, password={PASSWORD!r})
keys = {{"e2e-analyst": TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key}}
start, end = dt.date(2019, 3, 1), dt.date(2019, 3, 28)
series_plant.background(district, start=start, end=end, seed=1)
series_plant.plant_and_store(random.Random(1), district, start=start, end=end, seed=1)
summary = run_detection(dt.datetime(2019, 3, 1, tzinfo=ZoneInfo("Europe/Amsterdam")))
print("E2E:" + json.dumps({{"keys": keys, "district": district.code,
    "proposals": summary["proposals"]}}))
"""


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-intel-", setup_timeout=600) as running:
        assert running.info["proposals"] > 0, running.info
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def test_analyst_accepts_a_proposal_and_opens_the_picture(browser: Any, server: Server) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(browser, server)
    login(page, server, "e2e-analyst")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Koppelingen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Koppelvoorstellen")
    rows = page.locator("#proposals tbody tr")
    expect(rows).not_to_have_count(0)
    first = rows.first
    expect(first.locator(".reasons li")).not_to_have_count(0)
    proposal_id = first.get_attribute("id")
    page.screenshot(path=str(ARTIFACTS / "e2e-intel-proposals.png"), full_page=False)
    first.get_by_label("Reden").fill("zelfde werkwijze, zelfde buurt")
    first.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_text("Koppeling geaccepteerd.")).to_be_visible()
    expect(page.locator(f"#{proposal_id}")).to_have_count(0)
    page.get_by_role("link", name="geaccepteerd").click()
    expect(page.locator(f"#{proposal_id}")).to_contain_text("zelfde werkwijze, zelfde buurt")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Informatiebeeld"
    ).click()
    page.get_by_label("Van", exact=True).fill("2019-03-01")
    page.get_by_label("Tot en met", exact=True).fill("2019-03-31")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actueel informatiebeeld")
    expect(page.locator("#picture-series tbody tr")).not_to_have_count(0)
    expect(page.locator(".intel-map circle")).not_to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "e2e-intel-picture.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.locator("#picture-series tbody tr a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Serie")
    page.get_by_role("link", name="Netwerk van personen, goederen en locaties").click()
    expect(page.locator("#network svg")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "e2e-intel-network.png"), full_page=True)
    assert page.errors == [], f"browser console errors: {page.errors}"
    assert external(page.requested) == []
