"""Changes to cases: opening them for new registrations, the framework's advice, every move
through the flow (one gate: :func:`case_transition`), the framework's rule versions, the
victim's status code and the solvability model's refits. Everything is audited."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from regie.audit.models import Action as AuditAction
from regie.audit.services import audit_log
from regie.organisation.access import (
    base_team_in_scope,
    can_view_registration,
    position_of,
    role_of,
)
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role as StaffRole
from regie.organisation.roles import ScopeLevel as StaffScope
from regie.registration.models import (
    Involvement,
    Offence,
    OffenceCategory,
    Registration,
)
from regie.registration.models import Role as InvRole
from regie.registration.services import offence_categories
from regie.registration.signals import NewRegistration
from regie.selection import deadlines, framework, solvability
from regie.selection.flow import (
    ADVICE_ACTION,
    Action,
    State,
    TransitionError,
    check,
    reason_code,
)
from regie.selection.leads import (
    LEAD_NAMES,
    RECORDED_LEADS,
    CaseFeatures,
    InvolvementFacts,
    derive_leads,
    offence_group,
)
from regie.selection.models import (
    Case,
    CaseEvent,
    FrameworkRule,
    OffenceClass,
    ScopeLevel,
    SolvabilityModel,
)
from regie.selection.signals import cases_changed

logger = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data"
NATIONAL_VALID_FROM = dt.date(2018, 1, 1)

# --------------------------------------------------------------------------- framework data


def load_national_framework(
    path: Path | None = None, *, rule_model: Any = None, category_model: Any = None
) -> int:
    """Load the national rules (version 1) from ``data/national_framework.csv`` when they
    are not there yet. Idempotent; later versions are edits made in the application. (The
    models are parameters for the data migration.)"""
    rule_model = rule_model or FrameworkRule
    category_model = category_model or OffenceCategory
    with (path or DATA / "national_framework.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    categories = {c.code: c for c in category_model.objects.all()}
    created = 0
    for row in rows:
        code = row["category_code"].strip()
        category = None if code == "*" else categories.get(code)
        if code != "*" and category is None:
            raise ValueError(f"national_framework.csv: unknown category {code!r}")
        key = rule_key(ScopeLevel.NATIONAL, None, category)
        _, made = rule_model.objects.get_or_create(
            key=key,
            version=1,
            defaults={
                "scope_level": ScopeLevel.NATIONAL,
                "category": category,
                "offence_class": row["class"].strip(),
                "always_take_up": row["always_take_up"].strip() == "1",
                "take_up_at": float(row["take_up_at"]) if row["take_up_at"] else None,
                "reject_below": float(row["reject_below"]) if row["reject_below"] else None,
                "damage_threshold": Decimal(row["damage_threshold"])
                if row["damage_threshold"]
                else None,
                "rationale": row["rationale"],
                "valid_from": NATIONAL_VALID_FROM,
            },
        )
        created += made
    _rule_cache_clear()
    _offence_classes.cache_clear()
    return created


def rule_key(level: str, scope: Any, category: OffenceCategory | None) -> str:
    where = "" if scope is None else str(scope.code)
    return f"{level}:{where}:{category.code if category else '*'}"


_RULES: dict[int | None, list[framework.RuleVersion]] = {}
_RULES_READ: dict[str, dt.datetime] = {}


def _rule_cache_clear() -> None:
    _RULES.clear()
    _RULES_READ.clear()
    _TEAM_UNIT.clear()


def _rule_versions(team_id: int | None, unit_id: int | None) -> list[framework.RuleVersion]:
    """The stored versions that can apply to cases of base team ``team_id`` in unit
    ``unit_id`` (cached per process; cleared on every edit in this process and re-read after
    60 s for edits elsewhere)."""
    now = timezone.now()
    stamp = _RULES_READ.get("at")
    if stamp is None or (now - stamp).total_seconds() > 60:
        _rule_cache_clear()
        _RULES_READ["at"] = now
    versions = _RULES.get(team_id)
    if versions is None:
        q = Q(scope_level=ScopeLevel.NATIONAL)
        if team_id is not None:
            q |= Q(scope_level=ScopeLevel.UNIT, unit_id=unit_id)
            q |= Q(scope_level=ScopeLevel.BASE_TEAM, base_team_id=team_id)
        versions = [
            _as_version(r) for r in FrameworkRule.objects.filter(q).select_related("category")
        ]
        _RULES[team_id] = versions
    return versions


def _as_version(r: FrameworkRule) -> framework.RuleVersion:
    return framework.RuleVersion(
        id=r.pk,
        key=r.key,
        version=r.version,
        scope_level=r.scope_level,
        category_code=r.category.code if r.category is not None else None,
        always_take_up=r.always_take_up,
        take_up_at=r.take_up_at,
        reject_below=r.reject_below,
        damage_threshold=r.damage_threshold,
        rationale=r.rationale,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
    )


@lru_cache(maxsize=1)
def _offence_classes() -> dict[str, str]:
    return dict(
        FrameworkRule.objects.filter(scope_level=ScopeLevel.NATIONAL, category__isnull=False)
        .exclude(offence_class="")
        .values_list("category__code", "offence_class")
    )


def offence_class(category_code: str) -> str:
    return _offence_classes().get(category_code, OffenceClass.OTHER)


def framework_rule_save(
    *,
    actor: Any,
    scope_level: str,
    scope: Any,
    category: OffenceCategory | None,
    always_take_up: bool,
    take_up_at: float | None,
    reject_below: float | None,
    damage_threshold: Decimal | None,
    rationale: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
) -> FrameworkRule:
    """Add a version of a rule (a new rule starts at version 1). National rules need a
    national scope; a unit's or base team's local priority needs that place in scope."""
    errors: dict[str, list[str]] = {}
    if not rationale.strip():
        errors["rationale"] = ["Geef een toelichting: waarom deze regel."]
    if valid_to is not None and valid_to <= valid_from:
        errors["valid_to"] = ["'Geldig tot' moet na 'geldig vanaf' liggen."]
    for name, value in (("take_up_at", take_up_at), ("reject_below", reject_below)):
        if value is not None and not 0.0 <= value <= 1.0:
            errors[name] = ["Een kans tussen 0 en 1."]
    if take_up_at is not None and reject_below is not None and reject_below > take_up_at:
        errors["reject_below"] = ["De afwijsdrempel ligt boven de drempel voor oppakken."]
    if damage_threshold is not None and damage_threshold < 0:
        errors["damage_threshold"] = ["Schade kan niet negatief zijn."]
    if scope_level not in ScopeLevel.values:
        errors["scope_level"] = [f"Kies uit {', '.join(ScopeLevel.values)}."]
    elif (scope_level == ScopeLevel.NATIONAL) != (scope is None):
        errors["scope"] = ["Een landelijke regel heeft geen eenheid of team, een lokale wel."]
    if errors:
        raise TransitionError(422, "De regel is niet compleet.", errors)
    if not _may_edit_rule(actor, scope_level, scope):
        raise TransitionError(403, "U mag regels op dit niveau niet wijzigen.")
    key = rule_key(scope_level, scope, category)
    try:
        rule = _add_rule_version(
            actor,
            key,
            scope_level=scope_level,
            scope=scope,
            category=category,
            always_take_up=always_take_up,
            take_up_at=take_up_at,
            reject_below=reject_below,
            damage_threshold=damage_threshold,
            rationale=rationale,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    except IntegrityError:
        # Two editors saved the same rule at once; the unique (key, version) kept one.
        raise TransitionError(
            409, "De regel is tegelijk door een ander gewijzigd; bekijk en probeer opnieuw."
        ) from None
    _rule_cache_clear()
    _offence_classes.cache_clear()
    return rule


def _add_rule_version(actor: Any, key: str, **values: Any) -> FrameworkRule:
    scope_level, scope = values["scope_level"], values["scope"]
    with transaction.atomic():
        last = FrameworkRule.objects.filter(key=key).aggregate(v=Max("version"))["v"]
        previous = FrameworkRule.objects.filter(key=key, version=last).first() if last else None
        rule = FrameworkRule.objects.create(
            key=key,
            version=(last or 0) + 1,
            scope_level=scope_level,
            unit=scope if scope_level == ScopeLevel.UNIT else None,
            base_team=scope if scope_level == ScopeLevel.BASE_TEAM else None,
            category=values["category"],
            offence_class=previous.offence_class if previous else "",
            always_take_up=values["always_take_up"],
            take_up_at=values["take_up_at"],
            reject_below=values["reject_below"],
            damage_threshold=values["damage_threshold"],
            rationale=values["rationale"].strip(),
            valid_from=values["valid_from"],
            valid_to=values["valid_to"],
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action=AuditAction.CREATE if rule.version == 1 else AuditAction.CHANGE,
            object_type="selection.frameworkrule",
            object_id=rule.pk,
            detail={"key": key, "version": rule.version},
        )
    return rule


def _may_edit_rule(actor: Any, scope_level: str, scope: Any) -> bool:
    position = position_of(actor)
    if position is None or position.role != StaffRole.TEAM_CHIEF:
        return False
    if position.scope_level == StaffScope.NATIONAL:
        return True
    if scope_level == ScopeLevel.NATIONAL:
        return False
    if scope_level == ScopeLevel.UNIT:
        return position.scope_level == StaffScope.UNIT and position.unit_id == scope.pk
    return base_team_in_scope(actor, scope)


# --------------------------------------------------------------------------- opening cases


@dataclass
class _Facts:
    """What opening a case needs of one registration, read with plain value queries."""

    id: int
    kind: str
    reported_at: dt.datetime
    occurred_from: dt.datetime
    damage: Decimal | None
    base_team_id: int | None
    unit_id: int | None
    neighbourhood_id: int | None
    #: (seriousness rank, seq, category): the heaviest sorts first.
    offences: list[tuple[int, int, OffenceCategory]] = field(default_factory=list)
    involvements: list[InvolvementFacts] = field(default_factory=list)
    #: The core objects involved: ("person_id" | "organisation_id" | "good_id", id).
    objects: list[tuple[str, int]] = field(default_factory=list)
    #: Those of ``objects`` created with this registration (shared with no other one).
    fresh: set[tuple[str, int]] = field(default_factory=set)


def _facts(registration_ids: Collection[int]) -> list[_Facts]:
    """The registrations among ``registration_ids`` that have no case yet: 3 queries."""
    regs = {
        r["id"]: _Facts(
            id=r["id"],
            kind=r["kind"],
            reported_at=r["reported_at"],
            occurred_from=r["occurred_from"],
            damage=r["damage_amount"],
            base_team_id=r["base_team_id"],
            unit_id=r["base_team__district__unit_id"],
            neighbourhood_id=r["neighbourhood_id"],
        )
        for r in Registration.objects.filter(pk__in=registration_ids, case__isnull=True).values(
            "id",
            "kind",
            "reported_at",
            "occurred_from",
            "damage_amount",
            "base_team_id",
            "base_team__district__unit_id",
            "neighbourhood_id",
        )
    }
    if not regs:
        return []
    for reg_id, rank, seq, category_id, code, title in Offence.objects.filter(
        registration_id__in=list(regs)
    ).values_list(
        "registration_id",
        "category__seriousness_rank",
        "seq",
        "category_id",
        "category__code",
        "category__title",
    ):
        category = OffenceCategory(pk=category_id, code=code, title=title, seriousness_rank=rank)
        regs[reg_id].offences.append((rank, seq, category))
    for row in Involvement.objects.filter(registration_id__in=list(regs)).values(
        "registration_id",
        "role",
        "person_id",
        "organisation_id",
        "good_id",
        "person__date_of_birth",
        "good__frame_number",
        "good__plate",
        "good__imei",
        "good__serial_number",
    ):
        for column in ("person_id", "organisation_id", "good_id"):
            if row[column] is not None:
                regs[row["registration_id"]].objects.append((column, row[column]))
        regs[row["registration_id"]].involvements.append(
            InvolvementFacts(
                role=row["role"],
                date_of_birth=row["person__date_of_birth"],
                identifiable_good=any(
                    (
                        row["good__frame_number"],
                        row["good__plate"],
                        row["good__imei"],
                        row["good__serial_number"],
                    )
                ),
            )
        )
    return list(regs.values())


LINKABLE = ("person_id", "organisation_id", "good_id")


def _facts_from_new(new: Sequence[NewRegistration]) -> list[_Facts]:
    """The same facts from what the writer of the registrations has in memory: no query."""
    categories = offence_categories()
    out = []
    for n in new:
        f = _Facts(
            id=n.id,
            kind=n.kind,
            reported_at=n.reported_at,
            occurred_from=n.occurred_from,
            damage=n.damage_amount,
            base_team_id=n.base_team_id,
            unit_id=n.unit_id,
            neighbourhood_id=n.neighbourhood_id,
        )
        for seq, category_id in n.offences:
            category = categories[category_id]
            f.offences.append((category.seriousness_rank, seq, category))
        for inv in n.involvements:
            if inv.column in LINKABLE:
                f.objects.append((inv.column, inv.object_id))
                if inv.created:
                    f.fresh.add((inv.column, inv.object_id))
            f.involvements.append(
                InvolvementFacts(
                    role=inv.role,
                    date_of_birth=inv.date_of_birth,
                    identifiable_good=inv.identifiable_good,
                )
            )
        out.append(f)
    return out


def _linked_registrations(facts: list[_Facts]) -> set[int]:
    """Registrations that share a person, organisation or good with another registration:
    a grouped count per kind of object (the foreign-key indexes answer it)."""
    wanted: dict[str, set[int]] = {"person_id": set(), "organisation_id": set(), "good_id": set()}
    for f in facts:
        for column, pk in f.objects:
            if (column, pk) not in f.fresh:
                wanted[column].add(pk)
    shared: set[tuple[str, int]] = set()
    for column, ids in wanted.items():
        if not ids:
            continue
        # One row per object shared with another registration (not one per involvement: a
        # shop can be in thousands of registrations).
        rows = (
            Involvement.objects.filter(**{f"{column}__in": ids})
            .values(column)
            .annotate(n=Count("registration_id", distinct=True))
            .filter(n__gt=1)
            .values_list(column, flat=True)
        )
        shared.update((column, pk) for pk in rows)
    return {f.id for f in facts if any(obj in shared for obj in f.objects)}


def build_cases(
    registration_ids: Iterable[int], *, new: Sequence[NewRegistration] | None = None
) -> list[Case]:
    """Unsaved cases for those of ``registration_ids`` without one (a registration without
    an offence gets none): the main offence (the heaviest: lowest seriousness rank, first
    registered on a tie), derived leads, the advice of the rules valid on the report date,
    the first-screening deadline. ``new``: the registrations as their writer just stored
    them (``registrations_created``), which have no case yet; read from the database when
    not given."""
    facts = _facts_from_new(new) if new is not None else _facts(list(registration_ids))
    if not facts:
        return []
    linked = _linked_registrations(facts)
    model = active_model()
    now = timezone.now()
    cases = []
    for f in facts:
        if not f.offences:
            continue
        category = min(f.offences)[2]
        reported = timezone.localtime(f.reported_at)
        rules = framework.effective_rules(
            _rule_versions(f.base_team_id, f.unit_id),
            category_code=category.code,
            day=reported.date(),
        )
        leads = derive_leads(
            kind=f.kind,
            occurred_on=timezone.localtime(f.occurred_from).date(),
            damage=f.damage,
            damage_threshold=rules.damage_threshold,
            involvements=f.involvements,
            linked_case=f.id in linked,
        )
        case = Case(
            registration_id=f.id,
            state=State.REGISTERED,
            state_changed_at=f.reported_at,
            base_team_id=f.base_team_id,
            neighbourhood_id=f.neighbourhood_id,
            category=category,
            offence_group=offence_group(category.code),
            offence_class=offence_class(category.code),
            reported_at=f.reported_at,
            screening_due=deadlines.screening_due(reported),
            **leads,
        )
        apply_advice(case, framework.advise(features_of(case), rules, model), now)
        cases.append(case)
    return cases


def open_cases(
    registration_ids: Iterable[int],
    *,
    actor: Any = None,
    new: Sequence[NewRegistration] | None = None,
) -> list[Case]:
    """Open a case for each registration that has an offence and no case yet, with its
    derived leads, first advice and screening deadline; one audit entry lists them.
    Idempotent. Called in the transaction that stores new registrations, which nobody else
    sees yet, so no one can open the same case concurrently (and a failure rolls that whole
    transaction back: no savepoint of its own)."""
    cases = build_cases(registration_ids, new=new)
    if not cases:
        return []
    with transaction.atomic(savepoint=False):
        _insert_cases(cases)
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="selection.case",
            object_id=cases[0].pk if len(cases) == 1 else "batch",
            detail={
                "cases": [c.pk for c in cases],
                "registrations": [c.registration_id for c in cases],
            },
        )
    return cases


#: From this many cases on, rows go in without the ORM's per-object work (a bulk import).
RAW_INSERT_FROM = 50


def _insert_cases(cases: list[Case]) -> None:
    if len(cases) < RAW_INSERT_FROM:
        # PostgreSQL and SQLite >= 3.35 return the new ids.
        Case.objects.bulk_create(cases)
        return
    from regie.registration.bulk import create_rows

    now = timezone.now()
    fields = [f for f in Case._meta.concrete_fields if f.attname != "id"]
    rows = []
    for case in cases:
        case.created_at = now
        rows.append(
            tuple(
                json.dumps(getattr(case, f.attname))
                if f.get_internal_type() == "JSONField"
                else getattr(case, f.attname)
                for f in fields
            )
        )
    ids = create_rows(Case, [str(f.column) for f in fields], rows)
    for case, pk in zip(cases, ids, strict=True):
        case.pk = pk
        case._state.adding = False


def features_of(case: Case) -> CaseFeatures:
    return CaseFeatures(
        category_code=case.category.code,
        high_impact=case.offence_class == OffenceClass.HIGH_IMPACT,
        undermining=case.offence_class == OffenceClass.UNDERMINING,
        leads={name: bool(getattr(case, name)) for name in LEAD_NAMES},
    )


def apply_advice(case: Case, advice: framework.Advice, now: dt.datetime) -> None:
    case.advice = advice.decision
    case.advice_score = advice.score
    case.advice_detail = advice.as_dict()
    case.advised_at = now


_TEAM_UNIT: dict[int, int] = {}


def _unit_of(team_id: int | None) -> int | None:
    if team_id is None:
        return None
    if team_id not in _TEAM_UNIT:
        _TEAM_UNIT.update(BaseTeam.objects.values_list("pk", "district__unit_id"))
    return _TEAM_UNIT.get(team_id)


def rules_for(case: Case) -> framework.Rules:
    return framework.effective_rules(
        _rule_versions(case.base_team_id, _unit_of(case.base_team_id)),
        category_code=case.category.code,
        day=timezone.localtime(case.reported_at).date(),
    )


def advise(case: Case) -> framework.Advice:
    return framework.advise(features_of(case), rules_for(case), active_model())


def record_leads(case: Case, *, actor: Any, leads: Mapping[str, bool]) -> Case:
    """The screener records the leads the registration does not show (camera footage,
    forensic traces); the advice is computed again."""
    unknown = set(leads) - RECORDED_LEADS
    if unknown:
        raise TransitionError(
            422,
            "Deze indicaties worden uit de registratie afgeleid.",
            {name: ["Niet handmatig te wijzigen."] for name in sorted(unknown)},
        )
    if case.state != State.REGISTERED:
        raise TransitionError(409, "Indicaties vastleggen kan alleen vóór de eerste screening.")
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)
        )
        if case.state != State.REGISTERED:  # screened meanwhile
            raise TransitionError(409, "De zaak is intussen gescreend.")
        before = {name: getattr(case, name) for name in leads}
        for name, value in leads.items():
            setattr(case, name, bool(value))
        apply_advice(case, advise(case), timezone.now())
        case.save()
        audit_log(
            actor=actor,
            action=AuditAction.CHANGE,
            object_type="selection.case",
            object_id=case.pk,
            detail={"leads_before": before, "leads": dict(leads), "advice": case.advice},
        )
    return case


# --------------------------------------------------------------------------- the one gate


def _has_suspect(case: Case) -> bool:
    return Involvement.objects.filter(
        registration_id=case.registration_id,
        role__in=(InvRole.SUSPECT, InvRole.ARRESTED),
    ).exists()


def _investigator(value: Any, case: Case) -> Any:
    try:
        position = Position.objects.select_related("user", "base_team__district").get(
            user_id=int(value)
        )
    except (TypeError, ValueError, Position.DoesNotExist):
        raise TransitionError(
            422, "Onbekende rechercheur.", {"investigator": ["Kies een rechercheur."]}
        ) from None
    if position.role != StaffRole.INVESTIGATOR or not position.user.is_active:
        raise TransitionError(
            422, "Geen rechercheur.", {"investigator": ["Deze medewerker is geen rechercheur."]}
        )
    if case.base_team is not None and not base_team_in_scope(position.user, case.base_team):
        raise TransitionError(
            422,
            "Rechercheur buiten het team.",
            {"investigator": ["Deze rechercheur werkt niet voor het team van de zaak."]},
        )
    if not can_view_registration(position.user, case.registration):
        raise TransitionError(
            422,
            "Rechercheur zonder inzage.",
            {
                "investigator": [
                    "Deze rechercheur mag de registratie niet inzien (werkgebied of rubricering)."
                ]
            },
        )
    return position.user


def case_transition(
    case_id: int, action: str, *, actor: Any, fields: Mapping[str, Any] | None = None
) -> Case:
    """Make one move: check it against the table (role, state, fields, conditions), check
    the actor's scope, record the event with the advice of that moment, audit it."""
    from regie.selection.selectors import case_in_scope

    fields = dict(fields or {})
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("category", "base_team__district", "registration")
            .get(pk=case_id)
        )
        if not case_in_scope(actor, case):
            raise TransitionError(403, "Deze zaak valt buiten uw werkgebied.")
        state = State(case.state)
        advice = case.advice if state is State.REGISTERED else ""
        context = {
            "has_suspect": _has_suspect(case),
            "summoned": case.om_decision == "summons",
            "advice": advice or None,
            "is_assignee": case.assignee_id is not None and case.assignee_id == actor.pk,
        }
        role = role_of(actor)
        checked = check(state, action, role.value if role else None, fields, context)
        t = checked.transition
        cleaned = dict(checked.fields)
        now = timezone.now()
        if "investigator" in cleaned:
            investigator = _investigator(cleaned["investigator"], case)
            case.assignee = investigator
            cleaned["investigator"] = investigator.pk
        if t.action in (Action.TAKE_UP, Action.REJECT):
            case.screened_at = now
        if t.target is State.AT_ZSM:
            case.zsm_due = deadlines.zsm_due(now)
        if t.action is Action.OM_DECIDE:
            case.om_decision = cleaned["om_decision"]
        if t.action is Action.COURT_OUTCOME:
            case.court_outcome = cleaned["court_outcome"]
        if t.action is Action.REOPEN and t.target is State.REGISTERED:
            case.screened_at = None
            case.screening_due = deadlines.screening_due(timezone.localtime(now))
            apply_advice(case, advise(case), now)
        case.state = t.target
        case.state_changed_at = now
        case.save()
        position = position_of(actor)
        seq = (case.events.aggregate(m=Max("seq"))["m"] or 0) + 1
        reason = reason_code(cleaned)
        event = CaseEvent.objects.create(
            case=case,
            seq=seq,
            action=t.action,
            from_state=state,
            to_state=t.target,
            at=now,
            actor=actor,
            actor_role=role.value if role else "",
            actor_team=position.base_team if position else None,
            fields=cleaned,
            reason=reason[:24],
            advice=advice,
            follows_advice=None
            if not advice or advice == "assess"
            else (ADVICE_ACTION.get(advice) == t.action),
        )
        cases_changed.send(sender=Case, ids=[case.pk])
        audit_log(
            actor=actor,
            action=AuditAction.CHANGE,
            object_type="selection.case",
            object_id=case.pk,
            detail={
                "event": event.pk,
                "action": t.action.value,
                "from": state.value,
                "to": t.target.value,
                "reason": reason,
                # Free text stays with the case (and its retention), not in the audit log.
                "override": "override_reason" in cleaned,
                "note": "note" in cleaned,
            },
        )
    return case


def audit_refused_move(actor: Any, case_id: int, action: str, exc: TransitionError) -> None:
    """A refused move is audited too (outside the rolled-back transaction of the move)."""
    audit_log(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="selection.case",
        object_id=case_id,
        outcome="denied" if exc.status == 403 else "failure",
        detail={"action": action, "error": exc.message},
    )


# --------------------------------------------------------------------------- victim status


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def issue_status_code(case: Case, *, actor: Any) -> str:
    """A new status code for the reporter (replaces any earlier one). 20 characters of
    Crockford base32 (100 bits): shown once, stored only as a hash."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    code = "-".join(raw[i : i + 5] for i in range(0, 20, 5))
    Case.objects.filter(pk=case.pk).update(status_code_hash=_code_hash(code))
    audit_log(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="selection.case",
        object_id=case.pk,
        detail={"status_code": "issued"},
    )
    return code


def case_for_status_code(code: str) -> Case | None:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    if len(cleaned) != 20:
        return None
    return (
        Case.objects.select_related("registration", "category")
        .filter(status_code_hash=_code_hash(cleaned))
        .first()
    )


# --------------------------------------------------------------------------- the model


_MODEL_CACHE: dict[str, Any] = {}


def active_model() -> solvability.SolvabilityModel | None:
    """The active, enabled model that passed its criteria (None: advise without a score).
    Re-read at most every 30 s so the off switch takes effect in every worker."""
    now = timezone.now()
    cached = _MODEL_CACHE.get("entry")  # one read: another thread may replace it meanwhile
    if cached is not None and (now - cached[0]).total_seconds() < 30:
        model: solvability.SolvabilityModel | None = cached[1]
        return model
    row = SolvabilityModel.objects.filter(active=True, enabled=True, passed=True).first()
    model = None
    if row is not None:
        try:
            model = solvability.SolvabilityModel.from_dict(row.parameters)
        except ValueError:
            # A stored model this code cannot read advises nothing; intake goes on.
            logger.exception("solvability model %s cannot be loaded", row.version)
    _MODEL_CACHE["entry"] = (now, model)
    return model


def model_cache_clear() -> None:
    _MODEL_CACHE.clear()


#: The outcome the model predicts: solved within this many days of being taken into
#: investigation. Cases investigated less than this long before the latest data point are
#: left out (their outcome is not known yet).
OUTCOME_WINDOW = dt.timedelta(days=90)


def training_samples(as_of: dt.datetime | None = None) -> list[solvability.Sample]:
    """Cases that were taken into investigation at least :data:`OUTCOME_WINDOW` before
    ``as_of`` (default: the latest recorded move), labelled solved when a suspect was found
    within that window. Selective labels: outcomes exist only for investigated cases."""
    if as_of is None:
        as_of = CaseEvent.objects.aggregate(m=Max("at"))["m"]
        if as_of is None:
            return []
    investigations = CaseEvent.objects.filter(
        action=Action.INVESTIGATE, at__lte=as_of - OUTCOME_WINDOW
    )
    started = dict(investigations.order_by("case_id", "-at").values_list("case_id", "at"))
    solved_at = dict(
        CaseEvent.objects.filter(action=Action.SOLVE, case_id__in=investigations.values("case_id"))
        .order_by("case_id", "-at")
        .values_list("case_id", "at")
    )
    qs = Case.objects.filter(pk__in=investigations.values("case_id")).select_related(
        "category", "neighbourhood"
    )
    return [
        solvability.Sample(
            features=features_of(c),
            solved=c.pk in solved_at and solved_at[c.pk] - started[c.pk] <= OUTCOME_WINDOW,
            period=timezone.localtime(c.reported_at).date(),
            neighbourhood=c.neighbourhood.code if c.neighbourhood else "",
        )
        for c in qs.iterator(chunk_size=2000)
    ]


def default_cutoff(samples: list[solvability.Sample], held_back: float = 0.3) -> dt.date:
    """The date from which about ``held_back`` of the samples (the latest) are held back."""
    if not samples:
        raise TransitionError(422, "Er zijn nog geen onderzochte zaken met een bekende uitkomst.")
    periods = sorted(s.period for s in samples)
    return periods[min(len(periods) - 1, int(len(periods) * (1 - held_back)))]


def fit_solvability(
    *,
    actor: Any,
    cutoff: dt.date | None = None,
    criteria: solvability.Criteria | None = None,
    activate: bool = True,
    samples: list[solvability.Sample] | None = None,
) -> SolvabilityModel:
    """Fit on cases reported before ``cutoff``, evaluate on those from ``cutoff`` on (held
    back), check the criteria and the bias by neighbourhood, write the model card. The new
    model becomes the active one only when it passed (and ``activate``)."""
    samples = training_samples() if samples is None else samples
    cutoff = cutoff or default_cutoff(samples)
    train, test = solvability.time_split(samples, cutoff)
    if not train or not test:
        raise TransitionError(
            422,
            "Te weinig gegevens: er zijn onderzochte zaken nodig vóór én na de peildatum.",
            {"cutoff": [f"{len(train)} zaken vóór, {len(test)} vanaf {cutoff}."]},
        )
    now = timezone.now()
    try:
        model = solvability.fit(train, fitted_at=now)
        evaluation = solvability.evaluate(model, test)
    except ValueError as exc:  # e.g. only one outcome on one side of the cutoff
        raise TransitionError(422, f"Niet te fitten: {exc}", {"cutoff": [str(exc)]}) from None
    if SolvabilityModel.objects.filter(version=model.version).exists():
        raise TransitionError(
            409,
            f"Dit model bestaat al (dezelfde coëfficiënten, versie {model.version}): "
            "er zijn geen nieuwe gegevens.",
        )
    bias = solvability.bias_check(model, test)
    criteria = criteria or solvability.Criteria()
    result = solvability.check_criteria(evaluation, bias, criteria)
    train_period = (min(s.period for s in train), max(s.period for s in train))
    test_period = (min(s.period for s in test), max(s.period for s in test))
    card = solvability.model_card(
        model,
        evaluation,
        bias,
        result,
        training_period=train_period,
        test_period=test_period,
    )
    with transaction.atomic():
        row = SolvabilityModel.objects.create(
            version=model.version,
            fitted_at=now,
            fitted_by=actor,
            parameters=model.to_dict(),
            evaluation=solvability.evaluation_dict(evaluation, bias),
            criteria=solvability.criteria_dict(result),
            passed=result.passed,
            model_card=card,
            training_from=train_period[0],
            training_to=train_period[1],
            test_from=test_period[0],
            test_to=test_period[1],
        )
        if activate and result.passed:
            previous = SolvabilityModel.objects.filter(active=True).first()
            SolvabilityModel.objects.filter(active=True).update(active=False)
            row.active = True
            # A refit does not undo the off switch: only switching on (with a reason) does.
            row.enabled = previous.enabled if previous is not None else True
            row.save(update_fields=["active", "enabled"])
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="selection.solvabilitymodel",
            object_id=row.pk,
            detail={"version": row.version, "passed": row.passed, "active": row.active},
        )
    model_cache_clear()
    readvise_open_cases()
    return row


def readvise_open_cases(teams: Q | None = None) -> int:
    """Cases waiting for first screening (of the base teams ``teams`` selects, or all) get
    the advice of the current rules and model. Each update is conditional on the case still
    waiting, so a case screened meanwhile keeps the advice it was screened with."""
    model = active_model()
    now = timezone.now()
    qs = Case.objects.filter(state=State.REGISTERED).select_related("category")
    if teams is not None:
        qs = qs.filter(base_team__in=BaseTeam.objects.filter(teams))
    changed = 0
    for case in qs.iterator(chunk_size=500):
        apply_advice(case, framework.advise(features_of(case), rules_for(case), model), now)
        changed += Case.objects.filter(pk=case.pk, state=State.REGISTERED).update(
            advice=case.advice,
            advice_score=case.advice_score,
            advice_detail=case.advice_detail,
            advised_at=now,
        )
    return changed


def model_switch(row: SolvabilityModel, *, actor: Any, enabled: bool, reason: str) -> None:
    """The off switch (and back on). Needs a reason; audited."""
    if not reason.strip():
        raise TransitionError(422, "Geef een reden.", {"reason": ["Verplicht."]})
    SolvabilityModel.objects.filter(pk=row.pk).update(enabled=enabled)
    audit_log(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type="selection.solvabilitymodel",
        object_id=row.pk,
        detail={"enabled": enabled, "reason": reason.strip()},
    )
    model_cache_clear()
    readvise_open_cases()


# --------------------------------------------------------------------------- victim's view

VICTIM_TEXT: dict[State, str] = {
    State.REGISTERED: (
        "Uw aangifte is ontvangen. Binnen drie werkdagen bekijken wij of er aanknopingspunten "
        "zijn voor een onderzoek."
    ),
    State.REJECTED: (
        "Uw aangifte is beoordeeld. Er zijn op dit moment onvoldoende aanknopingspunten om een "
        "onderzoek te starten. Uw aangifte blijft geregistreerd en telt mee. Als er nieuwe "
        "informatie komt, kan de zaak opnieuw worden bekeken. Heeft u zelf nieuwe informatie, "
        "neem dan contact op met de politie en noem uw registratienummer."
    ),
    State.TAKEN_UP: (
        "Uw zaak is in behandeling genomen. Er wordt bekeken welke aanpak het beste past."
    ),
    State.AT_ZSM: (
        "Uw zaak is voorgelegd aan het Openbaar Ministerie, dat snel beslist over de afhandeling."
    ),
    State.SETTLED_ZSM: "Uw zaak is afgehandeld door het Openbaar Ministerie.",
    State.TERMINATED_EARLY: (
        "Het onderzoek naar uw zaak is beëindigd. Uw aangifte blijft geregistreerd. Als er "
        "nieuwe informatie komt, kan de zaak opnieuw worden bekeken."
    ),
    State.UNDER_INVESTIGATION: "Uw zaak is in onderzoek bij de politie.",
    State.SOLVED: (
        "Er is een verdachte in beeld. De politie maakt de zaak klaar voor het Openbaar Ministerie."
    ),
    State.WITH_OM: (
        "De zaak is overgedragen aan het Openbaar Ministerie, dat beslist over vervolging."
    ),
    State.OM_DECIDED: "Het Openbaar Ministerie heeft een beslissing genomen.",
    State.COURT_DECIDED: "De rechter heeft uitspraak gedaan.",
}
#: Decisions and reasons as the reporter reads them (no codes, nothing about others).
VICTIM_DECISION: dict[str, str] = {
    "insufficient_leads": "Er zijn onvoldoende aanknopingspunten voor onderzoek.",
    "not_police_matter": "Het gaat om een zaak die niet door de politie wordt behandeld.",
    "no_criminal_offence": "Wat u meldt is geen strafbaar feit.",
    "duplicate": "Deze melding is al eerder geregistreerd.",
    "local_priority": "De zaak valt buiten de prioriteiten van de politie in uw gebied.",
    "suspect_unknown": "De dader kon niet worden gevonden.",
    "better_intervention": "Er is gekozen voor een andere aanpak dan een strafzaak.",
    "victim_withdrew": "U heeft uw aangifte ingetrokken.",
    "capacity": "Andere zaken hadden voorrang.",
    "om_strafbeschikking": "De verdachte heeft een straf opgelegd gekregen (strafbeschikking).",
    "conditional_dismissal": "De zaak is voorwaardelijk geseponeerd.",
    "halt": "De zaak is buiten de rechter om afgedaan.",
    "mediation": "Er is gekozen voor bemiddeling.",
    "policy_dismissal": "De zaak is geseponeerd.",
    "summons_fast_track": "De verdachte moet voor de rechter verschijnen (snelrecht).",
    "summons": "De verdachte moet voor de rechter verschijnen.",
    "strafbeschikking": "De verdachte heeft een straf opgelegd gekregen (strafbeschikking).",
    "dismissal": "De zaak is geseponeerd.",
    "conviction": "De verdachte is veroordeeld.",
    "acquittal": "De verdachte is vrijgesproken.",
}


def victim_view(case: Case) -> dict[str, Any]:
    """What the reporter sees: the stage, the decision in plain Dutch, dates, the offences.
    No names, no reasons beyond the fixed texts, no other involved persons."""
    state = State(case.state)
    last = case.events.order_by("-seq").first()
    decision = ""
    if last is not None:
        for key in (
            "court_outcome",
            "om_decision",
            "settlement",
            "termination_reason",
            "reject_reason",
        ):
            value = last.fields.get(key)
            if value:
                decision = VICTIM_DECISION.get(str(value), "")
                break
    from regie.selection.flow import STATE_LABELS

    return {
        "stage": STATE_LABELS[state],
        "stage_text": VICTIM_TEXT[state],
        "decision": decision,
        "number": case.registration.number,
        "reported_at": case.reported_at,
        "changed_at": case.state_changed_at,
        "offences": list(
            case.registration.offences.order_by("seq").values_list("category__title", flat=True)
        ),
    }
