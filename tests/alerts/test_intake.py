"""Flags and watch-list hits on intake (desk, API, bulk), repeat victims, merges, and the
idempotent re-evaluation (service and ``regie alerts evaluate``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from regie.alerts.models import Flag, Notification, Rule, WatchEntry, WatchHit, WatchList
from regie.alerts.services import (
    AlertsError,
    evaluate_since,
    load_definitions,
    watch_entry_add,
    watch_entry_remove,
)
from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.bulk import import_batch
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn
from regie.registration.models import Person
from regie.registration.services import core_object_merge
from tests.alerts.helpers import EGG_TEXT, assault, bike, create, person, victim
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_staff: Callable[..., Position]) -> Any:
    return make_staff(Role.DESK_OFFICER).user


def flags_of(reg: Any) -> dict[str, str]:
    return {f.rule.code: f.queue.code for f in Flag.objects.filter(registration=reg)}


def test_rules_are_loaded_from_the_file() -> None:
    assert set(Rule.objects.values_list("code", flat=True)) >= {
        "EGG",
        "WAPEN",
        "HERHAALD",
        "KWETSBAAR",
    }
    assert load_definitions()["skipped"] is True  # the same version is not loaded twice


def test_honour_violence_goes_to_lec_egg_with_its_facts(team: BaseTeam, desk: Any) -> None:
    reg = create(team, desk, narrative=EGG_TEXT, offences=(OffenceIn("F530"),))
    assert flags_of(reg) == {"EGG": "LEC-EGG"}
    flag = Flag.objects.get(registration=reg)
    indicators = {f.get("indicator") for f in flag.facts if f["soort"] == "indicator"}
    assert {"EER", "HUWELIJK", "ACHTERLATING"} <= indicators
    word = next(f for f in flag.facts if f.get("indicator") == "HUWELIJK")
    start, end = word["positie"]
    assert EGG_TEXT[start:end] == "gedwongen huwelijk"
    assert flag.base_team_id == team.pk and flag.severity == "kritiek"
    # The audit entry names the flag by its stable reference and records the registration.
    audited = AuditEntry.objects.get(
        object_type="alerts.flag", action="create", object_id=f"EGG:{reg.pk}"
    )
    assert audited.detail["registration"] == reg.pk and audited.detail["flag"] == flag.pk


def test_routing_per_rule(team: BaseTeam, desk: Any) -> None:
    weapon = create(team, desk, narrative="Verdachte bedreigde de kassière met een mes.")
    assert flags_of(weapon) == {"WAPEN": "BASISTEAM"}
    child = PersonIn("Tim", "Jansen", "", dt.date.today() - dt.timedelta(days=365 * 12))
    vulnerable = create(
        team, desk, offences=(OffenceIn("F550"),), involvements=(victim(child),), narrative="x"
    )
    assert flags_of(vulnerable) == {"KWETSBAAR": "JEUGD-ZORG"}
    negated = create(team, desk, narrative="Er is geen wapen getoond en geen mes gezien.")
    assert flags_of(negated) == {}
    plain = create(team, desk)  # the bicycle theft of the fixture
    assert flags_of(plain) == {}


def test_repeat_victim_is_the_same_core_object_within_the_window(team: BaseTeam, desk: Any) -> None:
    p = person()
    old = assault(team, desk, p, days_ago=400)  # outside the year
    first = assault(team, desk, p, days_ago=30)
    second = assault(team, desk, p, days_ago=10)
    assert "HERHAALD" not in flags_of(second)  # two within the year (the old one is out)
    third = assault(team, desk, p, days_ago=1)
    assert flags_of(third).get("HERHAALD") == "BASISTEAM"
    facts = Flag.objects.get(registration=third, rule__code="HERHAALD").facts
    fact = next(f for f in facts if f["soort"] == "herhaald_slachtoffer")
    assert fact["registraties"] == 3 and fact["dagen"] == 365
    assert not Flag.objects.filter(registration__in=[old, first], rule__code="HERHAALD")
    other = assault(team, desk, person("Bakker", "111222333"), days_ago=1)
    assert "HERHAALD" not in flags_of(other)


def watched_person(team: BaseTeam, desk: Any, owner: Any, *, subscriber: Any = None) -> Any:
    reg = create(
        team, desk, involvements=(InvolvementIn("suspect", person=person("Veel", "900000004")),)
    )
    suspect = reg.involvements.get(role="suspect").person
    wl = WatchList.objects.create(
        code="AMAZONE", title="Amazone veelplegers", kind="person", owner=owner
    )
    if subscriber is not None:
        wl.subscribers.add(subscriber)
    entry = watch_entry_add(
        wl,
        object_id=suspect.pk,
        reason="veelpleger",
        expires_on=dt.date.today() + dt.timedelta(days=90),
        actor=owner,
    )
    return entry


def test_watch_hit_on_desk_intake_notifies_owner_and_subscribers(
    team: BaseTeam, desk: Any, make_staff: Callable[..., Position]
) -> None:
    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    sub = make_staff(Role.TEAM_CHIEF).user
    entry = watched_person(team, desk, owner, subscriber=sub)
    reg = create(
        team, desk, involvements=(InvolvementIn("suspect", person=person("Veel", "900000004")),)
    )
    hit = WatchHit.objects.get(entry=entry)
    assert (hit.registration_id, hit.role, hit.via_merge) == (reg.pk, "suspect", False)
    notes = Notification.objects.filter(hit=hit)
    assert {n.recipient_id for n in notes} == {owner.pk, sub.pk}
    assert reg.number in notes[0].text and "verdachte" in notes[0].text
    assert AuditEntry.objects.filter(object_type="alerts.watchhit", object_id=str(hit.pk)).exists()


def test_watch_hit_on_api_intake(
    team: BaseTeam,
    desk: Any,
    client_for: Callable[..., Client],
    make_staff: Callable[..., Position],
) -> None:
    from tests.registration.test_api import body, post

    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    wl = WatchList.objects.create(code="FIETS", title="Fietsen", kind="good", owner=owner)
    first = create(team, desk)
    good = first.involvements.get(role="stolen_good").good
    watch_entry_add(
        wl,
        object_id=good.pk,
        reason="gestolen",
        expires_on=dt.date.today() + dt.timedelta(days=9),
        actor=owner,
    )
    data = body(
        team,
        involvements=[
            {"role": "found_good", "good": {"kind": "bicycle", "frame_number": "GZ-123 456"}}
        ],
    )
    r = post(client_for(Role.DESK_OFFICER), data, key="alerts-api-1")
    assert r.status_code == 201, r.content
    hit = WatchHit.objects.get(entry__watch_list=wl)
    assert hit.registration.number == r.json()["number"] and hit.role == "found_good"
    assert Notification.objects.filter(hit=hit, recipient=owner).exists()


def test_watch_hit_and_flags_on_bulk_intake(
    team: BaseTeam, desk: Any, make_staff: Callable[..., Position]
) -> None:
    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    entry = watched_person(team, desk, owner)
    rows = [
        (f"bulk-{i}", registration_input(team, involvements=(bike(f"FR-{i}"),))) for i in range(30)
    ]
    rows.append(("bulk-w", registration_input(team, narrative="Hij zwaaide met een pistool.")))
    rows.append(
        (
            "bulk-s",
            registration_input(
                team, involvements=(InvolvementIn("suspect", person=person("Veel", "900000004")),)
            ),
        )
    )
    result = import_batch(rows, actor=None, source="import")
    assert not result.errors and len(result.created) == 32
    flagged = Flag.objects.filter(registration_id__in=result.created)
    assert [f.rule.code for f in flagged] == ["WAPEN"]
    assert WatchHit.objects.filter(entry=entry).count() == 1


def test_hit_after_merge(team: BaseTeam, desk: Any, make_staff: Callable[..., Position]) -> None:
    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    entry = watched_person(team, desk, owner)
    # The same man registered again under another spelling, without BSN: a new person.
    other = create(
        team,
        desk,
        involvements=(
            InvolvementIn("suspect", person=PersonIn("Vel", "Veell", "", dt.date(1995, 3, 4))),
        ),
    )
    assert not WatchHit.objects.filter(entry=entry).exists()
    twin = other.involvements.get(role="suspect").person
    core_object_merge(
        "person",
        survivor_id=entry.person_id,
        merged_id=twin.pk,
        actor=owner,
        reason="zelfde persoon",
    )
    hit = WatchHit.objects.get(entry=entry)
    assert (hit.registration_id, hit.object_id, hit.via_merge) == (other.pk, twin.pk, True)
    assert Notification.objects.filter(hit=hit, recipient=owner).exists()
    # And the other way round: a watched object merged into another; new registrations of
    # the survivor hit the entry.
    survivor = (
        create(
            team,
            desk,
            involvements=(
                InvolvementIn(
                    "suspect", person=PersonIn("Piet", "Zandstra", "", dt.date(1970, 1, 1))
                ),
            ),
        )
        .involvements.get(role="suspect")
        .person
    )
    wl = entry.watch_list
    merged_watch = (
        create(
            team,
            desk,
            involvements=(
                InvolvementIn(
                    "suspect", person=PersonIn("Kees", "Kleinman", "", dt.date(1971, 1, 1))
                ),
            ),
        )
        .involvements.get(role="suspect")
        .person
    )
    e3 = watch_entry_add(
        wl,
        object_id=merged_watch.pk,
        reason="x",
        expires_on=dt.date.today() + dt.timedelta(days=5),
        actor=owner,
    )
    core_object_merge(
        "person", survivor_id=survivor.pk, merged_id=merged_watch.pk, actor=owner, reason="zelfde"
    )
    reg = create(
        team,
        desk,
        involvements=(
            InvolvementIn(
                "suspect",
                person=PersonIn(
                    "Piet", "Zandstra", "", dt.date(1970, 1, 1), existing_id=survivor.pk
                ),
            ),
        ),
    )
    assert WatchHit.objects.filter(entry=e3, registration=reg, via_merge=True).exists()


def test_expired_and_removed_entries_do_not_hit(
    team: BaseTeam, desk: Any, make_staff: Callable[..., Position]
) -> None:
    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    entry = watched_person(team, desk, owner)
    watch_entry_remove(entry.pk, reason="niet meer nodig", actor=owner)
    create(team, desk, involvements=(InvolvementIn("suspect", person=person("Veel", "900000004")),))
    assert not WatchHit.objects.exists()
    with pytest.raises(AlertsError, match="al beëindigd"):
        watch_entry_remove(entry.pk, reason="x", actor=owner)


def test_watch_entry_bad_input_changes_nothing(
    team: BaseTeam, desk: Any, make_staff: Callable[..., Position]
) -> None:
    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    entry = watched_person(team, desk, owner)
    wl = entry.watch_list
    future = dt.date.today() + dt.timedelta(days=5)
    cases = [
        ({"object_id": entry.person_id, "reason": "", "expires_on": future}, "reden"),
        ({"object_id": entry.person_id, "reason": "x", "expires_on": dt.date.today()}, "toekomst"),
        (
            {
                "object_id": entry.person_id,
                "reason": "x",
                "expires_on": future + dt.timedelta(days=900),
            },
            "twee jaar",
        ),
        ({"object_id": 999999999, "reason": "x", "expires_on": future}, "Geen persoon"),
        (
            {"object_id": entry.person_id, "reason": "x", "expires_on": future},
            "al op deze volglijst",
        ),
        (
            {
                "object_id": entry.person_id,
                "reason": "x",
                "expires_on": future,
                "visible_objects": Person.objects.none(),
            },
            "mag inzien",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(AlertsError, match=message):
            watch_entry_add(wl, actor=owner, **kwargs)
    assert WatchEntry.objects.count() == 1


def test_reevaluation_is_idempotent(
    team: BaseTeam, desk: Any, make_staff: Callable[..., Position]
) -> None:
    weapon = create(team, desk, narrative="Met een mes bedreigd.")
    Flag.objects.all().delete()  # as if the rule had come later
    owner = make_staff(Role.INTELLIGENCE_OFFICER).user
    entry = watched_person(team, desk, owner)
    suspect = InvolvementIn("suspect", person=person("Veel", "900000004"))
    later = create(team, desk, involvements=(suspect,))
    WatchHit.objects.all().delete()  # as if the hit had been lost
    Notification.objects.all().delete()
    since = dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=30)
    first = evaluate_since(since)
    assert first["flags"] == 1 and Flag.objects.get().registration_id == weapon.pk
    assert Flag.objects.get().raised_by == "evaluate"
    # Raised with ignore_conflicts (no id returned): audited by its stable reference.
    audited = [
        e
        for e in AuditEntry.objects.filter(object_type="alerts.flag", action="create")
        if e.detail.get("raised_by") == "evaluate"
    ]
    assert [(e.object_id, e.detail["registration"]) for e in audited] == [
        (f"WAPEN:{weapon.pk}", weapon.pk)
    ]
    # The registration stored after the entry was added is a hit; the one before is not.
    assert first["hits"] == 1
    assert WatchHit.objects.get(entry=entry).registration_id == later.pk
    assert Notification.objects.filter(recipient=owner).count() == 1
    again = evaluate_since(since)
    assert (again["flags"], again["hits"]) == (0, 0)
    assert Flag.objects.count() == 1
    out = StringIO()
    call_command("alerts", "evaluate", "--since", since.date().isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {"registrations": 3, "flags": 0, "hits": 0}
    assert Flag.objects.count() == 1 and WatchHit.objects.count() == 1
    assert Notification.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("alerts", "evaluate", "--since", "2019-02-02", "--until", "2019-01-01")


def test_rule_file_errors_are_refused(tmp_path: Any) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text(json.dumps({"version": 99, "queues": [], "rules": [{"code": "X1"}]}))
    with pytest.raises(CommandError, match="title"):
        call_command("alerts", "load", "--file", str(bad))
    assert not Rule.objects.filter(code="X1").exists()
    assert reverse("alerts:queues") == "/signalen/"
