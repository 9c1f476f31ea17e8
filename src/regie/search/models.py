"""The search index: one :class:`SearchDocument` per searchable object.

A document carries what is searched (title, Dutch text, folded names, identifiers) and what
decides who may find it: its confidentiality and either its own place in the organisation
(base team, district, unit: registrations, legal-assistance messages) or, for core objects
that are seen through the registrations involving them, one :class:`SearchGrant` per such
registration with that registration's place and confidentiality.

The full-text columns are not Django fields: on PostgreSQL a generated ``tsv`` column
(``to_tsvector('dutch', ...)``) with a GIN index and a trigram index on ``names``; on SQLite
the FTS5 table ``search_fts`` (rowid = document id) holding stems. Both are created by
migration 0002 for the database in use.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    kind = models.CharField(max_length=24)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    #: Person and organisation names (and aliases of merged objects), folded to ASCII lower
    #: case, for fuzzy matching.
    names = models.TextField(blank=True)
    #: When it happened or was reported (registrations), received (messages), last involved
    #: (core objects): the period filter and the tie-break of the ranking.
    date = models.DateTimeField(null=True, blank=True)
    confidentiality = models.PositiveSmallIntegerField(default=1)
    #: Visible through :class:`SearchGrant` rows (core objects) instead of its own place.
    via_grants = models.BooleanField(default=False)
    base_team_id = models.BigIntegerField(null=True, blank=True)
    district_id = models.BigIntegerField(null=True, blank=True)
    unit_id = models.BigIntegerField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once")
        ]
        indexes = [
            models.Index(fields=["-date"], name="search_doc_date"),
            models.Index(fields=["base_team_id", "-date"], name="search_doc_team_date"),
            models.Index(fields=["district_id", "-date"], name="search_doc_district_date"),
            models.Index(fields=["unit_id", "-date"], name="search_doc_unit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchGrant(models.Model):
    """A core object's document is visible to whoever may see this registration."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="grants")
    registration_id = models.BigIntegerField(db_index=True)
    confidentiality = models.PositiveSmallIntegerField()
    base_team_id = models.BigIntegerField(null=True, blank=True)
    district_id = models.BigIntegerField(null=True, blank=True)
    unit_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "registration_id"], name="search_grant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} via registration {self.registration_id}"


class SearchIdentifier(models.Model):
    """An identifier of a document, normalised (``plate:AB12CD``; see ``identifiers.py``)."""

    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="identifiers"
    )
    value = models.CharField(max_length=80, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "value"], name="search_identifier_once")
        ]

    def __str__(self) -> str:
        return self.value
