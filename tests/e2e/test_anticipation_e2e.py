"""End-to-end: a team chief opens this period's crime anticipation map and capacity advice
of the base team in headless Chromium, against a real gunicorn process on a throwaway
SQLite database (``DEBUG=0``, second factor required), and downloads the advice; an
analyst switches anticipation off for the team, with a reason, and the chief sees it.

The run shown is made with criteria that accept it: the criteria gate itself is tested in
``tests/anticipation/test_app.py``; here the page is under test.
"""

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

TEAM = "RE03-B15"

# Runs inside ``regie shell -c``: a team chief and an analyst with TOTP devices, two years of
# registered offences in the team's neighbourhoods (half in three hot spots), and a run.
SETUP = f"""
import datetime as dt, json
import numpy as np
from shapely.geometry import Point
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.anticipation import services
from regie.anticipation.engine import CasCriteria
from regie.organisation import geodata
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import staff_create
from regie.registration.bulk import import_batch
from regie.registration.inputs import OffenceIn, RegistrationIn
team = BaseTeam.objects.get(code={TEAM!r})
keys = {{}}
for username, role, level, scope in (
    ("e2e-chief", Role.TEAM_CHIEF, ScopeLevel.BASE_TEAM, team),
    ("e2e-analyst", Role.ANALYST, ScopeLevel.UNIT, team.district.unit),
):
    p = staff_create(username=username, first_name="E2E", last_name=role.label, role=role,
        scope_level=level, scope=scope, password={PASSWORD!r})
    keys[username] = TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key
shapes = [geodata.to_rd(geodata.geometry_from_geojson(w.geometry))
          for w in team.neighbourhoods.order_by("code")]
x0 = min(s.bounds[0] for s in shapes); y0 = min(s.bounds[1] for s in shapes)
x1 = max(s.bounds[2] for s in shapes); y1 = max(s.bounds[3] for s in shapes)
rng = np.random.default_rng(5)
def inside(x, y):
    return any(s.contains(Point(x, y)) for s in shapes)
hot = []
while len(hot) < 3:
    x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
    if inside(x, y): hot.append((x, y))
rows = []
first = dt.datetime(2017, 6, 5, tzinfo=dt.UTC)
while len(rows) < 1500:
    if rng.random() < 0.5:
        hx, hy = hot[int(rng.integers(3))]; x, y = hx + rng.normal(0, 60), hy + rng.normal(0, 60)
    else:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
    if not inside(x, y): continue
    at = first + dt.timedelta(minutes=int(rng.integers(0, 728 * 24 * 60)))
    rows.append((f"e2e{{len(rows)}}", RegistrationIn(kind="aangifte", occurred_from=at,
        occurred_to=at + dt.timedelta(hours=1), reported_at=at + dt.timedelta(hours=2),
        channel="desk", offences=(OffenceIn("A72"),), x=float(x), y=float(y))))
import_batch(rows, actor=None, source="import")
run = services.run_for_team(team, dt.date(2019, 6, 3), total_hours=400, minimum_hours=8,
    criteria=CasCriteria(min_margin=-1.0, min_events=10, min_windows=1))
print("E2E:" + json.dumps({{"keys": keys, "run": run.pk, "status": run.status}}))
"""


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-cas-", setup_timeout=600) as running:
        assert running.info["status"] == "published", running.info
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def test_team_chief_sees_map_and_advice_and_the_analyst_switches_it_off(
    browser: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    chief = new_page(browser, server)
    login(chief, server, "e2e-chief")
    chief.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Anticipatie"
    ).click()
    expect(chief.get_by_role("heading", level=1)).to_contain_text("Criminaliteitsanticipatie")
    expect(chief.locator("#run-status")).to_have_text("gepubliceerd")
    expect(chief.locator("#cas-map")).to_have_attribute("data-rendered", "true")
    expect(chief.locator("#cas-map .heatmaplayer, #cas-map .hm")).not_to_have_count(0)
    rows = chief.locator("#advice tbody tr")
    expect(rows).not_to_have_count(0)
    chief.screenshot(path=str(ARTIFACTS / "e2e-cas-team.png"), full_page=True)
    with chief.expect_download() as download:
        chief.get_by_role("link", name="advies (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("gebied,naam,") and "uren" in text.splitlines()[0]
    chief.get_by_role("link", name="Modelkaart (algoritmeregister)").click()
    expect(chief.locator("#model-card")).to_contain_text("Menselijke beslissing")
    assert chief.errors == [], f"browser console errors: {chief.errors}"
    assert external(chief.requested) == []

    analyst = new_page(browser, server)
    login(analyst, server, "e2e-analyst")
    analyst.goto(f"/anticipatie/?team={TEAM}")
    analyst.get_by_label("Reden om uit te schakelen").fill("evaluatie door de ethische commissie")
    analyst.get_by_role("button", name="Uitschakelen").click()
    expect(analyst.get_by_text("Anticipatie uitgeschakeld.")).to_be_visible()
    chief.goto("/anticipatie/")
    expect(chief.locator("#switched-off")).to_contain_text("evaluatie door de ethische commissie")
    chief.screenshot(path=str(ARTIFACTS / "e2e-cas-switched-off.png"), full_page=True)
    assert analyst.errors == [], f"browser console errors: {analyst.errors}"
