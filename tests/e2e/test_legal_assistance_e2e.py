"""End-to-end: the LIRC work queue in headless Chromium against a real gunicorn process.

A LIRC officer opens the queue and an urgent diffusion, sees the triage reasons and records
the assessment; confirming it herself is refused (four eyes); a second officer confirms it
and answers it with a template. Production-like server (``DEBUG=0``, second factor
required) on its own throwaway SQLite database, as in ``test_login_e2e.py``.
"""

from __future__ import annotations

import re
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

# Runs inside ``regie shell -c``: two LIRC officers with TOTP devices and a few messages.
SETUP = f"""
import datetime as dt, json
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import staff_create
from regie.legal_assistance.services import receive
keys = {{}}
for username, first, last in (("e2e-lirc-a", "Lotte", "Lirc"), ("e2e-lirc-b", "Bram", "Tweede")):
    p = staff_create(username=username, first_name=first, last_name=last,
        role=Role.LIRC_OFFICER, scope_level=ScopeLevel.NATIONAL, scope=None,
        password={PASSWORD!r})
    keys[username] = TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key
now = timezone.now().replace(microsecond=0)
def message(**kw):
    data = {{"kind": "diffusion", "purpose": "locate", "channel": "interpol",
        "issuing_country": "BE", "received_at": (now - dt.timedelta(hours=1)).isoformat(),
        "references": {{"interpol": "2026/10001"}},
        "subjects": [{{"forename": "Pieter", "name": "Claes", "date_of_birth": "1970"}}]}}
    data.update(kw)
    return json.dumps(data)
urgent = receive(message(purpose="arrest", flags=["terrorism"],
    references={{"interpol": "2026/20002", "issuing": "FR-PNAT-2026-17"}}, issuing_country="FR",
    subjects=[{{"forename": "Karim", "name": "Benali", "date_of_birth": "1991-04-12",
        "nationalities": ["FR", "DZ"],
        "arrest_warrants": [{{"charge": "Association de malfaiteurs terroriste",
            "charge_translation": "Terrorist conspiracy"}}]}}]), channel="e2e")
receive(message(), channel="e2e")
receive(message(kind="yellow_notice", purpose=None, references={{"interpol": "2026/30003"}},
    subjects=[{{"forename": "Sofie", "name": "Janssens", "date_of_birth": "2011-02-03"}}]),
    channel="e2e")
receive('{{"kind": "red_notice"}}', channel="e2e")
print("E2E:" + json.dumps({{"keys": keys, "urgent": urgent.pk}}))
"""


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-lirc-") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def test_urgent_diffusion_assessed_confirmed_by_a_second_officer_and_answered(
    browser: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    first = new_page(browser, server)
    login(first, server, "e2e-lirc-a")
    first.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rechtshulp").click()
    expect(first.get_by_role("heading", level=1)).to_have_text(
        "Internationale rechtshulp: werkvoorraad"
    )
    rows = first.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    # The urgent diffusion (terrorism) is on top; the quarantined message is announced.
    expect(rows.first).to_contain_text("diffusie 2026/20002")
    expect(rows.first).to_contain_text("bevestigen")
    expect(first.get_by_text("1 bericht in quarantaine")).to_be_visible()
    first.screenshot(path=str(ARTIFACTS / "e2e-lirc-queue.png"), full_page=True)

    rows.first.get_by_role("link").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Diffusie 2026/20002")
    reasons = first.get_by_role("table", name="Redenen van de beoordeling")
    expect(reasons).to_contain_text("terrorisme")
    expect(reasons).to_contain_text("+40")
    expect(first.get_by_text("Prioriteit 1 (spoed)", exact=True)).to_be_visible()
    first.get_by_role("button", name="Beoordeling vastleggen").click()
    expect(first.get_by_text("Beoordeling vastgelegd.")).to_be_visible()
    # The same officer cannot confirm her own urgent assessment.
    first.get_by_role("button", name="Spoedbeoordeling bevestigen").click()
    expect(first.get_by_role("alert")).to_contain_text("U heeft deze beoordeling zelf vastgelegd")
    first.screenshot(path=str(ARTIFACTS / "e2e-lirc-refused.png"), full_page=True)
    assert external(first.requested) == []
    first.context.close()

    second = new_page(browser, server)
    login(second, server, "e2e-lirc-b")
    second.goto(f"/rechtshulp/{server.info['urgent']}/")
    second.get_by_role("button", name="Spoedbeoordeling bevestigen").click()
    expect(second.get_by_text("Spoedbeoordeling bevestigd.")).to_be_visible()
    expect(second.get_by_text("Bram Tweede (")).to_be_visible()
    second.get_by_role("link", name="Bekend; informatie volgt via rechtshulpverzoek").click()
    text = second.get_by_label("Tekst van het antwoord")
    expect(text).to_have_value(re.compile("2026/20002"))
    text.fill(text.input_value() + "\nContact: LIRC duty officer.")
    second.screenshot(path=str(ARTIFACTS / "e2e-lirc-answer.png"), full_page=True)
    second.get_by_role("button", name="Antwoord versturen").click()
    expect(second.get_by_text("Antwoord verzonden.")).to_be_visible()
    expect(second.get_by_role("region", name="Verzonden antwoorden")).to_contain_text(
        "Contact: LIRC duty officer."
    )
    expect(second.get_by_text("status: beantwoord")).to_be_visible()
    second.screenshot(path=str(ARTIFACTS / "e2e-lirc-answered.png"), full_page=True)

    second.get_by_role("link", name="Stuurinformatie").first.click()
    expect(second.locator("#backlog-chart")).to_have_attribute(
        "data-rendered", "true", timeout=15_000
    )
    second.screenshot(path=str(ARTIFACTS / "e2e-lirc-management.png"), full_page=True)
    assert second.errors == [], f"browser console errors: {second.errors}"
    assert external(second.requested) == []
    second.context.close()
