"""End-to-end: the anonymous tip line in headless Chromium against two real gunicorn
processes sharing one throwaway SQLite database - the public intake
(``regie.tips.public_settings``, as ``regie tips serve-public`` runs it) and Regie itself.

A reporter submits a tip with a photo and gets a receipt code; the desk operator sees the
identifying details highlighted, has a rewrite refused by the checker, fixes it, asks the
reporter a question and forwards the tip (sealed per recipient); the municipality's
recipient unlocks the key, reads the tip, acknowledges and reports back; the reporter
reads the desk's question with the receipt code and answers. Afterwards every log file
written during the run and every table of the database are searched for the reporter's
address and user agent: neither may appear anywhere.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import (
    ARTIFACTS,
    BIN,
    NEEDS_CHROMIUM,
    PASSWORD,
    PROJECT,
    Server,
    chromium,
    external,
    free_port,
    login,
    new_page,
    serve,
    wait_healthy,
)

pytestmark = [pytest.mark.e2e, NEEDS_CHROMIUM]

REPORTER_AGENT = f"MMA-E2E-Reporter/{secrets.token_hex(6)} (X11; Linux) Chromium"
FORWARDED_FOR = "198.51.100.231"
PASSPHRASE = "e2e-utrecht-sleutel-" + secrets.token_hex(4)

SETUP = f"""
import json
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from regie.organisation.models import Municipality, Unit
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import staff_create
from regie.tips import services
from regie.tips.models import RecipientKind
utrecht = Municipality.objects.get(code="GM0344")
keys = {{}}
for username, role, level, scope in (
    ("e2e-mma", Role.TIPLINE_OPERATOR, ScopeLevel.NATIONAL, None),
    ("e2e-gemeente", Role.MUNICIPALITY_RECIPIENT, ScopeLevel.MUNICIPALITY, utrecht),
):
    p = staff_create(username=username, first_name="E2E", last_name=username,
        role=role, scope_level=level, scope=scope, password={PASSWORD!r})
    keys[username] = TOTPDevice.objects.create(user=p.user, name="phone", confirmed=True).key
services.create_recipient(name="Gemeente Utrecht", kind=RecipientKind.MUNICIPALITY,
    topics=["drugs", "nuisance"], passphrase={PASSPHRASE!r}, municipality=utrecht)
unit = utrecht.unit
services.create_recipient(name="Politie " + unit.name, kind=RecipientKind.AGENCY,
    topics=["drugs"], passphrase={PASSPHRASE!r}, unit=unit,
    area=list(Municipality.objects.filter(unit=unit).values_list("code", flat=True)))
print("E2E:" + json.dumps({{"keys": keys, "var": str(settings.VAR_DIR),
    "db": str(settings.DATABASES["default"]["NAME"]), "secret": settings.SECRET_KEY}}))
"""


@dataclass(frozen=True)
class Public:
    url: str
    log: Path


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serve(request, SETUP, prefix="regie-e2e-tips-") as running:
        yield running


@pytest.fixture(scope="module")
def public(server: Server) -> Iterator[Public]:
    var = Path(server.info["var"])
    env = os.environ.copy()
    env.pop("REGIE_TESTING", None)
    env.update(
        {
            "REGIE_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{server.info['db']}",
            "SECRET_KEY": server.info["secret"],
            "DEBUG": "0",
            "REGIE_DEMO": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "regie.tips.public_settings",
            "TIPS_POW_DIFFICULTY": "12",
        }
    )
    url = f"http://127.0.0.1:{free_port()}"
    log = var / "public-intake.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "regie"), "tips", "serve-public", "--bind", url[7:], "--workers", "1"],
            env=env,
            cwd=PROJECT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(url, proc)
        yield Public(url, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def reporter_page(browser: Any, public: Public) -> Any:
    context = browser.new_context(
        base_url=public.url,
        locale="nl-NL",
        viewport={"width": 1000, "height": 1300},
        user_agent=REPORTER_AGENT,
        extra_http_headers={"X-Forwarded-For": FORWARDED_FOR, "X-Real-IP": FORWARDED_FOR},
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.requested = []
    page.errors = []
    page.on("request", lambda req: page.requested.append(req.url))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def test_tip_from_reporter_to_municipality_and_back(
    server: Server, public: Public, browser: Any
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    # 1. The reporter submits a tip on the public site.
    reporter = reporter_page(browser, public)
    reporter.goto("/")
    reporter.get_by_label("Waar gaat uw melding over?").select_option("drugs")
    reporter.get_by_label("Wat gebeurt er?").fill(
        "Jan de Vries verkoopt cocaïne vanuit zijn woning."
    )
    reporter.get_by_label("Wie is erbij betrokken?").fill(
        "Jan de Vries, zwarte Audi met kenteken GX-123-B, telefoon 06-12345678."
    )
    reporter.get_by_label("Waar gebeurt het?").fill("Kerkstraat 12, Utrecht.")
    reporter.get_by_label("In welke gemeente?").select_option("GM0344")
    reporter.get_by_label("Wanneer gebeurt het?").fill("Elke vrijdagavond, laatst op 14-11-2019.")
    reporter.get_by_label("Bijlagen (optioneel)").set_input_files(
        {"name": "IMG_2041.png", "mimeType": "image/png", "buffer": png()}
    )
    reporter.screenshot(path=str(ARTIFACTS / "tips-1-intake.png"), full_page=True)
    reporter.get_by_role("button", name="Melding versturen").click()
    expect(reporter.get_by_role("heading", name="Bedankt voor uw melding")).to_be_visible()
    receipt = reporter.locator("[data-receipt]").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt)
    reporter.screenshot(path=str(ARTIFACTS / "tips-2-receipt.png"), full_page=True)
    assert reporter.context.cookies() == []

    # 2. The desk rewrites (the checker refuses the first attempt), asks and forwards.
    desk = new_page(browser, server)
    login(desk, server, "e2e-mma")
    desk.goto("/tips/")
    desk.get_by_role("link", name=re.compile(r"MMA-\d+")).first.click()
    expect(desk.locator("mark.detail-plate")).to_have_text("GX-123-B")
    expect(desk.locator("mark.detail-phone")).to_have_text("06-12345678")
    desk.get_by_label("Herschreven tekst (wordt doorgezet)").fill(
        "Jan de Vries verkoopt cocaïne vanuit een woning in Utrecht."
    )
    desk.get_by_role("button", name="Opslaan en controleren").click()
    expect(desk.locator("[data-check=findings]")).to_contain_text("Vries")
    desk.screenshot(path=str(ARTIFACTS / "tips-3-desk-check.png"), full_page=True)
    desk.get_by_label("Herschreven tekst (wordt doorgezet)").fill(
        "Vanuit een woning in Utrecht wordt vermoedelijk cocaïne verkocht."
    )
    desk.get_by_role("button", name="Opslaan en controleren").click()
    expect(desk.locator("[data-check=ok]")).to_be_visible()
    desk.get_by_label("Vraag aan de melder").fill("Hoe laat is het meestal druk bij de woning?")
    desk.get_by_role("button", name="Vraag plaatsen").click()
    expect(desk.get_by_text("Vraag geplaatst")).to_be_visible()
    expect(desk.get_by_label("Gemeente Utrecht")).to_be_checked()
    desk.get_by_role("button", name="Concreet: versleuteld doorzetten").click()
    expect(desk.get_by_text("Doorgezet naar")).to_contain_text("Gemeente Utrecht")
    desk.screenshot(path=str(ARTIFACTS / "tips-4-desk-forwarded.png"), full_page=True)

    # 3. The municipality unlocks its key, reads, acknowledges and reports back.
    town = new_page(browser, server)
    login(town, server, "e2e-gemeente")
    town.goto("/tips/ontvangen/")
    town.get_by_role("link", name=re.compile(r"MMA-\d+")).first.click()
    expect(town.get_by_text("cocaïne verkocht")).to_have_count(0)
    town.get_by_label("Wachtwoord van de sleutel").fill(PASSPHRASE)
    town.get_by_role("button", name="Sleutel ontgrendelen").click()
    expect(town.locator("[data-tip-text]")).to_contain_text("vermoedelijk cocaïne verkocht")
    assert "Vries" not in town.content() and "Kerkstraat" not in town.content()
    town.get_by_role("button", name="Ontvangst bevestigen").click()
    town.get_by_label("Wat is er met de melding gedaan?").fill("Bestuurlijke controle gepland.")
    town.get_by_role("button", name="Terugkoppeling opslaan").click()
    expect(town.get_by_text("Terugkoppeling vastgelegd.")).to_be_visible()
    town.screenshot(path=str(ARTIFACTS / "tips-5-municipality.png"), full_page=True)

    # 4. The reporter reads the desk's question with the receipt code and answers.
    later = reporter_page(browser, public)
    later.goto("/bonnummer/")
    later.get_by_label("Uw bonnummer (16 cijfers)").fill(receipt)
    later.get_by_role("button", name="Vragen bekijken").click()
    expect(later.locator("[data-message]")).to_contain_text("Hoe laat is het meestal druk")
    later.get_by_label("Aanvullende informatie of uw antwoord").fill("Na tien uur 's avonds.")
    later.get_by_role("button", name="Aanvulling versturen").click()
    expect(later.get_by_text("Uw aanvulling is ontvangen.")).to_be_visible()
    later.screenshot(path=str(ARTIFACTS / "tips-6-follow-up.png"), full_page=True)
    assert later.context.cookies() == []

    for page in (reporter, desk, town, later):
        assert external(page.requested) == [], external(page.requested)
        assert page.errors == [], page.errors

    # 5. Nothing of the reporter's connection anywhere: every log file, every table.
    var = Path(server.info["var"])
    needles = [REPORTER_AGENT, REPORTER_AGENT.split(" ")[0], FORWARDED_FOR]
    logs = [p for p in var.rglob("*") if p.is_file() and p.suffix in {".log", ".stderr"}]
    assert public.log in logs and any(p.name == "gunicorn.stderr" for p in logs)
    for path in logs:
        text = path.read_text(errors="replace")
        for needle in needles:
            assert needle not in text, f"{needle!r} in {path.name}"
        # The client's own address (loopback here) only as the server's bind address.
        for line in text.splitlines():
            assert "127.0.0.1" not in line or "Listening at" in line, line
    db = sqlite3.connect(server.info["db"])
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert "tips_tip" in tables
    hits = []
    for table in tables:
        for row in db.execute(f'SELECT * FROM "{table}"'):
            blob = json.dumps(
                [bytes(v).decode("latin-1") if isinstance(v, bytes) else v for v in row],
                default=str,
            )
            hits += [(table, n) for n in [*needles, "127.0.0.1"] if n in blob]
    db.close()
    assert hits == []
