"""Normalisation and validation of names, identifiers and addresses (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from regie.registration.normalise import (
    PARTICLES,
    address_key,
    city_key,
    elfproef_sum,
    house_number_parts,
    join_particle,
    luhn_valid,
    name_key,
    normalise_bsn,
    normalise_frame_number,
    normalise_imei,
    normalise_kvk,
    normalise_plate,
    normalise_postcode,
    normalise_serial,
    organisation_name_key,
    phonetic,
    split_full_name,
    split_particle,
    street_key,
    valid_bsn,
    valid_imei,
    valid_kvk,
    valid_plate_nl,
)

# --- strategies -----------------------------------------------------------------------------

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


@st.composite
def valid_bsns(draw: st.DrawFn, leading_zero: bool = False) -> str:
    """Eight random digits and the check digit that makes the elfproef pass."""
    head = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    if leading_zero:
        head[0] = 0
    check = sum(d * w for d, w in zip(head, BSN_WEIGHTS, strict=True)) % 11
    assume(check != 10 and (any(head) or check))
    return "".join(map(str, head)) + str(check)


def luhn_check_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_valid(body + d):
            return d
    raise AssertionError("unreachable")


@st.composite
def valid_imeis(draw: st.DrawFn) -> str:
    body = "".join(map(str, draw(st.lists(st.integers(0, 9), min_size=14, max_size=14))))
    return body + luhn_check_digit(body)


@st.composite
def single_digit_change(draw: st.DrawFn, number: str) -> str:
    i = draw(st.integers(0, len(number) - 1))
    new = draw(st.sampled_from([d for d in "0123456789" if d != number[i]]))
    return number[:i] + new + number[i + 1 :]


PARTICLE_WORDS = {w for p in PARTICLES for w in p.split()}
surnames = st.from_regex(r"[A-Z][a-z]{1,12}", fullmatch=True).filter(
    lambda s: s.casefold() not in PARTICLE_WORDS
)

# --- BSN ------------------------------------------------------------------------------------


@given(valid_bsns())
def test_generated_bsns_pass_the_elfproef(bsn: str) -> None:
    assert valid_bsn(bsn)
    assert normalise_bsn(bsn) == bsn
    assert elfproef_sum(bsn) % 11 == 0


@given(st.data())
def test_any_single_digit_change_breaks_the_elfproef(data: st.DataObject) -> None:
    bsn = data.draw(valid_bsns())
    changed = data.draw(single_digit_change(bsn))
    assert not valid_bsn(changed)


@given(valid_bsns())
def test_bsn_separators_are_ignored(bsn: str) -> None:
    assert normalise_bsn(f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}") == bsn
    assert normalise_bsn(f" {bsn[:3]} {bsn[3:6]} {bsn[6:]} ") == bsn


@given(valid_bsns(leading_zero=True))
def test_eight_digit_bsn_is_left_padded(bsn: str) -> None:
    assert normalise_bsn(bsn[1:]) == bsn


@pytest.mark.parametrize(
    "value",
    [
        "000000000",
        "00000000",
        "12345678a",
        "1234567",
        "1234567890",
        "",
        "123456789",
        "１１１２２２３３３",
    ],
)
def test_invalid_bsns(value: str) -> None:
    assert not valid_bsn(value)
    assert normalise_bsn(value) is None


def test_known_valid_bsns() -> None:
    assert valid_bsn("111222333")
    assert valid_bsn("123456782")


# --- IMEI, KvK, plates, frame and serial numbers ---------------------------------------------


@given(valid_imeis())
def test_generated_imeis_pass_luhn(imei: str) -> None:
    assert valid_imei(imei)
    assert normalise_imei(f"{imei[:2]}-{imei[2:8]}-{imei[8:14]}-{imei[14]}") == imei


@given(st.data())
def test_any_single_digit_change_breaks_luhn(data: st.DataObject) -> None:
    imei = data.draw(valid_imeis())
    assert not valid_imei(data.draw(single_digit_change(imei)))


@pytest.mark.parametrize("value", ["49015420323751", "4901542032375180", "49015420323751x", ""])
def test_invalid_imeis(value: str) -> None:
    assert not valid_imei(value)
    assert normalise_imei(value) is None


def test_known_imei() -> None:
    assert valid_imei("490154203237518")
    assert not valid_imei("490154203237519")


def test_kvk() -> None:
    assert valid_kvk("12345678")
    assert normalise_kvk("1234 5678") == "12345678"
    assert not valid_kvk("1234567")
    assert not valid_kvk("123456789")
    assert not valid_kvk("1234567a")


@pytest.mark.parametrize(
    ("raw", "plate", "valid"),
    [
        ("12-ab-34", "12AB34", True),
        ("xx-99-xx", "XX99XX", True),
        ("1-KBB-23", "1KBB23", True),
        ("GB-123-X", "GB123X", True),
        ("ab-cd-ef", "ABCDEF", False),
        ("12-34-56", "123456", False),
        ("12-ab-345", "12AB345", False),
    ],
)
def test_plates(raw: str, plate: str, valid: bool) -> None:
    assert normalise_plate(raw) == plate
    assert valid_plate_nl(raw) is valid


def test_frame_and_serial_numbers() -> None:
    assert normalise_frame_number(" wdb 123-456.7 ") == "WDB1234567"
    assert normalise_serial("sn: c02-x1/ab") == "SNC02X1AB"


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("van der Berg", ("van der", "Berg")),
        ("De Vries", ("de", "Vries")),
        ("Berg", ("", "Berg")),
        ("in 't Veld", ("in 't", "Veld")),
        ("In ’t Veld", ("in 't", "Veld")),
        ("van den Heuvel", ("van den", "Heuvel")),
        ("op de Beeck", ("op de", "Beeck")),
        ("uit den Bogaard", ("uit den", "Bogaard")),
        ("van 't Hof", ("van 't", "Hof")),
        ("de la Rosa", ("de la", "Rosa")),
        ("v.d. Berg", ("v.d.", "Berg")),
        ("Berg, van der", ("van der", "Berg")),
        ("van  der   Berg", ("van der", "Berg")),
        ("Van", ("", "Van")),
        ("van der Berg-de Vries", ("van der", "Berg-de Vries")),
        ("", ("", "")),
    ],
)
def test_split_particle(raw: str, expected: tuple[str, str]) -> None:
    assert split_particle(raw) == expected


@given(st.sampled_from(sorted(PARTICLES | {""})), surnames, st.booleans())
def test_split_and_join_particle_round_trip(particle: str, surname: str, title: bool) -> None:
    written = particle.title() if title else particle
    assert split_particle(join_particle(written, surname)) == (particle, surname)


def test_split_full_name() -> None:
    assert split_full_name("Jan van der Berg") == ("Jan", "van der", "Berg")
    assert split_full_name("J. v.d. Berg") == ("J.", "v.d.", "Berg")
    assert split_full_name("Jan Pieter de Vries") == ("Jan Pieter", "de", "Vries")
    assert split_full_name("Jan Jansen") == ("Jan", "", "Jansen")
    assert split_full_name("Jansen") == ("", "", "Jansen")
    assert split_full_name("") == ("", "", "")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Öztürk", "Ozturk"),
        ("Zoë", "zoe"),
        ("Bijl", "Byl"),
        ("Van der Berg", "vanderberg"),
        ("d'Ancona", "Dancona"),
        ("Jansen-de Vries", "jansen devries"),
        ("Çelik", "CELIK"),
        ("Müller", "Muller"),
    ],
)
def test_name_key_equal(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_values() -> None:
    assert name_key("Öztürk") == "ozturk"
    assert name_key("Zoë") == "zoe"
    assert name_key("IJsselstein") == "ysselstein"
    assert name_key(" -'. ") == ""


@given(st.text(max_size=30))
def test_name_key_is_idempotent_ascii_alnum(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert key == "" or (key.isascii() and key.isalnum() and key == key.lower())


def test_phonetic() -> None:
    assert phonetic("Meijer") == phonetic("Meyer") == phonetic("Meier")
    assert phonetic("Smit") == phonetic("Smidt")
    assert phonetic("Jansen") == phonetic("Janssen")
    assert phonetic("Jansen") != phonetic("Pietersen")
    assert phonetic("") == ""


def test_organisation_name_key_strips_legal_forms() -> None:
    key = organisation_name_key("Bakkerij Jansen B.V.")
    assert key == organisation_name_key("bakkerij jansen BV") == "bakkeryjansen"
    assert organisation_name_key("Stichting Het Buurthuis") == "hetbuurthuis"
    assert organisation_name_key("V.O.F. De Molen") == organisation_name_key("De Molen vof")
    assert organisation_name_key("Jansen Holding B.V.") == "jansenholding"


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234 ab", "1234AB"),
        ("1234AB", "1234AB"),
        (" 3511 AX ", "3511AX"),
        ("0123 AB", None),
        ("123 AB", None),
        ("1234 A", None),
        ("1234 A1", None),
        ("", None),
    ],
)
def test_normalise_postcode(raw: str, expected: str | None) -> None:
    assert normalise_postcode(raw) == expected


@given(st.integers(1000, 9999), st.from_regex(r"[A-Za-z]{2}", fullmatch=True), st.booleans())
def test_postcode_spellings(number: int, letters: str, space: bool) -> None:
    raw = f"{number}{' ' if space else ''}{letters}"
    assert normalise_postcode(raw) == f"{number}{letters.upper()}"


def test_street_abbreviations() -> None:
    assert street_key("Kerkstr.") == street_key("Kerkstraat") == street_key("Kerk straat")
    assert street_key("Vondelln") == street_key("Vondellaan")
    assert street_key("Museumpl.") == street_key("Museumplein")
    assert street_key("Amsterdamsestraatwg") == street_key("Amsterdamsestraatweg")
    assert street_key("Burg. de Withstr.") == street_key("Burgemeester de Withstraat")
    assert city_key("'s-Gravenhage") == city_key("Den Haag")


def test_house_number_parts() -> None:
    assert house_number_parts("012", "a") == ("12", "A")
    assert house_number_parts("12a", "") == ("12", "A")
    assert house_number_parts("12-2", None) == ("12", "2")
    assert house_number_parts(12, " bis") == ("12", "BIS")
    assert house_number_parts(None) == ("", "")


def test_address_key_with_postcode() -> None:
    key = address_key("Kerkstraat", "12", "a", "3511 ab", "Utrecht")
    assert key == "pc:3511AB|12|A"
    assert address_key("anders", 12, "A", "3511AB", "") == key
    assert address_key("Kerkstraat", "12", "b", "3511 ab", "Utrecht") != key


def test_address_key_without_postcode() -> None:
    key = address_key("Kerkstr.", "12", "a", "", "Utrecht")
    assert key == "st:kerkstraat|12|A|utrecht"
    assert address_key("Kerk  straat", 12, "A", None, "UTRECHT") == key
    assert address_key("Kerkstraat", "12", "a", "ongeldig", "utrecht") == key
    assert address_key("Kerkstraat", "12", "a", "", "Amersfoort") != key
