from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.registration.models import Kind


class RegistrationSearchForm(forms.Form):
    q = forms.CharField(label=_("Nummer, incidentcode of tekst"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Soort"), required=False, choices=[("", _("Alle")), *Kind.choices]
    )
    team = forms.CharField(label=_("Basisteam (code)"), required=False, max_length=16)
