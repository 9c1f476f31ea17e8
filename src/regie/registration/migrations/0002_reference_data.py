"""Loads the police offence classification and the seriousness ranks."""

from django.db import migrations

from regie.registration.reference import load_offence_reference


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    load_offence_reference(apps.get_model("registration", "OffenceCategory"),
                           apps.get_model("registration", "IncidentCode"))


class Migration(migrations.Migration):
    dependencies = [("registration", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
