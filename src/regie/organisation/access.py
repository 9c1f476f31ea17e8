"""Need-to-know: the few functions that decide who may see or change what.

Every view, API operation and selector asks these; nothing else checks roles. A decision
combines (1) the role's permissions (:data:`regie.organisation.roles.PERMISSION_ROLES`),
(2) the organisational scope of the user's position, and (3) the record's confidentiality
against the user's clearance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from regie.organisation.roles import (
    PERMISSION_ROLES,
    ROLE_CLEARANCE,
    Confidentiality,
    Perm,
    Role,
    ScopeLevel,
)

if TYPE_CHECKING:
    from regie.organisation.models import BaseTeam, Position


def position_of(user: Any) -> Position | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.position
    except Exception:
        return None


def role_of(user: Any) -> Role | None:
    position = position_of(user)
    return Role(position.role) if position else None


def has_perm(user: Any, perm: Perm) -> bool:
    role = role_of(user)
    return role is not None and role in PERMISSION_ROLES.get(perm, frozenset())


def clearance_of(user: Any) -> Confidentiality:
    position = position_of(user)
    if position is None:
        return Confidentiality.PUBLIC
    if position.clearance is not None:
        return Confidentiality(position.clearance)
    return ROLE_CLEARANCE[Role(position.role)]


def can_see_confidentiality(user: Any, level: int) -> bool:
    return int(level) <= int(clearance_of(user))


def base_team_filter(user: Any, prefix: str = "") -> Q | None:
    """A Q over base teams (``prefix`` leads to the BaseTeam) within the user's scope.

    ``None`` means the user's scope covers every base team; ``Q(pk__in=[])`` means none.
    """
    position = position_of(user)
    if position is None:
        return Q(pk__in=[])
    level = ScopeLevel(position.scope_level)
    if level is ScopeLevel.NATIONAL:
        return None
    if level is ScopeLevel.UNIT:
        return Q(**{f"{prefix}district__unit_id": position.unit_id})
    if level is ScopeLevel.DISTRICT:
        return Q(**{f"{prefix}district_id": position.district_id})
    if level is ScopeLevel.BASE_TEAM:
        return Q(**{f"{prefix}pk": position.base_team_id})
    return Q(pk__in=[])


def base_team_in_scope(user: Any, team: BaseTeam) -> bool:
    position = position_of(user)
    if position is None:
        return False
    level = ScopeLevel(position.scope_level)
    if level is ScopeLevel.NATIONAL:
        return True
    if level is ScopeLevel.UNIT:
        return bool(team.district.unit_id == position.unit_id)
    if level is ScopeLevel.DISTRICT:
        return bool(team.district_id == position.district_id)
    if level is ScopeLevel.BASE_TEAM:
        return bool(team.pk == position.base_team_id)
    return False


def staff_visible_to(user: Any, qs: QuerySet[Position] | None = None) -> QuerySet[Position]:
    """The staff positions a user may see: needs ``VIEW_STAFF`` and the staff member's place
    must lie within the user's scope (a unit-level viewer sees the unit's districts and base
    teams; a base-team viewer only that team)."""
    from regie.organisation.models import Position

    qs = Position.objects.all() if qs is None else qs
    if not has_perm(user, Perm.VIEW_STAFF):
        return qs.none()
    position = position_of(user)
    assert position is not None
    level = ScopeLevel(position.scope_level)
    if level is ScopeLevel.NATIONAL:
        return qs
    if level is ScopeLevel.UNIT:
        return qs.filter(
            Q(base_team__district__unit_id=position.unit_id)
            | Q(district__unit_id=position.unit_id)
            | Q(unit_id=position.unit_id)
            | Q(municipality__unit_id=position.unit_id)
        )
    if level is ScopeLevel.DISTRICT:
        return qs.filter(
            Q(base_team__district_id=position.district_id) | Q(district_id=position.district_id)
        )
    if level is ScopeLevel.BASE_TEAM:
        return qs.filter(base_team_id=position.base_team_id)
    return qs.none()


def can_view_staff_member(user: Any, staff: Position) -> bool:
    return staff_visible_to(user).filter(pk=staff.pk).exists()


def audit_entries_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Administrators see the whole log; integrity officers the entries of actors within
    their unit (or all, at national level)."""
    role = role_of(user)
    if not has_perm(user, Perm.VIEW_AUDIT):
        return qs.none()
    position = position_of(user)
    assert position is not None
    if role is Role.ADMINISTRATOR or position.scope_level == ScopeLevel.NATIONAL:
        return qs
    if position.scope_level == ScopeLevel.UNIT and position.unit is not None:
        return qs.filter(actor_unit_code=position.unit.code)
    return qs.none()


def registrations_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Registrations within the user's organisational scope (by the base team of the place
    where it happened; registrations without a place only nationally) and up to the user's
    clearance."""
    if not has_perm(user, Perm.VIEW_REGISTRATION):
        return qs.none()
    team_q = base_team_filter(user, prefix="base_team__")
    qs = qs.filter(confidentiality__lte=int(clearance_of(user)))
    return qs if team_q is None else qs.filter(team_q)


def can_view_registration(user: Any, registration: Any) -> bool:
    from regie.registration.models import Registration

    return registrations_visible_to(user, Registration.objects.filter(pk=registration.pk)).exists()


def persons_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Core objects are visible through the registrations that involve them."""
    from regie.registration.models import Registration

    regs = registrations_visible_to(user, Registration.objects.all())
    return qs.filter(
        involvements__registration__in=regs, confidentiality__lte=int(clearance_of(user))
    ).distinct()
