"""End-to-end: the LIRC work queue in headless Chromium against a real gunicorn process.

A LIRC officer opens the queue and an urgent diffusion, sees the triage reasons and records
the assessment; confirming it herself is refused (four eyes); a second officer confirms it
and answers it with a template. Production-like server (``DEBUG=0``, second factor
required) on its own throwaway SQLite database, as in ``test_login_e2e.py``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BIN = Path(sys.executable).parent
PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts"
PASSWORD = "e2e-" + secrets.token_urlsafe(16)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium not installed at {CHROMIUM}"),
]

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


@dataclass(frozen=True)
class Server:
    url: str
    keys: dict[str, str]
    urgent: int


def _regie(env: dict[str, str], *args: str, timeout: int = 180) -> str:
    result = subprocess.run(
        [str(BIN / "regie"), *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"regie {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited early with code {proc.returncode}")
        try:
            with opener.open(f"{url}/health/", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}/health/ did not answer 200 within {timeout} s")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    tmp = Path(tempfile.mkdtemp(prefix="regie-e2e-lirc-"))
    env = os.environ.copy()
    env.pop("REGIE_TESTING", None)
    env.update(
        {
            "REGIE_VAR_DIR": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "REGIE_DEMO": "0",
            "REGIE_REQUIRE_OTP": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "DJANGO_SETTINGS_MODULE": "regie.settings",
        }
    )
    proc: subprocess.Popen[bytes] | None = None
    stderr_path = tmp / "gunicorn.stderr"
    failed_before = request.session.testsfailed
    try:
        _regie(env, "migrate", "--noinput")
        _regie(env, "synth", "--scale", "demo", "--seed", "1", "--only", "organisation")
        out = _regie(env, "shell", "-c", SETUP)
        info = json.loads(next(ln for ln in out.splitlines() if ln.startswith("E2E:"))[4:])
        _regie(env, "collectstatic", "--noinput")
        url = f"http://127.0.0.1:{_free_port()}"
        with stderr_path.open("wb") as stderr:
            proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "regie.wsgi", "--bind", url[7:], "--threads", "4"],
                env=env,
                cwd=PROJECT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        _wait_healthy(url, proc)
        yield Server(url=url, keys=info["keys"], urgent=info["urgent"])
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if request.session.testsfailed != failed_before and stderr_path.exists():
            print("\n--- gunicorn stderr ---\n" + stderr_path.read_text(errors="replace"))
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _page(browser: Any, server: Server) -> Any:
    context = browser.new_context(
        base_url=server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.requested = []
    page.errors = []
    page.on("request", lambda req: page.requested.append(req.url))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def _fresh_token(hex_key: str) -> str:
    from django_otp.oath import TOTP

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    return f"{TOTP(bytes.fromhex(hex_key)).token():06d}"


def _login(page: Any, server: Server, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(_fresh_token(server.keys[username]))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def _external(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
        and urlsplit(u).hostname not in LOCAL_HOSTS
    ]


def test_urgent_diffusion_assessed_confirmed_by_a_second_officer_and_answered(
    browser: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    first = _page(browser, server)
    _login(first, server, "e2e-lirc-a")
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
    assert _external(first.requested) == []
    first.context.close()

    second = _page(browser, server)
    _login(second, server, "e2e-lirc-b")
    second.goto(f"/rechtshulp/{server.urgent}/")
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
    assert _external(second.requested) == []
    second.context.close()
