"""Shared pieces of the end-to-end tests that run Regie under gunicorn on a throwaway SQLite
database, production-like (``DEBUG=0``, second factor required), and drive it in headless
Chromium: the server (migrate, the organisation, a setup script run in ``regie shell``,
static files), the browser, pages that record their requests and console errors, sign-in
with a TOTP code, and the offline check (no request leaves the machine)."""

from __future__ import annotations

import json
import os
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
from contextlib import contextmanager
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
#: The password of every account the setup scripts create.
PASSWORD = "e2e-" + secrets.token_urlsafe(16)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium not installed at {CHROMIUM}"
)


@dataclass(frozen=True)
class Server:
    url: str
    #: What the setup script printed after ``E2E:`` (JSON): TOTP keys by username, ids, ...
    info: dict[str, Any]

    @property
    def keys(self) -> dict[str, str]:
        return dict(self.info["keys"])


def regie(env: dict[str, str], *args: str, timeout: int = 180) -> str:
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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
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


@contextmanager
def serve(
    request: pytest.FixtureRequest,
    setup: str,
    *,
    prefix: str,
    setup_timeout: int = 180,
    synth_steps: tuple[str, ...] = ("organisation",),
) -> Iterator[Server]:
    """Regie on its own database with the ``synth_steps`` of the demo country run and
    ``setup`` (Python for ``regie shell -c`` that prints ``E2E:`` and a JSON object) run;
    gunicorn's stderr is printed when a test of the module failed."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
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
        regie(env, "migrate", "--noinput")
        regie(env, "synth", "--scale", "demo", "--seed", "1", "--only", *synth_steps)
        out = regie(env, "shell", "-c", setup, timeout=setup_timeout)
        info = json.loads(next(ln for ln in out.splitlines() if ln.startswith("E2E:"))[4:])
        regie(env, "collectstatic", "--noinput")
        url = f"http://127.0.0.1:{free_port()}"
        with stderr_path.open("wb") as stderr:
            proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "regie.wsgi", "--bind", url[7:], "--threads", "4"],
                env=env,
                cwd=PROJECT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        wait_healthy(url, proc)
        yield Server(url=url, info=info)
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


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_page(browser: Any, server: Server) -> Any:
    """A page in a fresh context that records every request and console error."""
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


def fresh_token(hex_key: str) -> str:
    from django_otp.oath import TOTP

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    return f"{TOTP(bytes.fromhex(hex_key)).token():06d}"


def login(page: Any, server: Server, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(fresh_token(server.keys[username]))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def external(urls: list[str]) -> list[str]:
    """The requests that left the machine (there should be none: no CDN, no tiles)."""
    return [
        u
        for u in urls
        if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
        and urlsplit(u).hostname not in LOCAL_HOSTS
    ]
