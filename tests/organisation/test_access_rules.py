"""The access functions: role + organisational scope + confidentiality."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from regie.organisation.access import (
    base_team_in_scope,
    can_see_confidentiality,
    can_view_staff_member,
    has_perm,
    staff_visible_to,
)
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Confidentiality, Perm, Role, ScopeLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    make_staff: Callable[..., Position], team: BaseTeam, other_team: BaseTeam
) -> dict[str, Position]:
    sibling = BaseTeam.objects.filter(district=team.district).exclude(pk=team.pk).first()
    same_unit_other_district = (
        BaseTeam.objects.filter(district__unit=team.district.unit)
        .exclude(district=team.district)
        .first()
    )
    assert sibling is not None and same_unit_other_district is not None
    return {
        "here": make_staff(Role.INVESTIGATOR, at=team),
        "sibling": make_staff(Role.INVESTIGATOR, at=sibling),
        "unit": make_staff(Role.INVESTIGATOR, at=same_unit_other_district),
        "district_analyst": make_staff(Role.ANALYST, at=team),
        "far": make_staff(Role.INVESTIGATOR, at=other_team),
        "national": make_staff(Role.LIRC_OFFICER),
        "recipient": make_staff(Role.MUNICIPALITY_RECIPIENT),
    }


def visible(viewer: Position, world: dict[str, Position]) -> set[str]:
    return {k for k, p in world.items() if can_view_staff_member(viewer.user, p)}


def test_team_chief_sees_only_own_team(
    make_staff: Callable[..., Position], world: dict[str, Position]
) -> None:
    chief = make_staff(Role.TEAM_CHIEF)
    assert visible(chief, world) == {"here"}


def test_district_scope(make_staff: Callable[..., Position], world: dict[str, Position]) -> None:
    chief = make_staff(Role.TEAM_CHIEF, level=ScopeLevel.DISTRICT)
    assert visible(chief, world) == {"here", "sibling", "district_analyst"}


def test_unit_integrity_officer(
    make_staff: Callable[..., Position], world: dict[str, Position]
) -> None:
    officer = make_staff(Role.INTEGRITY_OFFICER)
    assert visible(officer, world) == {"here", "sibling", "unit", "district_analyst", "recipient"}


def test_administrator_sees_all(
    make_staff: Callable[..., Position], world: dict[str, Position]
) -> None:
    admin = make_staff(Role.ADMINISTRATOR)
    assert visible(admin, world) == set(world)


@pytest.mark.parametrize(
    "role",
    [r for r in Role if r not in (Role.TEAM_CHIEF, Role.INTEGRITY_OFFICER, Role.ADMINISTRATOR)],
)
def test_other_roles_see_no_staff(
    role: Role, make_staff: Callable[..., Position], world: dict[str, Position]
) -> None:
    viewer = make_staff(role)
    assert not staff_visible_to(viewer.user).exists()
    assert visible(viewer, world) == set()


def test_inactive_user_has_no_rights(make_staff: Callable[..., Position]) -> None:
    admin = make_staff(Role.ADMINISTRATOR)
    admin.user.is_active = False
    admin.user.save()
    assert not has_perm(admin.user, Perm.VIEW_AUDIT)


def test_confidentiality_against_clearance(make_staff: Callable[..., Position]) -> None:
    desk = make_staff(Role.DESK_OFFICER)
    intel = make_staff(Role.INTELLIGENCE_OFFICER)
    assert can_see_confidentiality(desk.user, Confidentiality.INTERNAL)
    assert not can_see_confidentiality(desk.user, Confidentiality.CONFIDENTIAL)
    assert can_see_confidentiality(intel.user, Confidentiality.SECRET)
    desk.clearance = Confidentiality.SECRET
    desk.save()
    assert can_see_confidentiality(desk.user, Confidentiality.SECRET)


def test_municipality_recipient_has_no_police_scope(
    make_staff: Callable[..., Position], team: BaseTeam
) -> None:
    recipient = make_staff(Role.MUNICIPALITY_RECIPIENT)
    assert not base_team_in_scope(recipient.user, team)
    assert not has_perm(recipient.user, Perm.VIEW_ORGANISATION)


def test_position_scope_constraint(make_staff: Callable[..., Position], team: BaseTeam) -> None:
    from django.db import IntegrityError, transaction

    p = make_staff(Role.DESK_OFFICER)
    p.scope_level = ScopeLevel.NATIONAL  # but base_team still set
    with pytest.raises(IntegrityError), transaction.atomic():
        p.save()
