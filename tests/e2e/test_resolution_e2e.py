"""End-to-end: a dossier manager opens "Mogelijke dubbelen", judges a pair of persons that
the batch resolution put in the queue (a missing particle and swapped day and month), merges
them with a reason and undoes the merge. Headless Chromium against gunicorn on a throwaway
SQLite database; the model is trained on synthetic persons in the setup."""

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

TEAM = "RE03-B15"

SETUP = f"""
import datetime as dt, json
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.organisation import geodata
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.organisation.services import staff_create
from regie.registration import resolution
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn, RegistrationIn
from regie.registration.models import Person
from regie.registration.normalise import name_key, phonetic
from regie.registration.services import registration_create
from regie.intelligence.er.synth import synthetic_persons
team = BaseTeam.objects.get(code={TEAM!r})
p = staff_create(username="e2e-dossier", first_name="Dirk", last_name="Dossier",
    role=Role.DOSSIER_MANAGER, scope=team, password={PASSWORD!r})
keys = {{"e2e-dossier": TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key}}
wijk = team.neighbourhoods.order_by("code").first()
pt = geodata.to_rd(geodata.geometry_from_geojson(wijk.geometry)).representative_point()
now = dt.datetime.now(tz=dt.UTC)
twins = (("Jan", "van der", dt.date(1980, 5, 4)), ("Jan", "", dt.date(1980, 4, 5)))
for first, particle, dob in twins:
    registration_create(RegistrationIn(kind="aangifte", channel="desk",
        occurred_from=now - dt.timedelta(days=9, hours=2), occurred_to=now - dt.timedelta(days=9),
        reported_at=now - dt.timedelta(days=8), x=pt.x, y=pt.y, offences=(OffenceIn("A72"),),
        involvements=(InvolvementIn("reporter", person=PersonIn(first, "Berg", particle, dob)),)),
        actor=None, source="desk")
people = []
for r in synthetic_persons(1500, seed=5).records.to_dict("records"):
    try:
        dob = dt.date.fromisoformat(r["date_of_birth"])
    except ValueError:
        dob = None
    people.append(Person(first_names=r["first_name"], particle=r["particle"],
        surname=r["surname"], date_of_birth=dob, surname_key=name_key(r["surname"]),
        phonetic_key=phonetic(r["surname"])[:40], purpose="wpg8",
        retain_until=dt.date(2030, 1, 1)))
Person.objects.bulk_create(people)
resolution.train_model("person", actor=None)
resolution.resolve("person", actor=None)
print("E2E:" + json.dumps({{"keys": keys}}))
"""


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-resolution-", setup_timeout=600) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def test_merge_a_pair_from_the_review_queue_and_undo_it(browser: Any, server: Server) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(browser, server)
    login(page, server, "e2e-dossier")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Dubbelen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mogelijke dubbelen")
    # Only the pair of the dossier manager's own team is listed (the synthetic persons
    # appear in no registration, so nobody may see them).
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Berg")
    expect(rows.first).to_contain_text("dag en maand verwisseld")
    page.screenshot(path=str(ARTIFACTS / "e2e-resolution-queue.png"), full_page=True)
    rows.first.get_by_role("link", name="Beoordelen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mogelijk hetzelfde")
    expect(page.locator("section h2")).to_have_count(2)
    page.get_by_role("button", name="Samenvoegen").click()  # no reason: the browser refuses
    expect(page.get_by_text("Status: Te beoordelen")).to_be_visible()
    page.get_by_label("Reden", exact=True).fill("Zelfde adres en telefoonnummer in beide aangiften")
    page.get_by_role("button", name="Samenvoegen").click()
    expect(page.get_by_text("Samengevoegd.")).to_be_visible()
    expect(page.get_by_text("Status: Samengevoegd")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "e2e-resolution-merged.png"), full_page=True)
    page.get_by_label("Reden om te splitsen").fill("Toch twee personen: andere vader")
    page.get_by_role("button", name="Samenvoeging ongedaan maken").click()
    expect(page.get_by_text("De samenvoeging is ongedaan gemaakt.")).to_be_visible()
    expect(page.get_by_text("Status: Samenvoeging ongedaan gemaakt")).to_be_visible()
    assert external(page.requested) == []
    assert page.errors == []
    page.context.close()
