"""Entity resolution of persons in the register: the trained model swapped in as the intake
matcher, the batch run into the review queue, human decisions (merge, different, undo),
need-to-know and audit of the review screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse

from regie.audit.models import AuditEntry
from regie.intelligence.er.matcher import SplinkPersonMatcher
from regie.intelligence.er.synth import synthetic_persons
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration import resolution
from regie.registration.inputs import InvolvementIn, PersonIn
from regie.registration.matching import PersonRecord, RuleBasedPersonMatcher
from regie.registration.models import (
    Good,
    MatchModel,
    MergeEvent,
    PairReview,
    PairStatus,
    Person,
)
from regie.registration.services import person_suggestions, registration_create
from tests.conftest import registration_input

RETAIN = dt.date(2030, 1, 1)


def _dob(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@pytest.fixture(scope="module")
def trained() -> SplinkPersonMatcher:
    data = synthetic_persons(2500, seed=5)
    register = [
        PersonRecord(
            k, r["first_name"], r["particle"], r["surname"], _dob(r["date_of_birth"]), None
        )
        for k, r in enumerate(data.records.to_dict("records"))
    ]
    return SplinkPersonMatcher.train(register, seed=42)


@pytest.fixture(autouse=True)
def _fresh_matcher() -> Iterator[None]:
    resolution.forget_matcher()
    yield
    resolution.forget_matcher()


def _activate(matcher: SplinkPersonMatcher) -> MatchModel:
    stored = MatchModel.objects.create(
        object_type="person", record_count=2500, model=matcher.model, active=True
    )
    resolution.forget_matcher()
    return stored


def _person(first: str, particle: str, surname: str, dob: dt.date | None, **kw: Any) -> Person:
    from regie.registration.normalise import name_key, phonetic

    return Person.objects.create(
        first_names=first,
        particle=particle,
        surname=surname,
        date_of_birth=dob,
        surname_key=name_key(surname),
        phonetic_key=phonetic(surname)[:40],
        purpose="wpg8",
        retain_until=RETAIN,
        **kw,
    )


@pytest.mark.django_db
def test_rules_until_a_model_is_active_then_splink(trained: SplinkPersonMatcher) -> None:
    assert isinstance(resolution.person_matcher(), RuleBasedPersonMatcher)
    existing = _person("Jan", "van der", "Berg", dt.date(1980, 5, 4))
    _activate(trained)
    matcher = resolution.person_matcher()
    assert isinstance(matcher, SplinkPersonMatcher)
    # The desk's suggestions now come from the model: a typo and swapped day/month.
    found = person_suggestions(PersonIn("Jan", "Bergh", "van der", dt.date(1980, 4, 5)))
    assert found and found[0][0].pk == existing.pk
    assert 0.6 <= found[0][1] < 0.97
    assert "dag en maand verwisseld" in found[0][2]
    # Back to the rules.
    resolution.activate_model("person", None, actor=None)
    assert isinstance(resolution.person_matcher(), RuleBasedPersonMatcher)


@pytest.mark.django_db
def test_intake_auto_links_only_exact_identity_with_the_model(
    trained: SplinkPersonMatcher, team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    _activate(trained)
    desk = make_staff(Role.DESK_OFFICER)

    def enter(person: PersonIn) -> Person:
        reg, _ = registration_create(
            registration_input(team, involvements=(InvolvementIn("victim", person=person),)),
            actor=desk.user,
            source="desk",
        )
        inv = reg.involvements.get()
        assert inv.person is not None
        return inv.person

    first = enter(PersonIn("Anna", "Vries", "de", dt.date(1990, 12, 24)))
    again = enter(PersonIn("Anna", "Vries", "de", dt.date(1990, 12, 24)))
    typo = enter(PersonIn("Anna", "Vriez", "de", dt.date(1990, 12, 24)))
    assert again.pk == first.pk  # exact: linked without asking
    assert typo.pk != first.pk  # similar only: a new person, for the review queue


@pytest.mark.django_db
def test_training_refuses_too_few_persons_and_stores_nothing() -> None:
    _person("Jan", "", "Jansen", dt.date(1970, 1, 1))
    with pytest.raises(resolution.ResolutionError, match="Te weinig personen"):
        resolution.train_model("person", actor=None)
    assert not MatchModel.objects.exists()


@pytest.mark.django_db
def test_train_store_and_activate_on_the_register() -> None:
    data = synthetic_persons(700, seed=9)
    for r in data.records.to_dict("records"):
        _person(r["first_name"], r["particle"], r["surname"], _dob(r["date_of_birth"]))
    model = resolution.train_model("person", actor=None, min_records=500)
    assert model.active and model.record_count == Person.objects.count()
    assert isinstance(resolution.person_matcher(), SplinkPersonMatcher)
    assert AuditEntry.objects.filter(object_type="registration.matchmodel").count() == 2


@pytest.mark.django_db
def test_batch_puts_possible_duplicates_in_the_queue_once(trained: SplinkPersonMatcher) -> None:
    with pytest.raises(resolution.ResolutionError, match="geen actief model"):
        resolution.resolve("person", actor=None)
    _activate(trained)
    a = _person("Jan", "van der", "Berg", dt.date(1980, 5, 4))
    b = _person("Jan", "", "Berg", dt.date(1980, 4, 5))  # particle missing, day/month swapped
    c = _person("Piet", "", "Jansen", dt.date(1975, 1, 2), bsn="111222333")
    d = _person("Piet", "", "Jansen", dt.date(1975, 1, 2), bsn="123456782")  # other BSN
    _person("Fatima", "el", "Amrani", dt.date(2001, 3, 3))
    first = resolution.resolve("person", actor=None)
    pairs = {(r.id_a, r.id_b) for r in PairReview.objects.all()}
    assert (a.pk, b.pk) in pairs
    assert (c.pk, d.pk) not in pairs and first.skipped_registry == 1
    review = PairReview.objects.get(object_type="person", id_a=a.pk, id_b=b.pk)
    assert review.status == PairStatus.OPEN and review.match_probability >= 0.5
    assert "dag en maand verwisseld" in review.reasons
    # Rerun: nothing twice; a decided pair stays decided.
    resolution.decide_pair(review.pk, actor=None, decision="different", reason="tweeling")
    second = resolution.resolve("person", actor=None)
    assert second.new_reviews == 0 and second.skipped_decided == 1
    assert PairReview.objects.count() == len(pairs)
    assert PairReview.objects.get(pk=review.pk).status == PairStatus.DIFFERENT


@pytest.mark.django_db
def test_decisions_merge_undo_and_refusals(make_staff: Callable[..., Position]) -> None:
    officer = make_staff(Role.INTELLIGENCE_OFFICER).user
    a = _person("Jan", "van der", "Berg", dt.date(1980, 5, 4))
    b = _person("Jan", "", "Berg", dt.date(1980, 5, 4))
    review = PairReview.objects.create(
        object_type="person", id_a=a.pk, id_b=b.pk, match_probability=0.93
    )
    for bad, message in [
        ({"decision": "merge", "reason": "  "}, "Geef een reden"),
        ({"decision": "maybe", "reason": "x"}, "Onbekende beslissing"),
        ({"decision": "merge", "reason": "x", "survivor_id": 999999}, "een van beide"),
    ]:
        with pytest.raises(resolution.ResolutionError, match=message):
            resolution.decide_pair(review.pk, actor=officer, **bad)
    review.refresh_from_db()
    assert review.status == PairStatus.OPEN and not MergeEvent.objects.exists()
    resolution.decide_pair(
        review.pk, actor=officer, decision="merge", reason="zelfde persoon", survivor_id=b.pk
    )
    a.refresh_from_db()
    review.refresh_from_db()
    assert a.merged_into_id == b.pk and review.status == PairStatus.MERGED
    assert review.merge_event is not None and review.merge_event.survivor_id == b.pk
    with pytest.raises(resolution.ResolutionError, match="al beslist"):
        resolution.decide_pair(review.pk, actor=officer, decision="different", reason="x")
    resolution.undo_pair(review.pk, actor=officer, reason="toch niet")
    a.refresh_from_db()
    review.refresh_from_db()
    assert a.merged_into_id is None and review.status == PairStatus.SPLIT
    assert review.merge_event is not None and review.merge_event.undone_at is not None
    with pytest.raises(resolution.ResolutionError, match="Alleen een samenvoeging"):
        resolution.undo_pair(review.pk, actor=officer, reason="x")
    audited = AuditEntry.objects.filter(object_type="registration.pairreview")
    assert [e.detail["decision"] for e in audited.order_by("seq")] == ["merge", "split"]


def _pair_in(team: BaseTeam, desk: Position) -> PairReview:
    for first in ("Piet", "P."):
        registration_create(
            registration_input(
                team,
                narrative=first,
                involvements=(
                    InvolvementIn(
                        "victim",
                        person=PersonIn(first, "Jansen", date_of_birth=dt.date(1970, 1, 2)),
                    ),
                ),
            ),
            actor=desk.user,
            source="desk",
        )
    a, b = Person.objects.order_by("pk")
    return PairReview.objects.create(
        object_type="person",
        id_a=a.pk,
        id_b=b.pk,
        match_probability=0.81,
        reasons=["voorletter komt overeen"],
    )


@pytest.mark.django_db
def test_review_screens_need_to_know_and_audit(
    team: BaseTeam,
    other_team: BaseTeam,
    make_staff: Callable[..., Position],
    client_for: Callable[..., Any],
) -> None:
    review = _pair_in(team, make_staff(Role.DESK_OFFICER))
    queue = reverse("registration:review_queue")
    detail = reverse("registration:review", kwargs={"pk": review.pk})
    # Outside the pair's area: not listed and not shown.
    outsider = client_for(Role.DOSSIER_MANAGER, at=other_team)
    assert "Beoordelen" not in outsider.get(queue).content.decode()
    assert outsider.get(detail).status_code == 403
    assert AuditEntry.objects.filter(actor=outsider.position.user, action="denied").exists()
    # Within it: listed, shown (both persons audited), decided.
    officer = client_for(Role.DOSSIER_MANAGER)
    assert "Beoordelen" in officer.get(queue).content.decode()
    page = officer.get(detail)
    assert page.status_code == 200 and "Jansen" in page.content.decode()
    viewed = AuditEntry.objects.filter(
        actor=officer.position.user, action="view", object_type="registration.person"
    )
    assert {int(e.object_id) for e in viewed} == {review.id_a, review.id_b}
    refused = officer.post(detail, {"action": "merge", "reason": ""})
    assert refused.status_code == 400 and "Geef een reden" in refused.content.decode()
    assert PairReview.objects.get(pk=review.pk).status == PairStatus.OPEN
    done = officer.post(detail, {"action": "merge", "reason": "zelfde adres", "survivor": ""})
    assert done.status_code == 302
    assert PairReview.objects.get(pk=review.pk).status == PairStatus.MERGED
    undone = officer.post(detail, {"action": "undo", "reason": "verkeerd"})
    assert undone.status_code == 302
    assert PairReview.objects.get(pk=review.pk).status == PairStatus.SPLIT
    # A desk officer may not merge at all.
    assert client_for(Role.DESK_OFFICER).get(queue).status_code == 403


@pytest.mark.django_db
def test_goods_with_a_mistyped_frame_number_reach_the_queue() -> None:
    import random

    rng = random.Random(4)
    brands = ["Gazelle", "Batavus", "Sparta", "Cortina", "Giant", "Trek", "Union", "Cube"]
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    planted = []
    for n in range(400):
        frame = "".join(rng.choice(letters) for _ in range(10))
        brand = rng.choice(brands)
        good = Good.objects.create(
            kind="bicycle", brand=brand, frame_number=frame, purpose="wpg8", retain_until=RETAIN
        )
        if n % 10 == 0:  # the same bicycle entered again with one character wrong
            i = rng.randrange(10)
            typo = frame[:i] + rng.choice(letters.replace(frame[i], "")) + frame[i + 1 :]
            twin = Good.objects.create(
                kind="bicycle", brand=brand, frame_number=typo, purpose="wpg8", retain_until=RETAIN
            )
            planted.append((good.pk, twin.pk))
    resolution.train_model("good", actor=None, min_records=200)
    result = resolution.resolve("good", actor=None)
    found = {
        (r.id_a, r.id_b)
        for r in PairReview.objects.filter(object_type="good", status=PairStatus.OPEN)
    }
    hits = sum(1 for pair in planted if pair in found)
    missed = [
        (Good.objects.get(pk=a).frame_number, Good.objects.get(pk=b).frame_number)
        for a, b in planted
        if (a, b) not in found
    ]
    assert hits >= 0.9 * len(planted), (hits, len(planted), result, missed)
    assert len(found - set(planted)) <= len(planted) // 2, result  # few others
    review = PairReview.objects.get(object_type="good", id_a=planted[0][0], id_b=planted[0][1])
    resolution.decide_pair(review.pk, actor=None, decision="merge", reason="zelfde fiets")
    assert Good.objects.get(pk=planted[0][1]).merged_into_id == planted[0][0]


@pytest.mark.django_db
def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(resolution.ResolutionError, match="Onbekende soort 'boat'"):
        resolution.train_model("boat", actor=None)
