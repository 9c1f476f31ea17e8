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


def point_in(team: BaseTeam) -> tuple[float, float]:
    """An RD coordinate inside the team's first neighbourhood."""
    from regie.organisation import geodata

    wijk = team.neighbourhoods.order_by("code").first()
    assert wijk is not None
    p = geodata.to_rd(geodata.geometry_from_geojson(wijk.geometry)).representative_point()
    return float(p.x), float(p.y)


def registration_input(team: BaseTeam, **overrides: Any) -> Any:
    import datetime as dt

    from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, PersonIn, RegistrationIn

    x, y = point_in(team)
    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    values: dict[str, Any] = {
        "kind": "aangifte",
        "occurred_from": now - dt.timedelta(days=2, hours=3),
        "occurred_to": now - dt.timedelta(days=2),
        "reported_at": now - dt.timedelta(days=1),
        "channel": "desk",
        "x": x,
        "y": y,
        "offences": (OffenceIn("A72"), OffenceIn("C40")),
        "involvements": (
            InvolvementIn(
                "reporter",
                person=PersonIn("Jan", "Berg", "van der", dt.date(1980, 5, 4), bsn="111222333"),
            ),
            InvolvementIn(
                "stolen_good", good=GoodIn("bicycle", brand="Gazelle", frame_number="GZ-123 456")
            ),
        ),
        "narrative": "Fiets gestolen bij het station; slot doorgeknipt.",
    }
    values.update(overrides)
    return RegistrationIn(**values)


@pytest.fixture
def registration(team: BaseTeam, make_staff: Callable[..., Position]) -> Any:
    from regie.registration.services import registration_create

    desk = make_staff(Role.DESK_OFFICER, username="desk-fixture")
    reg, _ = registration_create(registration_input(team), actor=desk.user, source="desk")
    return reg


@pytest.fixture
def _after_flush(django_db_blocker: Any) -> Any:
    """Torn down after the transactional flush: switch the audit maintenance escape off again
    and restore the reference data the flush removed."""
    yield
    from regie.audit.services import set_audit_maintenance
    from regie.registration.reference import load_offence_reference
    from regie.selection.services import load_national_framework

    with django_db_blocker.unblock():
        set_audit_maintenance(False)
        load_offence_reference()
        load_national_framework()
        load_reference()


@pytest.fixture
def _before_flush(transactional_db: None, django_db_blocker: Any) -> Any:
    """Torn down before the transactional flush: let it empty the append-only audit table."""
    yield
    from regie.audit.services import set_audit_maintenance

    with django_db_blocker.unblock():
        set_audit_maintenance(True)


@pytest.fixture
def concurrent_db(_after_flush: None, transactional_db: None, _before_flush: None) -> None:
    """Real transactions, so that several threads can race."""
