"""The public intake process: the questionnaire, proof of work, the receipt and follow-up,
and the anonymity guarantee - no client address or user agent in any response cookie,
log record or database table."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from regie.tips import anonymity, public_settings
from regie.tips.models import Tip
from regie.tips.pow import solve

CLIENT_IP = "203.0.113.77"
FORWARDED_IP = "198.51.100.23"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) UniqueTestAgent/42.17"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_public"),
]


@pytest.fixture
def _public() -> Any:
    with override_settings(
        ROOT_URLCONF="regie.tips.public_urls",
        MIDDLEWARE=public_settings.MIDDLEWARE,
        TEMPLATES=public_settings.TEMPLATES,
    ):
        yield


def reporter() -> Client:
    return Client(
        REMOTE_ADDR=CLIENT_IP,
        HTTP_USER_AGENT=USER_AGENT,
        HTTP_X_FORWARDED_FOR=FORWARDED_IP,
        HTTP_X_REAL_IP=FORWARDED_IP,
        HTTP_REFERER="https://example.org/search?q=anoniem",
    )


def token_of(html: str) -> str:
    found = re.search(r'name="pow_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def solved(html: str) -> dict[str, str]:
    token = token_of(html)
    return {"pow_token": token, "pow_nonce": solve(token)}


def submit(client: Client, **fields: str) -> Any:
    page = client.get("/").content.decode()
    data = {"topic": "drugs", "what": "Handel in drugs.", **solved(page), **fields}
    return client.post("/", data)


def test_headers_and_no_cookies() -> None:
    client = reporter()
    response = client.get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert not response.cookies
    html = response.content.decode()
    # Only our own assets: no http(s) URL to anywhere in the page.
    assert not re.search(r'(src|href)="https?://', html)
    assert "tips/pow.js" in html
    done = submit(client)
    assert done.status_code == 200 and not done.cookies
    assert "Set-Cookie" not in str(done.headers)


def test_submit_needs_fresh_solved_work() -> None:
    client = reporter()
    page = client.get("/").content.decode()
    token = token_of(page)
    no_work = client.post("/", {"topic": "drugs", "what": "x", "pow_token": token, "pow_nonce": ""})
    assert no_work.status_code == 400 and Tip.objects.count() == 0
    good = {"topic": "drugs", "what": "x", "pow_token": token, "pow_nonce": solve(token)}
    assert client.post("/", good).status_code == 200
    again = client.post("/", good)
    assert again.status_code == 400 and "al gebruikt" in again.content.decode()
    assert Tip.objects.count() == 1
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    bad = client.post("/", {**good, "pow_token": forged, "pow_nonce": solve(forged)})
    assert bad.status_code == 400 and Tip.objects.count() == 1


def test_receipt_then_follow_up_through_the_public_pages(
    operator: Any,
) -> None:
    from regie.tips import services

    client = reporter()
    response = submit(client, who="Piet", where="Dorpsstraat 3", municipality="GM0344")
    html = response.content.decode()
    code = re.search(r"data-receipt>([\d ]+)<", html)
    assert code, html
    receipt = code.group(1)
    tip = Tip.objects.get()
    services.desk_asks(tip, "Hoe laat is het druk?", operator.user)
    form = client.get("/bonnummer/").content.decode()
    page = client.post("/bonnummer/", {"code": receipt, **solved(form)})
    text = page.content.decode()
    assert page.status_code == 200 and "Hoe laat is het druk?" in text
    added = client.post(
        "/bonnummer/aanvullen/", {"code": receipt, "text": "Na tienen.", **solved(text)}
    )
    assert added.status_code == 200 and "Na tienen." in added.content.decode()
    wrong = client.post(
        "/bonnummer/",
        {"code": receipt[:-1] + str((int(receipt[-1]) + 1) % 10), **solved(form)},
    )
    assert wrong.status_code == 400
    # The URL never carries the code.
    assert receipt.replace(" ", "") not in str(added.request)


def _all_text_in_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_no_ip_or_user_agent_anywhere(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = reporter()
    submit(client)
    client.get("/bestaat-niet/")
    client.post("/", {"topic": "drugs"})  # bad input
    client.post("/bonnummer/", {"code": "1234"})
    assert Tip.objects.count() == 1
    everything = _all_text_in_database()
    for needle in (CLIENT_IP, FORWARDED_IP, USER_AGENT, "UniqueTestAgent", "example.org"):
        assert needle not in everything
        assert needle not in caplog.text
    for record in caplog.records:
        request = getattr(record, "request", None)
        assert request is None or request.META.get("REMOTE_ADDR") == anonymity.PLACEHOLDER_ADDR


def test_scrub_environ_keeps_only_the_allow_list() -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "REMOTE_ADDR": CLIENT_IP,
        "REMOTE_PORT": "51234",
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_X_FORWARDED_FOR": FORWARDED_IP,
        "HTTP_FORWARDED": f"for={FORWARDED_IP}",
        "HTTP_CF_CONNECTING_IP": FORWARDED_IP,
        "HTTP_SEC_CH_UA": '"Chromium";v="120"',
        "HTTP_COOKIE": "tracking=1",
        "HTTP_HOST": "melden.example",
    }
    anonymity.scrub_environ(environ)
    assert environ == {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "HTTP_HOST": "melden.example",
        "REMOTE_ADDR": anonymity.PLACEHOLDER_ADDR,
    }


def test_scrub_filter_blanks_addresses_and_drops_the_request() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "from %s via 2001:db8::1:2:3",
        (CLIENT_IP,),
        None,
    )
    record.request = object()
    assert anonymity.ScrubFilter().filter(record)
    assert CLIENT_IP not in record.getMessage() and "2001:db8" not in record.getMessage()
    assert record.request is None


def test_public_settings_have_no_session_auth_or_csrf() -> None:
    middleware = " ".join(public_settings.MIDDLEWARE)
    for forbidden in ("Session", "Authentication", "Csrf", "Message", "OTP"):
        assert forbidden not in middleware
    assert public_settings.MIDDLEWARE[0] == "regie.tips.anonymity.AnonymityMiddleware"
    assert public_settings.ROOT_URLCONF == "regie.tips.public_urls"
    assert public_settings.LOGGING["loggers"]["django.request"]["handlers"] == []
