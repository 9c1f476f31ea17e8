from __future__ import annotations

import itertools

import pytest

from regie.tips import rewrite
from regie.tips.rewrite import Kind, check_rewrite, find_details, iban_valid, phone_key

ORIGINAL = (
    "Mijn buurman Jan de Vries (ongeveer 45 jaar) verkoopt sinds maart cocaïne vanuit zijn "
    "woning aan de Kerkstraat 12 in Utrecht, 3512 AB. Hij rijdt in een zwarte BMW met "
    "kenteken 12-ABC-3. Zijn nummer is 06-12345678 en op Snapchat: jdv_utrecht. Afgelopen "
    "zaterdag 12 maart 2024 om 21:30 uur kwam er een man genaamd Mo langs. Mail: "
    "jan.devries@example.nl, rekening NL91ABNA0417164300, BSN 111222333. Kijk op "
    "www.example.com/profiel of @jdv123. Mevrouw Bakker van nummer 14 weet ook meer. Zijn "
    "zoon, een 17-jarige, helpt. Bel ook +31 6 87654321 of 020-1234567."
)


def _found(text: str) -> dict[Kind, list[str]]:
    result: dict[Kind, list[str]] = {}
    for span in find_details(text):
        assert text[span.start : span.end] == span.text
        result.setdefault(span.kind, []).append(span.text)
    return result


def test_realistic_tip_is_fully_highlighted() -> None:
    found = _found(ORIGINAL)
    assert found[Kind.NAME][:1] == ["Jan de Vries"]
    assert "Mo" in found[Kind.NAME] and "Bakker" in found[Kind.NAME]
    assert found[Kind.ADDRESS] == ["Kerkstraat 12"]
    assert found[Kind.POSTCODE] == ["3512 AB"]
    assert found[Kind.PLATE] == ["12-ABC-3"]
    assert found[Kind.PHONE] == ["06-12345678", "+31 6 87654321", "020-1234567"]
    assert found[Kind.HANDLE] == ["jdv_utrecht", "@jdv123"]
    assert found[Kind.DATE] == ["zaterdag", "12 maart 2024"]
    assert found[Kind.TIME] == ["21:30 uur"]
    assert found[Kind.EMAIL] == ["jan.devries@example.nl"]
    assert found[Kind.IBAN] == ["NL91ABNA0417164300"]
    assert found[Kind.BSN] == ["111222333"]
    assert found[Kind.URL] == ["www.example.com/profiel"]
    assert found[Kind.AGE] == ["45 jaar", "17-jarige"]


def test_spans_do_not_overlap_and_are_ordered() -> None:
    spans = find_details(ORIGINAL)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("06-12345678", "0612345678"),
        ("06 123 456 78", "0612345678"),
        ("+31 6 12345678", "0612345678"),
        ("+31 (0)6 1234 5678", "0612345678"),
        ("0031 6 12345678", "0612345678"),
        ("010-1234567", "0101234567"),
        ("0493 123456", "0493123456"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_phone_numbers(text: str, key: str) -> None:
    spans = find_details(f"Bel hem op {text} na zes uur.")
    assert next((s.kind, s.text, set(s.keys)) for s in spans) == (Kind.PHONE, text, {key})
    assert phone_key(text) == key


def test_not_phone_numbers() -> None:
    assert phone_key("12345") is None
    assert phone_key("0012") is None
    kinds = {s.kind for s in find_details("Het gebeurde op 12-03-2024 om 21.30 uur.")}
    assert Kind.PHONE not in kinds and {Kind.DATE, Kind.TIME} <= kinds


def test_bsn_requires_elfproef() -> None:
    assert [s.kind for s in find_details("BSN 111222333")] == [Kind.BSN]
    assert Kind.BSN not in {s.kind for s in find_details("nummer 111222334")}


def test_iban_check() -> None:
    assert iban_valid("NL91 ABNA 0417 1643 00")
    assert not iban_valid("NL92ABNA0417164300")
    spans = find_details("Geld ging naar NL91 ABNA 0417 1643 00 en NL92ABNA0417164300.")
    assert [(s.kind, s.text) for s in spans if s.kind is Kind.IBAN] == [
        (Kind.IBAN, "NL91 ABNA 0417 1643 00")
    ]


@pytest.mark.parametrize("plate", ["12-ABC-3", "XR-12-BZ", "1-KBB-12", "GBD-12-T", "12-ab-cd"])
def test_plates(plate: str) -> None:
    spans = [
        s for s in find_details(f"De auto met kenteken {plate} stond er.") if s.kind is Kind.PLATE
    ]
    assert [s.text for s in spans] == [plate]


def test_plates_without_dashes_need_capitals() -> None:
    assert [s.text for s in find_details("kenteken 12ABC3 gezien") if s.kind is Kind.PLATE] == [
        "12ABC3"
    ]
    assert not [s for s in find_details("om 12 uur en 3 man") if s.kind is Kind.PLATE]


def test_addresses_and_postcodes() -> None:
    found = _found("Hij woont op Laan van Meerdervoort 233-B in Den Haag, 2517 AB 233.")
    assert found[Kind.ADDRESS] == ["Laan van Meerdervoort 233-B"]
    assert found[Kind.POSTCODE] == ["2517 AB 233"]
    assert _found("De loods aan de Oudegracht 12bis.")[Kind.ADDRESS] == ["Oudegracht 12bis"]
    assert _found("Ze dealen in de Burg. de Withstraat.")[Kind.ADDRESS] == ["Burg. de Withstraat"]


def test_surname_like_street_endings_need_a_number() -> None:
    found = _found("Ik zag Van Dijk en Bakker bij de Hoofdstraat.")
    assert found[Kind.NAME] == ["Van Dijk", "Bakker"]
    assert found[Kind.ADDRESS] == ["Hoofdstraat"]


def test_names_with_cues_titles_and_particles() -> None:
    found = _found(
        "Gisteren zag ik Ahmed El Amrani. Een jongen genaamd kees en meneer Van der Berg "
        'waren er ook. Ze noemen hem "Tattoo Tom". De Vries was er niet.'
    )
    assert found[Kind.NAME] == ["Ahmed El Amrani", "kees", "Van der Berg", "Tattoo Tom",
                                "De Vries"]  # fmt: skip


def test_sentence_openers_and_common_words_are_not_names() -> None:
    found = _found("Gisteren was het druk. Vorige week ook. Hij gebruikt WhatsApp en Marktplaats.")
    assert Kind.NAME not in found


def test_dates_times_ages() -> None:
    found = _found(
        "Op 05/06/23 om 9 uur, op 2024-01-31 en op 3 feb. kwam een man van 34 jaar langs; "
        "vrijdagavond ook."
    )
    assert found[Kind.DATE] == ["05/06/23", "2024-01-31", "3 feb", "vrijdagavond"]
    assert found[Kind.TIME] == ["9 uur"]
    assert found[Kind.AGE] == ["34 jaar"]


def test_emails_urls_handles() -> None:
    found = _found(
        "Mail KEES@Mail.com of kijk op https://instagram.com/kees.dealer, insta: kees_010."
    )
    assert found[Kind.EMAIL] == ["KEES@Mail.com"]
    assert found[Kind.URL] == ["https://instagram.com/kees.dealer"]
    assert found[Kind.HANDLE] == ["kees_010"]


GOOD_REWRITE = (
    "Een man van middelbare leeftijd zou vanuit een woning cocaïne verkopen. Hij zou een "
    "donkere personenauto gebruiken. Recent zou er bezoek zijn geweest van een andere man."
)


def test_good_rewrite_passes() -> None:
    report = check_rewrite(ORIGINAL, GOOD_REWRITE)
    assert report.ok, report.messages
    assert report.original_details and not report.rewrite_details


def test_rewrite_with_leftovers_in_other_spellings() -> None:
    rewrite = (
        "Een man verkoopt drugs. Hij is bereikbaar op 06 123 456 78 en rijdt in auto 12abc3; "
        "de heer de vries heeft een zoon. Zijn mail is Jan.DeVries@Example.nl en hij woont "
        "aan de kerkstraat. Zie ook +31612345678."
    )
    report = check_rewrite(ORIGINAL, rewrite)
    assert not report.ok
    by_kind = {f.kind: f for f in report.remaining}
    assert set(by_kind) >= {Kind.PHONE, Kind.PLATE, Kind.NAME, Kind.EMAIL, Kind.ADDRESS}
    phone = next(f for f in report.remaining if f.original and f.original.text == "06-12345678")
    assert {s.text for s in phone.rewrite} == {"06 123 456 78", "+31612345678"}
    assert by_kind[Kind.PLATE].rewrite[0].text == "12abc3"
    assert "Het kenteken '12-ABC-3'" in by_kind[Kind.PLATE].message
    assert "staat nog in de herschrijving" in by_kind[Kind.PLATE].message
    name = next(f for f in report.remaining if f.original and f.original.text == "Jan de Vries")
    # "vries" on its own, and "Jan" inside the e-mail address.
    assert [s.text for s in name.rewrite] == ["vries", "Jan"]
    for finding in report.remaining:
        for span in finding.rewrite:
            assert rewrite[span.start : span.end] == span.text


def test_new_details_in_rewrite_are_reported() -> None:
    report = check_rewrite(ORIGINAL, GOOD_REWRITE + " Bel 0687654329 of mail x@y.nl.")
    assert not report.remaining
    assert {f.kind for f in report.new} == {Kind.PHONE, Kind.EMAIL}
    assert all(f.is_new and "niet in de oorspronkelijke melding" in f.message for f in report.new)


def test_same_date_in_other_notation_is_found() -> None:
    report = check_rewrite("Het was op 12 maart 2024.", "Het gebeurde op 12-03-2024.")
    assert [f.kind for f in report.remaining] == [Kind.DATE]
    report = check_rewrite("Om 21:30 uur.", "Rond 21.30 uur.")
    assert [f.kind for f in report.remaining] == [Kind.TIME]


def test_a_municipality_is_not_a_persons_name_when_places_are_given() -> None:
    original = "Jan de Vries verkoopt drugs vanuit de Kerkstraat 12 in Utrecht."
    places = frozenset({rewrite.name_words("Utrecht"), rewrite.name_words("Berg en Dal")})
    flagged = rewrite.check_rewrite(original, "Een man verkoopt drugs in Utrecht.")
    assert not flagged.ok  # without the gazetteer "Utrecht" looks like a name
    kept = rewrite.check_rewrite(original, "Een man verkoopt drugs in Utrecht.", places)
    assert kept.ok, kept.remaining
    # Only a whole place name counts: a person called Berg is still a name.
    still = rewrite.check_rewrite("Piet Berg dealt.", "Piet Berg dealt.", places)
    assert not still.ok
