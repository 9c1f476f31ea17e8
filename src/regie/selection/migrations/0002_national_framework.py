"""Loads the national rules of the Selectiviteitskader (version 1)."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from regie.selection.services import load_national_framework

    load_national_framework(
        rule_model=apps.get_model("selection", "FrameworkRule"),
        category_model=apps.get_model("registration", "OffenceCategory"),
    )


class Migration(migrations.Migration):
    dependencies = [("selection", "0001_initial"), ("registration", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
