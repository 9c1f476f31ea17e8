"""Create the audit chain head row up front, so concurrent first writers never race to
create it."""

from django.db import migrations

GENESIS = "0" * 64


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    head = apps.get_model("audit", "AuditChainHead")
    if not head.objects.filter(pk=1).exists():
        entry = apps.get_model("audit", "AuditEntry")
        last = entry.objects.order_by("-seq").first()
        if last is None:
            head.objects.create(pk=1, seq=0, hash=GENESIS)
        else:
            head.objects.create(pk=1, seq=last.seq, hash=last.hash)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
