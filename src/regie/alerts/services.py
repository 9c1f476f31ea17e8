"""Writes of the alerts app: loading the definitions, raising flags and watch-list hits for
new registrations (and again, idempotently, for past ones), the officers' actions on flags,
rule changes and watch-list management. Every change is audited; bad input raises
:class:`AlertsError` with a Dutch message and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from regie.alerts.evaluator import (
    SEVERITIES,
    PersonFact,
    RegFacts,
    RuleDef,
    RuleError,
    evaluate,
    parse_rule,
    repeat_windows,
)
from regie.alerts.models import (
    DefinitionLoad,
    Flag,
    FlagEvent,
    FlagStatus,
    Notification,
    Queue,
    QueueScope,
    Rule,
    WatchEntry,
    WatchHit,
    WatchKind,
    WatchList,
)
from regie.audit.models import Action, Purpose
from regie.audit.services import audit_batch, audit_log
from regie.organisation.access import registrations_visible_to
from regie.organisation.roles import Role
from regie.registration.models import (
    Good,
    Involvement,
    MergeEvent,
    Offence,
    OffenceCategory,
    Person,
    Registration,
)
from regie.registration.models import Role as InvolvementRole
from regie.registration.signals import NewRegistration

DATA_FILE = Path(__file__).resolve().parent / "data" / "rules.json"
OBJECT_FLAG = "alerts.flag"
OBJECT_RULE = "alerts.rule"
OBJECT_QUEUE = "alerts.queue"
OBJECT_WATCHLIST = "alerts.watchlist"
OBJECT_ENTRY = "alerts.watchentry"
OBJECT_HIT = "alerts.watchhit"
MAX_WATCH_DAYS = 2 * 366


class AlertsError(ValueError):
    """Bad input for an alerts action; the message is meant for the user."""


# --------------------------------------------------------------------------------------------
# Definitions (queues and rules) from the versioned file
# --------------------------------------------------------------------------------------------


def _role_values() -> set[str]:
    return {r.value for r in Role}


def _check_queue(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise AlertsError("Een wachtrij is een object.")
    code = spec.get("code")
    if not isinstance(code, str) or not code:
        raise AlertsError("Een wachtrij heeft een code.")
    if not isinstance(spec.get("title"), str) or not spec["title"].strip():
        raise AlertsError(f"Wachtrij {code}: naam ontbreekt.")
    if spec.get("scope") not in QueueScope.values:
        raise AlertsError(f"Wachtrij {code}: bereik moet national of organisation zijn.")
    roles = spec.get("member_roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= _role_values():
        raise AlertsError(f"Wachtrij {code}: member_roles moet bestaande rollen noemen.")
    return {
        "title": spec["title"].strip(),
        "description": str(spec.get("description", "")).strip()[:300],
        "scope": spec["scope"],
        "member_roles": sorted(set(roles)),
    }


def read_definitions(path: Path = DATA_FILE) -> tuple[int, dict[str, dict[str, Any]], list[Any]]:
    """(version, queues by code, rule specs) from the file, all checked."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise AlertsError(f"{path}: {e}") from None
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise AlertsError(f"{path}: version moet een geheel getal vanaf 1 zijn.")
    queues = {q.get("code"): _check_queue(q) for q in data.get("queues") or []}
    rules = data.get("rules") or []
    seen: set[str] = set()
    for spec in rules:
        try:
            rule = parse_rule(spec, queues=queues, known_roles=InvolvementRole.values)
        except RuleError as e:
            raise AlertsError(str(e)) from None
        if rule.code in seen:
            raise AlertsError(f"Regel {rule.code} komt twee keer voor.")
        seen.add(rule.code)
    return version, queues, rules


def load_definitions(
    path: Path = DATA_FILE, *, actor: Any = None, force: bool = False
) -> dict[str, Any]:
    """Load the queues and rules of the file when its version is newer than the one loaded
    (or ``force``). Rules changed on the screen (``file_version`` 0) are left alone."""
    version, queues, rules = read_definitions(path)
    loaded = DefinitionLoad.objects.aggregate(v=Max("version"))["v"] or 0
    if loaded >= version and not force:
        return {"version": version, "skipped": True}
    summary: dict[str, Any] = {"version": version, "queues": 0, "rules": 0, "kept": []}
    with transaction.atomic(), audit_batch():
        by_code = {}
        for code, fields in queues.items():
            q, created = Queue.objects.get_or_create(code=code, defaults=fields)
            if not created and any(getattr(q, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(q, k, v)
                q.save()
                created = True
            if created:
                summary["queues"] += 1
                audit_log(
                    actor=actor,
                    action=Action.CHANGE,
                    object_type=OBJECT_QUEUE,
                    object_id=code,
                    purpose=Purpose.WPG13,
                    detail={"file_version": version, **fields},
                )
            by_code[code] = q
        for spec in rules:
            fields = {
                "title": spec["title"].strip(),
                "rationale": spec["rationale"].strip(),
                "queue": by_code[spec["queue"]],
                "severity": spec["severity"],
                "condition": spec["condition"],
                "active": spec.get("active", True),
            }
            rule = Rule.objects.filter(code=spec["code"]).first()
            if rule is None:
                rule = Rule.objects.create(code=spec["code"], file_version=version, **fields)
            elif rule.file_version == 0:
                summary["kept"].append(rule.code)
                continue
            elif any(getattr(rule, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(rule, k, v)
                rule.version += 1
                rule.file_version = version
                rule.save()
            else:
                continue
            summary["rules"] += 1
            audit_log(
                actor=actor,
                action=Action.CHANGE,
                object_type=OBJECT_RULE,
                object_id=rule.code,
                purpose=Purpose.WPG13,
                detail={"file_version": version, "version": rule.version},
            )
        DefinitionLoad.objects.create(version=version, summary=summary)
    return summary


# --------------------------------------------------------------------------------------------
# Active rules, parsed once per change
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveRule:
    id: int
    version: int
    queue_id: int
    severity: str
    definition: RuleDef


_RULES_CACHE: dict[str, Any] = {"stamp": None, "rules": []}
_WATCH_CACHE: dict[str, Any] = {"stamp": None, "entries": {}}


def _stamps() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(rules stamp, watch stamp) in one round trip: counts and latest changes of the rules,
    of the watch entries and of the merges. Parsed rules and the watched objects' surviving
    objects are cached per process until a stamp changes (in any process; a rolled-back
    change brings the old stamp back, and the cache is rebuilt)."""
    rule, entry, merge = Rule._meta.db_table, WatchEntry._meta.db_table, MergeEvent._meta.db_table
    # Table names from the models' meta data; no user input.
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT COUNT(*) FROM {rule}), (SELECT MAX(updated_at) FROM {rule}),"  # noqa: S608
            f" (SELECT MAX(version) FROM {rule}), (SELECT COUNT(*) FROM {entry}),"
            f" (SELECT MAX(added_at) FROM {entry}), (SELECT MAX(removed_at) FROM {entry}),"
            f" (SELECT COUNT(*) FROM {merge}), (SELECT MAX(at) FROM {merge}),"
            f" (SELECT MAX(undone_at) FROM {merge})"
        )
        row = cur.fetchone()
    return tuple(row[:3]), tuple(row[3:])


def active_rules(stamp: tuple[Any, ...] | None = None) -> list[ActiveRule]:
    """The active rules, parsed once per change (see :func:`_stamps`)."""
    key = stamp if stamp is not None else _stamps()[0]
    if _RULES_CACHE["stamp"] != key:
        rules = []
        for r in Rule.objects.filter(active=True).select_related("queue").order_by("code"):
            spec = {
                "code": r.code,
                "title": r.title,
                "rationale": r.rationale,
                "queue": r.queue.code,
                "severity": r.severity,
                "condition": r.condition,
            }
            rules.append(ActiveRule(r.pk, r.version, r.queue_id, r.severity, parse_rule(spec)))
        _RULES_CACHE.update(stamp=key, rules=rules)
    return list(_RULES_CACHE["rules"])


_CATEGORY_CODES: dict[int, str] = {}


def _category_code(pk: int) -> str:
    if pk not in _CATEGORY_CODES:
        _CATEGORY_CODES.update(OffenceCategory.objects.values_list("pk", "code"))
    return _CATEGORY_CODES.get(pk, "")


# --------------------------------------------------------------------------------------------
# Evaluation of new (or past) registrations
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    flags: list[Flag] = field(default_factory=list)
    hits: list[WatchHit] = field(default_factory=list)


@dataclass
class _Reg:
    id: int
    kind: str
    reported_at: dt.datetime
    base_team_id: int | None
    categories: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    confidentiality: int = 1
    #: When it was stored (None: just now, on intake).
    created_at: dt.datetime | None = None
    #: (role, column, object id, created just now, date of birth)
    involved: list[tuple[str, str, int, bool, dt.date | None]] = field(default_factory=list)


def _from_new(new: Sequence[NewRegistration]) -> dict[int, _Reg]:
    regs = {}
    for n in new:
        r = _Reg(n.id, n.kind, n.reported_at, n.base_team_id)
        r.categories = [_category_code(c) for _, c in n.offences]
        r.involved = [
            (i.role, i.column, i.object_id, i.created, i.date_of_birth)
            for i in n.involvements
            if i.column in ("person_id", "good_id")
        ]
        regs[n.id] = r
    return regs


def _from_db(ids: Sequence[int]) -> dict[int, _Reg]:
    regs = {
        pk: _Reg(pk, kind, at, team, created_at=created)
        for pk, kind, at, team, created in Registration.objects.filter(pk__in=ids).values_list(
            "pk", "kind", "reported_at", "base_team_id", "created_at"
        )
    }
    for reg_id, code in Offence.objects.filter(registration_id__in=ids).values_list(
        "registration_id", "category__code"
    ):
        regs[reg_id].categories.append(code)
    for reg_id, role, person, born, good in Involvement.objects.filter(
        registration_id__in=ids
    ).values_list("registration_id", "role", "person_id", "person__date_of_birth", "good_id"):
        if person is not None:
            regs[reg_id].involved.append((role, "person_id", person, False, born))
        elif good is not None:
            regs[reg_id].involved.append((role, "good_id", good, False, None))
    return regs


def _roots(model: Any, ids: Iterable[int]) -> dict[int, int]:
    """Each id's surviving object (following ``merged_into``); ids not merged map to
    themselves."""
    root = {i: i for i in ids}
    pending = set(root)
    for _ in range(10):
        if not pending:
            break
        step = dict(
            model.objects.filter(pk__in=pending, merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        moved = {i: step[r] for i, r in root.items() if r in step}
        root.update(moved)
        pending = set(moved.values())
    return root


def _merged_members(model: Any, roots: Iterable[int]) -> dict[int, int]:
    """Every object that (through merges) points to one of ``roots``, to its root; the
    roots map to themselves."""
    member = {r: r for r in roots}
    frontier = set(member)
    for _ in range(10):
        if not frontier:
            break
        rows = list(
            model.objects.filter(merged_into__in=frontier).values_list("pk", "merged_into_id")
        )
        frontier = set()
        for pk, parent in rows:
            if pk not in member:
                member[pk] = member[parent]
                frontier.add(pk)
    return member


def _victim_counts(
    regs: dict[int, _Reg], windows: set[int]
) -> dict[int, dict[tuple[int, int], int]]:
    """Per registration: (victim person id, days) -> victim registrations in the window."""
    # A person created in this transaction has no earlier registrations, unless several
    # registrations of the same batch share it.
    in_batch: dict[int, int] = defaultdict(int)
    for r in regs.values():
        for role, col, obj, _, _ in r.involved:
            if role == "victim" and col == "person_id":
                in_batch[obj] += 1
    victims = {
        obj
        for r in regs.values()
        for role, col, obj, created, _ in r.involved
        if role == "victim" and col == "person_id" and (not created or in_batch[obj] > 1)
    }
    out: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    if not victims or not windows:
        return out
    members = _merged_members(Person, victims)
    longest = max(windows)
    start = min(r.reported_at for r in regs.values()) - dt.timedelta(days=longest)
    end = max(r.reported_at for r in regs.values())
    seen: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for person, reg_id, at in Involvement.objects.filter(
        role="victim",
        person_id__in=list(members),
        registration__reported_at__gte=start,
        registration__reported_at__lte=end,
    ).values_list("person_id", "registration_id", "registration__reported_at"):
        seen[members[person]].append((reg_id, at))
    for r in regs.values():
        for role, col, obj, _, _ in r.involved:
            if role != "victim" or col != "person_id" or obj not in victims:
                continue
            for days in windows:
                lo = r.reported_at - dt.timedelta(days=days)
                n = len({rid for rid, at in seen[obj] if lo <= at <= r.reported_at})
                out[r.id][(obj, days)] = max(n, 1)
    return out


def _reg_facts(r: _Reg, counts: dict[tuple[int, int], int]) -> RegFacts:
    return RegFacts(
        id=r.id,
        kind=r.kind,
        reported_at=r.reported_at,
        incident_codes=tuple(r.codes),
        categories=tuple(r.categories),
        texts=r.texts,
        persons=tuple(
            PersonFact(role, obj, born)
            for role, col, obj, _, born in r.involved
            if col == "person_id"
        ),
        victim_counts=counts,
    )


def evaluate_registrations(
    ids: Sequence[int],
    *,
    new: Sequence[NewRegistration] | None = None,
    raised_by: str = "intake",
    actor: Any = None,
) -> Outcome:
    """Raise the flags and watch-list hits of these registrations (call inside the
    transaction that stored them). Flags and hits that exist already are not raised again."""
    if not ids:
        return Outcome()
    regs = _from_new(new) if new is not None else _from_db(ids)
    rules_stamp, watch_stamp = _stamps()
    rules = active_rules(rules_stamp)
    outcome = Outcome()
    if rules:
        # One query for the text, confidentiality and incident codes of the whole batch
        # (a second one only for registrations without an offence).
        missing = set(regs)
        for reg_id, code, narrative, mo, conf in Offence.objects.filter(
            registration_id__in=ids
        ).values_list(
            "registration_id",
            "incident_code__code",
            "registration__narrative",
            "registration__modus_operandi",
            "registration__confidentiality",
        ):
            r = regs[reg_id]
            r.codes.append(code)
            if reg_id in missing:
                r.texts = {"narrative": narrative, "modus_operandi": mo}
                r.confidentiality = conf
                missing.discard(reg_id)
        if missing:
            for pk, narrative, mo, conf in Registration.objects.filter(pk__in=missing).values_list(
                "pk", "narrative", "modus_operandi", "confidentiality"
            ):
                regs[pk].texts = {"narrative": narrative, "modus_operandi": mo}
                regs[pk].confidentiality = conf
        counts = _victim_counts(regs, repeat_windows(r.definition for r in rules))
        raised = [
            (regs[fid], raise_)
            for fid in regs
            for raise_ in evaluate(
                _reg_facts(regs[fid], counts.get(fid, {})), [r.definition for r in rules]
            )
        ]
        outcome.flags = _store_flags(raised, rules, raised_by=raised_by, actor=actor)
    outcome.hits = _watch_hits(regs, watch_stamp, canonical=new is not None, actor=actor)
    return outcome


def _store_flags(
    raised: list[tuple[_Reg, Any]], rules: list[ActiveRule], *, raised_by: str, actor: Any
) -> list[Flag]:
    if not raised:
        return []
    by_code = {r.definition.code: r for r in rules}
    existing = set(
        Flag.objects.filter(registration_id__in={r.id for r, _ in raised}).values_list(
            "rule_id", "registration_id"
        )
    )
    rows = []
    for reg, hit in raised:
        rule = by_code[hit.rule]
        if (rule.id, reg.id) in existing:
            continue
        rows.append(
            Flag(
                rule_id=rule.id,
                rule_version=rule.version,
                registration_id=reg.id,
                queue_id=rule.queue_id,
                severity=rule.severity,
                facts=list(hit.facts),
                base_team_id=reg.base_team_id,
                confidentiality=reg.confidentiality,
                raised_by=raised_by,
            )
        )
    Flag.objects.bulk_create(rows, ignore_conflicts=raised_by != "intake")
    # With ignore_conflicts the backend returns no ids: the audit entry names the flag by
    # its stable reference "<rule code>:<registration id>" (a flag is unique per rule and
    # registration) and records the registration, and the flag's id where known.
    codes = {r.id: r.definition.code for r in rules}
    for f in rows:
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type=OBJECT_FLAG,
            object_id=flag_reference(codes[f.rule_id], f.registration_id),
            detail={
                "rule": f.rule_id,
                "registration": f.registration_id,
                "flag": f.pk,
                "queue": f.queue_id,
                "raised_by": raised_by,
            },
        )
    return rows


def flag_reference(rule_code: str, registration_id: int) -> str:
    """The stable reference of a flag in the audit trail (known before it has an id)."""
    return f"{rule_code}:{registration_id}"


# --------------------------------------------------------------------------------------------
# Watch lists
# --------------------------------------------------------------------------------------------


def _watched(stamp: tuple[Any, ...]) -> dict[tuple[str, int], list[tuple[Any, ...]]]:
    """Open watch entries by the surviving object of what they watch:
    (column, root) -> [(entry id, watched id, added at, expires on)]; cached per stamp."""
    if _WATCH_CACHE["stamp"] == stamp:
        return dict(_WATCH_CACHE["entries"])
    entries = list(
        WatchEntry.objects.filter(removed_at__isnull=True).values_list(
            "pk", "person_id", "good_id", "added_at", "expires_on"
        )
    )
    proots = _roots(Person, {p for _, p, _, _, _ in entries if p is not None})
    groots = _roots(Good, {g for _, _, g, _, _ in entries if g is not None})
    by_root: dict[tuple[str, int], list[tuple[Any, ...]]] = defaultdict(list)
    for pk, person, good, added, expires in entries:
        if person is not None:
            by_root[("person_id", proots[person])].append((pk, person, added, expires))
        elif good is not None:
            by_root[("good_id", groots[good])].append((pk, good, added, expires))
    _WATCH_CACHE.update(stamp=stamp, entries=dict(by_root))
    return dict(by_root)


def _watch_hits(
    regs: dict[int, _Reg], stamp: tuple[Any, ...], *, canonical: bool, actor: Any
) -> list[WatchHit]:
    """Hits of the batch. ``canonical``: the involved objects are surviving objects (the
    writers link new registrations to the survivor of any merge); otherwise (past
    registrations) they are followed to their survivor first."""
    by_root = _watched(stamp)
    if not by_root:
        return []
    involved = [(r, role, col, obj) for r in regs.values() for role, col, obj, _, _ in r.involved]
    roots: dict[str, dict[int, int]] = {"person_id": {}, "good_id": {}}
    if not canonical:
        for col, model in (("person_id", Person), ("good_id", Good)):
            roots[col] = _roots(model, {o for _, _, c, o in involved if c == col})
    today = timezone.localdate()
    candidates = []
    for r, role, col, obj in involved:
        root = roots[col].get(obj, obj)
        for entry_id, watched, added, expires in by_root.get((col, root), ()):
            # Only open entries, and only registrations stored since the object is watched
            # ("new" ones), also when past registrations are evaluated again.
            if expires >= today and (r.created_at is None or r.created_at >= added):
                candidates.append((entry_id, r.id, role, obj, obj != watched))
    return _store_hits(candidates, actor=actor)


def _store_hits(candidates: list[tuple[int, int, str, int, bool]], *, actor: Any) -> list[WatchHit]:
    if not candidates:
        return []
    existing = set(
        WatchHit.objects.filter(
            entry_id__in={c[0] for c in candidates},
            registration_id__in={c[1] for c in candidates},
        ).values_list("entry_id", "registration_id", "role")
    )
    rows, seen = [], set()
    for entry_id, reg_id, role, obj, via_merge in candidates:
        key = (entry_id, reg_id, role)
        if key in existing or key in seen:
            continue
        seen.add(key)
        rows.append(
            WatchHit(
                entry_id=entry_id,
                registration_id=reg_id,
                role=role,
                object_id=obj,
                via_merge=via_merge,
            )
        )
    if not rows:
        return []
    WatchHit.objects.bulk_create(rows)
    if any(h.pk is None for h in rows):  # a backend that does not return ids
        rows = list(
            WatchHit.objects.filter(
                entry_id__in={h.entry_id for h in rows},
                registration_id__in={h.registration_id for h in rows},
            )
        )
    _notify(rows)
    for h in rows:
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type=OBJECT_HIT,
            object_id=h.pk,
            detail={"entry": h.entry_id, "registration": h.registration_id, "role": h.role},
        )
    return rows


def _notify(hits: list[WatchHit]) -> None:
    entries = {
        e.pk: e
        for e in WatchEntry.objects.filter(pk__in={h.entry_id for h in hits}).select_related(
            "watch_list", "person", "good"
        )
    }
    lists = {e.watch_list_id for e in entries.values()}
    recipients: dict[int, set[int]] = defaultdict(set)
    for wl_id, owner in WatchList.objects.filter(pk__in=lists).values_list("pk", "owner_id"):
        if owner is not None:
            recipients[wl_id].add(owner)
    for wl_id, user_id in WatchList.subscribers.through.objects.filter(
        watchlist_id__in=lists
    ).values_list("watchlist_id", "user_id"):
        recipients[wl_id].add(user_id)
    reg_ids = {h.registration_id for h in hits}
    numbers = dict(Registration.objects.filter(pk__in=reg_ids).values_list("pk", "number"))
    # Need-to-know: the text names the person, the role and the registration, so only
    # recipients who may see that registration (scope and clearance) are notified; owning or
    # following a list does not open the registrations of other units or higher clearance.
    user_ids = set().union(*recipients.values()) if recipients else set()
    may_see: dict[int, set[int]] = {
        u.pk: set(
            registrations_visible_to(u, Registration.objects.filter(pk__in=reg_ids)).values_list(
                "pk", flat=True
            )
        )
        for u in get_user_model().objects.filter(pk__in=user_ids).select_related("position")
    }
    roles = dict(InvolvementRole.choices)
    rows: list[Notification] = []
    for h in hits:
        e = entries[h.entry_id]
        text = (
            f"Volglijst {e.watch_list.title}: {e} als {roles.get(h.role, h.role)} in "
            f"registratie {numbers.get(h.registration_id, h.registration_id)}"
            + (" (via samenvoeging)" if h.via_merge else "")
        )
        rows.extend(
            Notification(recipient_id=u, hit=h, text=text[:500])
            for u in sorted(recipients[e.watch_list_id])
            if h.registration_id in may_see.get(u, set())
        )
    Notification.objects.bulk_create(rows)


def hits_after_merge(object_type: str, survivor_id: int, merged_id: int) -> list[WatchHit]:
    """After a merge: registrations since an entry was added that involve any object of the
    merged group (the watched one or one now merged with it) become hits."""
    model = {"person": Person, "good": Good}.get(object_type)
    if model is None:
        return []
    col = f"{object_type}_id"
    root = _roots(model, [survivor_id])[survivor_id]
    group = _merged_members(model, [root])
    entries = [
        e
        for e in WatchEntry.objects.filter(
            removed_at__isnull=True,
            expires_on__gte=timezone.localdate(),
            **{f"{object_type}_id__in": list(group)},
        )
    ]
    if not entries:
        return []
    candidates = []
    for e in entries:
        watched = e.object_id
        for reg_id, role, obj in Involvement.objects.filter(
            **{f"{col}__in": list(group)}, registration__created_at__gte=e.added_at
        ).values_list("registration_id", "role", col):
            candidates.append((e.pk, reg_id, role, obj, obj != watched))
    return _store_hits(candidates, actor=None)


# --------------------------------------------------------------------------------------------
# Re-evaluation of past registrations
# --------------------------------------------------------------------------------------------


def evaluate_since(
    since: dt.datetime, *, until: dt.datetime | None = None, batch: int = 1000, actor: Any = None
) -> dict[str, int]:
    """(Re)evaluate the registrations reported since ``since``: idempotent (a flag per rule
    and registration, a hit per entry, registration and role, never twice)."""
    qs = Registration.objects.filter(reported_at__gte=since)
    if until is not None:
        qs = qs.filter(reported_at__lt=until)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    totals = {"registrations": len(ids), "flags": 0, "hits": 0}
    for i in range(0, len(ids), batch):
        with transaction.atomic(), audit_batch():
            out = evaluate_registrations(ids[i : i + batch], raised_by="evaluate", actor=actor)
        totals["flags"] += len(out.flags)
        totals["hits"] += len(out.hits)
    return totals


# --------------------------------------------------------------------------------------------
# Officers' actions on flags
# --------------------------------------------------------------------------------------------

#: Which action may follow which status.
TRANSITIONS: dict[str, set[str]] = {
    FlagStatus.ACKNOWLEDGED: {FlagStatus.OPEN},
    FlagStatus.ASSESSED: {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED},
    FlagStatus.CLOSED: {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED, FlagStatus.ASSESSED},
}


def flag_act(flag_id: int, action: str, *, reason: str, actor: Any) -> Flag:
    if action not in TRANSITIONS:
        raise AlertsError("Onbekende actie.")
    reason = (reason or "").strip()
    if not reason:
        raise AlertsError("Geef een reden of toelichting.")
    if len(reason) > 500:
        raise AlertsError("De toelichting is te lang (maximaal 500 tekens).")
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
        if flag is None:
            raise AlertsError("Signaal niet gevonden.")
        if flag.status not in TRANSITIONS[action]:
            raise AlertsError(
                f"Dit signaal is {FlagStatus(flag.status).label}; deze actie kan niet meer."
            )
        before = flag.status
        flag.status = action
        if action == FlagStatus.ASSESSED:
            flag.assessment = reason
        flag.save(update_fields=["status", "assessment"])
        FlagEvent.objects.create(flag=flag, action=action, reason=reason, actor=actor)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type=OBJECT_FLAG,
            object_id=flag.pk,
            detail={"from": before, "to": action, "reason": reason},
        )
    return flag


# --------------------------------------------------------------------------------------------
# Rule changes on the screen
# --------------------------------------------------------------------------------------------


def rule_update(
    code: str,
    *,
    title: str,
    rationale: str,
    queue: str,
    severity: str,
    condition: str,
    active: bool,
    actor: Any,
) -> Rule:
    """Change a rule; the condition (JSON text) is checked first: nothing changes on an error."""
    try:
        parsed_condition = json.loads(condition)
    except json.JSONDecodeError as e:
        raise AlertsError(
            f"De voorwaarde is geen geldige JSON: {e.msg} (regel {e.lineno})."
        ) from None
    if severity not in SEVERITIES:
        raise AlertsError("Onbekende ernst.")
    spec = {
        "code": code,
        "title": title,
        "rationale": rationale,
        "queue": queue,
        "severity": severity,
        "condition": parsed_condition,
        "active": active,
    }
    try:
        parse_rule(
            spec,
            queues=Queue.objects.values_list("code", flat=True),
            known_roles=InvolvementRole.values,
        )
    except RuleError as e:
        raise AlertsError(str(e)) from None
    with transaction.atomic():
        rule = Rule.objects.select_for_update().filter(code=code).first()
        if rule is None:
            raise AlertsError("Regel niet gevonden.")
        before = {
            "title": rule.title,
            "rationale": rule.rationale,
            "queue": rule.queue.code,
            "severity": rule.severity,
            "condition": rule.condition,
            "active": rule.active,
        }
        after = {**spec}
        after.pop("code")
        after["title"] = title.strip()
        after["rationale"] = rationale.strip()
        if before == after:
            return rule
        rule.title = after["title"]
        rule.rationale = after["rationale"]
        rule.queue = Queue.objects.get(code=queue)
        rule.severity = severity
        rule.condition = parsed_condition
        rule.active = active
        rule.version += 1
        rule.file_version = 0
        rule.edited_by = actor
        rule.save()
        changed = {k: {"voor": before[k], "na": after[k]} for k in after if before[k] != after[k]}
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type=OBJECT_RULE,
            object_id=rule.code,
            purpose=Purpose.WPG13,
            detail={"version": rule.version, "changed": changed},
        )
    return rule


# --------------------------------------------------------------------------------------------
# Watch-list management
# --------------------------------------------------------------------------------------------


def watchlist_create(
    *, code: str, title: str, kind: str, description: str, unit: Any, actor: Any
) -> WatchList:
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        raise AlertsError("Geef een code van hoogstens 32 tekens.")
    if not (title or "").strip():
        raise AlertsError("Geef een naam.")
    if kind not in WatchKind.values:
        raise AlertsError("Kies personen of goederen.")
    if WatchList.objects.filter(code=code).exists():
        raise AlertsError(f"Er is al een volglijst met code {code}.")
    with transaction.atomic():
        wl = WatchList.objects.create(
            code=code,
            title=title.strip()[:120],
            kind=kind,
            description=(description or "").strip()[:300],
            unit=unit,
            owner=actor,
        )
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type=OBJECT_WATCHLIST,
            object_id=wl.pk,
            detail={"code": code, "kind": kind, "unit": getattr(unit, "code", None)},
        )
    return wl


def watch_entry_add(
    wl: WatchList,
    *,
    object_id: int,
    reason: str,
    expires_on: dt.date,
    actor: Any,
    visible_objects: Any = None,
) -> WatchEntry:
    """Watch a person or good. ``visible_objects``: the queryset of objects the actor may
    see (need-to-know); None skips that check (synthetic data, tests)."""
    model = Person if wl.kind == WatchKind.PERSON else Good
    reason = (reason or "").strip()
    if not reason:
        raise AlertsError("Geef een reden voor het volgen.")
    today = timezone.localdate()
    if expires_on <= today:
        raise AlertsError("De vervaldatum moet in de toekomst liggen.")
    if expires_on > today + dt.timedelta(days=MAX_WATCH_DAYS):
        raise AlertsError("Volgen kan voor hoogstens twee jaar; verleng daarna opnieuw.")
    obj = model.objects.filter(pk=object_id).first()
    if obj is None or (
        visible_objects is not None and not visible_objects.filter(pk=object_id).exists()
    ):
        noun = "persoon" if wl.kind == WatchKind.PERSON else "goed"
        raise AlertsError(f"Geen {noun} met nummer {object_id} die u mag inzien.")
    col = "person" if wl.kind == WatchKind.PERSON else "good"
    with transaction.atomic():
        if WatchEntry.objects.filter(watch_list=wl, removed_at__isnull=True, **{col: obj}).exists():
            raise AlertsError("Dit object staat al op deze volglijst.")
        entry = WatchEntry.objects.create(
            watch_list=wl,
            reason=reason[:300],
            expires_on=expires_on,
            added_by=actor,
            **{col: obj},
        )
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type=OBJECT_ENTRY,
            object_id=entry.pk,
            detail={"list": wl.code, col: obj.pk, "expires_on": expires_on, "reason": reason},
        )
    return entry


def watch_entry_remove(entry_id: int, *, reason: str, actor: Any) -> WatchEntry:
    reason = (reason or "").strip()
    if not reason:
        raise AlertsError("Geef een reden voor het beëindigen.")
    with transaction.atomic():
        entry = WatchEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise AlertsError("Vermelding niet gevonden.")
        if entry.removed_at is not None:
            raise AlertsError("Deze vermelding is al beëindigd.")
        entry.removed_at = timezone.now()
        entry.removed_by = actor
        entry.removal_reason = reason[:300]
        entry.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type=OBJECT_ENTRY,
            object_id=entry.pk,
            detail={"removed": True, "reason": reason},
        )
    return entry


def watch_subscribe(wl: WatchList, *, actor: Any, on: bool) -> None:
    with transaction.atomic():
        if on:
            wl.subscribers.add(actor)
        else:
            wl.subscribers.remove(actor)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type=OBJECT_WATCHLIST,
            object_id=wl.pk,
            detail={"subscribed": on},
        )


def mark_notifications_read(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
