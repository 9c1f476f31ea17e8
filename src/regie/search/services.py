"""Writes of the search index. Runs inside the transaction of the change that causes it, so
the index never shows what was rolled back and never misses what was committed."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.search.backends import backend
from regie.search.models import SearchDocument, SearchGrant, SearchIdentifier
from regie.search.providers import CORE_KINDS, CoreProvider, Doc, Grant, provider, providers
from regie.search.text import name_keys

_FIELDS = (
    "title",
    "body",
    "names",
    "date",
    "confidentiality",
    "via_grants",
    "base_team_id",
    "district_id",
    "unit_id",
)


def _row(doc: Doc) -> SearchDocument:
    return SearchDocument(
        kind=doc.kind,
        object_id=doc.object_id,
        title=doc.title,
        body=doc.body,
        names=name_keys(doc.names),
        date=doc.date,
        confidentiality=doc.confidentiality,
        via_grants=doc.grants is not None,
        base_team_id=doc.base_team_id,
        district_id=doc.district_id,
        unit_id=doc.unit_id,
    )


def _grant_rows(doc_pk: int, grants: Iterable[Grant]) -> list[SearchGrant]:
    return [
        SearchGrant(
            document_id=doc_pk,
            registration_id=g.registration_id,
            confidentiality=g.confidentiality,
            base_team_id=g.base_team_id,
            district_id=g.district_id,
            unit_id=g.unit_id,
        )
        for g in grants
    ]


def write_documents(docs: Sequence[Doc], *, new: bool = False) -> int:
    """Insert or replace these documents (with their identifiers, grants and full text);
    ``new``: the caller knows none of them is indexed yet."""
    if not docs:
        return 0
    by_kind: dict[str, list[int]] = defaultdict(list)
    for d in docs:
        by_kind[d.kind].append(d.object_id)
    existing: dict[tuple[str, int], int] = {}
    for kind, object_ids in ({} if new else by_kind).items():
        for pk, oid in SearchDocument.objects.filter(
            kind=kind, object_id__in=object_ids
        ).values_list("pk", "object_id"):
            existing[(kind, oid)] = pk
    with transaction.atomic():
        rows = [_row(d) for d in docs]
        to_create = [r for r in rows if (r.kind, r.object_id) not in existing]
        old = []
        for r in rows:
            found = existing.get((r.kind, r.object_id))
            if found is not None:
                r.pk = found
                old.append(r)
        if old:
            SearchDocument.objects.bulk_update(old, _FIELDS, batch_size=500)
            SearchIdentifier.objects.filter(document_id__in=[r.pk for r in old]).delete()
            SearchGrant.objects.filter(document_id__in=[r.pk for r in old]).delete()
        if to_create:
            SearchDocument.objects.bulk_create(to_create, batch_size=500)
        pk_of = {(r.kind, r.object_id): r.pk for r in rows}
        idents: list[SearchIdentifier] = []
        grants: list[SearchGrant] = []
        for d in docs:
            pk = pk_of[(d.kind, d.object_id)]
            idents.extend(SearchIdentifier(document_id=pk, value=v[:80]) for v in d.identifiers)
            if d.grants:
                grants.extend(_grant_rows(pk, d.grants))
        SearchIdentifier.objects.bulk_create(idents, batch_size=1000)
        SearchGrant.objects.bulk_create(grants, batch_size=1000)
        backend().write([(r.pk, r.title, r.body, r.names) for r in rows])
    return len(docs)


def remove_objects(kind: str, object_ids: Iterable[int]) -> int:
    """Remove the documents of these objects (deleted, or merged into another)."""
    pks = list(
        SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)).values_list(
            "pk", flat=True
        )
    )
    if not pks:
        return 0
    backend().delete(pks)
    SearchDocument.objects.filter(pk__in=pks).delete()
    return len(pks)


def index_objects(kind: str, object_ids: Sequence[int]) -> int:
    """(Re)build the documents of these objects; objects that no longer exist or are merged
    into another lose theirs (the survivor's document is rebuilt instead)."""
    if not object_ids:
        return 0
    docs = provider(kind).build(object_ids)
    written = write_documents(docs)
    built = {d.object_id for d in docs}
    remove_objects(kind, [i for i in object_ids if i not in built])
    return written


_COLUMNS = (
    ("person", "person_id"),
    ("organisation", "organisation_id"),
    ("good", "good_id"),
    ("location", "location_id"),
)


def index_new_registrations(ids: Sequence[int], new: Sequence[Any] | None = None) -> None:
    """New registrations: their documents, and the core objects they involve become
    findable by whoever may see them. Objects created with them are built from one read;
    objects already indexed only get a grant row (and a later date): the cost does not grow
    with how often an object was seen before. ``new``: the writer's
    :class:`~regie.registration.signals.NewRegistration` rows (saves reading the
    involvements back)."""
    from regie.registration.models import Involvement

    docs = provider("registration").build(ids)
    place = {d.object_id: d for d in docs}
    involved: dict[str, dict[int, list[int]]] = {k: defaultdict(list) for k in CORE_KINDS}
    created: set[tuple[str, int]] = set()
    if new is not None:
        for n in new:
            for inv in n.involvements:
                kind = inv.column.removesuffix("_id")
                involved[kind][inv.object_id].append(n.id)
                if inv.created:
                    created.add((kind, inv.object_id))
    else:
        for row in Involvement.objects.filter(registration_id__in=ids).values_list(
            "registration_id", *(c for _, c in _COLUMNS)
        ):
            for (kind, _c), obj_id in zip(_COLUMNS, row[1:], strict=True):
                if obj_id is not None:
                    involved[kind][obj_id].append(row[0])

    def grants_of(reg_ids: list[int]) -> list[Grant]:
        regs = [place[r] for r in dict.fromkeys(reg_ids) if r in place]
        return [
            Grant(r.object_id, r.confidentiality, r.base_team_id, r.district_id, r.unit_id)
            for r in regs
        ]

    def latest(reg_ids: list[int]) -> dt.datetime | None:
        dates = [d for d in (place[r].date for r in reg_ids if r in place) if d is not None]
        return max(dates, default=None)

    wanted = Q()
    for kind, objs in involved.items():
        if objs:
            wanted |= Q(kind=kind, object_id__in=list(objs))
    found: dict[tuple[str, int], tuple[int, dt.datetime | None]] = {}
    if wanted:
        found = {
            (kind, oid): (pk, date)
            for pk, kind, oid, date in SearchDocument.objects.filter(wanted).values_list(
                "pk", "kind", "object_id", "date"
            )
        }
    fresh: list[Doc] = list(docs)
    rebuild: dict[str, list[int]] = defaultdict(list)
    grants: list[SearchGrant] = []
    changed: list[SearchDocument] = []
    for kind, objs in involved.items():
        brand_new = {
            o: r for o, r in objs.items() if (kind, o) in created and (kind, o) not in found
        }
        if brand_new:
            core = provider(kind)
            assert isinstance(core, CoreProvider)
            fresh.extend(
                core.build_new(
                    {o: grants_of(r) for o, r in brand_new.items()},
                    {o: latest(r) for o, r in brand_new.items()},
                )
            )
        for oid, reg_ids in objs.items():
            if oid in brand_new:
                continue
            if (kind, oid) not in found:
                rebuild[kind].append(oid)
                continue
            pk, date = found[(kind, oid)]
            grants.extend(_grant_rows(pk, grants_of(reg_ids)))
            last = latest(reg_ids)
            if last is not None and (date is None or last > date):
                changed.append(SearchDocument(pk=pk, date=last))
    write_documents(fresh, new=True)
    SearchGrant.objects.bulk_create(grants, batch_size=1000, ignore_conflicts=True)
    if changed:
        SearchDocument.objects.bulk_update(changed, ["date"], batch_size=500)
    for kind, oids in rebuild.items():
        index_objects(kind, oids)


def registration_changed(registration_id: int) -> None:
    """A stored registration changed (its text, place or confidentiality): its document and
    the grants it gives to the core objects it involves."""
    index_objects("registration", [registration_id])
    doc = SearchDocument.objects.filter(kind="registration", object_id=registration_id).first()
    if doc is not None:
        SearchGrant.objects.filter(registration_id=registration_id).update(
            confidentiality=doc.confidentiality,
            base_team_id=doc.base_team_id,
            district_id=doc.district_id,
            unit_id=doc.unit_id,
        )


def registration_removed(registration_id: int) -> None:
    remove_objects("registration", [registration_id])
    SearchGrant.objects.filter(registration_id=registration_id).delete()


@dataclass(frozen=True)
class ReindexReport:
    kind: str
    documents: int
    seconds: float


def reindex(
    kinds: Sequence[str] | None = None,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> list[ReindexReport]:
    """Rebuild the index of these kinds (default all) from the sources: every document
    rewritten, documents of objects that are gone removed. One transaction per batch."""
    reports = []
    wanted = list(kinds) if kinds else [p.kind for p in providers()]
    for kind in wanted:
        p = provider(kind)
        started = time.monotonic()
        done = 0
        seen: set[int] = set()
        for batch in p.all_ids():
            with transaction.atomic():
                done += index_objects(kind, batch)
            seen.update(batch)
            if progress is not None:
                progress(kind, done)
        stale = (
            set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True)) - seen
        )
        with transaction.atomic():
            for chunk in _chunks(sorted(stale), 2000):
                remove_objects(kind, chunk)
        reports.append(ReindexReport(kind, done, time.monotonic() - started))
    audit_log(
        actor=None,
        action=Action.CHANGE,
        object_type="search.index",
        object_id="reindex",
        purpose=Purpose.WPG13,
        detail={"kinds": wanted, "documents": sum(r.documents for r in reports)},
    )
    return reports


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
