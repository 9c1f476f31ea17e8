"""Proposing existing core objects: scores, reasons, thresholds (pure, no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regie.registration.matching import (
    AUTO_LINK,
    SUGGEST,
    Decision,
    GoodMatcher,
    GoodRecord,
    LocationMatcher,
    LocationRecord,
    Match,
    OrganisationMatcher,
    OrganisationRecord,
    PersonMatcher,
    PersonRecord,
    RuleBasedPersonMatcher,
    decide,
)

MATCHER = RuleBasedPersonMatcher()
DOB = dt.date(1980, 5, 4)


def person(
    id: int | None = None,
    first_names: str = "Jan",
    particle: str = "van der",
    surname: str = "Berg",
    date_of_birth: dt.date | None = DOB,
    bsn: str | None = None,
    nationality: str = "",
) -> PersonRecord:
    return PersonRecord(id, first_names, particle, surname, date_of_birth, bsn, nationality)


def score(query: PersonRecord, candidate: PersonRecord) -> float:
    return MATCHER.compare(query, candidate).score


def reasons(query: PersonRecord, candidate: PersonRecord) -> tuple[str, ...]:
    return MATCHER.compare(query, candidate).reasons


# --- interface and thresholds ---------------------------------------------------------------


def test_rule_based_matcher_is_a_person_matcher() -> None:
    matcher: PersonMatcher = RuleBasedPersonMatcher()
    assert matcher.propose(person(), [person(1)]) == [
        Match(1, 0.98, ("achternaam gelijk", "voornaam gelijk", "geboortedatum gelijk"))
    ]


def test_thresholds() -> None:
    assert RuleBasedPersonMatcher.AUTO_LINK == AUTO_LINK == 0.97
    assert RuleBasedPersonMatcher.SUGGEST == SUGGEST == 0.60
    assert decide(0.98) is Decision.AUTO_LINK
    assert decide(0.97) is Decision.AUTO_LINK
    assert decide(0.9) is Decision.SUGGEST
    assert decide(0.6) is Decision.SUGGEST
    assert decide(0.59) is Decision.NONE
    assert MATCHER.decide(0.5) is Decision.NONE


def test_exact_name_and_date_of_birth_links_automatically() -> None:
    s = score(person(), person(1))
    assert s >= AUTO_LINK
    assert s < 1.0  # only a same BSN is certain


def test_unrelated_person_is_not_proposed() -> None:
    other = person(1, "Fatima", "", "El Amrani", dt.date(1992, 11, 23))
    assert score(person(), other) == 0.0
    assert MATCHER.propose(person(), [other]) == []


def test_day_month_swap_is_suggested_with_reason() -> None:
    query = person(None, "Jan", "van der", "Berg", dt.date(1980, 5, 4))
    candidate = person(7, "J.", "v.d.", "Berg", dt.date(1980, 4, 5))
    [match] = MATCHER.propose(query, [candidate])
    assert match.id == 7
    assert SUGGEST <= match.score < AUTO_LINK
    assert "dag en maand verwisseld" in match.reasons
    assert MATCHER.decide(match.score) is Decision.SUGGEST


def test_surname_and_date_of_birth_with_initials() -> None:
    s = score(person(first_names="Jan"), person(1, first_names="J."))
    assert s == pytest.approx(0.9, abs=0.03)
    assert "voorletters komen overeen" in reasons(
        person(first_names="Jan Pieter"), person(1, first_names="J.P.")
    )


def test_same_name_clearly_different_date_of_birth_is_not_proposed() -> None:
    assert score(person(), person(1, date_of_birth=dt.date(1975, 11, 30))) < SUGGEST
    assert "geboortedatum verschilt" in reasons(
        person(), person(1, date_of_birth=dt.date(1975, 11, 30))
    )


def test_one_digit_typo_in_date_of_birth() -> None:
    candidate = person(1, date_of_birth=dt.date(1981, 5, 4))
    assert SUGGEST <= score(person(), candidate) < AUTO_LINK
    assert "geboortedatum verschilt één cijfer" in reasons(person(), candidate)


def test_missing_date_of_birth_is_suggested_never_linked() -> None:
    s = score(person(date_of_birth=None), person(1))
    assert SUGGEST <= s < AUTO_LINK
    assert "geboortedatum onbekend" in reasons(person(date_of_birth=None), person(1))


def test_diacritics_do_not_matter() -> None:
    query = person(first_names="Zoë", particle="", surname="Öztürk")
    candidate = person(1, first_names="Zoe", particle="", surname="Ozturk")
    assert score(query, candidate) >= AUTO_LINK


def test_ij_and_y() -> None:
    query = person(first_names="Kees", particle="van", surname="Bijl")
    assert score(query, person(1, first_names="Kees", particle="van", surname="Byl")) >= AUTO_LINK


def test_swapped_first_and_last_name() -> None:
    query = person(first_names="Berg", particle="", surname="Jan")
    candidate = person(3, first_names="Jan", particle="", surname="Berg")
    s = score(query, candidate)
    assert SUGGEST <= s < AUTO_LINK
    assert "voor- en achternaam verwisseld" in reasons(query, candidate)
    # Unrelated names never claim a swap.
    other = person(4, first_names="Piet", particle="", surname="Jansen")
    assert "voor- en achternaam verwisseld" not in reasons(person(), other)


def test_particle_typed_into_surname() -> None:
    query = person(particle="", surname="van der Berg")
    assert score(query, person(1)) >= AUTO_LINK


def test_particle_missing_or_different() -> None:
    missing = score(person(particle=""), person(1))
    different = score(person(particle="de"), person(1))
    assert SUGGEST <= different < missing < AUTO_LINK
    assert "tussenvoegsel verschilt" in reasons(person(particle="de"), person(1))


def test_similar_surname() -> None:
    query = person(first_names="Willem", particle="", surname="Jansen")
    candidate = person(1, first_names="Willem", particle="", surname="Janssen")
    assert SUGGEST <= score(query, candidate) < AUTO_LINK
    typo = person(1, first_names="Willem", particle="", surname="Jamsen")
    assert any(r.startswith("achternaam lijkt (0,") for r in reasons(query, typo))


def test_double_surname() -> None:
    query = person(particle="", surname="Jansen-de Vries")
    candidate = person(1, particle="de", surname="Vries")
    assert "deel van dubbele achternaam gelijk" in reasons(query, candidate)
    assert SUGGEST <= score(query, candidate) < AUTO_LINK


def test_phonetic_needs_some_spelling_similarity() -> None:
    query = person(first_names="Kees", particle="", surname="Berg")
    assert "achternaam klinkt gelijk (0,85)" in reasons(query, person(1, "Kees", "", "Burg"))
    assert "voornaam verschilt" in reasons(query, person(1, "Koos", "", "Berg"))
    assert score(person(particle="", surname="Bos"), person(1, particle="", surname="Buis")) < (
        SUGGEST
    )


def test_roepnaam_and_second_given_name() -> None:
    assert "roepnaam past bij voornaam" in reasons(
        person(first_names="Kees"), person(1, first_names="Cornelis")
    )
    assert "voornaam komt voor in voornamen" in reasons(
        person(first_names="Pieter"), person(1, first_names="Johannes Pieter")
    )


def test_twins_are_suggested_not_linked() -> None:
    s = score(person(first_names="Jan"), person(1, first_names="Kees"))
    assert SUGGEST <= s < AUTO_LINK


def test_nationality_mismatch_lowers_slightly() -> None:
    same = score(person(nationality="NLD"), person(1, nationality="NLD"))
    different = score(person(nationality="NLD"), person(1, nationality="TUR"))
    unknown = score(person(nationality=""), person(1, nationality="TUR"))
    assert same == unknown >= AUTO_LINK
    assert SUGGEST <= different < AUTO_LINK
    assert same - different == pytest.approx(0.05)


# --- BSN ------------------------------------------------------------------------------------


def test_same_bsn_is_certain() -> None:
    query = person(bsn="1112.22.333")
    candidate = person(1, first_names="J.", date_of_birth=None, bsn="111222333")
    assert MATCHER.compare(query, candidate).score == 1.0
    assert MATCHER.compare(query, candidate).reasons[0] == "BSN gelijk"


def test_different_bsns_block_whatever_the_names() -> None:
    query = person(bsn="111222333")
    candidate = person(1, bsn="123456782")
    assert MATCHER.compare(query, candidate).score == 0.0
    assert MATCHER.compare(query, candidate).reasons == ("BSN verschilt",)
    assert MATCHER.propose(query, [candidate]) == []


def test_invalid_bsn_is_ignored() -> None:
    assert score(person(bsn="123456789"), person(1, bsn="111222333")) >= AUTO_LINK


# --- ranking --------------------------------------------------------------------------------


def test_ranking_ties_broken_by_id_and_limit() -> None:
    candidates = [person(i) for i in (9, 3, 5, 1, 7, 2)]
    matches = MATCHER.propose(person(), candidates, limit=3)
    assert [m.id for m in matches] == [1, 2, 3]
    assert MATCHER.propose(person(), candidates, limit=0) == []


def test_ranking_best_first_skips_self_and_unsaved() -> None:
    candidates = [
        person(1, date_of_birth=None),
        person(2),
        person(3, first_names="J."),
        person(None),
        person(10),
    ]
    matches = MATCHER.propose(person(10), candidates)
    assert [m.id for m in matches] == [2, 3, 1]


def test_auto_link_target_requires_a_single_certain_match() -> None:
    target = MATCHER.auto_link_target(person(), [person(2, first_names="J."), person(1)])
    assert target is not None and target.id == 1
    assert MATCHER.auto_link_target(person(), [person(1), person(2)]) is None
    assert MATCHER.auto_link_target(person(), [person(2, first_names="J.")]) is None
    assert MATCHER.auto_link_target(person(), []) is None


def test_blocking_keys() -> None:
    keys = MATCHER.blocking_keys(person(bsn="1112 22 333"))
    assert keys.bsn == "111222333"
    assert keys.dates_of_birth == (dt.date(1980, 5, 4), dt.date(1980, 4, 5))
    assert {"berg", "vanderberg", "jan"} <= set(keys.surname_keys)
    assert "BRK" in keys.phonetic_keys
    assert not keys.is_empty()
    assert MATCHER.blocking_keys(person(date_of_birth=dt.date(1980, 5, 20))).dates_of_birth == (
        dt.date(1980, 5, 20),
    )
    assert MATCHER.stored_keys(person(particle="", surname="van der Berg")) == ("berg", "BRK")


# --- properties -----------------------------------------------------------------------------

names = st.sampled_from(["Jan", "J.", "Piet", "Pieter", "Kees", "Zoë", "Mohamed", ""])
surnames = st.sampled_from(["Berg", "Bergh", "Jansen", "Janssen", "Bijl", "Byl", "Öztürk", ""])
particles = st.sampled_from(["", "van der", "v.d.", "de", "van"])
dates = st.none() | st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31))
bsns = st.sampled_from([None, "111222333", "123456782", "123456789"])
people = st.builds(
    PersonRecord,
    id=st.integers(1, 50),
    first_names=names,
    particle=particles,
    surname=surnames,
    date_of_birth=dates,
    bsn=bsns,
    nationality=st.sampled_from(["", "NLD", "TUR"]),
)


@given(people, st.lists(people, max_size=12), st.integers(0, 6))
def test_propose_is_ranked_bounded_and_deterministic(
    query: PersonRecord, candidates: list[PersonRecord], limit: int
) -> None:
    matches = MATCHER.propose(query, candidates, limit=limit)
    assert len(matches) <= limit
    assert all(SUGGEST <= m.score <= 1.0 and m.reasons for m in matches)
    assert [(-m.score, m.id) for m in matches] == sorted((-m.score, m.id) for m in matches)
    assert len({m.id for m in matches}) == len(matches)
    assert query.id not in {m.id for m in matches}
    assert MATCHER.propose(query, list(reversed(candidates)), limit=limit) == matches


@given(people, people)
def test_scores_are_in_range(a: PersonRecord, b: PersonRecord) -> None:
    assert 0.0 <= score(a, b) <= 1.0


@given(people)
def test_a_complete_record_matches_itself(p: PersonRecord) -> None:
    if p.first_names and p.surname and p.date_of_birth and "." not in p.first_names:
        assert score(p, p) >= AUTO_LINK


@given(people, people)
def test_different_valid_bsns_never_match(a: PersonRecord, b: PersonRecord) -> None:
    a = PersonRecord(a.id, a.first_names, a.particle, a.surname, a.date_of_birth, "111222333")
    b = PersonRecord(b.id, b.first_names, b.particle, b.surname, b.date_of_birth, "123456782")
    assert score(a, b) == 0.0


# --- goods ----------------------------------------------------------------------------------

GOODS = GoodMatcher()


def test_good_plate_frame_imei_serial() -> None:
    car = GoodRecord(1, kind="vehicle", plate="12-AB-34")
    assert GOODS.compare(GoodRecord(None, kind="vehicle", plate="12ab34"), car).score == 1.0
    bike = GoodRecord(2, kind="bicycle", frame_number="WBK 1234-567")
    assert GOODS.compare(GoodRecord(None, frame_number="wbk1234567"), bike).reasons == (
        "framenummer gelijk",
    )
    phone = GoodRecord(3, kind="phone", imei="49-015420-323751-8")
    assert GOODS.compare(GoodRecord(None, imei="490154203237518"), phone).score == 1.0
    laptop = GoodRecord(4, kind="laptop", brand="Apple", serial_number="C02X-1234")
    assert GOODS.compare(GoodRecord(None, brand="apple", serial_number="c02x1234"), laptop).score
    assert GOODS.propose(GoodRecord(None, plate="99-XX-99"), [car, bike, phone, laptop]) == []


def test_good_contradictions_lower_the_score() -> None:
    known = GoodRecord(1, kind="vehicle", plate="12AB34", frame_number="AAA111")
    query = GoodRecord(None, kind="vehicle", plate="12-ab-34", frame_number="BBB222")
    scored = GOODS.compare(query, known)
    assert scored.score == 0.8
    assert "let op: framenummer verschilt" in scored.reasons
    assert GOODS.decide(scored.score) is Decision.SUGGEST


def test_good_serials_need_length_and_same_brand() -> None:
    assert (
        GOODS.compare(GoodRecord(None, serial_number="12"), GoodRecord(1, serial_number="12")).score
        == 0.0
    )
    assert (
        GOODS.compare(
            GoodRecord(None, brand="Sony", serial_number="ABC12345"),
            GoodRecord(1, brand="Dell", serial_number="ABC12345"),
        ).score
        == 0.0
    )


# --- locations ------------------------------------------------------------------------------

LOCATIONS = LocationMatcher()


def test_location_postcode_and_number() -> None:
    known = LocationRecord(1, "Kerkstraat", "12", "A", "3511AB", "Utrecht")
    same = LocationRecord(None, "Kerkstr.", "12", "a", "3511 ab", "UTRECHT")
    assert LOCATIONS.compare(same, known).score == 1.0
    other_suffix = LocationRecord(None, "Kerkstraat", "12", "B", "3511AB", "Utrecht")
    assert LOCATIONS.compare(other_suffix, known).score == 0.7
    assert "toevoeging verschilt" in LOCATIONS.compare(other_suffix, known).reasons
    other_number = LocationRecord(None, "Kerkstraat", "14", "A", "3511AB", "Utrecht")
    assert LOCATIONS.compare(other_number, known).score == 0.0


def test_location_without_postcode() -> None:
    known = LocationRecord(1, "Burgemeester de Withstraat", "3", "", "", "'s-Gravenhage")
    query = LocationRecord(None, "Burg. de Withstr.", "3", "", "", "Den Haag")
    assert LOCATIONS.propose(query, [known]) == [
        Match(1, 1.0, ("straat, huisnummer en plaats gelijk",))
    ]
    elsewhere = LocationRecord(None, "Burg. de Withstr.", "3", "", "", "Utrecht")
    assert LOCATIONS.propose(elsewhere, [known]) == []
    assert LOCATIONS.compare(LocationRecord(None), LocationRecord(2)).score == 0.0


# --- organisations --------------------------------------------------------------------------

ORGANISATIONS = OrganisationMatcher()


def test_organisation_kvk_and_name() -> None:
    known = OrganisationRecord(1, "Bakkerij Jansen B.V.", "12345678")
    assert (
        ORGANISATIONS.compare(OrganisationRecord(None, "Iets anders", "1234 5678"), known).score
        == 1.0
    )
    assert (
        ORGANISATIONS.compare(
            OrganisationRecord(None, "Bakkerij Jansen BV", "87654321"), known
        ).score
        == 0.0
    )
    by_name = ORGANISATIONS.compare(OrganisationRecord(None, "bakkerij jansen"), known)
    assert by_name.score == 0.9
    assert by_name.reasons == ("naam gelijk (zonder rechtsvorm)",)
    assert (
        ORGANISATIONS.compare(
            OrganisationRecord(None, "Stichting Jansen"), OrganisationRecord(2, "Jansen")
        ).score
        == 0.9
    )
    assert ORGANISATIONS.propose(OrganisationRecord(None, "Bakkerij Pietersen"), [known]) == []


_names = st.sampled_from(["Jan", "J.", "Johannes", "Kees", "Berg", "van der Berg", "Bergen", ""])
_dates = st.sampled_from(
    [DOB, dt.date(1980, 4, 5), dt.date(1980, 5, 14), dt.date(1980, 1, 1), None]
)
_bsns = st.sampled_from([None, "111222333", "123456782", "bad"])


@given(
    st.builds(
        person,
        id=st.just(1),
        first_names=_names,
        particle=st.sampled_from(["", "van der", "v.d."]),
        surname=_names,
        date_of_birth=_dates,
        bsn=_bsns,
        nationality=st.sampled_from(["", "NL", "BE"]),
    ),
    st.builds(
        person,
        id=st.just(2),
        first_names=_names,
        particle=st.sampled_from(["", "van der", "v.d."]),
        surname=_names,
        date_of_birth=_dates,
        bsn=_bsns,
        nationality=st.sampled_from(["", "NL", "BE"]),
    ),
)
def test_auto_link_needs_the_same_bsn_or_date_of_birth(
    query: PersonRecord, candidate: PersonRecord
) -> None:
    """The database fetches only these candidates for an automatic link."""
    if MATCHER.compare(query, candidate).score >= AUTO_LINK:
        assert MATCHER.may_auto_link(query, candidate)
