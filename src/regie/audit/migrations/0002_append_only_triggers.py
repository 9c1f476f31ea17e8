"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the audit
log, on both supported databases."""

from django.db import migrations

from regie.audit.services import append_only_trigger_sql


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    table = apps.get_model("audit", "AuditEntry")._meta.db_table
    for sql in append_only_trigger_sql(schema_editor.connection.vendor, table):
        schema_editor.execute(sql)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    table = apps.get_model("audit", "AuditEntry")._meta.db_table
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS regie_audit_no_change ON {table}")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS regie_audit_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS regie_audit_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
