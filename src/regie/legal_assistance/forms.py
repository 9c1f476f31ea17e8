"""Forms of the LIRC screens; the services validate again (they are the only writers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.legal_assistance.models import KIND_CHOICES, PRIORITY_CHOICES, Status
from regie.legal_assistance.services import ANSWER_TEMPLATES, MAX_ANSWER, MAX_REASON

STATUS_FILTERS = [
    ("open", _("open (nieuw, beoordeeld, toegewezen)")),
    *Status.choices,
    ("alle", _("alle")),
]


class QueueFilterForm(forms.Form):
    soort = forms.ChoiceField(
        label=_("Soort"), required=False, choices=[("", _("alle soorten")), *KIND_CHOICES]
    )
    prioriteit = forms.TypedChoiceField(
        label=_("Prioriteit"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("alle")), *PRIORITY_CHOICES],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTERS)
    mijn = forms.BooleanField(label=_("Alleen aan mij toegewezen"), required=False)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Nieuwe prioriteit"), coerce=int, choices=PRIORITY_CHOICES
    )
    reason = forms.CharField(label=_("Reden"), max_length=MAX_REASON)


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Medewerker"), coerce=int, choices=[])

    def __init__(self, *args: Any, officers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.pk, u.get_full_name()) for u in officers]  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Sjabloon"), choices=[(t.code, t.label) for t in ANSWER_TEMPLATES.values()]
    )
    text = forms.CharField(
        label=_("Tekst van het antwoord"),
        max_length=MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Toelichting"), max_length=MAX_REASON, required=False)


class ResubmitForm(forms.Form):
    payload = forms.CharField(
        label=_("Gecorrigeerd bericht (JSON of XML)"),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        strip=False,
    )
