"""Reads of the alerts app, with need-to-know built in.

* A flag queue is visible to its *members*: holders of ``VIEW_ALERTS`` whose role is one of
  the queue's ``member_roles``. In a national queue (the LEC EGG) members see every flag; in
  an organisation queue only the flags of registrations within their own scope (the base
  team where it happened). Flags above the user's clearance are never shown. Scope and
  clearance are those of the registration *now* (a registration moved to another base team
  or made more confidential after the flag was raised takes its flags along), not the copies
  kept on the flag.
* A watch list is visible to its owner and subscribers, and to holders of
  ``VIEW_WATCHLISTS`` positioned in the list's unit (a list without unit: to all holders).
  Entries are visible with their list; hits only where the user may also see the
  registration (scope and clearance), and a list "only for my unit" always has a unit.
* Notifications only to their recipient, and only for registrations the recipient may see
  (checked when written and again when shown).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from regie.alerts.models import Flag, Queue, QueueScope, WatchList
from regie.organisation.access import base_team_filter, clearance_of, has_perm, position_of
from regie.organisation.roles import Perm, ScopeLevel


def member_queues(user: Any) -> list[Queue]:
    if not has_perm(user, Perm.VIEW_ALERTS):
        return []
    position = position_of(user)
    assert position is not None
    return [q for q in Queue.objects.all() if position.role in (q.member_roles or [])]


def is_member(user: Any, queue: Queue) -> bool:
    return any(q.pk == queue.pk for q in member_queues(user))


def flags_visible_to(user: Any, qs: QuerySet[Flag] | None = None) -> QuerySet[Flag]:
    qs = Flag.objects.all() if qs is None else qs
    queues = member_queues(user)
    if not queues:
        return qs.none()
    national = [q.pk for q in queues if q.scope == QueueScope.NATIONAL]
    local = [q.pk for q in queues if q.scope == QueueScope.ORGANISATION]
    team_q = base_team_filter(user, prefix="registration__base_team__")
    cond = Q(queue_id__in=national)
    if local:
        cond |= Q(queue_id__in=local) & (Q() if team_q is None else team_q)
    return qs.filter(cond, registration__confidentiality__lte=int(clearance_of(user)))


def unit_of(user: Any) -> tuple[bool, int | None]:
    """(national scope, unit id of the position)."""
    position = position_of(user)
    if position is None:
        return False, None
    if position.scope_level == ScopeLevel.NATIONAL:
        return True, None
    if position.unit_id is not None:
        return False, position.unit_id
    if position.district is not None:
        return False, position.district.unit_id
    if position.base_team is not None:
        return False, position.base_team.district.unit_id
    if position.municipality is not None:
        return False, position.municipality.unit_id
    return False, None


def watchlists_visible_to(user: Any) -> QuerySet[WatchList]:
    if not has_perm(user, Perm.VIEW_WATCHLISTS):
        return WatchList.objects.none()
    national, unit_id = unit_of(user)
    if national:
        return WatchList.objects.all()
    cond = Q(owner_id=user.pk) | Q(subscribers__id=user.pk) | Q(unit__isnull=True)
    if unit_id is not None:
        cond |= Q(unit_id=unit_id)
    return WatchList.objects.filter(cond).distinct()


def can_manage_watchlist(user: Any, wl: WatchList) -> bool:
    """Managers (``MANAGE_WATCHLISTS``) of lists they can see change entries; the owner too."""
    if not watchlists_visible_to(user).filter(pk=wl.pk).exists():
        return False
    return wl.owner_id == user.pk or has_perm(user, Perm.MANAGE_WATCHLISTS)
