"""Entity resolution of the core objects: the trained models, the person matcher in use, the
batch run and the human review queue (issue 7, part 1; ADR 0019).

* **Training** (:func:`train_model`) fits a Splink model (:mod:`regie.intelligence.er`) on the
  register's persons, goods or locations, unsupervised, and stores it
  (:class:`MatchModel`). Activating a *person* model also swaps the person matcher of every
  intake path.
* **The person matcher in use** (:func:`person_matcher`): the active person model's
  :class:`~regie.intelligence.er.matcher.SplinkPersonMatcher` (scored in Python, no engine per
  query), or the rule-based matcher while no person model is active. Processes notice a newly
  activated model within ``MATCHER_RECHECK_SECONDS``; this process at once. Goods and
  locations keep their identifier rules on entry (frame number, plate, IMEI, serial,
  normalised address); the batch finds what those rules miss (typos). Organisations have no
  batch model: with a name and a KvK number only, unsupervised training has no field left to
  learn the name comparison from; they stay matched on KvK number and normalised name.
* **Batch** (:func:`resolve`): every pair at or above the review threshold (0.50) goes to the
  review queue (:class:`PairReview`), most probable first. Nothing is merged automatically: a
  core object is never linked on similarity alone (ADR 0008), also not in batch;
  "waarschijnlijk dezelfde" (>= 0.90) only orders the queue. Pairs of persons with two
  different BSNs are left out: that register says they differ.
* **Review** (:func:`decide_pair`, :func:`undo_pair`): a human merges (through
  :func:`~regie.registration.services.core_object_merge`, which keeps the history and audits)
  or records "different"; a merge can be undone (a split). Every decision is audited.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import models, transaction
from django.utils import timezone

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.registration.matching import PersonMatcher, RuleBasedPersonMatcher
from regie.registration.models import (
    Good,
    Location,
    MatchModel,
    ObjectType,
    PairReview,
    PairStatus,
    Person,
)

#: A process re-reads which person model is active at most this often.
MATCHER_RECHECK_SECONDS: Final = 30.0
#: Fewer objects than this give no usable unsupervised model.
MIN_TRAINING_RECORDS: Final = 1000
#: Pairs from here up go to the review queue.
REVIEW_THRESHOLD: Final = 0.50
#: Pairs from here up are shown as "waarschijnlijk dezelfde".
LIKELY_THRESHOLD: Final = 0.90

RULES: Final = RuleBasedPersonMatcher()


@dataclass(frozen=True)
class Kind:
    """What the resolution compares of one kind of core object."""

    model: type[models.Model]
    #: Model fields compared, named so that :func:`~regie.intelligence.er.prepare.field_role`
    #: gives them the right role (names, date of birth, codes, text).
    fields: tuple[str, ...]
    #: A registry number: two different values mean two different objects.
    registry_field: str | None = None
    #: Which pairs are compared (SQL over the prepared ``f_<field>`` columns); empty: the
    #: rules the resolver derives from the fields (names, date of birth, adjacent fields).
    blocking: tuple[str, ...] = ()
    #: The EM sessions' blocking when ``blocking`` is given (see EntityResolver).
    training_blocking: tuple[str, ...] = ()
    #: Only objects with at least one of these fields take part (a good without any
    #: identifier has nothing to be resolved on).
    require_any: tuple[str, ...] = ()


def _ends(*columns: str, length: int = 4) -> tuple[str, ...]:
    """Pairs that share the first or the last characters of a column: one typo leaves at
    least one end intact (for values of ``2 * length + 1`` characters or more)."""
    rules = []
    for col in columns:
        rules.append(f"substr(l.{col}, 1, {length}) = substr(r.{col}, 1, {length})")
        rules.append(f"substr(l.{col}, -{length}) = substr(r.{col}, -{length})")
    return tuple(rules)


KINDS: Final[dict[str, Kind]] = {
    ObjectType.PERSON: Kind(
        Person, ("first_names", "particle", "surname", "date_of_birth"), registry_field="bsn"
    ),
    ObjectType.GOOD: Kind(
        Good,
        ("kind", "brand", "frame_number", "plate", "imei", "serial_number"),
        blocking=_ends("f_frame_number", "f_plate", "f_imei", "f_serial_number"),
        # Per kind and brand: bounded blocks in which the identifier comparisons are learnt.
        training_blocking=("l.f_kind = r.f_kind AND l.f_brand = r.f_brand",),
        require_any=("frame_number", "plate", "imei", "serial_number"),
    ),
    ObjectType.LOCATION: Kind(Location, ("street", "house_number", "postcode", "city")),
}


class ResolutionError(Exception):
    """A request that cannot be carried out; the message is for the user (Dutch)."""


def _kind(object_type: str) -> Kind:
    kind = KINDS.get(object_type)
    if kind is None:
        raise ResolutionError(f"Onbekende soort {object_type!r}; kies uit {', '.join(KINDS)}.")
    return kind


# --- The person matcher of the intake paths -----------------------------------------------------


@dataclass
class _Active:
    checked: float
    model_id: int | None
    matcher: PersonMatcher


_lock = threading.Lock()
_active: _Active | None = None


def person_matcher() -> PersonMatcher:
    """The person matcher of the intake paths: the active person model's, else the rules."""
    global _active
    now = time.monotonic()
    current = _active
    if current is not None and now - current.checked < MATCHER_RECHECK_SECONDS:
        return current.matcher
    with _lock:
        model_id = (
            MatchModel.objects.filter(object_type=ObjectType.PERSON, active=True)
            .values_list("pk", flat=True)
            .first()
        )
        if current is not None and current.model_id == model_id:
            current.checked = now
            return current.matcher
        matcher: PersonMatcher = RULES
        if model_id is not None:
            from regie.intelligence.er.matcher import SplinkPersonMatcher

            matcher = SplinkPersonMatcher(MatchModel.objects.get(pk=model_id).model)
        _active = _Active(now, model_id, matcher)
        return matcher


def forget_matcher() -> None:
    """Make this process read the active person model again on the next match."""
    global _active
    with _lock:
        _active = None


# --- Training and activation ------------------------------------------------------------------


def _frame(object_type: str, ids: Sequence[int] | None = None) -> Any:
    """The unmerged objects of a kind (or the given ids) as raw records: id + the fields."""
    import pandas as pd

    kind = _kind(object_type)
    qs = kind.model.objects.all()  # type: ignore[attr-defined]
    qs = qs.filter(pk__in=ids) if ids is not None else qs.filter(merged_into__isnull=True)
    if kind.require_any:
        present = models.Q(pk__in=[])
        for field in kind.require_any:
            present |= models.Q(**{f"{field}__isnull": False}) & ~models.Q(**{field: ""})
        qs = qs.filter(present)
    columns = ("pk", *kind.fields)
    rows = list(qs.order_by("pk").values_list(*columns).iterator(chunk_size=5000))
    frame = pd.DataFrame(rows, columns=["id", *kind.fields])
    frame["id"] = frame["id"].astype(str)
    return frame


def train_model(
    object_type: str,
    *,
    actor: Any,
    activate: bool = True,
    seed: int = 42,
    min_records: int = MIN_TRAINING_RECORDS,
) -> MatchModel:
    """Train a model on the register's objects of a kind and store it (active when
    ``activate``)."""
    from regie.intelligence.er.model import EntityResolver

    kind = _kind(object_type)
    frame = _frame(object_type)
    if len(frame) < min_records:
        raise ResolutionError(
            f"Te weinig {kind.model._meta.verbose_name_plural} om een model te trainen: "
            f"{len(frame)} (minimaal {min_records})."
        )
    started = time.perf_counter()
    resolver = EntityResolver.from_records(
        frame,
        "id",
        list(kind.fields),
        blocking=kind.blocking,
        training_blocking=kind.training_blocking,
    )
    resolver.train(seed=seed)
    stored = MatchModel.objects.create(
        object_type=object_type,
        trained_by=actor,
        record_count=len(frame),
        model=resolver.model(),
        summary={"seed": seed, "training_seconds": round(time.perf_counter() - started, 1)},
    )
    audit_log(
        actor=actor,
        action=Action.CREATE,
        object_type="registration.matchmodel",
        object_id=stored.pk,
        purpose=Purpose.WPG8,
        detail={"kind": object_type, "records": len(frame)},
    )
    if activate:
        activate_model(object_type, stored.pk, actor=actor)
        stored.refresh_from_db()
    return stored


def activate_model(object_type: str, model_id: int | None, *, actor: Any) -> None:
    """Make ``model_id`` the active model of its kind (``None``: none; for persons that means
    the rule-based matcher)."""
    _kind(object_type)
    with transaction.atomic():
        if (
            model_id is not None
            and not MatchModel.objects.filter(pk=model_id, object_type=object_type).exists()
        ):
            raise ResolutionError(f"Model {model_id} bestaat niet voor soort {object_type}.")
        MatchModel.objects.filter(object_type=object_type, active=True).update(active=False)
        if model_id is not None:
            MatchModel.objects.filter(pk=model_id).update(active=True)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="registration.matchmodel",
            object_id=model_id if model_id is not None else object_type,
            purpose=Purpose.WPG8,
            detail={"kind": object_type, "active": model_id},
        )
    forget_matcher()


# --- Batch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    object_type: str
    objects: int
    pairs: int
    new_reviews: int
    updated_reviews: int
    skipped_decided: int
    skipped_registry: int
    obsolete: int
    seconds: float


def resolve(
    object_type: str,
    *,
    actor: Any,
    engine: str = "duckdb",
    spark_session: Any = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Score every plausible pair of (unmerged) objects of a kind with the active model and
    put the pairs at or above :data:`REVIEW_THRESHOLD` in the review queue. Pairs already
    decided stay decided; open pairs get the new probability. Open pairs whose objects were
    merged or deleted meanwhile become obsolete. Rerunnable: never a second review for the
    same pair."""
    from regie.intelligence.er.model import EntityResolver

    kind = _kind(object_type)
    stored = MatchModel.objects.filter(object_type=object_type, active=True).first()
    if stored is None:
        raise ResolutionError(
            f"Er is geen actief model voor soort {object_type}; train er eerst een."
        )
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    frame = _frame(object_type)
    say(f"{len(frame)} objecten ({object_type})")
    registry: dict[int, str] = {}
    if kind.registry_field:
        registry = {
            pk: value
            for pk, value in kind.model.objects.filter(  # type: ignore[attr-defined]
                merged_into__isnull=True, **{f"{kind.registry_field}__isnull": False}
            ).values_list("pk", kind.registry_field)
            if value
        }
    resolver = EntityResolver.from_records(
        frame,
        "id",
        list(kind.fields),
        model=stored.model,
        review_threshold=REVIEW_THRESHOLD,
        engine=engine,
        spark_session=spark_session,
    )
    pairs = resolver.predict(REVIEW_THRESHOLD)
    say(f"{len(pairs)} paren vanaf {REVIEW_THRESHOLD}")
    reasons = _pair_reasons(object_type, stored.model, frame, pairs)
    existing = {
        (a, b): (pk, status)
        for pk, a, b, status in PairReview.objects.filter(object_type=object_type).values_list(
            "pk", "id_a", "id_b", "status"
        )
    }
    new: list[PairReview] = []
    updated = skipped_decided = skipped_registry = 0
    for id_l, id_r, probability in pairs.itertuples(index=False, name=None):
        a, b = sorted((int(id_l), int(id_r)))
        if registry.get(a) and registry.get(b) and registry[a] != registry[b]:
            skipped_registry += 1
            continue
        why = reasons.get((a, b), [])
        known = existing.get((a, b))
        if known is None:
            new.append(
                PairReview(
                    object_type=object_type,
                    id_a=a,
                    id_b=b,
                    match_probability=round(float(probability), 6),
                    reasons=why,
                    model=stored,
                )
            )
        elif known[1] == PairStatus.OPEN:
            PairReview.objects.filter(pk=known[0]).update(
                match_probability=round(float(probability), 6), reasons=why, model=stored
            )
            updated += 1
        else:
            skipped_decided += 1
    with transaction.atomic():
        PairReview.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        alive = kind.model.objects.filter(merged_into__isnull=True).values("pk")  # type: ignore[attr-defined]
        open_pairs = PairReview.objects.filter(object_type=object_type, status=PairStatus.OPEN)
        obsolete = open_pairs.exclude(id_a__in=alive).update(
            status=PairStatus.OBSOLETE, decided_at=timezone.now()
        ) + open_pairs.exclude(id_b__in=alive).update(
            status=PairStatus.OBSOLETE, decided_at=timezone.now()
        )
    result = BatchResult(
        object_type=object_type,
        objects=len(frame),
        pairs=len(pairs),
        new_reviews=len(new),
        updated_reviews=updated,
        skipped_decided=skipped_decided,
        skipped_registry=skipped_registry,
        obsolete=obsolete,
        seconds=round(time.perf_counter() - started, 1),
    )
    stored.summary = {**stored.summary, "last_batch": result.__dict__}
    stored.save(update_fields=["summary"])
    audit_log(
        actor=actor,
        action=Action.CREATE,
        object_type="registration.pairreview",
        object_id="batch",
        purpose=Purpose.WPG8,
        detail=result.__dict__,
    )
    return result


def _pair_reasons(
    object_type: str, model: dict[str, Any], frame: Any, pairs: Any
) -> dict[tuple[int, int], list[str]]:
    """The Dutch reasons per pair: the comparison levels, from the Python scorer (the same
    model, so the same levels as Splink's; term-frequency adjustments only change the
    probability)."""
    from regie.intelligence.er.matcher import _reason
    from regie.intelligence.er.prepare import prepare_frame
    from regie.intelligence.er.score import PairScorer, UnsupportedModel

    if len(pairs) == 0:
        return {}
    try:
        scorer = PairScorer(model)
    except UnsupportedModel:
        return {}
    ids = set(pairs.id_l) | set(pairs.id_r)
    prepared, _ = prepare_frame(frame[frame["id"].isin(ids)], "id", list(KINDS[object_type].fields))
    records = {int(r["unique_id"]): r for r in prepared.to_dict("records")}
    out: dict[tuple[int, int], list[str]] = {}
    for id_l, id_r in zip(pairs.id_l, pairs.id_r, strict=True):
        a, b = sorted((int(id_l), int(id_r)))
        if a in records and b in records:
            levels = scorer.score(records[a], records[b]).levels
            out[(a, b)] = list(
                dict.fromkeys(_reason(name, label) for name, label in levels.items() if label)
            )
    return out


# --- Review -----------------------------------------------------------------------------------


def _reason_text(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ResolutionError("Geef een reden.")
    return text[:200]


def decide_pair(
    review_id: int,
    *,
    actor: Any,
    decision: str,
    reason: str,
    survivor_id: int | None = None,
) -> PairReview:
    """Merge the pair (``decision="merge"``; the survivor defaults to the older object) or
    record that they are different (``"different"``)."""
    from regie.registration.services import MergeError, core_object_merge

    text = _reason_text(reason)
    if decision not in ("merge", "different"):
        raise ResolutionError(f"Onbekende beslissing {decision!r}.")
    with transaction.atomic():
        review = PairReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise ResolutionError("Paar niet gevonden.")
        if review.status != PairStatus.OPEN:
            raise ResolutionError(
                f"Over dit paar is al beslist ({review.get_status_display().lower()})."
            )
        if decision == "merge":
            survivor = survivor_id if survivor_id is not None else review.id_a
            if survivor not in (review.id_a, review.id_b):
                raise ResolutionError("Het blijvende object moet een van beide zijn.")
            merged = review.id_b if survivor == review.id_a else review.id_a
            try:
                event = core_object_merge(
                    review.object_type,
                    survivor_id=survivor,
                    merged_id=merged,
                    actor=actor,
                    reason=f"dubbelencontrole: {text}",
                )
            except MergeError as error:
                raise ResolutionError(str(error)) from error
            review.status = PairStatus.MERGED
            review.merge_event = event
        else:
            review.status = PairStatus.DIFFERENT
        review.decided_at = timezone.now()
        review.decided_by = actor
        review.reason = text
        review.save(update_fields=["status", "merge_event", "decided_at", "decided_by", "reason"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="registration.pairreview",
            object_id=review.pk,
            purpose=Purpose.WPG8,
            detail={
                "decision": decision,
                "kind": review.object_type,
                "objects": [review.id_a, review.id_b],
                "reason": text,
            },
        )
    return review


def undo_pair(review_id: int, *, actor: Any, reason: str) -> PairReview:
    """Undo a merge made from the queue (a split); the pair is then decided "split"."""
    from regie.registration.services import MergeError, core_object_split

    text = _reason_text(reason)
    with transaction.atomic():
        review = PairReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise ResolutionError("Paar niet gevonden.")
        if review.status != PairStatus.MERGED or review.merge_event_id is None:
            raise ResolutionError("Alleen een samenvoeging kan ongedaan worden gemaakt.")
        try:
            core_object_split(review.merge_event_id, actor=actor, reason=text)
        except MergeError as error:
            raise ResolutionError(str(error)) from error
        review.status = PairStatus.SPLIT
        review.decided_at = timezone.now()
        review.decided_by = actor
        review.reason = text
        review.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="registration.pairreview",
            object_id=review.pk,
            purpose=Purpose.WPG8,
            detail={"decision": "split", "kind": review.object_type, "reason": text},
        )
    return review


def review_objects(review: PairReview) -> tuple[Any, Any]:
    """The two objects of a pair (``None`` for one that no longer exists)."""
    model = _kind(review.object_type).model
    found = {o.pk: o for o in model.objects.filter(pk__in=[review.id_a, review.id_b])}  # type: ignore[attr-defined]
    return found.get(review.id_a), found.get(review.id_b)
