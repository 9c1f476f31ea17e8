"""Regression tests for the review findings: lockout evasion, odd redirects, NUL bytes,
overflowing dates and page sizes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from regie.organisation.models import Position
from regie.organisation.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_lockout_cannot_be_evaded_with_whitespace(make_staff: Callable[..., Position]) -> None:
    make_staff(Role.TEAM_CHIEF, username="chief")
    c = Client()
    for variant in (" chief", "chief ", " chief ", "\tchief", "chief"):
        c.post("/inloggen/", {"username": variant, "password": "wrong"})
    r = c.post("/inloggen/", {"username": "chief", "password": PASSWORD})
    assert r.status_code == 400
    assert "Te veel mislukte pogingen" in r.content.decode()


@pytest.mark.parametrize("next_url", ["foo", "//evil.example/x", "javascript:alert(1)", ""])
def test_odd_next_goes_home(make_staff: Callable[..., Position], next_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REGIE_REQUIRE_OTP = False
    make_staff(Role.TEAM_CHIEF, username="chief")
    r = Client().post("/inloggen/", {"username": "chief", "password": PASSWORD, "next": next_url})
    assert r.status_code == 302 and r["Location"] == reverse("core:home")


def test_safe_next_is_followed(make_staff: Callable[..., Position], settings) -> None:  # type: ignore[no-untyped-def]
    settings.REGIE_REQUIRE_OTP = False
    make_staff(Role.TEAM_CHIEF, username="chief")
    r = Client().post(
        "/inloggen/", {"username": "chief", "password": PASSWORD, "next": "/organisatie/"}
    )
    assert r["Location"] == "/organisatie/"


@pytest.mark.parametrize(
    "url",
    [
        "/organisatie/basisteams/%00/",
        "/organisatie/eenheden/%00/",
        "/api/v1/base-teams/%00/",
        "/api/v1/municipalities/?unit=%00",
        "/organisatie/medewerkers/?q=a%00b",
    ],
)
def test_nul_bytes_are_a_clear_400(url: str, client_for: Callable[..., Client]) -> None:
    r = client_for(Role.ADMINISTRATOR).get(url)
    assert r.status_code == 400
    if url.startswith("/api/"):
        assert r["Content-Type"] == "application/problem+json"
    assert "NUL" in r.content.decode()


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_extreme_dates_in_audit_search(
    params: dict[str, str], client_for: Callable[..., Client]
) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    for name in ("audit:search", "audit:export"):
        r = admin.get(reverse(name), params)
        assert r.status_code == 400 and "tussen 1900 en 2999" in r.content.decode()
    api = admin.get(reverse("api-audit"), params)
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"


def test_page_size_and_offset_are_bounded(client_for: Callable[..., Client]) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    for url in (reverse("api-staff"), reverse("api-audit")):
        r = admin.get(url, {"limit": "99999999999999999999"})
        assert r.status_code == 200 and len(r.json()["results"]) <= 1000
        r = admin.get(url, {"offset": str(2**63 - 1)})
        assert r.status_code == 200 and r.json()["results"] == []
        r = admin.get(url, {"limit": "-1", "offset": "abc"})
        assert r.status_code == 200
