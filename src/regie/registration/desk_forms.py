"""The desk officer's aangifte form: one registration, several offences, persons and goods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.registration.inputs import (
    AddressIn,
    GoodIn,
    InvolvementIn,
    OffenceIn,
    PersonIn,
    RegistrationIn,
)
from regie.registration.models import Channel, GoodKind, IncidentCode, Kind, Role

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def incident_code_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, title in IncidentCode.objects.order_by("code").values_list("code", "title"):
        seen.setdefault(code, f"{code} {title}")
    return [("", "—"), *sorted(seen.items())]


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=Kind.choices, initial=Kind.AANGIFTE)
    channel = forms.ChoiceField(label=_("Kanaal"), choices=Channel.choices, initial=Channel.DESK)
    occurred_from = forms.DateTimeField(label=_("Gepleegd vanaf"), widget=DATETIME)
    occurred_to = forms.DateTimeField(label=_("Gepleegd tot en met"), widget=DATETIME)
    reported_at = forms.DateTimeField(label=_("Gemeld op"), widget=DATETIME)
    street = forms.CharField(label=_("Straat"), required=False, max_length=100)
    house_number = forms.CharField(label=_("Huisnummer"), required=False, max_length=10)
    house_number_suffix = forms.CharField(label=_("Toevoeging"), required=False, max_length=10)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=7)
    city = forms.CharField(label=_("Plaats"), required=False, max_length=80)
    x = forms.FloatField(label=_("RD x (meter)"), required=False)
    y = forms.FloatField(label=_("RD y (meter)"), required=False)
    narrative = forms.CharField(
        label=_("Relaas"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    modus_operandi = forms.CharField(label=_("Modus operandi"), required=False, max_length=200)
    damage_amount = forms.DecimalField(
        label=_("Schadebedrag (EUR)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["reported_at"].initial = now


class OffenceForm(forms.Form):
    incident_code = forms.ChoiceField(label=_("Incidentcode"), required=False, choices=())
    attempt = forms.BooleanField(label=_("Poging"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident_code"].choices = incident_code_choices()  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("incident_code")


PERSON_ROLE_CHOICES = [
    (r.value, r.label)
    for r in (Role.REPORTER, Role.VICTIM, Role.WITNESS, Role.SUSPECT, Role.ARRESTED)
]


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=PERSON_ROLE_CHOICES)
    first_names = forms.CharField(label=_("Voornamen"), required=False, max_length=100)
    particle = forms.CharField(label=_("Tussenvoegsel"), required=False, max_length=20)
    surname = forms.CharField(label=_("Achternaam"), required=False, max_length=100)
    date_of_birth = forms.DateField(label=_("Geboortedatum"), required=False, widget=DATE)
    bsn = forms.CharField(label=_("BSN"), required=False, max_length=11)
    nationality = forms.CharField(label=_("Nationaliteit"), required=False, max_length=3)
    existing_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (d.get("surname") or d.get("bsn") or d.get("existing_id"))


GOOD_ROLE_CHOICES = [
    (r.value, r.label) for r in (Role.STOLEN_GOOD, Role.FOUND_GOOD, Role.DAMAGED_GOOD)
]


class GoodForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=GOOD_ROLE_CHOICES)
    kind = forms.ChoiceField(label=_("Soort"), choices=GoodKind.choices)
    brand = forms.CharField(label=_("Merk"), required=False, max_length=100)
    description = forms.CharField(label=_("Omschrijving"), required=False, max_length=200)
    frame_number = forms.CharField(label=_("Framenummer"), required=False, max_length=40)
    plate = forms.CharField(label=_("Kenteken"), required=False, max_length=10)
    imei = forms.CharField(label=_("IMEI"), required=False, max_length=20)
    serial_number = forms.CharField(label=_("Serienummer"), required=False, max_length=60)

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not any(
            d.get(k)
            for k in ("brand", "description", "frame_number", "plate", "imei", "serial_number")
        )


OffenceFormSet = formset_factory(OffenceForm, extra=3, max_num=20)
PersonFormSet = formset_factory(PersonForm, extra=3, max_num=20)
GoodFormSet = formset_factory(GoodForm, extra=2, max_num=20)


def build_input(
    main: RegistrationForm, offences: Any, persons: Any, goods: Any
) -> tuple[RegistrationIn, dict[str, tuple[str, int, str | None]]]:
    """The RegistrationIn for the bound, valid forms, and a map from the service's error
    paths (``offences[0]``, ``involvements[2]``) to (form group, form index, field prefix)."""
    d = main.cleaned_data
    where: dict[str, tuple[str, int, str | None]] = {}
    offence_list: list[OffenceIn] = []
    for i, f in enumerate(offences.forms):
        if f.cleaned_data and not f.is_blank():
            where[f"offences[{len(offence_list)}]"] = ("offences", i, None)
            offence_list.append(
                OffenceIn(
                    f.cleaned_data["incident_code"], attempt=bool(f.cleaned_data.get("attempt"))
                )
            )
    involvements: list[InvolvementIn] = []
    for i, f in enumerate(persons.forms):
        if f.cleaned_data and not f.is_blank():
            c = f.cleaned_data
            where[f"involvements[{len(involvements)}]"] = ("persons", i, "person")
            involvements.append(
                InvolvementIn(
                    c["role"],
                    person=PersonIn(
                        first_names=c.get("first_names") or "",
                        surname=c.get("surname") or "",
                        particle=c.get("particle") or "",
                        date_of_birth=c.get("date_of_birth"),
                        bsn=c.get("bsn") or None,
                        nationality=c.get("nationality") or "",
                        existing_id=c.get("existing_id"),
                    ),
                )
            )
    for i, f in enumerate(goods.forms):
        if f.cleaned_data and not f.is_blank():
            c = f.cleaned_data
            where[f"involvements[{len(involvements)}]"] = ("goods", i, "good")
            involvements.append(
                InvolvementIn(
                    c["role"],
                    good=GoodIn(
                        kind=c["kind"],
                        brand=c.get("brand") or "",
                        description=c.get("description") or "",
                        frame_number=c.get("frame_number") or None,
                        plate=c.get("plate") or None,
                        imei=c.get("imei") or None,
                        serial_number=c.get("serial_number") or None,
                    ),
                )
            )
    address = AddressIn(
        street=d.get("street") or "",
        house_number=d.get("house_number") or "",
        house_number_suffix=d.get("house_number_suffix") or "",
        postcode=d.get("postcode") or "",
        city=d.get("city") or "",
    )
    reg = RegistrationIn(
        kind=d["kind"],
        channel=d["channel"],
        occurred_from=d["occurred_from"],
        occurred_to=d["occurred_to"],
        reported_at=d["reported_at"],
        offences=tuple(offence_list),
        involvements=tuple(involvements),
        narrative=d.get("narrative") or "",
        modus_operandi=d.get("modus_operandi") or "",
        damage_amount=d.get("damage_amount"),
        x=d.get("x"),
        y=d.get("y"),
        address=address if any(vars(address).values()) else None,
    )
    return reg, where


def attach_errors(
    errors: dict[str, list[str]],
    where: dict[str, tuple[str, int, str | None]],
    main: RegistrationForm,
    groups: dict[str, Any],
) -> None:
    """Put the service's validation errors next to the fields they concern."""
    for path, messages in errors.items():
        head, _, rest = path.partition(".")
        if head in where:
            group, index, prefix = where[head]
            form = groups[group].forms[index]
            field = rest.split(".", 1)[1] if prefix and "." in rest else (rest or None)
            if field == "role" and prefix:
                field = "role"
            if field is not None and field not in form.fields:
                field = None
            for m in messages:
                form.add_error(field, m)
        elif path in main.fields:
            for m in messages:
                main.add_error(path, m)
        elif path.startswith("address."):
            field = path.split(".", 1)[1]
            for m in messages:
                main.add_error(field if field in main.fields else None, m)
        else:
            for m in messages:
                main.add_error(None, m)
