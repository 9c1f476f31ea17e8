"""End-to-end: sign in with password + TOTP in headless Chromium against a real gunicorn process.

The server runs production-like (``DEBUG=0``, ``REGIE_DEMO=0``, second factor required) on its
own throwaway SQLite database, so this module does not touch the pytest test database (whose
audit triggers refuse the flush that pytest-django's ``live_server`` would do).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    NEEDS_CHROMIUM,
    PASSWORD,
    serve,
)
from tests.e2e.support import external as _external
from tests.e2e.support import fresh_token as _fresh_token

USERNAME = "e2e-teamchef"

pytestmark = [pytest.mark.e2e, NEEDS_CHROMIUM]

# Runs inside ``regie shell -c``: a team chief of Utrecht's first base team with a TOTP device.
SETUP_USER = f"""
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.organisation.services import staff_create
team = BaseTeam.objects.filter(neighbourhoods__municipality__code="GM0344").order_by("code").first()
position = staff_create(username={USERNAME!r}, first_name="Tessa", last_name="Teamchef",
    name_particle="van", role=Role.TEAM_CHIEF, scope=team, password={PASSWORD!r})
device = TOTPDevice.objects.create(user=position.user, name="phone", confirmed=True)
desk = staff_create(username="e2e-balie", first_name="Bas", last_name="Balie",
    role=Role.DESK_OFFICER, scope=team, password={PASSWORD!r})
desk_device = TOTPDevice.objects.create(user=desk.user, name="phone", confirmed=True)
# An earlier aangifte, so the desk form has an existing person to propose.
import datetime as dt
from regie.organisation import geodata
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn, RegistrationIn
from regie.registration.services import registration_create
wijk = team.neighbourhoods.order_by("code").first()
pt = geodata.to_rd(geodata.geometry_from_geojson(wijk.geometry)).representative_point()
now = dt.datetime.now(tz=dt.UTC)
reg, _ = registration_create(RegistrationIn(kind="aangifte", channel="desk",
    occurred_from=now - dt.timedelta(days=30, hours=2), occurred_to=now - dt.timedelta(days=30),
    reported_at=now - dt.timedelta(days=29), x=pt.x, y=pt.y, offences=(OffenceIn("A72"),),
    involvements=(InvolvementIn("reporter", person=PersonIn("Jan", "Berg", "van der",
        dt.date(1980, 5, 4))),)), actor=None, source="desk")
person = reg.involvements.get().person
screener = staff_create(username="e2e-screener", first_name="Sanne", last_name="Screener",
    role=Role.CASE_SCREENER, scope=team, password={PASSWORD!r})
screener_device = TOTPDevice.objects.create(user=screener.user, name="phone", confirmed=True)
from regie.selection.services import open_cases
open_cases([reg.pk])
analyst = staff_create(username="e2e-analist", first_name="Anna", last_name="Analist",
    role=Role.ANALYST, scope=team.district, password={PASSWORD!r})
analyst_device = TOTPDevice.objects.create(user=analyst.user, name="phone", confirmed=True)
from regie.statistics.services import refresh
refresh()
print("E2E:" + json.dumps({{"key": device.key, "code": team.code, "name": team.name,
    "desk_key": desk_device.key, "person": person.pk, "x": pt.x, "y": pt.y,
    "screener_key": screener_device.key, "registration": reg.number,
    "analyst_key": analyst_device.key, "district": team.district.name}}))
"""


@dataclass(frozen=True)
class Server:
    url: str
    totp_key: str
    team_code: str
    team_name: str
    desk_totp_key: str
    person_id: int
    x: float
    y: float
    screener_totp_key: str
    registration: str
    analyst_totp_key: str
    district_name: str


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(
        request, SETUP_USER, prefix="regie-e2e-", synth_steps=("organisation", "staff")
    ) as running:
        info = running.info
        yield Server(
            url=running.url,
            totp_key=info["key"],
            team_code=info["code"],
            team_name=info["name"],
            desk_totp_key=info["desk_key"],
            person_id=info["person"],
            x=info["x"],
            y=info["y"],
            screener_totp_key=info["screener_key"],
            registration=info["registration"],
            analyst_totp_key=info["analyst_key"],
            district_name=info["district"],
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh browser context; every requested URL is recorded in ``page.requested``."""
    context = browser.new_context(
        base_url=server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.requested = requested
    # Console errors include Content-Security-Policy violations and JavaScript exceptions.
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def _wrong_token(hex_key: str) -> str:
    """A 6-digit code that matches none of the steps the server accepts (now ± tolerance)."""
    from django_otp.oath import TOTP

    near = set()
    for drift in (-2, -1, 0, 1, 2):
        totp = TOTP(bytes.fromhex(hex_key), drift=drift)
        near.add(f"{totp.token():06d}")
    return next(c for c in ("000000", "111111", "123456", "999999") if c not in near)


def _fill_login(page: Any, token: str) -> None:
    page.get_by_label("Gebruikersnaam").fill(USERNAME)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(token)


def _submit_login(page: Any) -> Any:
    with page.expect_response(
        lambda r: urlsplit(r.url).path == "/inloggen/" and r.request.method == "POST"
    ) as resp:
        page.get_by_role("button", name="Inloggen").click()
    return resp.value


def test_wrong_totp_code_is_refused(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    page.goto("/inloggen/")
    expect(page.get_by_role("heading", name="Inloggen bij Regie")).to_be_visible()
    _fill_login(page, _wrong_token(server.totp_key))
    response = _submit_login(page)

    assert response.status == 400
    expect(page).to_have_url(f"{server.url}/inloggen/")
    expect(page.get_by_text("De code is onjuist of verlopen.")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-login-error.png"), full_page=True)
    assert _external(page.requested) == []
    # django-otp throttles a device for 1 s after a failure; the next test signs in with it.
    time.sleep(1.5)


def test_login_team_page_and_logout(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    page.goto("/inloggen/")
    _fill_login(page, _fresh_token(server.totp_key))
    response = _submit_login(page)
    assert response.status == 302
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Tessa van Teamchef")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn team").click()
    expect(page).to_have_url(f"{server.url}/organisatie/basisteams/{server.team_code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(server.team_name)
    expect(page.locator("#team-map")).to_have_attribute("data-rendered", "true", timeout=15_000)
    expect(page.locator("#team-map svg").first).to_be_attached()

    municipalities = page.get_by_role("region", name="Gemeenten").get_by_role("table")
    expect(municipalities).to_contain_text("Utrecht")

    staff = page.get_by_role("region", name="Medewerkers").get_by_role("table")
    rows = staff.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5, f"expected at least 5 staff rows, got {rows.count()}"
    expect(staff).to_contain_text("Tessa van Teamchef")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-base-team.png"), full_page=True)

    # The location lookup answers in place (htmx), also with a form error.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Locatie opzoeken"
    ).click()
    page.get_by_label("X / lengtegraad").fill("5.1214")
    page.get_by_label("Y / breedtegraad").fill("52.0907")
    page.get_by_label("Coördinatenstelsel").select_option("EPSG:4326")
    page.get_by_role("button", name="Opzoeken").click()
    expect(page.locator("dl.result")).to_contain_text("Utrecht")
    expect(page).to_have_url(re.compile(r"x=5\.1214"))
    assert page.errors == [], f"browser console errors: {page.errors}"
    page.get_by_label("X / lengtegraad").fill("1")
    page.get_by_role("button", name="Opzoeken").click()
    expect(page.get_by_role("alert")).to_contain_text("buiten Nederland")
    # The only console message left is the deliberate 400 of the bad input.
    assert all("status of 400" in e for e in page.errors), page.errors

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(f"{server.url}/inloggen/")
    expect(page.get_by_role("heading", name="Inloggen bij Regie")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)

    assert any(urlsplit(u).path.startswith("/static/vendor/plotly.min.") for u in page.requested)
    assert _external(page.requested) == [], "requests left localhost (app must work offline)"


def test_desk_registers_an_aangifte_with_two_offences_and_a_matched_person(
    page: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("e2e-balie")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(_fresh_token(server.desk_totp_key))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Bas Balie")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Registraties"
    ).click()
    page.get_by_role("link", name="Nieuwe registratie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe registratie")

    page.get_by_label("Gepleegd vanaf").fill("2026-01-10T08:00")
    page.get_by_label("Gepleegd tot en met").fill("2026-01-10T17:30")
    page.get_by_label("RD x (meter)").fill(f"{server.x:.1f}")
    page.get_by_label("RD y (meter)").fill(f"{server.y:.1f}")
    page.get_by_label("Feit 1").select_option("A72")
    page.get_by_label("Feit 2").select_option("C40")

    person = page.locator("fieldset.person").first
    person.get_by_label("Voornamen").fill("Jan")
    person.get_by_label("Tussenvoegsel").fill("van der")
    person.get_by_label("Achternaam").fill("Berg")
    person.get_by_label("Geboortedatum").fill("1980-05-04")
    suggestion = person.locator(f'input[type=radio][value="{server.person_id}"]')
    expect(suggestion).to_be_visible(timeout=10_000)
    expect(person.locator(".suggestion-list")).to_contain_text("Jan van der Berg")
    suggestion.check()
    page.get_by_label("Relaas").fill("Fiets gestolen bij het werk; slot doorgeknipt.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-desk-form.png"), full_page=True)
    page.get_by_role("button", name="Registratie vastleggen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Aangifte RG2026-")
    offences = page.locator("table").first
    expect(offences).to_contain_text("A72")
    expect(offences).to_contain_text("C40")
    link = page.get_by_role("link", name="Jan van der Berg")
    expect(link).to_have_attribute("href", f"/registraties/personen/{server.person_id}/")
    page.screenshot(path=str(ARTIFACTS / "e2e-desk-registered.png"), full_page=True)
    assert page.errors == [], f"browser console errors: {page.errors}"
    assert _external(page.requested) == []


def test_screener_overrides_the_advice_and_the_victim_sees_the_new_stage(
    page: Any, browser: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    bad: list[str] = []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("e2e-screener")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(_fresh_token(server.screener_totp_key))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Sanne Screener")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Zaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zaken: Eerste screening")
    row = page.locator("table.queue tbody tr", has_text=server.registration)
    expect(row).to_contain_text("Afwijzen")  # the advice, in the queue already
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-screening-queue.png"), full_page=True)
    row.get_by_role("link", name=server.registration).click()

    advice = page.get_by_test_id("advice")
    expect(advice).to_contain_text("Afwijzen")
    expect(advice).to_contain_text("Geen opsporingsindicaties")
    take_up = page.locator("form.action-form[data-action=take_up]")
    # Against the advice without a reason: refused, with the reason asked for.
    take_up.get_by_role("button", name="Oppakken").click()
    expect(page.get_by_test_id("error")).to_be_visible()
    expect(page.locator("form.action-form[data-action=take_up]")).to_contain_text(
        "U wijkt af van het advies"
    )
    expect(page.get_by_test_id("state")).to_contain_text("Geregistreerd")
    take_up = page.locator("form.action-form[data-action=take_up]")
    take_up.get_by_label("Reden om af te wijken van het advies").fill(
        "Aangever noemt camerabeelden van de fietsenstalling"
    )
    take_up.get_by_role("button", name="Oppakken").click()
    expect(page.get_by_test_id("state")).to_contain_text("In behandeling genomen")
    history = page.get_by_role("table").filter(has_text="Advies gevolgd")
    expect(history).to_contain_text("camerabeelden van de fietsenstalling")
    expect(history).to_contain_text("nee")
    page.screenshot(path=str(ARTIFACTS / "e2e-case-screened.png"), full_page=True)

    page.get_by_role("button", name="Statuscode voor de aangever maken").click()
    code = page.get_by_test_id("status-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3}", code), code
    # The only failed response is the deliberate refusal without a reason.
    assert len(bad) == 1 and bad[0].startswith("422 ") and bad[0].endswith("/actie/"), bad

    # The reporter, not signed in, in a browser of their own.
    victim = browser.new_context(base_url=server.url, locale="nl-NL")
    vpage = victim.new_page()
    vrequests: list[str] = []
    vpage.on("request", lambda req: vrequests.append(req.url))
    vpage.goto("/mijn-zaak/")
    vpage.get_by_label("Statuscode").fill(code)
    vpage.get_by_role("button", name="Bekijken").click()
    expect(vpage.get_by_test_id("stage")).to_contain_text("In behandeling genomen")
    body = vpage.locator("main").inner_text()
    assert "Berg" not in body and "Sanne" not in body and "camerabeelden" not in body
    assert not any(code in u for u in vrequests), "the code must never be in a URL"
    vpage.screenshot(path=str(ARTIFACTS / "e2e-victim-status.png"), full_page=True)
    victim.close()
    assert _external(page.requested) == [] and _external(vrequests) == []
    assert all("status of 422" in e for e in page.errors), page.errors


def test_analyst_dashboard_draws_its_charts_and_drills_down(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("e2e-analist")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(_fresh_token(server.analyst_totp_key))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Anna Analist")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistiek").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dashboard: {server.district_name}")
    for chart in ("#map", "#trend", "#funnel", "#peers-rate"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true", timeout=15_000)
        expect(page.locator(f"{chart} svg").first).to_be_attached()
    # The registration made at set-up: one offence, one case (refreshed at set-up).
    expect(page.locator('[data-kpi="per_offence"]')).to_have_text("1")
    expect(page.locator('[data-kpi="cases"]')).to_have_text("1")
    expect(page.locator("#children")).to_contain_text(server.team_name)
    page.screenshot(path=str(ARTIFACTS / "e2e-dashboard-district.png"), full_page=True)

    page.locator("#children").get_by_role("link", name=server.team_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dashboard: {server.team_name}")
    expect(page.locator("#map")).to_have_attribute("data-rendered", "true", timeout=15_000)
    expect(page.get_by_role("link", name=server.district_name)).to_be_visible()  # breadcrumb
    expect(page.locator("#peers tr.own")).to_contain_text(server.team_name)
    page.screenshot(path=str(ARTIFACTS / "e2e-dashboard-team.png"), full_page=True)
    assert _external(page.requested) == []
    assert page.errors == []
