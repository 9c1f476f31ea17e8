from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.audit.models import AuditEntry
from regie.organisation.models import LoginEvent, Position
from regie.organisation.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/inloggen/"


def token_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def chief(make_staff: Callable[..., Position]) -> Position:
    return make_staff(Role.TEAM_CHIEF, username="chief")


def test_password_and_totp_signs_in(chief: Position) -> None:
    device = TOTPDevice.objects.create(user=chief.user, name="phone", confirmed=True)
    c = Client()
    r = c.post(LOGIN, {"username": "chief", "password": PASSWORD, "otp_token": token_for(device)})
    assert r.status_code == 302 and r["Location"] == reverse("core:home")
    assert c.get(reverse("core:home")).status_code == 200
    assert LoginEvent.objects.filter(username="chief", succeeded=True).exists()
    assert AuditEntry.objects.filter(action="login", actor_id=chief.user.pk).exists()


def test_missing_or_wrong_token_is_refused(chief: Position) -> None:
    TOTPDevice.objects.create(user=chief.user, name="phone", confirmed=True)
    c = Client()
    r = c.post(LOGIN, {"username": "chief", "password": PASSWORD, "otp_token": ""})
    assert r.status_code == 400
    assert "Vul de code uit uw authenticator-app in." in r.content.decode()
    r = c.post(LOGIN, {"username": "chief", "password": PASSWORD, "otp_token": "000000"})
    assert r.status_code == 400
    assert "De code is onjuist of verlopen." in r.content.decode()
    # No session: the home page still sends us to the login page.
    assert c.get(reverse("core:home")).status_code == 302


def test_without_device_refused_outside_demo_mode(chief: Position) -> None:
    r = Client().post(LOGIN, {"username": "chief", "password": PASSWORD})
    assert r.status_code == 400
    assert "geen tweede factor ingesteld" in r.content.decode()


@override_settings(REGIE_REQUIRE_OTP=False, DEMO_MODE=True)
def test_demo_mode_allows_password_only_with_banner(chief: Position) -> None:
    c = Client()
    r = c.post(LOGIN, {"username": "chief", "password": PASSWORD})
    assert r.status_code == 302
    home = c.get(reverse("core:home")).content.decode()
    assert "Demomodus" in home and "niet verplicht" in home


def test_signed_in_without_second_factor_is_not_enough(chief: Position) -> None:
    c = Client()
    c.force_login(chief.user)  # password only: the OTP middleware marks it unverified
    r = c.get(reverse("organisation:units"))
    assert r.status_code == 302 and LOGIN in r["Location"]
    assert c.get(reverse("api-units")).status_code in (401, 403)


def test_wrong_password_and_lockout(chief: Position) -> None:
    c = Client()
    for _ in range(5):
        r = c.post(LOGIN, {"username": "chief", "password": "wrong"})
        assert r.status_code == 400
        assert "Gebruikersnaam of wachtwoord onjuist." in r.content.decode()
    device = TOTPDevice.objects.create(user=chief.user, name="phone", confirmed=True)
    r = c.post(LOGIN, {"username": "chief", "password": PASSWORD, "otp_token": token_for(device)})
    assert r.status_code == 400
    assert "Te veel mislukte pogingen" in r.content.decode()
    assert LoginEvent.objects.filter(username="chief", succeeded=False).count() == 6


def test_user_without_position_is_refused(db: None) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("loose", password=PASSWORD)
    r = Client().post(LOGIN, {"username": "loose", "password": PASSWORD})
    assert r.status_code == 400
    assert "geen positie in de organisatie" in r.content.decode()


def test_empty_form_gets_field_errors(db: None) -> None:
    r = Client().post(LOGIN, {})
    assert r.status_code == 400
    assert r.content.decode().count("Dit veld is vereist.") == 2


def test_open_redirect_is_ignored(chief: Position) -> None:
    device = TOTPDevice.objects.create(user=chief.user, name="phone", confirmed=True)
    r = Client().post(
        LOGIN,
        {
            "username": "chief",
            "password": PASSWORD,
            "otp_token": token_for(device),
            "next": "https://evil.example/",
        },
    )
    assert r["Location"] == reverse("core:home")


def test_token_auth_for_systems(client_for: Callable[..., Client]) -> None:
    from rest_framework.authtoken.models import Token

    analyst = client_for(Role.ANALYST)
    token = Token.objects.create(user=analyst.position.user)  # type: ignore[attr-defined]
    r = Client().get(reverse("api-units"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert r.status_code == 200
    assert any(u["code"] == "RE01" for u in r.json())
    bad = Client().get(reverse("api-units"), HTTP_AUTHORIZATION="Token nope")
    assert bad.status_code == 401
    assert bad["Content-Type"] == "application/problem+json"
