from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

LEVEL_CHOICES = [
    ("national", _("Landelijk")),
    ("unit", _("Eenheid")),
    ("district", _("District")),
    ("base_team", _("Basisteam")),
    ("municipality", _("Gemeente")),
    ("neighbourhood", _("Wijk")),
]
PERIOD_CHOICES = [("year", _("Jaar")), ("quarter", _("Kwartaal")), ("month", _("Maand"))]
#: The longest period one request may count (the frame is built in memory).
MAX_DAYS = 3 * 366


class CountsForm(forms.Form):
    start = forms.DateField(label=_("Gemeld vanaf"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Gemeld tot en met"), widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.ChoiceField(label=_("Niveau"), choices=LEVEL_CHOICES, initial="national")
    period = forms.ChoiceField(label=_("Periode"), choices=PERIOD_CHOICES, initial="year")
    by_category = forms.BooleanField(label=_("Per categorie"), required=False)
    region = forms.CharField(
        label=_("Regio (code, voor de CBS-tabel)"), required=False, max_length=20
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("De einddatum ligt vóór de begindatum."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("Kies een periode van hoogstens drie jaar."))
        return data


BY_CHOICES = [
    ("none", _("Alles samen")),
    ("offence_class", _("Soort criminaliteit (VVC, HIC, ...)")),
    ("category", _("Categorie")),
]


class FunnelForm(CountsForm):
    by = forms.ChoiceField(
        label=_("Uitsplitsen naar"), choices=BY_CHOICES, initial="none", required=False
    )

    def clean_by(self) -> str:
        return str(self.cleaned_data.get("by") or "none")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["by_category"]
        del self.fields["region"]
