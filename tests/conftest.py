"""Shared fixtures. The organisation reference data is loaded once per test database (session)
and every test runs in a rolled-back transaction on top of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.organisation.models import BaseTeam, Municipality, Position
from regie.organisation.roles import ROLE_DEFAULT_SCOPE, Role, ScopeLevel
from regie.organisation.services import load_reference, staff_create

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def team(db: Any) -> BaseTeam:
    """A base team of Utrecht (the demo world's centre)."""
    t = BaseTeam.objects.filter(neighbourhoods__municipality__code="GM0344").order_by("code")
    found = t.first()
    assert found is not None
    return found


@pytest.fixture
def other_team(team: BaseTeam) -> BaseTeam:
    """A base team in another unit."""
    found = BaseTeam.objects.exclude(district__unit=team.district.unit).order_by("code").first()
    assert found is not None
    return found


def _target(level: ScopeLevel, team: BaseTeam) -> Any:
    return {
        ScopeLevel.BASE_TEAM: team,
        ScopeLevel.DISTRICT: team.district,
        ScopeLevel.UNIT: team.district.unit,
        ScopeLevel.NATIONAL: None,
        ScopeLevel.MUNICIPALITY: Municipality.objects.get(code="GM0344"),
    }[level]


@pytest.fixture
def make_staff(db: Any, team: BaseTeam) -> Callable[..., Position]:
    counter = {"n": 0}

    def make(
        role: Role,
        *,
        at: BaseTeam | None = None,
        level: ScopeLevel | None = None,
        username: str | None = None,
    ) -> Position:
        counter["n"] += 1
        level = level or ROLE_DEFAULT_SCOPE[role]
        return staff_create(
            username=username or f"{role.value}-{counter['n']}",
            first_name="Test",
            last_name=f"{role.label} {counter['n']}",
            role=role,
            scope_level=level,
            scope=_target(level, at or team),
            password=PASSWORD,
        )

    return make


def verified_client(user: Any) -> Client:
    """A client signed in with password and a verified TOTP second factor."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(make_staff: Callable[..., Position]) -> Callable[..., Client]:
    def make(role: Role, **kwargs: Any) -> Client:
        position = make_staff(role, **kwargs)
        c = verified_client(position.user)
        c.position = position  # type: ignore[attr-defined]
        return c

    return make
