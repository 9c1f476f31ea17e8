"""The screens: queue membership (national and by scope), the flag page with its facts and
registration link, actions with a reason (audited), rule edits (audited, invalid ones change
nothing), watch lists and the inbox with need-to-know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.alerts.models import (
    Flag,
    FlagStatus,
    Notification,
    Rule,
    WatchEntry,
    WatchHit,
    WatchList,
)
from regie.alerts.services import watch_entry_add
from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Confidentiality, Role, ScopeLevel
from regie.registration.inputs import InvolvementIn
from regie.registration.models import Registration
from tests.alerts.helpers import EGG_TEXT, create, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_staff: Callable[..., Position]) -> Any:
    return make_staff(Role.DESK_OFFICER).user


def test_lec_egg_queue_is_for_its_members_nationally(
    team: BaseTeam, other_team: BaseTeam, desk: Any, client_for: Callable[..., Client]
) -> None:
    reg = create(team, desk, narrative=EGG_TEXT)
    flag = Flag.objects.get(registration=reg)
    # An intelligence officer of another unit: the LEC EGG queue is national.
    expert = client_for(Role.INTELLIGENCE_OFFICER, at=other_team)
    page = expert.get(reverse("alerts:queue", args=["LEC-EGG"]))
    assert page.status_code == 200 and reg.number in page.content.decode()
    detail = expert.get(reverse("alerts:flag", args=[flag.pk]))
    body = detail.content.decode()
    assert "<mark>gedwongen huwelijk</mark>" in body
    # ... who may not open the registration itself (other unit): no link.
    assert reverse("registration:detail", args=[reg.number]) not in body
    assert "geen inzage in de registratie" in body
    assert AuditEntry.objects.filter(
        object_type="alerts.flag", object_id=str(flag.pk), action="view"
    ).exists()
    # A team chief is no member of the LEC EGG queue.
    chief = client_for(Role.TEAM_CHIEF)
    assert chief.get(reverse("alerts:queue", args=["LEC-EGG"])).status_code == 403
    assert chief.get(reverse("alerts:flag", args=[flag.pk])).status_code == 403


def test_base_team_queue_only_within_scope(
    team: BaseTeam, other_team: BaseTeam, desk: Any, client_for: Callable[..., Client]
) -> None:
    reg = create(team, desk, narrative="Bedreigd met een mes.")
    flag = Flag.objects.get(registration=reg)
    own = client_for(Role.TEAM_CHIEF)
    page = own.get(reverse("alerts:queue", args=["BASISTEAM"]))
    assert reg.number in page.content.decode()
    detail = own.get(reverse("alerts:flag", args=[flag.pk])).content.decode()
    assert reverse("registration:detail", args=[reg.number]) in detail
    stranger = client_for(Role.TEAM_CHIEF, at=other_team)
    assert (
        reg.number not in stranger.get(reverse("alerts:queue", args=["BASISTEAM"])).content.decode()
    )
    assert stranger.get(reverse("alerts:flag", args=[flag.pk])).status_code == 403


def test_flag_actions_need_a_reason_and_are_audited(
    team: BaseTeam, desk: Any, client_for: Callable[..., Client]
) -> None:
    reg = create(team, desk, narrative="Bedreigd met een mes.")
    flag = Flag.objects.get(registration=reg)
    c = client_for(Role.CASE_SCREENER)
    url = reverse("alerts:flag_action", args=[flag.pk])
    bad = c.post(url, {"action": "acknowledged", "reason": "  "})
    assert bad.status_code == 400 and "Geef een reden" in bad.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    for action in ("acknowledged", "assessed", "closed"):
        r = c.post(url, {"action": action, "reason": f"reden {action}"})
        assert r.status_code == 302
    queue = reverse("alerts:queue", args=["BASISTEAM"])
    assert reg.number not in c.get(queue).content.decode()  # closed: not in the work list
    assert reg.number in c.get(queue + "?status=closed").content.decode()
    assert reg.number not in c.get(queue + "?status=open").content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED and flag.assessment == "reden assessed"
    assert [e.action for e in flag.events.all()] == ["acknowledged", "assessed", "closed"]
    again = c.post(url, {"action": "acknowledged", "reason": "x"})
    assert again.status_code == 400
    audited = AuditEntry.objects.filter(
        object_type="alerts.flag", object_id=str(flag.pk), action="change"
    )
    assert audited.count() == 3
    assert audited.order_by("seq").last().detail["to"] == "closed"


def test_rule_edit_is_audited_and_checked(client_for: Callable[..., Client]) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    url = reverse("alerts:rule_edit", args=["WAPEN"])
    rule = Rule.objects.get(code="WAPEN")
    form = {
        "title": rule.title,
        "rationale": rule.rationale,
        "queue": "BASISTEAM",
        "severity": "hoog",
        "condition": '{"keywords": {"terms": ["mes"], "fields": ["relaas"]}}',
        "active": "on",
    }
    bad = admin.post(url, form)
    assert bad.status_code == 400 and "Onbekend tekstveld" in bad.content.decode()
    assert Rule.objects.get(code="WAPEN").version == rule.version
    bad_json = admin.post(url, {**form, "condition": "{mes"})
    assert bad_json.status_code == 400 and "geen geldige JSON" in bad_json.content.decode()
    good = admin.post(url, {**form, "condition": '{"keywords": {"terms": ["mes", "bijl"]}}'})
    assert good.status_code == 302
    changed = Rule.objects.get(code="WAPEN")
    assert changed.version == rule.version + 1 and changed.file_version == 0
    entry = (
        AuditEntry.objects.filter(object_type="alerts.rule", object_id="WAPEN")
        .order_by("seq")
        .last()
    )
    assert entry is not None and "condition" in entry.detail["changed"]
    assert admin.get(reverse("alerts:rules")).status_code == 200


def test_watch_lists_screens(
    team: BaseTeam, other_team: BaseTeam, desk: Any, client_for: Callable[..., Client]
) -> None:
    chief = client_for(Role.TEAM_CHIEF)
    r = chief.post(
        reverse("alerts:watchlists"),
        {"code": "amz-1", "title": "Amazone", "kind": "person", "unit_only": "on"},
    )
    assert r.status_code == 302
    wl = WatchList.objects.get(code="AMZ-1")
    assert wl.unit_id == team.district.unit_id and wl.owner_id == chief.position.user.pk
    reg = create(team, desk)
    p = reg.involvements.filter(person__isnull=False).first().person
    add = reverse("alerts:entry_add", args=[wl.pk])
    bad = chief.post(add, {"object_id": "abc", "reason": "x", "expires_on": "2099-01-01"})
    assert bad.status_code == 400 and not WatchEntry.objects.exists()
    exp = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    ok = chief.post(add, {"object_id": p.pk, "reason": "veelpleger", "expires_on": exp})
    assert ok.status_code == 302 and WatchEntry.objects.filter(watch_list=wl, person=p).exists()
    # Need-to-know: a chief in another unit neither sees the list nor can add a person
    # he cannot see.
    stranger = client_for(Role.TEAM_CHIEF, at=other_team)
    assert stranger.get(reverse("alerts:watchlist", args=[wl.pk])).status_code == 403
    assert "Amazone" not in stranger.get(reverse("alerts:watchlists")).content.decode()
    own = client_for(Role.INVESTIGATOR)
    page = own.get(reverse("alerts:watchlist", args=[wl.pk]))
    assert page.status_code == 200 and "veelpleger" in page.content.decode()
    assert AuditEntry.objects.filter(
        object_type="alerts.watchlist", object_id=str(wl.pk), action="view"
    ).exists()
    # The investigator subscribes; a new registration with the person notifies him.
    own.post(reverse("alerts:watchlist", args=[wl.pk]), {"subscribe": "1"})
    create(team, desk)
    inbox = own.get(reverse("alerts:notifications")).content.decode()
    assert "Volglijst Amazone" in inbox
    national = client_for(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL)
    other_list = WatchList.objects.create(
        code="X", title="Elders", kind="good", unit=other_team.district.unit
    )
    assert "Elders" in national.get(reverse("alerts:watchlists")).content.decode()
    assert chief.get(reverse("alerts:watchlist", args=[other_list.pk])).status_code == 403


def test_flags_follow_the_registrations_current_team_and_confidentiality(
    team: BaseTeam, other_team: BaseTeam, desk: Any, client_for: Callable[..., Client]
) -> None:
    """Scope and clearance are those of the registration now, not the copies on the flag."""
    reg = create(team, desk, narrative="Bedreigd met een mes.")
    flag = Flag.objects.get(registration=reg)
    queue = reverse("alerts:queue", args=["BASISTEAM"])
    detail = reverse("alerts:flag", args=[flag.pk])
    own = client_for(Role.TEAM_CHIEF)
    there = client_for(Role.TEAM_CHIEF, at=other_team)
    assert own.get(detail).status_code == 200
    assert there.get(detail).status_code == 403
    # The registration moves to another base team (a corrected place of the offence).
    Registration.objects.filter(pk=reg.pk).update(base_team=other_team)
    assert reg.number not in own.get(queue).content.decode()
    assert own.get(detail).status_code == 403
    assert reg.number in there.get(queue).content.decode()
    page = there.get(detail)
    assert page.status_code == 200 and other_team.name in page.content.decode()
    # ... and is made secret: above the team chief's clearance (confidential).
    Registration.objects.filter(pk=reg.pk).update(confidentiality=Confidentiality.SECRET)
    assert reg.number not in there.get(queue).content.decode()
    assert there.get(detail).status_code == 403
    # The same in a national queue.
    egg = create(team, desk, narrative=EGG_TEXT)
    egg_flag = Flag.objects.get(registration=egg)
    expert = client_for(Role.INTELLIGENCE_OFFICER, at=other_team)
    expert.position.clearance = Confidentiality.CONFIDENTIAL  # type: ignore[attr-defined]
    expert.position.save()  # type: ignore[attr-defined]
    egg_detail = reverse("alerts:flag", args=[egg_flag.pk])
    assert expert.get(egg_detail).status_code == 200
    Registration.objects.filter(pk=egg.pk).update(confidentiality=Confidentiality.SECRET)
    assert expert.get(egg_detail).status_code == 403
    assert egg.number not in expert.get(reverse("alerts:queue", args=["LEC-EGG"])).content.decode()


def test_watch_list_hits_and_notifications_only_for_visible_registrations(
    team: BaseTeam,
    other_team: BaseTeam,
    desk: Any,
    make_staff: Callable[..., Position],
    client_for: Callable[..., Client],
) -> None:
    """A base-team investigator following a national list learns nothing of hits in
    registrations of another unit or above his clearance: not on the list's page, not in
    his inbox; and a registration that leaves his reach later shows only a neutral line."""
    national = client_for(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL)
    owner = national.position.user  # type: ignore[attr-defined]
    wl = WatchList.objects.create(code="LANDELIJK", title="Landelijk", kind="person", owner=owner)
    suspect = InvolvementIn("suspect", person=person("Veel", "900000004"))
    first = create(team, desk, involvements=(suspect,))
    watch_entry_add(
        wl,
        object_id=first.involvements.get(role="suspect").person_id,
        reason="veelpleger",
        expires_on=dt.date.today() + dt.timedelta(days=90),
        actor=owner,
    )
    investigator = client_for(Role.INVESTIGATOR)  # base team, clearance confidential
    investigator.post(reverse("alerts:watchlist", args=[wl.pk]), {"subscribe": "1"})
    elsewhere = create(
        other_team, make_staff(Role.DESK_OFFICER, at=other_team).user, involvements=(suspect,)
    )
    secret = create(team, desk, involvements=(suspect,), confidentiality=Confidentiality.SECRET)
    own = create(team, desk, involvements=(suspect,))
    hits = set(
        WatchHit.objects.filter(entry__watch_list=wl).values_list("registration_id", flat=True)
    )
    assert hits == {elsewhere.pk, secret.pk, own.pk}

    page = investigator.get(reverse("alerts:watchlist", args=[wl.pk])).content.decode()
    assert own.number in page
    assert elsewhere.number not in page and secret.number not in page
    owner_page = national.get(reverse("alerts:watchlist", args=[wl.pk])).content.decode()
    assert all(r.number in owner_page for r in (elsewhere, secret, own))

    inv = investigator.position.user  # type: ignore[attr-defined]
    notified = Notification.objects.filter(recipient=inv).values_list(
        "hit__registration_id", flat=True
    )
    assert set(notified) == {own.pk}
    assert not Notification.objects.filter(recipient=inv, text__contains=elsewhere.number).exists()
    mine = Notification.objects.filter(recipient=owner).values_list(
        "hit__registration_id", flat=True
    )
    assert set(mine) == {elsewhere.pk, secret.pk, own.pk}
    inbox = investigator.get(reverse("alerts:notifications")).content.decode()
    assert own.number in inbox
    assert elsewhere.number not in inbox and secret.number not in inbox

    # Later the registration is made secret: the notification stays, but neutral, no link.
    Registration.objects.filter(pk=own.pk).update(confidentiality=Confidentiality.SECRET)
    inbox = investigator.get(reverse("alerts:notifications")).content.decode()
    assert own.number not in inbox
    assert "Nieuwe treffer op volglijst Landelijk" in inbox
    page = investigator.get(reverse("alerts:watchlist", args=[wl.pk])).content.decode()
    assert own.number not in page


def test_a_list_only_for_my_unit_needs_a_unit(client_for: Callable[..., Client]) -> None:
    """A national user ticking "Alleen voor mijn eenheid" gets an error, not a national list."""
    national = client_for(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL)
    url = reverse("alerts:watchlists")
    form = {"code": "nat-1", "title": "Mijn lijst", "kind": "person"}
    refused = national.post(url, {**form, "unit_only": "on"})
    assert refused.status_code == 400
    assert "niet aan een eenheid verbonden" in refused.content.decode()
    assert not WatchList.objects.filter(code="NAT-1").exists()
    chosen = national.post(url, form)  # a national list, chosen explicitly
    assert chosen.status_code == 302
    assert WatchList.objects.get(code="NAT-1").unit_id is None
