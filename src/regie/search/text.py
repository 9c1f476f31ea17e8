"""Dutch text for the search index: tokens, stems, phonetic name keys, query parsing and
highlighted snippets. Pure computation, no Django.

Stemming is Snowball's Dutch (Porter) algorithm, the same one PostgreSQL's ``dutch`` text
search configuration uses, so that both databases find the same words: on PostgreSQL the
database stems (``to_tsvector('dutch', ...)``); on SQLite the indexer writes the stems of
:func:`stems` into the FTS5 table and the query is stemmed the same way. The stemmer treats
singular and plural unevenly ("fiets" -> fiet, "fietsen" -> fiets), so every query term
also matches its plural/singular forms (:func:`forms`: +en, +s, -en, -s), as exact stems: a
prefix search would find them too, but made PostgreSQL's GIN scan six times slower (measured
on 300k documents). Parts of compounds ("diefstal" in "fietsendiefstal") are not found.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import snowballstemmer
from anyascii import anyascii

from regie.registration.normalise import phonetic

_WORD: Final = re.compile(r"\w+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("dutch_porter")

#: Words too common to search on (the stop words of PostgreSQL's Dutch configuration that
#: matter in police text); they are dropped from queries on both databases.
_STOP_WORDS_TEXT: Final = """de het een en van in op te is dat die met voor aan er bij door om
of als ook maar uit naar dan nog wel zijn was werd wordt zo tot ze hij zij ik je we wij u
hem haar hun mijn ons onze niet geen al"""
STOP_WORDS: Final[frozenset[str]] = frozenset(_STOP_WORDS_TEXT.split())
#: Phonetic keys are written into the SQLite index with this prefix, so they never collide
#: with ordinary words.
PHONETIC_PREFIX: Final = "zz"
#: Markers of a highlighted word in a snippet (replaced by <mark> after escaping).
MARK_OPEN: Final = "\x02"
MARK_CLOSE: Final = "\x03"


def tokens(text: str) -> list[str]:
    """Lower-case word tokens ("Fiets-slot, 2x" -> ["fiets", "slot", "2x"])."""
    return [t.casefold() for t in _WORD.findall(text or "") if t != "_"]


@lru_cache(maxsize=131072)
def stem(token: str) -> str:
    """The Dutch Snowball stem of one lower-case token: "woningen" -> "woning"."""
    return str(_STEMMER.stemWord(token))


def stems(text: str) -> str:
    """The text as space-separated stems (what the SQLite index holds)."""
    return " ".join(stem(t) for t in tokens(text))


def fold(text: str) -> str:
    """Names as compared fuzzily: ASCII, lower case, single spaces ("Öztürk" -> "ozturk")."""
    return " ".join(tokens(anyascii(text or "")))


def name_keys(names: str) -> str:
    """Folded names followed by their phonetic keys ("zz" + metaphone after Dutch folds), for
    the SQLite name column: "Meijer" and "Meyer" share a key."""
    words = fold(names).split()
    keys = [PHONETIC_PREFIX + k.lower() for k in (phonetic(w) for w in words if len(w) > 1) if k]
    return " ".join(words + keys)


@dataclass(frozen=True)
class ParsedQuery:
    """A search box's text, split into what each matcher needs."""

    text: str
    #: Lower-case word tokens without stop words, in order (the full-text terms).
    terms: tuple[str, ...] = ()
    #: Per term, its word forms (:func:`forms`): the term matches if any form does.
    term_forms: tuple[tuple[str, ...], ...] = ()
    #: Every form's stem (highlighting).
    term_stems: tuple[str, ...] = ()
    #: Folded words for fuzzy name matching.
    name_text: str = ""
    #: Phonetic keys of the words (SQLite name matching).
    name_keys: tuple[str, ...] = ()
    #: Identifier index values recognised in the text ("plate:AB12CD", ...).
    identifiers: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.terms and not self.identifiers and not self.name_text


def forms(term: str) -> tuple[str, ...]:
    """The word and its likely plural or singular: "fiets" -> fiets, fietsen, fietss;
    "woningen" -> woningen, woningenen, woningens, woning."""
    out = [term]
    if len(term) >= 3 and not term.isdigit():
        out += [term + "en", term + "s"]
        if term.endswith("en") and len(term) > 4:
            out.append(term[:-2])
        if term.endswith("s") and len(term) > 3:
            out.append(term[:-1])
    return tuple(dict.fromkeys(out))


def parse_query(text: str) -> ParsedQuery:
    from regie.search.identifiers import recognise

    text = " ".join((text or "").split())[:200]
    words = tokens(text)
    terms = tuple(w for w in words if w not in STOP_WORDS)
    name_text = fold(text)
    keys = tuple(
        dict.fromkeys(
            PHONETIC_PREFIX + k.lower() for k in (phonetic(w) for w in terms if len(w) > 1) if k
        )
    )
    return ParsedQuery(
        text=text,
        terms=terms,
        term_forms=tuple(forms(t) for t in dict.fromkeys(terms)),
        term_stems=tuple(dict.fromkeys(stem(f) for t in terms for f in forms(t))),
        name_text=name_text,
        name_keys=keys,
        identifiers=tuple(recognise(text)),
    )


def fts5_query(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression: every term (one of its forms' stems) in title or body, or
    every word's phonetic key in the names; ``""`` when there is nothing to match."""
    parts = []
    if parsed.term_forms:
        terms = " AND ".join(
            "(" + " OR ".join(f'"{s}"' for s in dict.fromkeys(stem(f) for f in fs)) + ")"
            for fs in parsed.term_forms
        )
        parts.append(f"({{title body}} : ({terms}))")
    if parsed.name_keys:
        keys = " AND ".join(f'"{k}"' for k in parsed.name_keys)
        parts.append(f"(names : ({keys}))")
    return " OR ".join(parts)


def pg_tsquery(parsed: ParsedQuery) -> str:
    """The text for PostgreSQL's ``to_tsquery('dutch', ...)``: every term as one of its
    forms, ANDed (terms are word characters only, so nothing needs quoting)."""
    # One form per distinct stem (Python's Snowball stems as PostgreSQL's do): fewer
    # duplicate lexemes, better row estimates.
    return " & ".join(
        "(" + " | ".join(dict.fromkeys({stem(f): f for f in reversed(fs)}.values())) + ")"
        for fs in parsed.term_forms
    )


def _matches(token: str, wanted: tuple[str, ...]) -> bool:
    return stem(token) in wanted


def snippet(text: str, parsed: ParsedQuery, *, words: int = 24) -> str:
    """The part of ``text`` with the most query words, those words between
    :data:`MARK_OPEN`/:data:`MARK_CLOSE` (see :func:`snippet_html`); "…" where cut."""
    spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text or "")]
    if not spans:
        return ""
    wanted = parsed.term_stems
    hit = [bool(wanted) and _matches(w.casefold(), wanted) for _, _, w in spans]
    best, best_score = 0, -1
    for start in range(0, max(1, len(spans) - words + 1)):
        score = sum(hit[start : start + words])
        if score > best_score:
            best, best_score = start, score
    window = spans[best : best + words]
    out: list[str] = []
    pos = window[0][0]
    for (s, e, _w), is_hit in zip(window, hit[best : best + words], strict=True):
        out.append(text[pos:s])
        out.append(f"{MARK_OPEN}{text[s:e]}{MARK_CLOSE}" if is_hit else text[s:e])
        pos = e
    if best == 0:
        out.insert(0, text[: window[0][0]])
    if best + words >= len(spans):
        out.append(text[pos:])
    body = "".join(out).strip()
    if best > 0:
        body = "… " + body
    if best + words < len(spans):
        body += " …"
    return body


def snippet_html(marked: str) -> str:
    """Escape a :func:`snippet` and turn its markers into ``<mark>``: safe to render."""
    return html.escape(marked).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
