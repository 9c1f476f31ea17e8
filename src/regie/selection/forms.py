"""Forms of the case screens, built from the transition table so the screens cannot offer a
move or a field the table does not know."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.selection.flow import ACTION_LABELS, CHOICE_FIELDS, MAX_NOTE, Transition
from regie.selection.leads import LEADS, RECORDED_LEADS

FIELD_LABELS = {
    "reject_reason": _("Reden van afwijzing"),
    "termination_reason": _("Reden van beëindiging"),
    "settlement": _("Afdoening"),
    "return_reason": _("Reden"),
    "om_decision": _("Beslissing OM"),
    "dismissal_reason": _("Sepotgrond"),
    "court_outcome": _("Uitspraak"),
    "reopen_reason": _("Reden van heropenen"),
    "investigator": _("Rechercheur"),
    "note": _("Toelichting"),
    "override_reason": _("Reden om af te wijken van het advies"),
}


class TransitionForm(forms.Form):
    """The fields of one transition. ``investigators`` are (user id, label) choices."""

    def __init__(
        self,
        transition: Transition,
        *args: Any,
        investigators: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", transition.action.value)
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.label = ACTION_LABELS[transition.action]
        for name in (*transition.required, *transition.optional):
            required = name in transition.required
            label = FIELD_LABELS.get(name, name)
            field: forms.Field
            if name in CHOICE_FIELDS:
                field = forms.ChoiceField(
                    label=label,
                    required=required,
                    choices=[("", "—"), *CHOICE_FIELDS[name].items()],
                )
            elif name == "investigator":
                field = forms.TypedChoiceField(
                    label=label,
                    required=required,
                    coerce=int,
                    choices=[("", "—"), *(investigators or [])],
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=required,
                    max_length=MAX_NOTE,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields[name] = field

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class LeadsForm(forms.Form):
    """The leads the screener records (the others follow from the registration)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in sorted(RECORDED_LEADS):
            self.fields[name] = forms.BooleanField(label=LEADS[name], required=False)


class StatusCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Statuscode"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


BULK_ACTIONS = {
    "take_up": _("Oppakken"),
    "reject": _("Afwijzen: onvoldoende opsporingsindicaties"),
}


class BulkForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(label=_("Actie"), choices=list(BULK_ACTIONS.items()))
    override_reason = forms.CharField(
        label=_("Reden om af te wijken van het advies (waar het advies anders luidt)"),
        required=False,
        max_length=MAX_NOTE,
    )

    def __init__(self, *args: Any, case_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(i, str(i)) for i in case_ids]  # type: ignore[attr-defined]
