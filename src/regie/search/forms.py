from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.search.selectors import Area, areas_for, searchable


class SearchForm(forms.Form):
    """The one box, with the filters: kinds, period and area, offered within the user's
    role and scope (an area outside the scope is refused, not silently widened)."""

    q = forms.CharField(
        label=_("Zoeken"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    soort = forms.MultipleChoiceField(
        label=_("Soort"), required=False, widget=forms.CheckboxSelectMultiple
    )
    van = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    gebied = forms.ChoiceField(label=_("Gebied"), required=False)
    pagina = forms.IntegerField(
        required=False, min_value=1, max_value=1000, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = self.fields["soort"]
        assert isinstance(kinds, forms.MultipleChoiceField)
        kinds.choices = [(p.kind, p.label) for p in searchable(user)]
        self._areas = {a.value: a for a in areas_for(user)}
        area = self.fields["gebied"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", _("Heel mijn werkgebied"))] + [
            (a.value, a.label) for a in self._areas.values()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("van"), data.get("tot")
        if start and end and end < start:
            self.add_error("tot", _("De einddatum ligt vóór de begindatum."))
        return data

    @property
    def area(self) -> Area | None:
        value = self.cleaned_data.get("gebied") or ""
        return self._areas.get(value)
