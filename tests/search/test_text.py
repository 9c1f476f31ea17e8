"""Pure parts of the search: Dutch tokens and stems, query parsing, identifiers, snippets."""

from __future__ import annotations

import pytest

from regie.search.identifiers import address_value, good_values, recognise
from regie.search.text import (
    forms,
    fts5_query,
    name_keys,
    parse_query,
    pg_tsquery,
    snippet,
    snippet_html,
    stem,
    stems,
    tokens,
)


def test_tokens_are_lower_case_words() -> None:
    assert tokens("Fiets-slot, 2x DOORGEKNIPT!") == ["fiets", "slot", "2x", "doorgeknipt"]
    assert tokens("Öztürk") == ["öztürk"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # Snowball Dutch (Porter), as PostgreSQL's 'dutch' configuration.
        ("woningen", "woning"),
        ("inbraken", "inbrak"),
        ("inbraak", "inbrak"),
        ("gestolen", "gestol"),
        ("fietsen", "fiets"),
        ("fiets", "fiet"),
    ],
)
def test_dutch_stems_match_postgresql(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_stems_of_a_text() -> None:
    assert stems("Inbraken in woningen") == "inbrak in woning"


def test_query_drops_stop_words_and_keeps_names_whole() -> None:
    q = parse_query("  de fiets   van Jan van der Berg ")
    assert q.text == "de fiets van Jan van der Berg"
    assert q.terms == ("fiets", "jan", "der", "berg")
    assert q.name_text == "de fiets van jan van der berg"
    assert "zzjn" in q.name_keys and "zzbrk" in q.name_keys


def test_query_with_only_stop_words_is_not_empty_for_names_but_has_no_terms() -> None:
    q = parse_query("de het")
    assert q.terms == ()
    assert parse_query("   ").empty


def test_plural_and_singular_forms_cover_uneven_stems() -> None:
    q = parse_query("fiets gestolen")
    # "fiets" stems to "fiet", "fietsen" to "fiets": each term also matches its other forms.
    assert forms("fiets") == ("fiets", "fietsen", "fietss", "fiet")
    assert forms("woningen")[-1] == "woning"
    assert fts5_query(q) == (
        '({title body} : (("fiet" OR "fiets") AND ("gestol" OR "gestolen")))'
        ' OR (names : ("zzfts" AND "zzjstln"))'
    )
    assert pg_tsquery(q) == "(fiets | fietsen) & (gestolen | gestolenen)"
    assert "fiets" in q.term_stems and "fiet" in q.term_stems


def test_query_terms_cannot_inject_fts_syntax() -> None:
    q = parse_query('fiets" OR title:* NEAR(')
    expr = fts5_query(q)
    assert expr.count('"') % 2 == 0
    assert "NEAR(" not in expr and ":*" not in expr.replace('"*', "")


def test_phonetic_name_keys_tolerate_spelling() -> None:
    assert set(name_keys("Meijer").split()) & set(name_keys("Meyer").split())
    assert "zzjn" in name_keys("Jan") and parse_query("Jna").name_keys == ("zzjn",)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("AB-12-CD", "plate:AB12CD"),
        ("ab 12 cd", "plate:AB12CD"),
        ("kenteken 12-abc-3", "plate:12ABC3"),
        ("GZ-123 456", "frame:GZ123456"),
        ("wie heeft WBK 2048 AXQ", "frame:WBK2048AXQ"),
        ("490154203237518", "imei:490154203237518"),
        ("49-015420-323751-8", "imei:490154203237518"),
        ("111222333", "bsn:111222333"),
        ("111.222.333", "bsn:111222333"),
        ("12345678", "kvk:12345678"),
        ("3511 AB 12", "pc:3511AB|12"),
        ("Oudegracht, 3511ab 12a", "pc:3511AB|12"),
        ("rg2026-123", "reg:RG2026-00000123"),
        ("RG2026-00000123", "reg:RG2026-00000123"),
        ("2019/12345", "ref:2019/12345"),
    ],
)
def test_identifiers_are_recognised_and_normalised(text: str, value: str) -> None:
    assert value in recognise(text)


@pytest.mark.parametrize("text", ["fiets gestolen bij station", "Jan van der Berg", ""])
def test_plain_words_are_no_identifiers(text: str) -> None:
    assert recognise(text) == []


def test_invalid_check_digits_are_no_bsn_or_imei() -> None:
    found = recognise("111222334 490154203237519")
    assert not any(v.startswith(("bsn:", "imei:")) for v in found)


def test_index_values_use_the_same_normalisation() -> None:
    assert good_values(
        frame_number="gz-123 456", plate="ab-12-cd", imei=None, serial_number=None
    ) == [
        "frame:GZ123456",
        "plate:AB12CD",
    ]
    assert address_value("3511 ab", "012", "a") == "pc:3511AB|12"
    assert address_value("", "12") == ""


def test_snippet_marks_the_query_words_and_escapes_the_rest() -> None:
    body = "Aangever meldt: <script>x</script> " + "woord " * 40 + "Zijn fietsen zijn gestolen."
    q = parse_query("fiets gestolen")
    marked = snippet(body, q, words=10)
    assert marked.startswith("… ")
    html = snippet_html(marked)
    assert "<mark>fietsen</mark>" in html and "<mark>gestolen</mark>" in html
    assert "<script>" not in snippet_html(snippet(body, parse_query("script")))


def test_snippet_of_a_short_text_keeps_it_whole() -> None:
    assert snippet("Diefstal (fiets).", parse_query("fiets")) == "Diefstal (\x02fiets\x03)."
