"""Reads of the search index, always within need-to-know.

:func:`visible_documents` is the one access filter, in SQL: the kinds the user's role may
search (legal-assistance messages only for the LIRC), documents up to the user's clearance,
and either the document's own place within the user's scope (registrations; documents
without a place only nationally) or, for core objects, at least one registration involving
them that the user may see (a grant within scope and clearance). Counts are taken after it,
so a hit count never reveals what the user may not see.

:func:`search` takes the most recent :data:`WINDOW` matching documents (identifier matches
always), ranks them (identifier first, then full-text rank plus name similarity, then date)
and returns one page with highlighted snippets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from regie.organisation.access import clearance_of, has_perm, position_of
from regie.organisation.roles import Perm, ScopeLevel
from regie.search.backends import backend
from regie.search.models import SearchDocument, SearchGrant, SearchIdentifier
from regie.search.providers import Provider, providers
from regie.search.text import ParsedQuery, parse_query, snippet, snippet_html

#: How many of the most recent matching documents are ranked (and counted).
WINDOW = 1000
PAGE_SIZE = 20


def searchable(user: Any) -> list[Provider]:
    """The sources the user's role may search (none without the search permission)."""
    if not has_perm(user, Perm.SEARCH):
        return []
    return [p for p in providers() if has_perm(user, p.perm)]


def _scope(user: Any) -> Q | None:
    """Q over the place columns (base_team_id, district_id, unit_id) within the user's
    scope; ``None``: everywhere (national)."""
    position = position_of(user)
    if position is None:
        return Q(pk__in=[])
    level = ScopeLevel(position.scope_level)
    if level is ScopeLevel.NATIONAL:
        return None
    if level is ScopeLevel.UNIT:
        return Q(unit_id=position.unit_id)
    if level is ScopeLevel.DISTRICT:
        return Q(district_id=position.district_id)
    if level is ScopeLevel.BASE_TEAM:
        return Q(base_team_id=position.base_team_id)
    return Q(pk__in=[])


@dataclass(frozen=True)
class Area:
    """A district or base team within the user's scope (the area filter)."""

    value: str
    label: str
    column: str
    pk: int


def areas_for(user: Any) -> list[Area]:
    from regie.organisation.access import base_team_filter
    from regie.organisation.models import BaseTeam, District

    teams = BaseTeam.objects.select_related("district").order_by("district__code", "code")
    team_q = base_team_filter(user)
    if team_q is not None:
        teams = teams.filter(team_q)
    team_list = list(teams)
    position = position_of(user)
    out: list[Area] = []
    if position is not None and position.scope_level != ScopeLevel.BASE_TEAM:
        district_ids = {t.district_id for t in team_list}
        for d in District.objects.filter(pk__in=district_ids).order_by("code"):
            out.append(Area(f"d:{d.code}", f"{d.name} ({d.code})", "district_id", d.pk))
    out.extend(Area(f"t:{t.code}", f"{t.name} ({t.code})", "base_team_id", t.pk) for t in team_list)
    return out


def visible_parts(
    user: Any, *, kinds: list[str] | None = None, area: Area | None = None
) -> list[QuerySet[SearchDocument]]:
    """The documents the user may find, as two querysets with simple conditions each (so
    the database can combine the text index with the scope index): documents with their own
    place, and core objects visible through a grant."""
    allowed = [p.kind for p in searchable(user)]
    if kinds:
        allowed = [k for k in allowed if k in kinds]
    if not allowed:
        return []
    clearance = int(clearance_of(user))
    place = _scope(user)
    if area is not None:
        area_q = Q(**{area.column: area.pk})
        place = area_q if place is None else place & area_q
    grants = SearchGrant.objects.filter(document=OuterRef("pk"), confidentiality__lte=clearance)
    qs = SearchDocument.objects.filter(confidentiality__lte=clearance)
    # Excluding the few kinds the user may not search, rather than listing the allowed ones,
    # keeps PostgreSQL from scanning the (kind, object id) index for the whole table.
    others = [p.kind for p in providers() if p.kind not in allowed]
    if others:
        qs = qs.exclude(kind__in=others)
    direct = qs.filter(via_grants=False)
    if place is not None:
        grants = grants.filter(place)
        direct = direct.filter(place)
    return [direct, qs.filter(via_grants=True).filter(Exists(grants))]


def visible_documents(
    user: Any, *, kinds: list[str] | None = None, area: Area | None = None
) -> QuerySet[SearchDocument]:
    parts = visible_parts(user, kinds=kinds, area=area)
    if not parts:
        return SearchDocument.objects.none()
    return SearchDocument.objects.filter(
        Q(pk__in=parts[0].values("pk")) | Q(pk__in=parts[1].values("pk"))
    )


@dataclass
class Hit:
    kind: str
    kind_label: str
    object_id: int
    title_html: str
    snippet_html: str
    date: dt.datetime | None
    identifier_match: bool
    rank: float


@dataclass
class SearchResult:
    parsed: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    #: Matching documents the user may see (at most WINDOW text matches plus identifiers).
    count: int = 0
    #: More text matches exist than were ranked: refine the query or the filters.
    capped: bool = False
    page: int = 1
    pages: int = 0


def search(user: Any, text: str, **kwargs: Any) -> SearchResult:
    """See :func:`_search`. On PostgreSQL in a read transaction without JIT compilation: the
    planner's cost estimates for full-text plans reach the JIT threshold, and compiling took
    longer (20-100 ms a query) than running them."""
    if connection.vendor != "postgresql":
        return _search(user, text, **kwargs)
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
        return _search(user, text, **kwargs)


def _search(
    user: Any,
    text: str,
    *,
    kinds: list[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    area: Area | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    parsed = parse_query(text)
    result = SearchResult(parsed=parsed, page=page)
    if parsed.empty:
        return result
    parts = visible_parts(user, kinds=kinds, area=area)
    if not parts:
        return result
    if date_from is not None:
        parts = [p.filter(date__date__gte=date_from) for p in parts]
    if date_to is not None:
        parts = [p.filter(date__date__lte=date_to) for p in parts]
    by_identifier: list[tuple[int, dt.datetime | None]] = []
    if parsed.identifiers:
        # Looked up first (exact, indexed), then checked against the access filter by id:
        # as a subquery, PostgreSQL walked the whole date index looking for them.
        candidates = list(
            SearchIdentifier.objects.filter(value__in=parsed.identifiers).values_list(
                "document_id", flat=True
            )[: WINDOW * 2]
        )
        if candidates:
            by_identifier = _newest(p.filter(pk__in=candidates) for p in parts)
    by_text: list[tuple[int, dt.datetime | None]] = []
    match = backend().match(parsed)
    # An identifier found is the answer: its text ("AB12CD") is not searched as words too.
    if match is not None and not by_identifier:
        by_text = _recent_matches([p.filter(match) for p in parts], date_from)
    ident_set = {pk for pk, _ in by_identifier}
    candidates_all = by_identifier + [c for c in by_text if c[0] not in ident_set]
    result.count = len(candidates_all)
    result.capped = len(by_text) >= WINDOW
    if not candidates_all:
        return result
    rank_of = backend().ranks(parsed, [pk for pk, _ in candidates_all])
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    ranked = sorted(
        candidates_all,
        key=lambda c: (c[0] in ident_set, rank_of.get(c[0], 0.0), c[1] or epoch, c[0]),
        reverse=True,
    )
    result.pages = (len(ranked) + page_size - 1) // page_size
    result.page = page = max(1, min(page, result.pages))
    page_rows = ranked[(page - 1) * page_size : page * page_size]
    docs = {d.pk: d for d in SearchDocument.objects.filter(pk__in=[pk for pk, _ in page_rows])}
    labels = {p.kind: str(p.label) for p in providers()}
    for pk, _date in page_rows:
        d = docs[pk]
        result.hits.append(
            Hit(
                kind=d.kind,
                kind_label=labels.get(d.kind, d.kind),
                object_id=d.object_id,
                title_html=snippet_html(snippet(d.title, parsed, words=60)),
                snippet_html=snippet_html(snippet(d.body, parsed)),
                date=d.date,
                identifier_match=pk in ident_set,
                rank=rank_of.get(pk, 0.0),
            )
        )
    return result


#: The periods searched one after the other, most recent first, until WINDOW matches are
#: found: a common word ("fiets") is then matched within the last months only, so the
#: database visits a fraction of its matching rows; a rare one ends in the whole index.
SLICES = (dt.timedelta(days=92), dt.timedelta(days=366), dt.timedelta(days=3 * 366), None)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _newest(
    querysets: Iterable[QuerySet[SearchDocument]],
    *,
    also: Iterable[tuple[int, dt.datetime | None]] = (),
) -> list[tuple[int, dt.datetime | None]]:
    """The WINDOW most recent (pk, date) over these querysets (one query each) and ``also``."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    rows: list[tuple[int, dt.datetime | None]] = list(also)
    for qs in querysets:
        # Ordered by an expression, not the column: with the date index at hand PostgreSQL
        # walks it newest first and tests every row against the text query, which for a
        # rare word means the whole table; this way it takes the (few) matches from the
        # text index and sorts them.
        rows.extend(
            qs.annotate(newest=Coalesce("date", Value(_EPOCH)))
            .order_by("-newest")
            .values_list("pk", "date")[:WINDOW]
        )
    rows.sort(key=lambda r: r[1] or epoch, reverse=True)
    return rows[:WINDOW]


def _recent_matches(
    parts: list[QuerySet[SearchDocument]], date_from: dt.date | None
) -> list[tuple[int, dt.datetime | None]]:
    """The newest WINDOW matches: core objects (few) in one query, documents with their own
    place (registrations: many) slice by slice."""
    direct, granted = parts
    objects = _newest([granted])
    now = timezone.now()
    for span in SLICES:
        if span is None:
            return _newest([direct], also=objects)
        since = now - span
        if date_from is not None and since.date() <= date_from:
            continue  # the user's own period is narrower: the next slice is the same
        found = _newest([direct.filter(date__gte=since)], also=objects)
        if len(found) >= WINDOW:
            return found
    return objects


def can_open(user: Any, kind: str, object_id: int) -> bool:
    """Whether the user may find this object (what opening a result requires)."""
    return visible_documents(user, kinds=[kind]).filter(object_id=object_id).exists()
