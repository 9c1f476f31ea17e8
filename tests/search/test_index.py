"""The index stays current: intake (desk and bulk import), merges and splits, retention
deletes, legal-assistance messages, and a full rebuild with ``regie search reindex``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regie.audit.retention import run_retention
from regie.legal_assistance.models import LegalMessage
from regie.legal_assistance.services import receive
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.models import Good, Person, Registration
from regie.registration.services import core_object_merge, core_object_split
from regie.search import selectors
from regie.search.models import SearchDocument, SearchGrant, SearchIdentifier
from regie.search.services import reindex
from tests.search.helpers import bike_theft, person
from tests.search.test_search import LEGAL, found

pytestmark = pytest.mark.django_db


def doc(kind: str, object_id: int) -> SearchDocument | None:
    return SearchDocument.objects.filter(kind=kind, object_id=object_id).first()


def test_intake_indexes_the_registration_and_its_objects(registration: Registration) -> None:
    reg_doc = doc("registration", registration.pk)
    assert reg_doc is not None and not reg_doc.via_grants
    assert reg_doc.base_team_id == registration.base_team_id
    assert reg_doc.district_id == registration.base_team.district_id  # type: ignore[union-attr]
    assert "slot doorgeknipt" in reg_doc.body and registration.number in reg_doc.title
    p = registration.involvements.get(person__isnull=False).person
    p_doc = doc("person", p.pk)
    assert p_doc is not None and p_doc.via_grants and "jan van der berg" in p_doc.names
    assert list(p_doc.grants.values_list("registration_id", flat=True)) == [registration.pk]
    assert set(SearchIdentifier.objects.values_list("value", flat=True)) >= {
        f"reg:{registration.number}",
        "bsn:111222333",
        "frame:GZ123456",
    }


def test_a_known_object_gets_a_grant_per_new_registration(team: BaseTeam) -> None:
    jan = person("Jan", "Smit", born=dt.date(1960, 1, 1), bsn="111222333")
    first = bike_theft(team, jan)
    later = bike_theft(team, jan, reported_at=first.reported_at + dt.timedelta(hours=5))
    p_doc = doc("person", Person.objects.get(surname="Smit").pk)
    assert p_doc is not None
    assert set(p_doc.grants.values_list("registration_id", flat=True)) == {first.pk, later.pk}
    assert p_doc.date == later.reported_at


def test_bulk_import_indexes_every_row(
    team: BaseTeam, tmp_path: Path, make_staff: Callable[..., Position]
) -> None:
    from tests.registration.test_import import row, write_csv

    path = tmp_path / "legacy.csv"
    write_csv(
        path,
        [
            row(
                team,
                str(i),
                narrative=f"Brommer nummer {i} weggenomen uit de schuur.",
                reporter_surname=f"Bakker{i}",
                good_frame_number=f"BRM{i}X{i}77",
            )
            for i in range(3)
        ],
    )
    call_command("import", "registrations", str(path), "--no-progress", stdout=io.StringIO())
    imported = Registration.objects.filter(source_ref__startswith="import:")
    assert imported.count() == 3
    user = make_staff(Role.DESK_OFFICER).user
    assert {o for k, o in found(user, "brommer schuur") if k == "registration"} == {
        r.pk for r in imported
    }
    assert found(user, "Kees Bakker1")[0][0] == "person"
    assert found(user, "BRM1X177")[0][0] == "good"


def test_merge_and_split_move_the_documents(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    a = bike_theft(team, person("Joris", "Visser", born=dt.date(1975, 6, 1)))
    b = bike_theft(team, person("Joris", "Vischer", born=dt.date(1975, 1, 6)))
    keep = a.involvements.get(person__isnull=False).person_id
    gone = b.involvements.get(person__isnull=False).person_id
    officer = make_staff(Role.INTELLIGENCE_OFFICER).user
    event = core_object_merge(
        "person", survivor_id=keep, merged_id=gone, actor=officer, reason="zelfde persoon"
    )
    assert doc("person", gone) is None
    survivor = doc("person", keep)
    assert survivor is not None and "vischer" in survivor.names
    assert set(survivor.grants.values_list("registration_id", flat=True)) == {a.pk, b.pk}
    assert ("person", keep) in found(officer, "Joris Vischer")
    core_object_split(event.pk, actor=officer, reason="toch twee personen")
    assert doc("person", gone) is not None
    survivor = doc("person", keep)
    assert survivor is not None and "vischer" not in survivor.names
    assert list(survivor.grants.values_list("registration_id", flat=True)) == [a.pk]


def test_retention_deletes_leave_nothing_behind(registration: Registration) -> None:
    good_id = registration.involvements.get(good__isnull=False).good_id
    person_id = registration.involvements.get(person__isnull=False).person_id
    past = dt.date(2000, 1, 1)
    Registration.objects.filter(pk=registration.pk).update(retain_until=past)
    Person.objects.filter(pk=person_id).update(retain_until=past)
    Good.objects.filter(pk=good_id).update(retain_until=past)
    run_retention(dry_run=False)  # the registration (core objects still referred to)
    assert doc("person", person_id) is not None
    run_retention(dry_run=False)  # the next run: the objects no registration refers to
    assert not Registration.objects.filter(pk=registration.pk).exists()
    assert doc("registration", registration.pk) is None
    assert not SearchGrant.objects.filter(registration_id=registration.pk).exists()
    assert doc("person", person_id) is None and doc("good", good_id) is None
    assert not SearchIdentifier.objects.filter(value="bsn:111222333").exists()


def test_legal_messages_are_indexed_and_removed(make_staff: Callable[..., Position]) -> None:
    msg = receive(LEGAL, channel="test")
    d = doc("legal_message", msg.pk)
    assert d is not None and "volkov" in d.names and d.base_team_id is None
    LegalMessage.objects.filter(pk=msg.pk).first().delete()  # type: ignore[union-attr]
    assert doc("legal_message", msg.pk) is None


def test_reindex_rebuilds_everything_and_drops_stale_documents(
    registration: Registration, make_staff: Callable[..., Position]
) -> None:
    before = sorted(SearchDocument.objects.values_list("kind", "object_id", "title", "names"))
    grants_before = sorted(SearchGrant.objects.values_list("document__kind", "registration_id"))
    SearchDocument.objects.filter(kind="person").delete()
    SearchDocument.objects.create(kind="registration", object_id=999_999, title="weg")
    out = io.StringIO()
    call_command("search", "reindex", stdout=out)
    assert "registration" in out.getvalue() and "documents" in out.getvalue()
    after = sorted(SearchDocument.objects.values_list("kind", "object_id", "title", "names"))
    assert after == before
    assert (
        sorted(SearchGrant.objects.values_list("document__kind", "registration_id"))
        == grants_before
    )
    user = make_staff(Role.DESK_OFFICER).user
    assert found(user, "Jan van der Berg")[0][0] == "person"


def test_reindex_one_kind_and_bad_kind(registration: Registration) -> None:
    SearchDocument.objects.filter(kind="good").delete()
    reports = reindex(["good"])
    assert [r.kind for r in reports] == ["good"] and reports[0].documents == 1
    assert doc("good", registration.involvements.get(good__isnull=False).good_id) is not None
    with pytest.raises(CommandError, match="kind"):
        call_command("search", "reindex", "--kind", "tip-of-the-day")


def test_index_follows_a_changed_registration(
    registration: Registration, make_staff: Callable[..., Position], other_team: BaseTeam
) -> None:
    user = make_staff(Role.DESK_OFFICER).user
    registration.narrative = "Scooter weggenomen bij het zwembad."
    registration.save(update_fields=["narrative"])
    assert ("registration", registration.pk) in found(user, "zwembad")
    registration.base_team = other_team
    registration.save(update_fields=["base_team"])
    assert found(user, "zwembad") == []
    assert found(user, "Jan van der Berg") == []  # the person's only registration moved away
    assert selectors.search(user, "zwembad").count == 0


def test_a_bsn_added_on_an_automatic_link_is_searchable_at_once(team: BaseTeam) -> None:
    # First without a BSN; the second registration links automatically (same name and date
    # of birth) and adds the BSN to the existing person.
    first = bike_theft(team, person("Kees", "Mol", born=dt.date(1971, 2, 3)))
    bike_theft(
        team,
        person("Kees", "Mol", born=dt.date(1971, 2, 3), bsn="123456782"),
        reported_at=first.reported_at + dt.timedelta(hours=2),
    )
    kees = Person.objects.get(surname="Mol")
    assert kees.bsn == "123456782"
    assert SearchIdentifier.objects.filter(value="bsn:123456782").exists()
