"""Shared helpers of the alerts tests (and the URL access matrix)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regie.alerts.models import Flag, Queue, QueueScope, Rule, WatchEntry, WatchList
from regie.organisation.roles import PERMISSION_ROLES, Perm
from regie.registration.inputs import GoodIn, InvolvementIn, OffenceIn, PersonIn
from regie.registration.services import registration_create
from tests.conftest import registration_input

EGG_TEXT = (
    "Aangeefster verklaarde dat zij door haar broer werd bedreigd omdat zij de familie-eer "
    "zou hebben geschonden. Haar paspoort ingenomen; zij vreest een gedwongen huwelijk."
)


def person(surname: str = "Yilmaz", bsn: str = "123456782", born: dt.date | None = None) -> Any:
    return PersonIn("Ayse", surname, "", born or dt.date(1995, 3, 4), bsn=bsn)


def create(team: Any, actor: Any, *, source: str = "desk", **overrides: Any) -> Any:
    reg, created = registration_create(
        registration_input(team, **overrides), actor=actor, source=source
    )
    assert created
    return reg


def victim(p: Any) -> InvolvementIn:
    return InvolvementIn("victim", person=p)


def assault(team: Any, actor: Any, p: Any, *, days_ago: int = 1, **kw: Any) -> Any:
    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    return create(
        team,
        actor,
        offences=(OffenceIn("F550"),),
        involvements=(victim(p),),
        occurred_from=now - dt.timedelta(days=days_ago, hours=3),
        occurred_to=now - dt.timedelta(days=days_ago, hours=2),
        reported_at=now - dt.timedelta(days=days_ago, hours=1),
        narrative=kw.pop("narrative", "Aangeefster werd geslagen."),
        **kw,
    )


def bike(frame: str = "GZ-123 456") -> InvolvementIn:
    return InvolvementIn("stolen_good", good=GoodIn("bicycle", brand="Gazelle", frame_number=frame))


def url_access_samples(team: Any, registration: Any) -> dict[str, dict[str, Any]]:
    """A flag every member role may see (a national test queue of all roles holding the
    permission) and a watch list of the team's unit, for ``tests/test_url_access.py``."""
    roles = sorted(r.value for r in PERMISSION_ROLES[Perm.VIEW_ALERTS])
    queue = Queue.objects.create(
        code="TEST-ALL", title="Test", scope=QueueScope.NATIONAL, member_roles=roles
    )
    rule = Rule.objects.create(
        code="TEST",
        title="Test",
        rationale="test",
        queue=queue,
        severity="laag",
        condition={"kinds": ["aangifte"]},
    )
    flag = Flag.objects.create(
        rule=rule,
        rule_version=1,
        registration=registration,
        queue=queue,
        severity="laag",
        facts=[{"soort": "soort", "waarde": "aangifte"}],
        base_team=registration.base_team,
    )
    wl = WatchList.objects.create(
        code="TEST-WL", title="Test", kind="person", unit=team.district.unit
    )
    p = registration.involvements.filter(person__isnull=False).first().person
    entry = WatchEntry.objects.create(
        watch_list=wl, person=p, reason="test", expires_on=dt.date.today() + dt.timedelta(days=9)
    )
    return {
        "alerts:queue": {"code": queue.code},
        "alerts:flag": {"pk": flag.pk},
        "alerts:flag_action": {"pk": flag.pk},
        "alerts:rule_edit": {"code": rule.code},
        "alerts:watchlist": {"pk": wl.pk},
        "alerts:entry_add": {"pk": wl.pk},
        "alerts:entry_remove": {"pk": entry.pk},
    }
