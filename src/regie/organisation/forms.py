from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.organisation.geodata import RD, WGS84
from regie.organisation.roles import Role


class LocateForm(forms.Form):
    CRS_CHOICES = [
        (RD, _("RD New (EPSG:28992), meters")),
        (WGS84, _("WGS84 (EPSG:4326), lengte- en breedtegraad")),
    ]
    x = forms.FloatField(label=_("X / lengtegraad"))
    y = forms.FloatField(label=_("Y / breedtegraad"))
    crs = forms.ChoiceField(label=_("Coördinatenstelsel"), choices=CRS_CHOICES, initial=RD)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        x, y, crs = data.get("x"), data.get("y"), data.get("crs")
        if x is None or y is None or crs is None:
            return data
        if not (math.isfinite(x) and math.isfinite(y)):
            raise forms.ValidationError(_("Coördinaten moeten eindige getallen zijn."))
        if crs == RD and not (-7_000 <= x <= 300_000 and 289_000 <= y <= 629_000):
            raise forms.ValidationError(
                _("Deze RD-coördinaten liggen buiten Nederland (x 0–300.000, y 289.000–629.000).")
            )
        if crs == WGS84 and not (3.2 <= x <= 7.3 and 50.7 <= y <= 53.7):
            raise forms.ValidationError(
                _(
                    "Deze lengte-/breedtegraad ligt buiten Nederland (lengte 3,2–7,3; breedte "
                    "50,7–53,7). Let op de volgorde: eerst lengtegraad."
                )
            )
        return data


class StaffSearchForm(forms.Form):
    q = forms.CharField(label=_("Naam of personeelsnummer"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Rol"), required=False, choices=[("", _("Alle rollen")), *Role.choices]
    )
    team = forms.CharField(label=_("Basisteam (code)"), required=False, max_length=16)
