"""Citizen online report: DigiD step (development stand-in and a plugged-in provider), the
four report forms, the receipt, double submits, refusals and privacy."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.registration.digid import (
    SESSION_KEY,
    DigiDError,
    DigiDIdentity,
    DigiDProvider,
)
from regie.registration.models import Organisation, Registration
from regie.registration.online import SESSION_DONE, SESSION_RECEIPT
from regie.registration.online_forms import iban_checksum_ok, parse_euro

pytestmark = pytest.mark.django_db

BSN = "111222333"
OTHER_BSN = "123456782"
VALID_IBAN = "NL91 ABNA 0417 1643 00"


def local(delta: dt.timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def digid_login(
    client: Client, *, bsn: str = BSN, level: str = "midden", next_type: str = "bicycle"
) -> Any:
    """Log in through the development stand-in; returns the last response (not followed)."""
    response = client.get(reverse("online:login"), {"next": next_type})
    assert response.status_code == 302
    assert response["Location"] == reverse("online:digid_dev")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Ontwikkel-DigiD — geen echte DigiD" in page.content.decode()
    response = client.post(
        reverse("online:digid_dev"),
        {
            "bsn": bsn,
            "first_names": "Anna Maria",
            "particle": "de",
            "surname": "Vries",
            "date_of_birth": "1985-03-14",
            "assurance_level": level,
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].startswith(reverse("online:digid_return"))
    return client.get(response["Location"])


COMMON = {
    "street": "Stationsplein",
    "house_number": "1",
    "postcode": "3511 CE",
    "city": "Utrecht",
    "municipality": "GM0344",
    "narrative": "Ik heb het gemerkt toen ik terugkwam.",
}
SPECIFIC: dict[str, dict[str, str]] = {
    "bicycle": {
        "brand": "Gazelle",
        "colour": "zwart",
        "bicycle_type": "e-bike",
        "frame_number": "GZ-123 456",
        "lock": "ringslot",
        "damage_amount": "1.250,00",
    },
    "car": {
        "plate": "12-abc-3",
        "car_brand": "Volkswagen Golf",
        "entry": "ruit",
        "stolen_items": "Laptoptas met laptop\nZonnebril Ray-Ban",
        "damage_amount": "900",
    },
    "fraud": {
        "platform": "Marktplaats",
        "advert_url": "https://www.marktplaats.nl/v/12345",
        "purchased": "Spelcomputer",
        "seller_name": "gamer_1990",
        "seller_iban": VALID_IBAN,
        "payment_amount": "249,95",
    },
    "shoplifting": {
        "shop_name": "Supermarkt De Hoek B.V.",
        "kvk_number": "1234 5678",
        "stolen_items": "2 flessen whisky\n1 scheerapparaat",
        "suspect_description": "Man, ongeveer 30 jaar, blauwe jas.",
        "suspect_first_names": "Piet",
        "suspect_surname": "Jansen",
        "suspect_date_of_birth": "1994-07-01",
        "damage_amount": "89,50",
    },
}
INCIDENT = {"bicycle": "A72", "car": "A10", "fraud": "F636", "shoplifting": "A50"}


def form_data(client: Client, kind: str, **overrides: str) -> dict[str, str]:
    """GET the form (for its one-time token) and return a valid POST for it."""
    response = client.get(reverse(f"online:{kind}"))
    assert response.status_code == 200, response.status_code
    token = response.context["form"].initial["form_token"]
    data = {
        "form_token": token,
        "occurred_from": local(-dt.timedelta(days=2)),
        "occurred_to": local(-dt.timedelta(days=1)),
        **COMMON,
        **SPECIFIC[kind],
    }
    if kind == "fraud":
        data["payment_date"] = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    data.update(overrides)
    return data


@pytest.fixture
def citizen() -> Client:
    client = Client()
    digid_login(client)
    return client


@pytest.fixture
def log_records() -> Iterator[list[logging.LogRecord]]:
    """Every log record, at every level, while the test runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


# --- Happy paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bicycle", "car", "fraud", "shoplifting"])
def test_full_report(kind: str, log_records: list[logging.LogRecord]) -> None:
    client = Client()
    response = digid_login(client, next_type=kind)
    assert response.status_code == 302 and response["Location"] == reverse(f"online:{kind}")
    response = client.post(reverse(f"online:{kind}"), form_data(client, kind))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("online:receipt")

    reg = Registration.objects.get()
    assert (reg.kind, reg.channel, reg.source) == ("aangifte", "internet", "online")
    assert reg.created_by is None
    assert [o.incident_code.code for o in reg.offences.all()] == [INCIDENT[kind]]
    assert reg.municipality is not None and reg.municipality.code == "GM0344"
    assert reg.location is not None and reg.location.postcode == "3511CE"
    assert reg.idempotency_key and reg.idempotency_key.startswith("online-")
    reporter = reg.involvements.get(role="reporter").person
    assert reporter is not None and reporter.bsn == BSN
    assert (reporter.first_names, reporter.particle, reporter.surname) == (
        "Anna Maria",
        "de",
        "Vries",
    )
    assert reg.occurred_from < reg.occurred_to <= reg.reported_at

    if kind == "bicycle":
        good = reg.involvements.get(role="stolen_good").good
        assert good is not None and (good.kind, good.brand, good.frame_number) == (
            "bicycle",
            "Gazelle",
            "GZ123456",
        )
        assert "zwart" in good.description
        assert reg.damage_amount == Decimal("1250.00")
        assert reg.involvements.filter(role="victim", person=reporter).exists()
    elif kind == "car":
        goods = [i.good.description for i in reg.involvements.filter(role="stolen_good")]  # type: ignore[union-attr]
        assert goods == ["Laptoptas met laptop", "Zonnebril Ray-Ban"]
        assert "12ABC3" in reg.narrative and "Ruit ingeslagen" in reg.modus_operandi
    elif kind == "fraud":
        assert reg.offences.get().category.code == "3.9.1"
        assert reg.damage_amount == Decimal("249.95")
        assert "NL91ABNA0417164300" in reg.narrative and "gamer_1990" in reg.narrative
        # The type-specific answers are kept as entered, next to the narrative.
        assert reg.extra is not None and reg.extra["online_form"] == "F636"
        assert "NL91ABNA0417164300" in " ".join(reg.extra.values())
    else:
        shop = reg.involvements.get(role="injured_organisation").organisation
        assert shop is not None and (shop.name, shop.kvk_number) == (
            "Supermarkt De Hoek B.V.",
            "12345678",
        )
        suspect = reg.involvements.get(role="suspect").person
        assert suspect is not None and suspect.surname == "Jansen" and suspect.bsn is None
        assert not reg.involvements.filter(role="victim").exists()
        assert len(reg.involvements.filter(role="stolen_good")) == 2

    receipt = client.get(reverse("online:receipt"))
    assert receipt.status_code == 200
    text = receipt.content.decode()
    assert reg.number in text
    assert "Wat gebeurt er nu?" in text and "@media print" in text
    assert BSN not in text
    # Never logged, at any level.
    assert not [r for r in log_records if BSN in r.getMessage()]


def test_shoplifting_without_suspect(citizen: Client) -> None:
    data = form_data(
        citizen,
        "shoplifting",
        suspect_first_names="",
        suspect_surname="",
        suspect_date_of_birth="",
    )
    assert citizen.post(reverse("online:shoplifting"), data).status_code == 302
    reg = Registration.objects.get()
    assert not reg.involvements.filter(role="suspect").exists()
    assert Organisation.objects.filter(kvk_number="12345678").exists()


def test_exact_moment_only(citizen: Client) -> None:
    data = form_data(citizen, "bicycle", occurred_to="")
    assert citizen.post(reverse("online:bicycle"), data).status_code == 302
    reg = Registration.objects.get()
    assert reg.occurred_from == reg.occurred_to


# --- Double submit ----------------------------------------------------------------------------


def test_double_submit_creates_one_registration(citizen: Client) -> None:
    data = form_data(citizen, "bicycle")
    first = citizen.post(reverse("online:bicycle"), data)
    second = citizen.post(reverse("online:bicycle"), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("online:receipt")
    assert Registration.objects.count() == 1
    assert "al verstuurd" in citizen.get(reverse("online:receipt")).content.decode()


def test_concurrent_double_submit_returns_the_stored_one(citizen: Client) -> None:
    """The second request did not see the first one's session update (it ran in parallel):
    the idempotency key still finds the stored registration."""
    data = form_data(citizen, "car")
    citizen.post(reverse("online:car"), data)
    session = citizen.session
    del session[SESSION_DONE]
    del session[SESSION_RECEIPT]
    session.save()
    response = citizen.post(reverse("online:car"), data)
    assert response.status_code == 302 and response["Location"] == reverse("online:receipt")
    assert Registration.objects.count() == 1
    assert Registration.objects.get().number in citizen.get(response["Location"]).content.decode()


def test_unknown_form_token_is_refused(citizen: Client) -> None:
    data = form_data(citizen, "bicycle", form_token="made-up")
    response = citizen.post(reverse("online:bicycle"), data)
    assert response.status_code == 400
    assert "Dit formulier was verlopen" in response.content.decode()
    assert Registration.objects.count() == 0
    # The re-rendered form carries a fresh, valid token: sending it again works.
    fresh = response.context["form"].data["form_token"]
    assert citizen.post(reverse("online:bicycle"), {**data, "form_token": fresh}).status_code == 302
    assert Registration.objects.count() == 1


# --- DigiD step -------------------------------------------------------------------------------


def test_basis_assurance_is_refused() -> None:
    client = Client()
    response = digid_login(client, level="basis")
    assert response.status_code == 403
    text = response.content.decode()
    assert "minimaal niveau" in text and "midden" in text and "basis" in text
    assert SESSION_KEY not in client.session
    assert client.get(reverse("online:bicycle"))["Location"].startswith(reverse("online:login"))
    entry = AuditEntry.objects.filter(object_type="online.digid").get()
    assert (entry.action, entry.outcome, entry.detail) == (
        "login",
        "denied",
        {"assurance": "basis"},
    )


@pytest.mark.parametrize("level", ["midden", "substantieel", "hoog"])
def test_midden_and_higher_are_accepted(level: str) -> None:
    client = Client()
    assert digid_login(client, level=level).status_code == 302
    assert client.get(reverse("online:bicycle")).status_code == 200


def test_login_is_audited_without_bsn(citizen: Client) -> None:
    citizen.post(reverse("online:fraud"), form_data(citizen, "fraud"))
    entry = AuditEntry.objects.filter(object_type="online.digid").get()
    assert (entry.action, entry.outcome, entry.actor_id, entry.object_id) == (
        "login",
        "success",
        None,
        "",
    )
    assert entry.purpose == "wpg8" and entry.detail == {"assurance": "midden"}
    entries = list(AuditEntry.objects.all())
    assert any(e.object_type == "registration.registration" for e in entries)
    for e in entries:
        assert BSN not in json.dumps(e.detail) and BSN not in e.object_id


@pytest.mark.parametrize("method", ["get", "post"])
def test_without_digid_session_sent_to_digid(method: str) -> None:
    client = Client()
    response = getattr(client, method)(reverse("online:fraud"), {"narrative": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("online:login") + "?next=fraud"
    assert Registration.objects.count() == 0
    # ... and back to the form after logging in.
    final = digid_login(client, next_type="fraud")
    assert final["Location"] == reverse("online:fraud")


def test_expired_session_is_refused(citizen: Client) -> None:
    data = form_data(citizen, "bicycle")
    session = citizen.session
    identity = dict(session[SESSION_KEY])
    identity["expires"] = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    session[SESSION_KEY] = identity
    session.save()
    response = citizen.post(reverse("online:bicycle"), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("online:login"))
    assert Registration.objects.count() == 0
    assert SESSION_KEY not in citizen.session
    follow = citizen.get(reverse("online:start"))
    assert "Uw DigiD-sessie is verlopen" in follow.content.decode()


def test_activity_extends_the_session(citizen: Client) -> None:
    session = citizen.session
    identity = dict(session[SESSION_KEY])
    identity["expires"] = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    session[SESSION_KEY] = identity
    session.save()
    citizen.get(reverse("online:bicycle"))
    expires = dt.datetime.fromisoformat(citizen.session[SESSION_KEY]["expires"])
    assert expires > timezone.now() + dt.timedelta(minutes=14)


def test_invalid_bsn_on_development_digid() -> None:
    client = Client()
    client.get(reverse("online:login"), {"next": "bicycle"})
    response = client.post(
        reverse("online:digid_dev"),
        {
            "bsn": "123456789",
            "first_names": "A",
            "surname": "B",
            "date_of_birth": "1980-01-01",
            "assurance_level": "midden",
        },
    )
    assert response.status_code == 400
    assert "elfproef" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_return_without_login_goes_back_to_start() -> None:
    client = Client()
    response = client.get(reverse("online:digid_return"), {"artifact": "forged"})
    assert response.status_code == 302 and response["Location"] == reverse("online:start")
    assert SESSION_KEY not in client.session
    assert "niet gelukt" in client.get(reverse("online:start")).content.decode()


def test_logout_forgets_identity_and_receipt(citizen: Client) -> None:
    citizen.post(reverse("online:bicycle"), form_data(citizen, "bicycle"))
    assert citizen.get(reverse("online:logout")).status_code == 200
    assert citizen.post(reverse("online:logout")).status_code == 302
    assert SESSION_KEY not in citizen.session
    assert citizen.get(reverse("online:receipt"))["Location"] == reverse("online:start")


class FakeSamlDigiD(DigiDProvider):
    """A stand-in for a real provider: DigiD itself returns only the BSN and the level."""

    def start(self, request: HttpRequest, return_url: str) -> str:
        request.session["fake_saml_return"] = return_url
        return "https://digid.example/sso?SAMLRequest=abc"

    def complete(self, request: HttpRequest) -> DigiDIdentity:
        if request.GET.get("SAMLart") != "good":
            raise DigiDError("Inloggen geannuleerd.")
        return DigiDIdentity(bsn=OTHER_BSN, assurance_level="substantieel")


@override_settings(REGIE_DIGID_PROVIDER="tests.registration.test_online.FakeSamlDigiD")
def test_a_real_provider_plugs_in_and_names_are_asked() -> None:
    client = Client()
    response = client.get(reverse("online:login"), {"next": "car"})
    assert response["Location"] == "https://digid.example/sso?SAMLRequest=abc"
    assert client.session["fake_saml_return"] == reverse("online:digid_return")
    assert client.get(reverse("online:digid_dev")).status_code == 404
    cancelled = client.get(reverse("online:digid_return"), {"SAMLart": "bad"})
    assert cancelled["Location"] == reverse("online:start")
    client.get(reverse("online:login"), {"next": "car"})
    response = client.get(reverse("online:digid_return"), {"SAMLart": "good"})
    assert response["Location"] == reverse("online:car")
    # No name from DigiD: the form asks for it.
    data = form_data(client, "car")
    missing = client.post(reverse("online:car"), data)
    assert missing.status_code == 400 and "reporter_surname" in missing.context["form"].errors
    data.update(
        reporter_first_names="Kees",
        reporter_surname="Bakker",
        reporter_date_of_birth="1970-02-02",
    )
    assert client.post(reverse("online:car"), data).status_code == 302
    reporter = Registration.objects.get().involvements.get(role="reporter").person
    assert reporter is not None and (reporter.surname, reporter.bsn) == ("Bakker", OTHER_BSN)


@override_settings(DEBUG=False, DEMO_MODE=False, TESTING=False)
def test_development_digid_is_refused_in_production() -> None:
    client = Client()
    assert client.get(reverse("online:login"), {"next": "bicycle"}).status_code == 503
    assert client.get(reverse("online:digid_dev")).status_code == 503


# --- Invalid input ----------------------------------------------------------------------------

INVALID = [
    ("bicycle", {"occurred_from": local(dt.timedelta(days=2))}, "occurred_from", "toekomst"),
    ("bicycle", {"occurred_to": local(dt.timedelta(hours=3))}, "occurred_to", "toekomst"),
    (
        "car",
        {
            "occurred_from": local(-dt.timedelta(days=1)),
            "occurred_to": local(-dt.timedelta(days=3)),
        },
        "occurred_to",
        "Het tweede tijdstip ligt vóór het eerste",
    ),
    ("bicycle", {"postcode": "1234"}, "postcode", "Dit is geen geldige postcode"),
    ("car", {"postcode": "0123 AB"}, "postcode", "Dit is geen geldige postcode"),
    ("fraud", {"seller_iban": "NL91 ABNA 0417 1643 01"}, "seller_iban", "controlegetal klopt niet"),
    ("fraud", {"seller_iban": "NL91 ABNA 0417 1643"}, "seller_iban", "heeft 18 tekens"),
    ("fraud", {"seller_iban": "1234567"}, "seller_iban", "Dit is geen IBAN"),
    (
        "fraud",
        {"payment_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
        "payment_date",
        "De betaaldatum ligt in de toekomst",
    ),
    ("fraud", {"payment_amount": "0"}, "payment_amount", "meer dan 0 euro"),
    ("shoplifting", {"kvk_number": "1234567"}, "kvk_number", "precies 8 cijfers"),
    ("shoplifting", {"kvk_number": "ABCDEFGH"}, "kvk_number", "precies 8 cijfers"),
    ("shoplifting", {"suspect_surname": ""}, "suspect_surname", "achternaam van de verdachte"),
    ("car", {"plate": "XYZ"}, "plate", "geen geldig Nederlands kenteken"),
    ("car", {"stolen_items": "  \n "}, "stolen_items", "Dit veld is vereist"),
    ("bicycle", {"municipality": ""}, "municipality", "Dit veld is vereist"),
    ("bicycle", {"municipality": "GM9999"}, "municipality", "Selecteer een geldige keuze"),
    ("bicycle", {"damage_amount": "veel"}, "damage_amount", "Vul een bedrag in euro's in"),
    ("shoplifting", {"house_number": ""}, "house_number", "Dit veld is vereist"),
    ("bicycle", {"house_number": "twaalf"}, "house_number", "begint met cijfers"),
    ("bicycle", {"narrative": ""}, "narrative", "Dit veld is vereist"),
]


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    INVALID,
    ids=[f"{kind}-{field}-{i}" for i, (kind, _c, field, _m) in enumerate(INVALID)],
)
def test_invalid_input(
    citizen: Client, kind: str, changes: dict[str, str], field: str, message: str
) -> None:
    response = citizen.post(reverse(f"online:{kind}"), form_data(citizen, kind, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    text = response.content.decode()
    assert f'id="id_{field}_error"' in text and 'aria-invalid="true"' in text
    assert Registration.objects.count() == 0


def test_service_errors_are_shown_next_to_fields(
    citizen: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the service still refuses lands next to the field or above the form."""
    from regie.registration import services

    monkeypatch.setattr(
        services,
        "registration_validate",
        lambda reg, **_kwargs: {
            "occurred_to": ["Het einde van de pleegperiode ligt vóór het begin."],
            "address.postcode": ["Ongeldige postcode (verwacht 1234 AB)."],
            "involvements[0].person.bsn": ["Ongeldig BSN (elfproef klopt niet)."],
            "involvements[1].organisation.kvk_number": ["Een KvK-nummer heeft 8 cijfers."],
            "involvements[1].organisation.name": ["Naam is verplicht."],
            "involvements[3].good.kind": ["Onbekende soort goed 'x'."],
            "involvements[4].role": ["Deze persoon is ook aangever of slachtoffer."],
            "offences[0].incident_code": ["Onbekende incidentcode 'A50'."],
        },
    )
    response = citizen.post(reverse("online:shoplifting"), form_data(citizen, "shoplifting"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["occurred_to"] == ["Het einde van de pleegperiode ligt vóór het begin."]
    assert errors["postcode"] == ["Ongeldige postcode (verwacht 1234 AB)."]
    assert errors["suspect_surname"] == ["Deze persoon is ook aangever of slachtoffer."]
    assert "Uw DigiD-gegevens: Ongeldig BSN (elfproef klopt niet)." in errors["__all__"]
    assert "Onbekende incidentcode 'A50'." in errors["__all__"]
    # reporter, shop, two stolen goods, suspect
    assert errors["kvk_number"] == ["Een KvK-nummer heeft 8 cijfers."]
    assert errors["shop_name"] == ["Naam is verplicht."]
    assert errors["stolen_items"] == ["Onbekende soort goed 'x'."]
    assert Registration.objects.count() == 0


def test_reporter_cannot_be_the_suspect(citizen: Client) -> None:
    """The employee names themself as the suspect."""
    data = form_data(
        citizen,
        "shoplifting",
        suspect_first_names="Anna",
        suspect_particle="De",
        suspect_surname="Vries",
        suspect_date_of_birth="1985-03-14",
    )
    response = citizen.post(reverse("online:shoplifting"), data)
    assert response.status_code == 400
    assert "U heeft uzelf als verdachte ingevuld" in " ".join(
        response.context["form"].errors["suspect_surname"]
    )
    assert Registration.objects.count() == 0


# --- Receipt and privacy ----------------------------------------------------------------------


def test_receipt_of_another_registration_is_not_viewable(
    citizen: Client, registration: Any
) -> None:
    citizen.post(reverse("online:bicycle"), form_data(citizen, "bicycle"))
    own = Registration.objects.get(source="online")

    other = Client()
    digid_login(other, bsn=OTHER_BSN)
    for url in (
        reverse("online:receipt"),
        reverse("online:receipt") + f"?number={own.number}",
        reverse("online:receipt") + f"?nummer={registration.number}",
    ):
        response = other.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("online:start")
    # Not even by planting another registration's number (a desk one) in the session.
    session = other.session
    session[SESSION_RECEIPT] = registration.number
    session.save()
    assert other.get(reverse("online:receipt")).status_code == 302
    # Staff pages stay closed to citizens.
    detail = other.get(reverse("registration:detail", kwargs={"number": own.number}))
    assert detail.status_code == 302 and "/inloggen/" in detail["Location"]
    # The owner sees only their own.
    text = citizen.get(reverse("online:receipt") + f"?number={registration.number}").content
    assert own.number in text.decode() and registration.number not in text.decode()


def test_receipt_ends_with_the_digid_session(citizen: Client) -> None:
    citizen.post(reverse("online:bicycle"), form_data(citizen, "bicycle"))
    number = Registration.objects.get().number
    assert number in citizen.get(reverse("online:receipt")).content.decode()
    session = citizen.session
    identity = dict(session[SESSION_KEY])
    identity["expires"] = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    session[SESSION_KEY] = identity
    session.save()
    response = citizen.get(reverse("online:receipt"))
    assert response.status_code == 302 and response["Location"] == reverse("online:start")
    text = citizen.get(response["Location"]).content.decode()
    assert "Uw aangifte is wel ontvangen" in text and number not in text
    assert SESSION_RECEIPT not in citizen.session


def test_receipt_view_is_audited(citizen: Client) -> None:
    citizen.post(reverse("online:bicycle"), form_data(citizen, "bicycle"))
    reg = Registration.objects.get()
    citizen.get(reverse("online:receipt"))
    assert AuditEntry.objects.filter(
        action="view", object_type="registration.registration", object_id=str(reg.pk)
    ).exists()


def test_pages_are_not_cached() -> None:
    client = Client()
    urls = [
        reverse("online:start"),
        reverse("online:login") + "?next=car",
        reverse("online:digid_dev"),
        reverse("online:digid_return"),
        reverse("online:logout"),
        reverse("online:receipt"),
        reverse("online:car"),
    ]
    for url in urls:
        assert "no-store" in client.get(url)["Cache-Control"], url
    digid_login(client)
    form = client.get(reverse("online:bicycle"))
    assert form.status_code == 200 and "no-store" in form["Cache-Control"]
    client.post(reverse("online:bicycle"), form_data(client, "bicycle"))
    receipt = client.get(reverse("online:receipt"))
    assert receipt.status_code == 200 and "no-store" in receipt["Cache-Control"]


def test_start_page_explains_other_crimes() -> None:
    text = Client().get(reverse("online:start")).content.decode()
    assert "0900-8844" in text and "112" in text
    for kind in ("bicycle", "car", "fraud", "shoplifting"):
        assert reverse(f"online:{kind}") in text


def test_form_has_accessible_labels(citizen: Client) -> None:
    text = citizen.get(reverse("online:fraud")).content.decode()
    for field in ("occurred_from", "municipality", "seller_iban", "payment_amount", "narrative"):
        assert f'<label for="id_{field}">' in text
    assert 'aria-describedby="id_seller_iban_helptext"' in text
    assert "Ingelogd met DigiD als Anna Maria de Vries" in text


# --- Pure helpers -----------------------------------------------------------------------------


def test_iban_checksum() -> None:
    assert iban_checksum_ok("NL91ABNA0417164300")
    assert iban_checksum_ok("DE89370400440532013000")
    assert not iban_checksum_ok("NL91ABNA0417164301")


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12,50", "12.50"), ("1.234,50", "1234.50"), ("€ 1234.5", "1234.5"), ("25", "25"),
     ("1.250", "1250")],
)  # fmt: skip
def test_parse_euro(text: str, amount: str) -> None:
    assert parse_euro(text) == Decimal(amount)


def test_receipt_gives_the_status_code_that_opens_my_case(citizen: Client) -> None:
    """The online report opens a case; the receipt shows the reporter's status code, which
    opens the plain-Dutch status page."""
    import re

    from regie.selection.models import Case

    citizen.post(reverse("online:bicycle"), form_data(citizen, "bicycle"))
    reg = Registration.objects.get()
    case = Case.objects.get(registration=reg)
    assert case.status_code_hash
    text = citizen.get(reverse("online:receipt")).content.decode()
    match = re.search(r'data-testid="status-code">([0-9A-Z-]{23})<', text)
    assert match is not None
    status = Client().post(reverse("victim_status"), {"code": match.group(1)})
    assert status.status_code == 200
    assert "Geregistreerd, wacht op beoordeling" in status.content.decode()
