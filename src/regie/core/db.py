"""Small database helpers the ORM has no public form for."""

from __future__ import annotations

from typing import Any

from django.db import connection


def insert_unless_taken(obj: Any) -> bool:
    """Insert the unsaved model instance ``obj`` unless a row with one of its unique values
    is there already: ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL, and
    SQLite from 3.35). Returns True and sets ``obj.pk`` when inserted; False when another
    row holds a unique value (the caller then looks that row up).

    One round trip instead of ``get_or_create``'s four for a new row (look, savepoint,
    insert, release), and no savepoint to roll back when a concurrent writer was first: a
    conflict does not abort the surrounding transaction. Other errors (check constraints,
    foreign keys) are raised as usual."""
    opts = obj._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    qn = connection.ops.quote_name
    # Only quoted table and column names of the model are put into the text; values are
    # parameters.
    sql = (
        f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT DO NOTHING RETURNING {qn(opts.pk.column)}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, values)
        row = cur.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True
