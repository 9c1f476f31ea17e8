"""The full-text part of the index, per database.

PostgreSQL: ``tsv`` is a generated column (title weight A, body B, ``dutch`` configuration)
with a GIN index; names match fuzzily with ``pg_trgm``'s word similarity (``query <% names``,
GIN trigram index, threshold 0.6 by default); the rank is ``ts_rank_cd`` plus the name
similarity. Nothing to write: the database keeps ``tsv`` current itself.

The ``names`` column holds the folded names and their phonetic keys
(:func:`~regie.search.text.name_keys`); the keys are in ``tsv`` too (weight C), so "Jna Berg"
finds "Jan van der Berg" where trigrams alone are too weak for a short transposed name.

SQLite: the FTS5 table ``search_fts(title, body, names)`` with rowid = document id holds the
Dutch stems (:func:`regie.search.text.stems`) and, for names, the folded names and their
phonetic keys (:func:`~regie.search.text.name_keys`), tokenised by ``unicode61`` without
diacritics; the rank is ``bm25`` (title 4, body 1, names 2).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Field, FloatField
from django.db.models.expressions import RawSQL

from regie.search.text import ParsedQuery, fts5_query, pg_tsquery, stems

TABLE = "search_searchdocument"


def _sql(sql: str, params: list[Any], output: Field[Any, Any]) -> RawSQL:
    """SQL made only of this module's constants; every value is a query parameter."""
    return RawSQL(sql, params, output_field=output)  # noqa: S611


class Backend(ABC):
    def write(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        """(document id, title, body, names) of documents just written. Nothing by default:
        PostgreSQL keeps its text columns itself; SQLite's FTS5 table is written here."""
        return None

    def delete(self, doc_ids: Iterable[int]) -> None:
        """Documents about to be removed (nothing by default, as :meth:`write`)."""
        return None

    @abstractmethod
    def match(self, parsed: ParsedQuery) -> Any | None:
        """The SQL condition of a text or name match (``None``: the query has neither)."""

    @abstractmethod
    def ranks(self, parsed: ParsedQuery, doc_ids: Sequence[int]) -> dict[int, float]:
        """The relevance of each of these documents (higher is better; 0 without a text or
        name match)."""


class PostgresBackend(Backend):
    def match(self, parsed: ParsedQuery) -> Any | None:
        parts, params = [], []
        tsq = pg_tsquery(parsed)
        if tsq:
            parts.append(f"{TABLE}.tsv @@ to_tsquery('dutch', %s)")
            params.append(tsq)
        if parsed.name_keys:
            parts.append(f"{TABLE}.tsv @@ to_tsquery('dutch', %s)")
            params.append(" & ".join(parsed.name_keys))
        if len(parsed.name_text) >= 3:
            parts.append(f"(%s <%% {TABLE}.names AND {TABLE}.names <> '')")
            params.append(parsed.name_text)
        if not parts:
            return None
        return _sql("(" + " OR ".join(parts) + ")", params, BooleanField())

    def ranks(self, parsed: ParsedQuery, doc_ids: Sequence[int]) -> dict[int, float]:
        from regie.search.models import SearchDocument

        tsq = pg_tsquery(parsed)
        text = f"ts_rank_cd({TABLE}.tsv, to_tsquery('dutch', %s))" if tsq else "0"
        sql = f"({text} + word_similarity(%s, {TABLE}.names))"
        params = [tsq, parsed.name_text] if tsq else [parsed.name_text]
        rows = (
            SearchDocument.objects.filter(pk__in=list(doc_ids))
            .annotate(rank=_sql(sql, params, FloatField()))
            .values_list("pk", "rank")
        )
        return {pk: float(rank or 0.0) for pk, rank in rows}


class SqliteBackend(Backend):
    def write(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        if not rows:
            return
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM search_fts WHERE rowid = %s", [(pk,) for pk, *_ in rows])
            cur.executemany(
                "INSERT INTO search_fts (rowid, title, body, names) VALUES (%s, %s, %s, %s)",
                [(pk, stems(title), stems(body), names) for pk, title, body, names in rows],
            )

    def delete(self, doc_ids: Iterable[int]) -> None:
        ids = [(pk,) for pk in doc_ids]
        if ids:
            with connection.cursor() as cur:
                cur.executemany("DELETE FROM search_fts WHERE rowid = %s", ids)

    def match(self, parsed: ParsedQuery) -> Any | None:
        expr = fts5_query(parsed)
        if not expr:
            return None
        return _sql(
            f"{TABLE}.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)",  # noqa: S608
            [expr],
            BooleanField(),
        )

    def ranks(self, parsed: ParsedQuery, doc_ids: Sequence[int]) -> dict[int, float]:
        # One pass over the matches: FTS5 evaluates a MATCH per statement, so ranking row by
        # row (a correlated subquery) would load the terms' doclists once per candidate.
        expr = fts5_query(parsed)
        wanted = set(doc_ids)
        if not expr or not wanted:
            return {}
        with connection.cursor() as cur:
            cur.execute(
                "SELECT rowid, -bm25(search_fts, 4.0, 1.0, 2.0) FROM search_fts"
                " WHERE search_fts MATCH %s",
                [expr],
            )
            return {pk: float(r) for pk, r in cur.fetchall() if pk in wanted}


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
