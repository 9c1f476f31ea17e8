"""Normalisation for entity resolution: Dutch particles, diacritics, swaps, dates of birth."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from regie.intelligence.er.prepare import (
    FieldError,
    Role,
    check_columns,
    dob_key,
    double_metaphone,
    field_role,
    first_name_key,
    prepare_frame,
    surname_parts,
)


@pytest.mark.parametrize(
    ("surname", "particle", "expected"),
    [
        ("van der Berg", "", ("vander", "berg", "vanderberg")),
        ("Berg, van der", "", ("vander", "berg", "vanderberg")),
        ("Berg", "van der", ("vander", "berg", "vanderberg")),
        ("De Vries", "", ("de", "vries", "devries")),
        ("in 't Veld", "", ("int", "veld", "intveld")),
        ("Jansen", "", (None, "jansen", "jansen")),
        ("van der Bijl", "", ("vander", "byl", "vanderbyl")),
        ("", "", (None, None, None)),
    ],
)
def test_surname_particle_kept_apart(
    surname: str, particle: str, expected: tuple[str | None, ...]
) -> None:
    assert surname_parts(surname, particle) == expected


def test_diacritics_and_transliteration() -> None:
    assert surname_parts("Öztürk")[1] == surname_parts("Ozturk")[1] == "ozturk"
    assert surname_parts("Şahin")[1] == "sahin"
    assert first_name_key("Zoë") == first_name_key("Zoe") == "zoe"
    assert surname_parts("Иванов")[1] == "ivanov"


def test_first_name_is_first_given_name_and_initials_stay() -> None:
    assert first_name_key("Jan Willem") == "jan"
    assert first_name_key("J.W.") == "j"
    assert first_name_key("  ") is None


def test_double_metaphone_with_dutch_folds() -> None:
    assert double_metaphone("meijer") == double_metaphone("meyer") == double_metaphone("meier")
    assert double_metaphone("smit") == double_metaphone("smidt")
    assert double_metaphone("") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19800504", "19800504"),
        ("1980-05-04", "19800504"),
        ("4-5-1980", "19800504"),
        ("04/05/1980", "19800504"),
        ("19800231", "19800231"),  # impossible but kept: compared digit by digit
        ("mei 1980", None),
        ("", None),
    ],
)
def test_dob_key(raw: str, expected: str | None) -> None:
    assert dob_key(raw) == expected


def test_field_roles() -> None:
    assert field_role("given_name") == Role.FIRST_NAME
    assert field_role("Voornamen") == Role.FIRST_NAME
    assert field_role("achternaam") == Role.SURNAME
    assert field_role("tussenvoegsel") == Role.PARTICLE
    assert field_role("date_of_birth") == Role.DATE_OF_BIRTH
    assert field_role("postcode") == Role.CODE
    assert field_role("street_number") == Role.CODE
    assert field_role("suburb") == Role.TEXT


def test_prepare_frame_swapped_names_stay_comparable() -> None:
    raw = pd.DataFrame(
        {
            "id": ["1", "2"],
            "first_name": ["Jan", "van der Berg"],
            "surname": ["van der Berg", "Jan"],
            "date_of_birth": [dt.date(1980, 5, 4), "4-5-1980"],
            "city": ["'s-Gravenhage ", None],
        }
    )
    frame, schema = prepare_frame(raw, "id")
    assert schema.has_names and schema.has_date_of_birth
    assert schema.others == (("f_city", Role.TEXT),)
    a, b = frame.to_dict("records")
    assert a["first_name"] == b["surname"] == "jan"
    assert a["surname"] == "berg" and a["particle"] == "vander"
    assert a["dob"] == b["dob"] == "19800504"
    assert a["f_city"] == "'s-gravenhage" and b["f_city"] is None


def test_missing_id_column_and_fields_are_clear_errors() -> None:
    with pytest.raises(FieldError, match="id column 'nr' not found; columns are: id, naam"):
        check_columns(["id", "naam"], "nr", None)
    with pytest.raises(FieldError, match=r"field\(s\) 'dob', 'city' not found"):
        check_columns(["id", "naam"], "id", ["naam", "dob", "city"])
    with pytest.raises(FieldError, match="cannot also be a field"):
        check_columns(["id", "naam"], "id", ["id", "naam"])


def test_duplicate_ids_are_refused() -> None:
    raw = pd.DataFrame({"id": ["1", "1"], "surname": ["a", "b"]})
    with pytest.raises(FieldError, match="duplicate"):
        prepare_frame(raw, "id")
