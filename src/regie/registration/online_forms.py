"""Forms of the citizen's online report: one per crime type, each building a
:class:`~regie.registration.inputs.RegistrationIn`.

Only four high-volume crime types can be reported online (:data:`REPORT_TYPES`); every other
crime needs a call to 0900-8844 or a visit to a police desk. The reporter is always the
citizen logged in with DigiD. The forms check what a citizen can get wrong (times in the
future or in the wrong order, postcode, IBAN, KvK number, licence plate) with specific Dutch
messages; :mod:`regie.registration.validation` checks the result again in the service, and
:meth:`ReportForm.add_service_errors` puts its messages next to the fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import Municipality
from regie.registration.digid import DigiDIdentity
from regie.registration.inputs import (
    AddressIn,
    GoodIn,
    InvolvementIn,
    OffenceIn,
    OrganisationIn,
    PersonIn,
    RegistrationIn,
)
from regie.registration.normalise import (
    name_key,
    normalise_frame_number,
    normalise_kvk,
    normalise_plate,
    normalise_postcode,
    valid_plate_nl,
)
from regie.registration.validation import EARLIEST, Errors

MAX_ITEMS: Final = 20
DATETIME_FORMATS: Final = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"]
DATE_FORMATS: Final = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]

# --- Checks -----------------------------------------------------------------------------------

#: IBAN lengths of common (SEPA) countries; other countries get the general 15-34 check.
IBAN_LENGTHS: Final = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "LU": 20, "ES": 24, "IT": 27, "AT": 20,
    "IE": 22, "PT": 25, "PL": 28, "LT": 20, "LV": 21, "EE": 20, "FI": 18, "DK": 18, "SE": 24,
    "NO": 15, "CH": 21, "CZ": 24, "SK": 24, "HU": 28, "RO": 24, "BG": 22, "GR": 27, "CY": 28,
    "MT": 31, "SI": 19, "HR": 21, "LI": 21, "IS": 26, "MC": 27, "SM": 27,
}  # fmt: skip
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616 mod-97: the first four characters moved to the end, letters as 10..35, the
    number modulo 97 must be 1."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def normalise_iban(value: str) -> str:
    """Uppercase without spaces, or a :class:`~django.forms.ValidationError` with a Dutch
    message that says what is wrong."""
    iban = re.sub(r"[\s.\-]+", "", value).upper()
    if not iban.isascii() or not _IBAN_SHAPE.fullmatch(iban):
        raise forms.ValidationError(
            _(
                "Dit is geen IBAN: een IBAN begint met twee letters voor het land en twee "
                "cijfers, bijvoorbeeld NL91 ABNA 0417 1643 00."
            ),
            code="iban_shape",
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise forms.ValidationError(
            _("Een IBAN uit %(country)s heeft %(length)d tekens; u vulde er %(given)d in."),
            code="iban_length",
            params={"country": iban[:2], "length": expected, "given": len(iban)},
        )
    if not iban_checksum_ok(iban):
        raise forms.ValidationError(
            _(
                "Dit IBAN bestaat niet: het controlegetal klopt niet. Controleer of u het "
                "rekeningnummer goed heeft overgenomen."
            ),
            code="iban_checksum",
        )
    return iban


def parse_euro(value: str) -> Decimal:
    """An amount as citizens type it: "12,50", "1.234,50", "€ 1234.5", "25"."""
    text = re.sub(r"[\s€]|EUR", "", value, flags=re.IGNORECASE)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") == 1 and re.fullmatch(r"\d+\.\d{1,2}", text):
        pass  # a decimal point
    else:
        text = text.replace(".", "")  # thousands separators
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise forms.ValidationError(
            _("Vul een bedrag in euro's in, bijvoorbeeld 125 of 49,95."), code="amount"
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules it out
        raise forms.ValidationError(_("Vul een geldig bedrag in."), code="amount") from exc


class EuroField(forms.CharField):
    def __init__(self, *, maximum: Decimal = Decimal("999999999"), **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)
        self.maximum = maximum

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        amount = parse_euro(text)
        if amount > self.maximum:
            raise forms.ValidationError(
                _("Dit bedrag is te hoog; controleer het bedrag."), code="amount_max"
            )
        return amount


def _datetime_field(label: Any, *, required: bool = True, help_text: Any = "") -> Any:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> Any:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 60})


def _lines(text: str) -> list[str]:
    return [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]


# --- The common form ---------------------------------------------------------------------------


class ReportForm(forms.Form):
    """When, where and what: the part every online report shares."""

    #: Set by each report type.
    incident_code: ClassVar[str] = ""
    category_code: ClassVar[str | None] = None
    #: Type-specific fields, in the order they appear (and are copied into the narrative).
    specific_fields: ClassVar[tuple[str, ...]] = ()
    specific_legend: ClassVar[Any] = ""
    where_legend: ClassVar[Any] = _("Waar is het gebeurd?")
    where_hint: ClassVar[Any] = ""
    #: Address fields that must be filled for this type (the municipality always must).
    address_required: ClassVar[tuple[str, ...]] = ("street", "city")
    from_label: ClassVar[Any] = _("Vanaf (datum en tijd)")
    to_label: ClassVar[Any] = _("Tot en met (datum en tijd)")
    when_hint: ClassVar[Any] = _(
        "Weet u niet precies wanneer het gebeurde? Vul dan het vroegste en het laatste "
        "mogelijke tijdstip in. Weet u het precies, laat het tweede veld dan leeg."
    )

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    occurred_from = _datetime_field(_("Vanaf (datum en tijd)"))
    occurred_to = _datetime_field(_("Tot en met (datum en tijd)"), required=False)
    street = forms.CharField(label=_("Straat"), max_length=100, required=False)
    house_number = forms.CharField(
        label=_("Huisnummer"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("Plaats"), max_length=80, required=False)
    municipality = forms.ChoiceField(
        label=_("Gemeente"),
        help_text=_("Uw aangifte gaat naar het basisteam van deze gemeente."),
    )
    narrative = forms.CharField(
        label=_("Wat is er gebeurd?"),
        max_length=5000,
        widget=_textarea(6),
        help_text=_("Beschrijf in uw eigen woorden wat er is gebeurd, zo precies mogelijk."),
    )
    damage_amount = EuroField(
        label=_("Schadebedrag in euro's"),
        required=False,
        help_text=_("De waarde van wat er gestolen of beschadigd is, als u die weet."),
    )

    #: Reporter fields, added only when DigiD gave no name (the real DigiD returns only a BSN).
    REPORTER_FIELDS: ClassVar[tuple[str, ...]] = (
        "reporter_first_names",
        "reporter_particle",
        "reporter_surname",
        "reporter_date_of_birth",
    )

    def __init__(self, *args: Any, identity: DigiDIdentity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identity = identity
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = [
            ("", _("— kies een gemeente —")),
            *Municipality.objects.order_by("name").values_list("code", "name"),
        ]
        self.fields["occurred_from"].label = self.from_label
        self.fields["occurred_to"].label = self.to_label
        self.fields["occurred_from"].help_text = self.when_hint
        for name in self.address_required:
            self.fields[name].required = True
        if not identity.surname:
            self.fields["reporter_first_names"] = forms.CharField(
                label=_("Uw voornamen"), max_length=100
            )
            self.fields["reporter_particle"] = forms.CharField(
                label=_("Uw tussenvoegsel"), max_length=20, required=False
            )
            self.fields["reporter_surname"] = forms.CharField(
                label=_("Uw achternaam"), max_length=100
            )
            self.fields["reporter_date_of_birth"] = _date_field(_("Uw geboortedatum"))

    # --- Layout (the template walks these groups) ---

    def fieldsets(self) -> list[tuple[Any, Any, list[forms.BoundField]]]:
        groups: list[tuple[Any, Any, list[str]]] = []
        if "reporter_surname" in self.fields:
            groups.append((_("Uw gegevens"), "", list(self.REPORTER_FIELDS)))
        groups += [
            (_("Wanneer is het gebeurd?"), "", ["occurred_from", "occurred_to"]),
            (
                self.where_legend,
                self.where_hint,
                ["street", "house_number", "postcode", "city", "municipality"],
            ),
            (self.specific_legend, "", list(self.specific_fields)),
            (_("Wat is er gebeurd?"), "", ["narrative", "damage_amount"]),
        ]
        return [(title, hint, [self[n] for n in names]) for title, hint, names in groups if names]

    # --- Field checks ---

    def _not_future(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return value
        if value > timezone.now():
            raise forms.ValidationError(
                _("Dit tijdstip ligt in de toekomst. Vul een tijdstip in dat al geweest is."),
                code="future",
            )
        if value < EARLIEST:
            raise forms.ValidationError(_("Dit tijdstip ligt vóór 1900."), code="too_early")
        return value

    def clean_occurred_from(self) -> dt.datetime | None:
        return self._not_future(self.cleaned_data.get("occurred_from"))

    def clean_occurred_to(self) -> dt.datetime | None:
        return self._not_future(self.cleaned_data.get("occurred_to"))

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "").strip()
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if postcode is None:
            raise forms.ValidationError(
                _(
                    "Dit is geen geldige postcode. Een postcode heeft vier cijfers en twee "
                    "letters, bijvoorbeeld 3511 AB."
                ),
                code="postcode",
            )
        return f"{postcode[:4]} {postcode[4:]}"

    def clean_house_number(self) -> str:
        value = self.cleaned_data.get("house_number", "").strip()
        if value and not re.fullmatch(r"[0-9]{1,5}\s*[-/]?\s*[A-Za-z0-9]{0,4}", value):
            raise forms.ValidationError(
                _("Een huisnummer begint met cijfers, bijvoorbeeld 12, 12a of 12-2."),
                code="house_number",
            )
        return value

    def clean_reporter_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["reporter_date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("De geboortedatum ligt in de toekomst."))
        if value.year < 1900:
            raise forms.ValidationError(_("De geboortedatum ligt vóór 1900."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start is not None and end is not None and end < start:
            self.add_error(
                "occurred_to",
                forms.ValidationError(
                    _(
                        "Het tweede tijdstip ligt vóór het eerste. Vul eerst het vroegste en "
                        "daarna het laatste mogelijke tijdstip in."
                    ),
                    code="window_order",
                ),
            )
        return data

    # --- Building the registration ---

    def reporter(self) -> PersonIn:
        if "reporter_surname" in self.fields:
            d = self.cleaned_data
            return PersonIn(
                first_names=d["reporter_first_names"].strip(),
                particle=d.get("reporter_particle", "").strip(),
                surname=d["reporter_surname"].strip(),
                date_of_birth=d["reporter_date_of_birth"],
                bsn=self.identity.bsn,
            )
        i = self.identity
        return PersonIn(
            first_names=i.first_names,
            particle=i.particle,
            surname=i.surname,
            date_of_birth=i.date_of_birth,
            bsn=i.bsn,
        )

    #: Which form field a service error about an involvement belongs to:
    #: one entry per involvement, mapping a path suffix ("" = any) to a field name.
    def involvements(self) -> list[tuple[InvolvementIn, dict[str, str]]]:
        """The reporter is the victim too (override for reports on someone else's behalf)."""
        person = self.reporter()
        return [
            (InvolvementIn("reporter", person=person), {}),
            (InvolvementIn("victim", person=person), {}),
            *self.specific_involvements(),
        ]

    def specific_involvements(self) -> list[tuple[InvolvementIn, dict[str, str]]]:
        return []

    def modus_operandi(self) -> str:
        return ""

    def damage(self) -> Decimal | None:
        amount: Decimal | None = self.cleaned_data.get("damage_amount")
        return amount

    def specific_values(self) -> dict[str, str]:
        """Type-specific answers as text (label order), for the narrative and ``extra``."""
        out: dict[str, str] = {}
        for name in self.specific_fields:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
            elif isinstance(value, dt.date):
                value = value.strftime("%d-%m-%Y")
            out[name] = str(value)
        return out

    def narrative_text(self) -> str:
        values = self.specific_values()
        lines = [self.cleaned_data["narrative"].strip()]
        if values:
            lines += ["", str(_("Gegevens uit het online aangifteformulier:"))]
            for name, value in values.items():
                label = str(self.fields[name].label).rstrip("?")
                text = value.replace("\n", "; ") if "\n" in value else value
                lines.append(f"- {label}: {text}")
        return "\n".join(lines)

    def registration_input(
        self, *, now: dt.datetime
    ) -> tuple[RegistrationIn, list[dict[str, str]]]:
        """The registration and, per involvement, where its errors belong on the form."""
        d = self.cleaned_data
        start = d["occurred_from"]
        end = d.get("occurred_to") or start
        pairs = self.involvements()
        reg = RegistrationIn(
            kind="aangifte",
            occurred_from=start,
            occurred_to=end,
            reported_at=now,
            channel="internet",
            offences=(OffenceIn(self.incident_code, category_code=self.category_code),),
            involvements=tuple(inv for inv, _ in pairs),
            narrative=self.narrative_text(),
            modus_operandi=self.modus_operandi()[:200],
            damage_amount=self.damage(),
            address=AddressIn(
                street=d.get("street", "").strip(),
                house_number=d.get("house_number", "").strip(),
                postcode=d.get("postcode", "").replace(" ", ""),
                city=d.get("city", "").strip(),
            ),
            municipality_code=d["municipality"],
            extra={"online_form": self.incident_code, **self.specific_values()},
        )
        return reg, [where for _, where in pairs]

    # --- Service errors back onto the form ---

    #: Top-level service error paths and the field they belong to.
    PATH_FIELDS: ClassVar[dict[str, str]] = {
        "occurred_from": "occurred_from",
        "occurred_to": "occurred_to",
        "damage_amount": "damage_amount",
        "municipality_code": "municipality",
        "address.postcode": "postcode",
        "narrative": "narrative",
    }

    def add_service_errors(self, errors: Errors, involvement_fields: list[dict[str, str]]) -> None:
        for path, messages in errors.items():
            field = self._field_for(path, involvement_fields)
            for message in messages:
                if field is None and re.match(r"involvements\[[01]\]\.person", path):
                    message = str(_("Uw DigiD-gegevens: %(message)s")) % {"message": message}
                self.add_error(field, message)

    def _field_for(self, path: str, involvement_fields: list[dict[str, str]]) -> str | None:
        if path in self.PATH_FIELDS:
            return self.PATH_FIELDS[path]
        m = re.fullmatch(r"involvements\[(\d+)\](.*)", path)
        if m is not None:
            i, rest = int(m.group(1)), m.group(2)
            where = involvement_fields[i] if i < len(involvement_fields) else {}
            if rest in where:
                return where[rest]
            if "" in where:
                return where[""]
            if i < 2 and "reporter_surname" in self.fields:
                tail = rest.rsplit(".", 1)[-1]
                if f"reporter_{tail}" in self.fields:
                    return f"reporter_{tail}"
        return None


# --- The four report types ---------------------------------------------------------------------


class BicycleTheftForm(ReportForm):
    incident_code = "A72"
    specific_fields = ("brand", "colour", "bicycle_type", "frame_number", "lock", "details")
    specific_legend = _("Uw fiets")
    where_legend = _("Waar stond de fiets?")
    from_label = _("Wanneer zag u de fiets voor het laatst?")
    to_label = _("Wanneer ontdekte u dat de fiets weg was?")

    brand = forms.CharField(label=_("Merk"), max_length=60)
    colour = forms.CharField(label=_("Kleur"), max_length=60)
    bicycle_type = forms.ChoiceField(
        label=_("Soort fiets"),
        required=False,
        choices=[
            ("", "—"),
            ("stadsfiets", _("Stads- of omafiets")),
            ("e-bike", _("Elektrische fiets (e-bike)")),
            ("racefiets", _("Racefiets")),
            ("mountainbike", _("Mountainbike")),
            ("bakfiets", _("Bakfiets")),
            ("kinderfiets", _("Kinderfiets")),
            ("anders", _("Anders")),
        ],
    )
    frame_number = forms.CharField(
        label=_("Framenummer"),
        max_length=40,
        required=False,
        help_text=_(
            "Staat meestal onder de trapas of op de aankoopbon. Met het framenummer kan de "
            "politie een teruggevonden fiets aan u teruggeven."
        ),
    )
    lock = forms.ChoiceField(
        label=_("Stond de fiets op slot?"),
        required=False,
        choices=[
            ("", "—"),
            ("ringslot", _("Ja, met een ringslot")),
            ("twee-sloten", _("Ja, met een ringslot en een tweede slot")),
            ("vast", _("Ja, vastgezet aan een rek, paal of hek")),
            ("niet", _("Nee")),
            ("onbekend", _("Weet ik niet")),
        ],
    )
    details = forms.CharField(
        label=_("Bijzonderheden"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld stickers, een kinderzitje of fietstassen."),
    )

    def clean_frame_number(self) -> str:
        value = self.cleaned_data.get("frame_number", "").strip()
        if value and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 .\-/]{3,39}", value):
            raise forms.ValidationError(
                _("Een framenummer bestaat uit letters en cijfers (minstens 4 tekens)."),
                code="frame_number",
            )
        return value

    def specific_involvements(self) -> list[tuple[InvolvementIn, dict[str, str]]]:
        d = self.cleaned_data
        description = ", ".join(
            v
            for v in (
                d["colour"].strip(),
                self.specific_values().get("bicycle_type", ""),
                d.get("details", "").strip(),
            )
            if v
        )
        good = GoodIn(
            "bicycle",
            brand=d["brand"].strip(),
            description=description[:200],
            frame_number=normalise_frame_number(d["frame_number"]) if d["frame_number"] else None,
        )
        return [(InvolvementIn("stolen_good", good=good), {"": "frame_number"})]

    def modus_operandi(self) -> str:
        lock = self.specific_values().get("lock", "")
        return str(_("Fietsdiefstal; slot: %(lock)s") % {"lock": lock}) if lock else ""


class ItemsMixin(forms.Form):
    """A list of stolen items, one per line; each becomes a stolen good."""

    items_field: ClassVar[str] = "stolen_items"

    def clean_stolen_items(self) -> str:
        value: str = self.cleaned_data.get("stolen_items", "")
        items = _lines(value)
        if not items:
            raise forms.ValidationError(_("Noem minstens één voorwerp."), code="no_items")
        if len(items) > MAX_ITEMS:
            raise forms.ValidationError(
                _("Noem hoogstens %(n)d voorwerpen; vat de rest samen op één regel."),
                code="too_many_items",
                params={"n": MAX_ITEMS},
            )
        if any(len(item) > 200 for item in items):
            raise forms.ValidationError(
                _("Eén regel mag hoogstens 200 tekens hebben."), code="item_too_long"
            )
        return "\n".join(items)

    def stolen_goods(self) -> list[tuple[InvolvementIn, dict[str, str]]]:
        return [
            (
                InvolvementIn("stolen_good", good=GoodIn("other", description=item)),
                {"": "stolen_items"},
            )
            for item in _lines(self.cleaned_data["stolen_items"])
        ]


class TheftFromCarForm(ItemsMixin, ReportForm):
    incident_code = "A10"
    specific_fields = ("plate", "car_brand", "entry", "stolen_items")
    specific_legend = _("Uw auto en wat er gestolen is")
    where_legend = _("Waar stond de auto?")
    from_label = _("Wanneer liet u de auto achter?")
    to_label = _("Wanneer ontdekte u de diefstal?")

    plate = forms.CharField(
        label=_("Kenteken"),
        max_length=10,
        widget=forms.TextInput(attrs={"size": 10, "autocomplete": "off"}),
        help_text=_("Bijvoorbeeld 12-ABC-3."),
    )
    car_brand = forms.CharField(label=_("Merk en type auto"), max_length=60, required=False)
    entry = forms.ChoiceField(
        label=_("Hoe is de dader in de auto gekomen?"),
        required=False,
        choices=[
            ("", "—"),
            ("ruit", _("Ruit ingeslagen")),
            ("slot", _("Slot of deur geforceerd")),
            ("open", _("De auto was niet op slot")),
            ("onbekend", _("Weet ik niet; er is geen schade")),
        ],
    )
    stolen_items = forms.CharField(
        label=_("Wat is er gestolen?"),
        max_length=4000,
        widget=_textarea(4),
        help_text=_(
            "Eén voorwerp per regel, met merk en bijzonderheden, bijvoorbeeld "
            "'Navigatiesysteem TomTom Go'."
        ),
    )

    def clean_plate(self) -> str:
        value = self.cleaned_data.get("plate", "")
        if not valid_plate_nl(value):
            raise forms.ValidationError(
                _(
                    "Dit is geen geldig Nederlands kenteken: het heeft zes letters en cijfers, "
                    "bijvoorbeeld 12-ABC-3."
                ),
                code="plate",
            )
        return normalise_plate(value)

    def specific_involvements(self) -> list[tuple[InvolvementIn, dict[str, str]]]:
        return self.stolen_goods()

    def modus_operandi(self) -> str:
        entry = self.specific_values().get("entry", "")
        return str(_("Diefstal uit auto; toegang: %(entry)s") % {"entry": entry}) if entry else ""


class OnlinePurchaseFraudForm(ReportForm):
    incident_code = "F636"
    category_code = "3.9.1"
    specific_fields = (
        "platform",
        "advert_url",
        "purchased",
        "seller_name",
        "seller_iban",
        "payment_date",
        "payment_amount",
    )
    specific_legend = _("De aankoop en de verkoper")
    where_legend = _("Waar woont u?")
    where_hint = _(
        "Bij oplichting via internet is dat de plaats van het misdrijf; uw aangifte komt bij "
        "het basisteam van uw gemeente."
    )
    address_required = ("city",)
    from_label = _("Wanneer heeft u besteld?")
    to_label = _("Wanneer merkte u dat u was opgelicht?")

    platform = forms.CharField(
        label=_("Website of platform"),
        max_length=100,
        help_text=_("Bijvoorbeeld Marktplaats, Facebook of de naam van de webwinkel."),
    )
    advert_url = forms.URLField(
        label=_("Link naar de advertentie of webwinkel"),
        max_length=300,
        required=False,
        assume_scheme="https",
    )
    purchased = forms.CharField(label=_("Wat heeft u gekocht?"), max_length=200)
    seller_name = forms.CharField(label=_("Naam of gebruikersnaam van de verkoper"), max_length=100)
    seller_iban = forms.CharField(
        label=_("Rekeningnummer (IBAN) van de verkoper"),
        max_length=42,
        required=False,
        help_text=_("Het rekeningnummer waarnaar u het geld heeft overgemaakt."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    payment_date = _date_field(_("Datum van de betaling"))
    payment_amount = EuroField(label=_("Betaald bedrag in euro's"))

    def clean_seller_iban(self) -> str:
        value = self.cleaned_data.get("seller_iban", "").strip()
        return normalise_iban(value) if value else ""

    def clean_payment_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["payment_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("De betaaldatum ligt in de toekomst."), code="future")
        if value.year < 1900:
            raise forms.ValidationError(_("De betaaldatum ligt vóór 1900."), code="too_early")
        return value

    def clean_payment_amount(self) -> Decimal:
        value: Decimal | None = self.cleaned_data.get("payment_amount")
        if value is None or value <= 0:
            raise forms.ValidationError(
                _("Vul het bedrag in dat u heeft betaald (meer dan 0 euro)."), code="amount"
            )
        return value

    def damage(self) -> Decimal | None:
        amount: Decimal | None = self.cleaned_data.get("damage_amount")
        return amount if amount is not None else self.cleaned_data.get("payment_amount")

    def specific_values(self) -> dict[str, str]:
        values = super().specific_values()
        if "payment_amount" in values:
            values["payment_amount"] = f"€ {self.cleaned_data['payment_amount']:.2f}".replace(
                ".", ","
            )
        return values

    def modus_operandi(self) -> str:
        return str(
            _("Fraude met onlinehandel via %(platform)s")
            % {"platform": self.cleaned_data["platform"].strip()}
        )


class ShopliftingForm(ItemsMixin, ReportForm):
    incident_code = "A50"
    specific_fields = (
        "shop_name",
        "kvk_number",
        "stolen_items",
        "suspect_description",
        "suspect_first_names",
        "suspect_particle",
        "suspect_surname",
        "suspect_date_of_birth",
    )
    SUSPECT_FIELDS: ClassVar[tuple[str, ...]] = (
        "suspect_first_names",
        "suspect_particle",
        "suspect_surname",
        "suspect_date_of_birth",
    )
    specific_legend = _("De winkel en wat er gestolen is")
    where_legend = _("Adres van de winkel")
    address_required = ("street", "house_number", "city")
    from_label = _("Tijdstip van de diefstal")
    to_label = _("Tot en met (als u het tijdstip niet precies weet)")

    shop_name = forms.CharField(label=_("Naam van de winkel"), max_length=200)
    kvk_number = forms.CharField(
        label=_("KvK-nummer van de winkel"),
        max_length=12,
        help_text=_("Acht cijfers; staat op de kassabon of in het KvK-handelsregister."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 10}),
    )
    stolen_items = forms.CharField(
        label=_("Wat is er gestolen?"),
        max_length=4000,
        widget=_textarea(4),
        help_text=_("Eén artikel per regel, met aantal, bijvoorbeeld '2 flessen whisky'."),
    )
    suspect_description = forms.CharField(
        label=_("Signalement van de dader"),
        max_length=1000,
        required=False,
        widget=_textarea(3),
        help_text=_("Bijvoorbeeld geslacht, geschatte leeftijd, lengte, kleding."),
    )
    suspect_first_names = forms.CharField(
        label=_("Voornamen van de verdachte"), max_length=100, required=False
    )
    suspect_particle = forms.CharField(
        label=_("Tussenvoegsel van de verdachte"), max_length=20, required=False
    )
    suspect_surname = forms.CharField(
        label=_("Achternaam van de verdachte"),
        max_length=100,
        required=False,
        help_text=_(
            "Alleen als u de naam van de verdachte weet, bijvoorbeeld van een legitimatiebewijs."
        ),
    )
    suspect_date_of_birth = _date_field(_("Geboortedatum van de verdachte"), required=False)

    def fieldsets(self) -> list[tuple[Any, Any, list[forms.BoundField]]]:
        groups = super().fieldsets()
        # The optional suspect gets its own group.
        out = []
        for title, hint, fields in groups:
            if title == self.specific_legend:
                out.append((title, hint, [f for f in fields if f.name not in self.SUSPECT_FIELDS]))
                out.append(
                    (
                        _("Verdachte (niet verplicht)"),
                        _("Vul dit alleen in als u weet wie de dader is."),
                        [self[n] for n in self.SUSPECT_FIELDS],
                    )
                )
            else:
                out.append((title, hint, fields))
        return out

    def clean_kvk_number(self) -> str:
        kvk = normalise_kvk(self.cleaned_data.get("kvk_number", ""))
        if kvk is None:
            raise forms.ValidationError(
                _("Een KvK-nummer heeft precies 8 cijfers, bijvoorbeeld 12345678."), code="kvk"
            )
        return kvk

    def clean_suspect_date_of_birth(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("suspect_date_of_birth")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("De geboortedatum ligt in de toekomst."))
        if value is not None and value.year < 1900:
            raise forms.ValidationError(_("De geboortedatum ligt vóór 1900."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = any(
            data.get(n)
            for n in ("suspect_first_names", "suspect_particle", "suspect_date_of_birth")
        )
        if (
            named
            and not (data.get("suspect_surname") or "").strip()
            and not self.has_error("suspect_surname")
        ):
            self.add_error(
                "suspect_surname",
                forms.ValidationError(
                    _(
                        "Vul de achternaam van de verdachte in, of laat de gegevens van de "
                        "verdachte leeg."
                    ),
                    code="suspect_surname",
                ),
            )
        elif self._suspect_is_reporter(data) and not self.has_error("suspect_surname"):
            self.add_error(
                "suspect_surname",
                forms.ValidationError(
                    _(
                        "U heeft uzelf als verdachte ingevuld. Vul de gegevens van de verdachte "
                        "in, of laat ze leeg."
                    ),
                    code="suspect_is_reporter",
                ),
            )
        return data

    def _suspect_is_reporter(self, data: dict[str, Any]) -> bool:
        surname = (data.get("suspect_surname") or "").strip()
        dob = data.get("suspect_date_of_birth")
        i = self.identity
        if not surname or dob is None or not i.surname or dob != i.date_of_birth:
            return False
        first = (data.get("suspect_first_names") or "").split()[:1]
        own_first = i.first_names.split()[:1]
        same_first = not first or not own_first or name_key(first[0]) == name_key(own_first[0])
        own_surname = name_key(f"{i.particle} {i.surname}")
        given = name_key(f"{data.get('suspect_particle') or ''} {surname}")
        return same_first and given == own_surname

    def involvements(self) -> list[tuple[InvolvementIn, dict[str, str]]]:
        """The employee reports; the shop is the injured organisation."""
        d = self.cleaned_data
        out: list[tuple[InvolvementIn, dict[str, str]]] = [
            (InvolvementIn("reporter", person=self.reporter()), {}),
            (
                InvolvementIn(
                    "injured_organisation",
                    organisation=OrganisationIn(
                        name=d["shop_name"].strip(), kvk_number=d["kvk_number"]
                    ),
                ),
                {".organisation.name": "shop_name", "": "kvk_number"},
            ),
            *self.stolen_goods(),
        ]
        if (d.get("suspect_surname") or "").strip():
            suspect = PersonIn(
                first_names=d.get("suspect_first_names", "").strip(),
                particle=d.get("suspect_particle", "").strip(),
                surname=d["suspect_surname"].strip(),
                date_of_birth=d.get("suspect_date_of_birth"),
            )
            out.append(
                (
                    InvolvementIn("suspect", person=suspect),
                    {".person.date_of_birth": "suspect_date_of_birth", "": "suspect_surname"},
                )
            )
        return out

    def modus_operandi(self) -> str:
        return str(_("Winkeldiefstal, gemeld door personeel"))


# --- Registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportType:
    """One crime type that can be reported online; ``url_name`` lives in ``online:``."""

    url_name: str
    title: Any
    summary: Any
    form_class: type[ReportForm]

    @property
    def incident_code(self) -> str:
        return self.form_class.incident_code


REPORT_TYPES: Final = (
    ReportType(
        "bicycle",
        _("Fietsdiefstal"),
        _("Uw fiets, e-bike of bakfiets is gestolen."),
        BicycleTheftForm,
    ),
    ReportType(
        "car",
        _("Diefstal uit de auto"),
        _("Er is iets uit of van uw auto gestolen, bijvoorbeeld een tas of de navigatie."),
        TheftFromCarForm,
    ),
    ReportType(
        "fraud",
        _("Oplichting bij een online aankoop"),
        _(
            "U heeft via internet iets gekocht en betaald, maar het nooit ontvangen "
            "(bijvoorbeeld via Marktplaats of een nepwebwinkel)."
        ),
        OnlinePurchaseFraudForm,
    ),
    ReportType(
        "shoplifting",
        _("Winkeldiefstal (voor winkelpersoneel)"),
        _("U werkt in een winkel en doet aangifte namens de winkel van diefstal."),
        ShopliftingForm,
    ),
)
REPORT_TYPES_BY_NAME: Final = {t.url_name: t for t in REPORT_TYPES}
