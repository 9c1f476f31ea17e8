"""Forms of the tip line: the public questionnaire and follow-up, and the desk's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import Municipality
from regie.tips.models import Topic
from regie.tips.services import MAX_TEXT


def municipality_choices() -> list[tuple[str, str]]:
    return [
        ("", str(_("— onbekend of niet van toepassing —"))),
        *Municipality.objects.order_by("name").values_list("code", "name"),
    ]


class ProofOfWorkFields(forms.Form):
    pow_token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    pow_nonce = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)


def _area(label: Any, help_text: Any, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TipForm(ProofOfWorkFields):
    topic = forms.ChoiceField(label=_("Waar gaat uw melding over?"), choices=Topic.choices)
    what = _area(
        _("Wat gebeurt er?"),
        _("Beschrijf wat er gebeurt of gebeurd is. Schrijf niets over uzelf."),
        required=True,
    )
    who = _area(_("Wie is erbij betrokken?"), _("Namen, bijnamen, signalement, voertuigen."))
    where = _area(_("Waar gebeurt het?"), _("Adres, plaats of omschrijving van de plek."))
    municipality = forms.ChoiceField(label=_("In welke gemeente?"), required=False, choices=[])
    when = _area(_("Wanneer gebeurt het?"), _("Datum, tijd, hoe vaak."))
    how = _area(_("Hoe gebeurt het?"), _("Werkwijze, spullen, geld."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipality_choices()  # type: ignore[attr-defined]


class PhoneTipForm(TipForm):
    """The operator's form for a call to 0800-7000 (no proof of work: staff are signed in)."""

    pow_token = None  # type: ignore[assignment]
    pow_nonce = None  # type: ignore[assignment]


class ReceiptForm(ProofOfWorkFields):
    code = forms.CharField(
        label=_("Uw bonnummer (16 cijfers)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class AddInformationForm(ReceiptForm):
    text = _area(_("Aanvullende informatie of uw antwoord"), "", required=True)


class RewriteForm(forms.Form):
    rewrite = forms.CharField(
        label=_("Herschreven tekst (wordt doorgezet)"),
        max_length=MAX_TEXT * 2,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Vraag aan de melder"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UnlockForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Wachtwoord van de sleutel"), widget=forms.PasswordInput, max_length=200
    )


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("Wat is er met de melding gedaan?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
