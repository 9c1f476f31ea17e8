"""Recreate the append-only triggers with the per-session maintenance switch (used only by
the test suite to empty the database between transactional tests)."""

from django.db import migrations

from regie.audit.services import append_only_trigger_sql


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    table = apps.get_model("audit", "AuditEntry")._meta.db_table
    for sql in append_only_trigger_sql(schema_editor.connection.vendor, table):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_head")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
