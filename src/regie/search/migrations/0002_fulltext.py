"""The full-text part of the index, per database (see search/backends.py).

PostgreSQL: pg_trgm, a generated tsvector column with the 'dutch' configuration and GIN
indexes on it and on the folded names. SQLite: the FTS5 table holding Dutch stems.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('dutch'::regconfig, coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('dutch'::regconfig, coalesce(body, '')), 'B')"
    " || setweight(to_tsvector('dutch'::regconfig, coalesce(names, '')), 'C')) STORED",
    # Two partial indexes: the search asks for documents with their own place and for core
    # objects (visible through grants) separately; one index made the second query visit
    # every matching registration on the heap (424 ms -> ~40 ms on 300k documents).
    "CREATE INDEX search_doc_tsv_own ON search_searchdocument USING gin (tsv)"
    " WHERE NOT via_grants",
    "CREATE INDEX search_doc_tsv_granted ON search_searchdocument USING gin (tsv)"
    " WHERE via_grants",
    "CREATE INDEX search_doc_names_trgm ON search_searchdocument"
    " USING gin (names gin_trgm_ops) WHERE names <> ''",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_names_trgm",
    "DROP INDEX IF EXISTS search_doc_tsv_granted",
    "DROP INDEX IF EXISTS search_doc_tsv_own",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, names, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
