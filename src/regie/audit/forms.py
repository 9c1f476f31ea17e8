from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.audit.models import Action, Outcome, Purpose


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("Gebruiker"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Objecttype"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object-id"), required=False, max_length=64)
    action = forms.ChoiceField(
        label=_("Handeling"), required=False, choices=[("", _("Alle")), *Action.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Doel"), required=False, choices=[("", _("Alle")), *Purpose.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Uitkomst"), required=False, choices=[("", _("Alle")), *Outcome.choices]
    )
    date_from = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in ("date_from", "date_to"):
            value = data.get(field)
            if value is not None and not (1900 <= value.year <= 2999):
                self.add_error(field, _("Kies een datum tussen 1900 en 2999."))
                data.pop(field, None)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("De einddatum ligt vóór de begindatum."))
        return data
