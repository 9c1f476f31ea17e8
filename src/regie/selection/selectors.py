"""Reading cases within need-to-know: the work queues and one case."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from regie.organisation.access import base_team_filter, has_perm, role_of
from regie.organisation.models import Position
from regie.organisation.roles import Perm
from regie.organisation.roles import Role as StaffRole
from regie.registration.models import Registration
from regie.selection.flow import State
from regie.selection.models import Case


def cases_visible_to(user: Any, qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases of registrations the user may see (scope by the base team of the place, and the
    registration's confidentiality up to the user's clearance)."""
    from regie.organisation.access import registrations_visible_to

    qs = Case.objects.all() if qs is None else qs
    if not has_perm(user, Perm.VIEW_CASES):
        return qs.none()
    regs = registrations_visible_to(user, Registration.objects.all())
    return qs.filter(registration__in=regs)


def case_in_scope(user: Any, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def _base(user: Any) -> QuerySet[Case]:
    return cases_visible_to(user).select_related(
        "registration", "category", "base_team", "assignee"
    )


def screening_queue(user: Any, *, team_code: str = "") -> QuerySet[Case]:
    """Cases waiting for first screening, oldest report first."""
    qs = _base(user).filter(state=State.REGISTERED)
    if team_code:
        qs = qs.filter(base_team__code=team_code)
    return qs.order_by("reported_at", "pk")


def dossier_queue(user: Any) -> QuerySet[Case]:
    """Taken-up cases waiting for the dossier manager, oldest decision first."""
    return _base(user).filter(state=State.TAKEN_UP).order_by("state_changed_at", "pk")


def zsm_queue(user: Any) -> QuerySet[Case]:
    """Cases before ZSM, the earliest due first."""
    return _base(user).filter(state=State.AT_ZSM).order_by("zsm_due", "pk")


def om_queue(user: Any) -> QuerySet[Case]:
    """Cases with the OM awaiting a decision or a court outcome."""
    return (
        _base(user)
        .filter(Q(state=State.WITH_OM) | Q(state=State.OM_DECIDED, om_decision="summons"))
        .order_by("state_changed_at", "pk")
    )


def investigation_queue(user: Any) -> QuerySet[Case]:
    """Investigations: an investigator sees their own; others all in scope."""
    qs = _base(user).filter(state__in=(State.UNDER_INVESTIGATION, State.SOLVED))
    if role_of(user) == StaffRole.INVESTIGATOR:
        qs = qs.filter(assignee=user)
    return qs.order_by("state_changed_at", "pk")


def investigators_for(case: Case) -> list[Position]:
    """Investigators who can take the case (its team, or its district), with their open
    caseload, lightest first."""
    qs = Position.objects.filter(role=StaffRole.INVESTIGATOR, user__is_active=True)
    if case.base_team is not None:
        qs = qs.filter(
            Q(base_team=case.base_team)
            | Q(district_id=case.base_team.district_id)
            | Q(base_team__district_id=case.base_team.district_id, scope_level="district")
        )
    return list(
        qs.select_related("user")
        .annotate(
            caseload=Count(
                "user__assigned_cases",
                filter=Q(user__assigned_cases__state__in=(State.UNDER_INVESTIGATION, State.SOLVED)),
            )
        )
        .order_by("caseload", "user__last_name")
    )


def case_detail(user: Any, pk: int) -> Case | None:
    return (
        cases_visible_to(user)
        .select_related("registration", "category", "base_team", "assignee", "neighbourhood")
        .prefetch_related(
            "events__actor", "events__reviews__reviewer", "registration__offences__incident_code"
        )
        .filter(pk=pk)
        .first()
    )


def overdue(case: Case) -> bool:
    now = timezone.now()
    if case.state == State.REGISTERED:
        return case.screening_due < now
    if case.state == State.AT_ZSM and case.zsm_due is not None:
        return case.zsm_due < now
    return False


def team_filter(user: Any) -> Q | None:
    return base_team_filter(user)


def caseload(user: Any) -> list[dict[str, Any]]:
    """Open investigations per investigator within the user's scope, heaviest first."""
    qs = (
        cases_visible_to(user)
        .filter(state__in=(State.UNDER_INVESTIGATION, State.SOLVED), assignee__isnull=False)
        .values("assignee__first_name", "assignee__last_name", "base_team__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "assignee__last_name")
    )
    return [
        {
            "name": f"{row['assignee__first_name']} {row['assignee__last_name']}".strip(),
            "team": row["base_team__name"] or "—",
            "open": row["n"],
        }
        for row in qs
    ]
