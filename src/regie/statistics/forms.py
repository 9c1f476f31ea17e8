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
#: The case funnel is counted per police level (cases are not summed per municipality).
FUNNEL_LEVEL_CHOICES = LEVEL_CHOICES[:4]
PERIOD_CHOICES = [("year", _("Jaar")), ("quarter", _("Kwartaal")), ("month", _("Maand"))]
#: The longest span one request may count, in months (pages and exports stay bounded).
MAX_MONTHS = 10 * 12


class MonthField(forms.Field):
    """A month, ``YYYY-MM`` (what ``<input type="month">`` sends) or a date ``YYYY-MM-DD``
    (its month); cleaned to the first day of the month. The summaries count per month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "JJJJ-MM"})
    default_error_messages = {"invalid": _("Geef een maand op als JJJJ-MM (bijvoorbeeld 2019-07).")}

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 10 or "\x00" in text:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            if len(text) == 7:
                month = dt.date.fromisoformat(f"{text}-01")
            else:
                month = dt.date.fromisoformat(text).replace(day=1)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 1900 <= month.year <= 2100:
            raise forms.ValidationError(
                _("Kies een maand tussen 1900 en 2100."), code="out_of_range"
            )
        return month


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def check_span(form: forms.Form, data: dict[str, Any]) -> None:
    """The months run forwards and span at most :data:`MAX_MONTHS`."""
    start: dt.date | None = data.get("start")
    end: dt.date | None = data.get("end")
    if start and end:
        if end < start:
            form.add_error("end", _("De eindmaand ligt vóór de beginmaand."))
        elif months_between(start, end) >= MAX_MONTHS:
            form.add_error("end", _("Kies een periode van hoogstens tien jaar."))


class CountsForm(forms.Form):
    start = MonthField(label=_("Gemeld vanaf (maand)"))
    end = MonthField(label=_("Gemeld tot en met (maand)"))
    level = forms.ChoiceField(label=_("Niveau"), choices=LEVEL_CHOICES, initial="national")
    period = forms.ChoiceField(label=_("Periode"), choices=PERIOD_CHOICES, initial="year")
    by_category = forms.BooleanField(label=_("Per categorie"), required=False)
    region = forms.CharField(
        label=_("Regio (code, voor de CBS-tabel)"), required=False, max_length=20
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_span(self, data)
        if data.get("level") == "neighbourhood" and data.get("by_category"):
            self.add_error(
                "by_category",
                _("Per categorie is niet beschikbaar op wijkniveau; kies een hoger niveau."),
            )
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
        level = self.fields["level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = FUNNEL_LEVEL_CHOICES


DASHBOARD_LEVELS = [
    ("national", _("Landelijk")),
    ("unit", _("Eenheid")),
    ("district", _("District")),
    ("base_team", _("Basisteam")),
    ("neighbourhood", _("Wijk")),
]
CLASS_CHOICES = [
    ("", _("Alle zaken")),
    ("vvc", _("Veelvoorkomende criminaliteit (VVC)")),
    ("hic", _("High impact crime (HIC)")),
    ("undermining", _("Ondermijning")),
    ("other", _("Overig")),
]


class DashboardForm(forms.Form):
    """Every field is optional: what is left out keeps its default (the user's own region,
    the last twelve months with data, all cases)."""

    start = MonthField(label=_("Vanaf (maand)"), required=False)
    end = MonthField(label=_("Tot en met (maand)"), required=False)
    klasse = forms.ChoiceField(label=_("Zaken"), choices=CLASS_CHOICES, required=False)
    niveau = forms.ChoiceField(
        label=_("Niveau"), choices=DASHBOARD_LEVELS, required=False, widget=forms.HiddenInput
    )
    code = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_span(self, data)
        if data.get("niveau") not in (None, "", "national") and not data.get("code"):
            self.add_error("code", _("Kies een gebied."))
        return data
