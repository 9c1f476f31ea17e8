"""Cases in the database: opening, advice, every move through the one gate, scope, audit,
the framework's versions, the victim's status page, bulk screening, the model switch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role, ScopeLevel
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn
from regie.registration.models import OffenceCategory, Registration
from regie.registration.services import registration_create
from regie.selection import services
from regie.selection.flow import State, TransitionError
from regie.selection.models import Case, CaseEvent, FrameworkRule
from regie.selection.models import ScopeLevel as RuleScope
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db


def case_of(reg: Registration) -> Case:
    services.open_cases([reg.pk])
    return Case.objects.select_related("category", "base_team__district").get(registration=reg)


def make_registration(team: BaseTeam, desk: Position, **overrides: Any) -> Registration:
    reg, _ = registration_create(
        registration_input(team, **overrides), actor=desk.user, source="desk"
    )
    return reg


@pytest.fixture
def desk(make_staff: Callable[..., Position]) -> Position:
    return make_staff(Role.DESK_OFFICER)


@pytest.fixture
def screener(make_staff: Callable[..., Position]) -> Position:
    return make_staff(Role.CASE_SCREENER)


def test_a_case_opens_with_derived_leads_advice_and_deadline(registration: Registration) -> None:
    # Opened with the registration, in its transaction, by the desk officer who registered it.
    case = Case.objects.select_related("category").get(registration=registration)
    entry = AuditEntry.objects.filter(object_type="selection.case", object_id=str(case.pk)).get()
    assert entry.actor_id == registration.created_by_id
    assert case.state == State.REGISTERED
    assert case.category.code == "1.2.3"  # A72 bicycle theft is heavier than C40
    assert case.offence_group == "bicycle_theft" and case.offence_class == "vvc"
    assert case.traceable_good and not case.known_suspect and not case.witness
    assert case.advice == "assess"  # leads, but no model switched on
    assert case.advice_detail["factors"][0]["name"] == "traceable_good"
    local = timezone.localtime(registration.reported_at)
    assert case.screening_due > registration.reported_at
    assert (case.screening_due - registration.reported_at) >= dt.timedelta(days=3)
    assert timezone.localtime(case.screening_due).time() == local.time()
    assert services.open_cases([registration.pk]) == []  # idempotent
    assert Case.objects.filter(registration=registration).count() == 1


CASE_FIELDS = (
    "base_team_id",
    "neighbourhood_id",
    "category_id",
    "offence_group",
    "offence_class",
    "reported_at",
    "screening_due",
    "advice",
    "advice_score",
    "known_suspect",
    "caught_in_act",
    "witness",
    "traceable_good",
    "linked_case",
    "damage_above_threshold",
    "vulnerable_victim",
)


@pytest.mark.parametrize("shared", [False, True])
def test_the_case_opened_from_memory_equals_the_one_read_back(
    team: BaseTeam, desk: Position, shared: bool
) -> None:
    """Intake opens the case from what it has in memory (``registrations_created``'s
    ``new``); the same registration read back from the database gives the same case. With
    ``shared`` the victim (by BSN) and the bicycle were registered before: a linked case."""
    victim = InvolvementIn(
        "victim", person=PersonIn("Mila", "Jansen", "", dt.date(2010, 3, 1), bsn="123456782")
    )
    inputs = registration_input(team, damage_amount=Decimal("2500"))
    if shared:
        make_registration(team, desk)
    reg = make_registration(
        team,
        desk,
        damage_amount=Decimal("2500"),
        involvements=(*inputs.involvements, victim),
        offences=(OffenceIn("C40"), OffenceIn("A72", attempt=True)),
    )
    from_memory = Case.objects.get(registration=reg)
    assert from_memory.linked_case is shared and from_memory.vulnerable_victim
    assert from_memory.damage_above_threshold and from_memory.traceable_good
    from_memory.delete()
    (read_back,) = services.build_cases([reg.pk])
    for name in CASE_FIELDS:
        assert getattr(read_back, name) == getattr(from_memory, name), name


def test_bulk_import_cases_from_memory_equal_the_ones_read_back(
    team: BaseTeam, desk: Position
) -> None:
    from regie.registration.bulk import import_batch

    make_registration(team, desk)  # the reporter (BSN) and bicycle exist already
    victim = InvolvementIn(
        "victim", person=PersonIn("Mila", "Jansen", "", dt.date(2010, 3, 1), bsn="123456782")
    )
    base = registration_input(team, damage_amount=Decimal("2500"))
    rows = [
        ("b1", base),
        ("b2", registration_input(team, involvements=(victim,), offences=(OffenceIn("C40"),))),
        (
            "b3",
            registration_input(
                team,
                kind="aanhouding",
                involvements=(InvolvementIn("arrested", person=PersonIn("Tom", "Bakker")),),
            ),
        ),
    ]
    result = import_batch(rows, actor=None, source="import")
    assert len(result.created) == 3 and not result.errors
    from_memory = {
        c.registration_id: c for c in Case.objects.filter(registration__in=result.created)
    }
    assert from_memory[result.created[0]].linked_case
    assert from_memory[result.created[1]].vulnerable_victim
    assert not from_memory[result.created[1]].linked_case
    assert from_memory[result.created[2]].caught_in_act
    Case.objects.filter(registration__in=result.created).delete()
    for read_back in services.build_cases(result.created):
        for name in CASE_FIELDS:
            expected = getattr(from_memory[read_back.registration_id], name)
            assert getattr(read_back, name) == expected, name


def test_high_impact_is_always_taken_up_and_no_leads_is_rejected(
    team: BaseTeam, desk: Position
) -> None:
    burglary = make_registration(team, desk, offences=(OffenceIn("A20"),), involvements=())
    assert case_of(burglary).advice == "take_up"
    bare = make_registration(team, desk, offences=(OffenceIn("A72"),), involvements=())
    case = case_of(bare)
    assert case.advice == "reject"
    assert case.advice_detail["reasons"] == ["Geen opsporingsindicaties."]


def test_screening_against_the_advice_needs_a_reason_and_is_recorded(
    team: BaseTeam, desk: Position, screener: Position
) -> None:
    case = case_of(make_registration(team, desk, offences=(OffenceIn("A72"),), involvements=()))
    audit_before = AuditEntry.objects.count()
    with pytest.raises(TransitionError) as exc:
        services.case_transition(case.pk, "take_up", actor=screener.user)
    assert exc.value.status == 422 and "override_reason" in exc.value.errors
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    assert not CaseEvent.objects.filter(case=case).exists()
    case = services.case_transition(
        case.pk, "take_up", actor=screener.user, fields={"override_reason": "Camera bij station"}
    )
    assert case.state == State.TAKEN_UP and case.screened_at is not None
    event = CaseEvent.objects.get(case=case)
    assert event.advice == "reject" and event.follows_advice is False
    assert event.fields == {"override_reason": "Camera bij station"}
    assert event.actor_role == "case_screener" and event.actor_team == team
    entry = AuditEntry.objects.filter(seq__gt=audit_before, object_type="selection.case").get()
    assert entry.detail["action"] == "take_up" and entry.actor_id == screener.user.pk


def test_the_whole_road_to_a_conviction(
    team: BaseTeam, desk: Position, screener: Position, make_staff: Callable[..., Position]
) -> None:
    reg = make_registration(
        team,
        desk,
        involvements=(
            InvolvementIn("suspect", person=PersonIn("Piet", "Klaas", "", dt.date(1990, 1, 1))),
        ),
    )
    case = case_of(reg)
    manager = make_staff(Role.DOSSIER_MANAGER)
    investigator = make_staff(Role.INVESTIGATOR)
    om = make_staff(Role.OM_LIAISON)
    services.case_transition(case.pk, "take_up", actor=screener.user)
    with pytest.raises(TransitionError) as exc:
        services.case_transition(case.pk, "solve", actor=investigator.user)
    assert exc.value.status == 409
    services.case_transition(
        case.pk, "investigate", actor=manager.user, fields={"investigator": investigator.user.pk}
    )
    assert Case.objects.get(pk=case.pk).assignee == investigator.user
    from regie.selection.selectors import caseload

    load = caseload(manager.user)
    assert [(row["name"], row["open"]) for row in load] == [(investigator.user.get_full_name(), 1)]
    colleague = make_staff(Role.INVESTIGATOR)
    with pytest.raises(TransitionError) as exc:
        services.case_transition(case.pk, "solve", actor=colleague.user)
    assert exc.value.status == 403  # not their investigation
    services.case_transition(case.pk, "solve", actor=investigator.user)
    services.case_transition(case.pk, "to_om", actor=investigator.user)
    services.case_transition(case.pk, "om_decide", actor=om.user, fields={"om_decision": "summons"})
    case = services.case_transition(
        case.pk, "court_outcome", actor=om.user, fields={"court_outcome": "conviction"}
    )
    assert case.state == State.COURT_DECIDED and case.court_outcome == "conviction"
    assert list(case.events.values_list("action", flat=True)) == [
        "take_up",
        "investigate",
        "solve",
        "to_om",
        "om_decide",
        "court_outcome",
    ]


def test_investigator_must_exist_be_an_investigator_and_work_for_the_team(
    registration: Registration,
    make_staff: Callable[..., Position],
    screener: Position,
    other_team: BaseTeam,
) -> None:
    case = case_of(registration)
    manager = make_staff(Role.DOSSIER_MANAGER)
    services.case_transition(case.pk, "take_up", actor=screener.user)
    for bad, message in (
        (999999, "Onbekende"),
        (screener.user.pk, "Geen rechercheur"),
        (make_staff(Role.INVESTIGATOR, at=other_team).user.pk, "buiten het team"),
    ):
        with pytest.raises(TransitionError, match=message) as exc:
            services.case_transition(
                case.pk, "investigate", actor=manager.user, fields={"investigator": bad}
            )
        assert exc.value.status == 422
    assert Case.objects.get(pk=case.pk).state == State.TAKEN_UP


def test_a_screener_of_another_team_may_not_touch_the_case(
    registration: Registration, make_staff: Callable[..., Position], other_team: BaseTeam
) -> None:
    case = case_of(registration)
    outsider = make_staff(Role.CASE_SCREENER, at=other_team)
    with pytest.raises(TransitionError) as exc:
        services.case_transition(case.pk, "take_up", actor=outsider.user)
    assert exc.value.status == 403
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED


def test_reopen_after_rejection_goes_back_to_screening(
    registration: Registration, screener: Position, make_staff: Callable[..., Position]
) -> None:
    case = case_of(registration)
    services.case_transition(
        case.pk, "reject", actor=screener.user, fields={"reject_reason": "insufficient_leads"}
    )
    chief = make_staff(Role.TEAM_CHIEF)
    with pytest.raises(TransitionError) as exc:
        services.case_transition(case.pk, "reopen", actor=chief.user)
    assert "reopen_reason" in exc.value.errors
    case = services.case_transition(
        case.pk, "reopen", actor=chief.user, fields={"reopen_reason": "new_leads"}
    )
    assert case.state == State.REGISTERED and case.screened_at is None
    assert case.screening_due > timezone.now()


def test_recorded_leads_change_the_advice_and_derived_ones_cannot_be_set(
    team: BaseTeam, desk: Position, screener: Position
) -> None:
    case = case_of(make_registration(team, desk, offences=(OffenceIn("A72"),), involvements=()))
    assert case.advice == "reject"
    case = services.record_leads(case, actor=screener.user, leads={"camera_footage": True})
    assert case.camera_footage and case.advice == "assess"
    with pytest.raises(TransitionError) as exc:
        services.record_leads(case, actor=screener.user, leads={"known_suspect": True})
    assert exc.value.status == 422 and "known_suspect" in exc.value.errors


def test_framework_rules_are_versioned_and_scoped(
    team: BaseTeam,
    desk: Position,
    make_staff: Callable[..., Position],
    other_team: BaseTeam,
) -> None:
    chief = make_staff(Role.TEAM_CHIEF)
    bicycles = OffenceCategory.objects.get(code="1.2.3")
    common: dict[str, Any] = {
        "scope_level": RuleScope.BASE_TEAM,
        "category": bicycles,
        "take_up_at": None,
        "reject_below": None,
        "damage_threshold": None,
        "valid_from": dt.date(2000, 1, 1),
        "valid_to": None,
    }
    with pytest.raises(TransitionError) as exc:
        services.framework_rule_save(
            actor=chief.user, scope=team, always_take_up=True, rationale=" ", **common
        )
    assert exc.value.status == 422 and "rationale" in exc.value.errors
    with pytest.raises(TransitionError) as exc:
        services.framework_rule_save(
            actor=chief.user, scope=other_team, always_take_up=True, rationale="x", **common
        )
    assert exc.value.status == 403
    screener = make_staff(Role.CASE_SCREENER)
    with pytest.raises(TransitionError):
        services.framework_rule_save(
            actor=screener.user, scope=team, always_take_up=True, rationale="x", **common
        )
    v1 = services.framework_rule_save(
        actor=chief.user, scope=team, always_take_up=True, rationale="Fietsenplan station", **common
    )
    case = case_of(make_registration(team, desk, offences=(OffenceIn("A72"),), involvements=()))
    assert case.advice == "take_up"
    assert "Fietsenplan" in case.advice_detail["reasons"][0]
    v2 = services.framework_rule_save(
        actor=chief.user, scope=team, always_take_up=False, rationale="Plan afgelopen", **common
    )
    assert (v1.version, v2.version) == (1, 2) and v1.key == v2.key
    assert FrameworkRule.objects.filter(key=v1.key).count() == 2
    assert services.advise(case).decision == "reject"
    assert FrameworkRule.objects.filter(scope_level=RuleScope.NATIONAL).count() >= 20


def test_victim_sees_the_stage_and_no_personal_data(
    registration: Registration, screener: Position
) -> None:
    case = case_of(registration)
    code = services.issue_status_code(case, actor=screener.user)
    client = Client(enforce_csrf_checks=False)
    page = client.get(reverse("victim_status"))
    assert page.status_code == 200 and "Statuscode" in page.content.decode()
    shown = client.post(reverse("victim_status"), {"code": code.lower()})
    body = shown.content.decode()
    assert shown.status_code == 200
    assert "Geregistreerd, wacht op beoordeling" in body
    assert registration.number in body
    assert "Berg" not in body and "Jan" not in body and "GZ-123" not in body
    assert shown["Cache-Control"].startswith("max-age=0") or "no-cache" in shown["Cache-Control"]
    services.case_transition(
        case.pk, "reject", actor=screener.user, fields={"reject_reason": "insufficient_leads"}
    )
    body = client.post(reverse("victim_status"), {"code": code}).content.decode()
    assert "Niet in behandeling genomen" in body and "onvoldoende aanknopingspunten" in body
    wrong = client.post(reverse("victim_status"), {"code": "AAAAA-BBBBB-CCCCC-DDDDD"})
    assert wrong.status_code == 404 and "onbekend" in wrong.content.decode()
    assert client.post(reverse("victim_status"), {"code": ""}).status_code == 400
    # A new code replaces the old one.
    services.issue_status_code(case, actor=screener.user)
    assert client.post(reverse("victim_status"), {"code": code}).status_code == 404


def test_api_moves_answer_with_problem_details(
    registration: Registration, client_for: Callable[..., Client]
) -> None:
    case = case_of(registration)
    screener = client_for(Role.CASE_SCREENER)
    url = reverse("api-case-transitions", kwargs={"pk": case.pk})
    allowed = screener.get(url).json()
    assert {a["action"] for a in allowed} == {"take_up", "reject"}
    r = screener.post(url, {"action": "solve"}, content_type="application/json")
    assert r.status_code == 409 and r["Content-Type"] == "application/problem+json"
    r = screener.post(url, {"action": "reject"}, content_type="application/json")
    assert r.status_code == 422 and "reject_reason" in r.json()["errors"]
    investigator = client_for(Role.INVESTIGATOR)
    r = investigator.post(url, {"action": "take_up"}, content_type="application/json")
    assert r.status_code == 403
    r = screener.post(
        url,
        {"action": "reject", "payload": {"reject_reason": "insufficient_leads"}},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert r.json()["events"][0]["details"] == {"reject_reason": "insufficient_leads"}
    detail = screener.get(reverse("api-case", kwargs={"pk": case.pk})).json()
    assert detail["state_label"] == "Niet in behandeling genomen"
    queue = screener.get(reverse("api-cases") + "?queue=nope")
    assert queue.status_code == 400


def test_screen_and_bulk_screening_in_the_browserless_ui(
    team: BaseTeam, desk: Position, client_for: Callable[..., Client]
) -> None:
    regs = [
        make_registration(team, desk, offences=(OffenceIn("A72"),), involvements=())
        for _ in range(3)
    ]
    cases = [case_of(r) for r in regs]
    screener = client_for(Role.CASE_SCREENER)
    page = screener.get(reverse("selection:queue"))
    assert page.status_code == 200
    assert "<title>Zaken · Eerste screening · Regie</title>" in page.content.decode()
    for r in regs:
        assert r.number in page.content.decode()
    # One case against the advice without a reason: the form says why, nothing changes.
    r = screener.post(
        reverse("selection:action", kwargs={"pk": cases[0].pk}), {"action": "take_up"}
    )
    assert r.status_code == 422 and "wijkt af van het advies" in r.content.decode()
    assert Case.objects.get(pk=cases[0].pk).state == State.REGISTERED
    ids = [str(c.pk) for c in cases]
    confirm = screener.post(reverse("selection:bulk"), {"cases": ids, "action": "reject"})
    assert confirm.status_code == 200 and "Bevestig" in confirm.content.decode()
    assert Case.objects.filter(pk__in=ids, state=State.REGISTERED).count() == 3
    done = screener.post(
        reverse("selection:bulk"), {"cases": ids, "action": "reject", "confirm": "1"}
    )
    assert done.status_code == 302
    assert Case.objects.filter(pk__in=ids, state=State.REJECTED).count() == 3
    assert CaseEvent.objects.filter(case_id__in=ids, reason="insufficient_leads").count() == 3
    # With an override text (against an advice): the code stays the reason, the free text
    # stays with the case and out of the audit log.
    more = [
        case_of(make_registration(team, desk, offences=(OffenceIn("A20"),), involvements=()))
        for _ in range(2)
    ]
    more_ids = [str(c.pk) for c in more]
    screener.post(
        reverse("selection:bulk"),
        {
            "cases": more_ids,
            "action": "reject",
            "override_reason": "Slachtoffer J. Jansen belde",
            "confirm": "1",
        },
    )
    events = CaseEvent.objects.filter(case_id__in=more_ids)
    assert {e.reason for e in events} == {"insufficient_leads"}
    assert all(e.fields["override_reason"] == "Slachtoffer J. Jansen belde" for e in events)
    logged = AuditEntry.objects.filter(object_type="selection.case", object_id__in=more_ids)
    assert logged.exists() and not any("Jansen" in str(e.detail) for e in logged)


def test_a_screener_with_national_scope_sees_every_team(
    registration: Registration, make_staff: Callable[..., Position]
) -> None:
    from regie.selection.selectors import screening_queue

    case = case_of(registration)
    national = make_staff(Role.CASE_SCREENER, level=ScopeLevel.NATIONAL)
    assert case in screening_queue(national.user)


def test_damage_threshold_comes_from_the_rules(team: BaseTeam, desk: Position) -> None:
    reg = make_registration(team, desk, damage_amount=Decimal("1500.00"))
    assert case_of(reg).damage_above_threshold
    reg = make_registration(team, desk, damage_amount=Decimal("999.99"))
    assert not case_of(reg).damage_above_threshold


def test_a_bulk_import_opens_every_case_in_its_transaction(team: BaseTeam) -> None:
    """Above RAW_INSERT_FROM the cases go in without the ORM (COPY on PostgreSQL)."""
    from regie.registration.bulk import import_batch

    n = services.RAW_INSERT_FROM + 10
    batch = [
        (f"legacy-{i}", registration_input(team, offences=(OffenceIn("A72"),), involvements=()))
        for i in range(n)
    ]
    result = import_batch(batch, actor=None, source="import")
    assert len(result.created) == n
    cases = Case.objects.filter(registration_id__in=result.created).select_related("category")
    assert cases.count() == n
    case = cases.first()
    assert case is not None and case.category.code == "1.2.3"
    assert case.advice == "reject" and case.advice_detail["reasons"] == [
        "Geen opsporingsindicaties."
    ]
    assert case.state == State.REGISTERED and case.created_at is not None
    entry = AuditEntry.objects.filter(object_type="selection.case", object_id="batch").get()
    assert sorted(entry.detail["cases"]) == sorted(c.pk for c in cases)


def test_cases_outside_the_users_scope_are_refused_and_the_refusal_is_audited(
    registration: Registration, client_for: Callable[..., Client], other_team: BaseTeam
) -> None:
    case = case_of(registration)
    outsider = client_for(Role.CASE_SCREENER, at=other_team)
    user = outsider.position.user  # type: ignore[attr-defined]
    for name in ("api-case", "api-case-transitions", "selection:case"):
        r = outsider.get(reverse(name, kwargs={"pk": case.pk}))
        assert r.status_code == 403, name
    r = outsider.post(
        reverse("api-case-transitions", kwargs={"pk": case.pk}),
        {"action": "take_up"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert AuditEntry.objects.filter(actor=user, action="denied").count() >= 4
    queue = outsider.get(reverse("api-cases")).json()["results"]
    assert case.pk not in [c["id"] for c in queue]  # the queue omits it
    insider = client_for(Role.CASE_SCREENER)
    assert case.pk in [c["id"] for c in insider.get(reverse("api-cases")).json()["results"]]
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED


def test_retention_removes_an_expired_registration_with_its_case_and_history(
    registration: Registration, screener: Position
) -> None:
    import datetime as dt_

    from regie.audit.retention import run_retention

    case = case_of(registration)
    services.case_transition(
        case.pk, "reject", actor=screener.user, fields={"reject_reason": "insufficient_leads"}
    )
    Registration.objects.filter(pk=registration.pk).update(
        retain_until=dt_.date.today() - dt_.timedelta(days=1)
    )
    report = run_retention(dry_run=False)
    assert report.counts["registration.Registration"] >= 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()


def test_a_registration_sharing_a_person_with_another_is_a_linked_case(
    team: BaseTeam, desk: Position
) -> None:
    first = make_registration(team, desk)
    assert not case_of(first).linked_case  # nothing to link with yet
    second = make_registration(team, desk)  # the same reporter (BSN) and bicycle
    assert case_of(second).linked_case
    stranger = make_registration(
        team,
        desk,
        involvements=(
            InvolvementIn("victim", person=PersonIn("Els", "Vos", "", dt.date(1990, 2, 3))),
        ),
    )
    assert not case_of(stranger).linked_case
