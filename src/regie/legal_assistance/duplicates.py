"""Duplicate check: the same subject or request arriving through several channels, grouped
into one case.

Pure Python, no Django. A diffusion arrives first and the red notice weeks later; the same
person is signalled through SIRENE and Interpol; a country repeats its request. Names come
transliterated in different ways (Mohammed, Muhammad, Mohamed; Aleksandr, Alexander;
Yusuf, Youssef), with or without particles ("al-Rashid", "Rashid"), in swapped order, and
dates of birth with typos, day and month swapped, or only the year.

Two messages are linked (:func:`compare_messages`) when

1. they share a reference: the same Interpol file number, the same reference of the same
   issuing country, the same own reference or the same Interpol entity id of a subject, or
   one lists a reference of the other under ``related_references`` (score 1.0); or
2. a subject of one matches a subject of the other (:class:`RuleBasedSubjectMatcher`,
   below) with, after +0.05 for the same issuing country or -0.05 for another one, a score
   of at least :data:`DUPLICATE` (0.77).

:func:`group_messages` joins linked messages into cases (connected components, union-find),
so a diffusion, the red notice that followed it and the PNR hit on the same person end up in
one case even when only some pairs are linked directly. Links are followed strongest first,
and a subject link is *not* followed when it would put two messages into one case that name
the same person but clearly as someone else (names agreeing >= 0.9 with complete dates of
birth that differ beyond a typo, another sex or another entity id): one uncertain link (an
exact name with only a year of birth) then cannot chain two people's cases together. Such
links, and links scoring between the matcher's suggestion threshold (0.60) and
``DUPLICATE``, are returned as ``suggestions`` for an officer to judge.

Subject comparison behind the registration ``Matcher`` interface
================================================================

Subjects are compared by a matcher with the interface of
:class:`regie.registration.matching.Matcher` (``propose(query, candidates, limit=5)`` ->
:class:`~regie.registration.matching.Match` with score and Dutch reasons) over
:class:`SubjectRecord`. The rule-based matcher below is the default; the Intelligence
issue's entity resolution can replace it by implementing the same interface
(:class:`SubjectMatcher`; an optional ``blocking_keys(record)`` method is used when
present). :class:`PersonMatcherAdapter` runs any registration ``PersonMatcher`` (such as
:class:`~regie.registration.matching.RuleBasedPersonMatcher`) on subjects, which is also
what the register lookup needs (:meth:`SubjectRecord.to_person_record`).

The rule-based subject score::

    score = 0.95 * (0.55 * names + 0.45 * date of birth) + nationality + sex

clamped to [0, 1]; the same Interpol entity id scores 1.0 outright.

*Names*: forenames and names are taken together as one bag of words, so a swapped order
costs nothing (the reason says so). Words are transliterated to ASCII with the project's
:func:`~regie.registration.normalise.name_key` (``anyascii``; apostrophes vanish, so
"Sa'idi" is "saidi"), and name particles are left out: the one-word particles of
:data:`~regie.registration.normalise.PARTICLES` ("van", "de", "al", "el", "di", ...) plus
"bin", "ben", "bel", "ibn", "mc", "mac", "o". Two words score

* 1.0 when equal; 0.97 when equal after folding transliteration variants (:func:`fold`:
  "tsch"/"tch"/"cz" -> "ch", "sch"/"sz" -> "sh", "dj" -> "j", "zh" -> "j", "kh" -> "h",
  "ph" -> "f", "th" -> "t", "c" -> "k" (not in "ch"), "q" -> "k", "x" -> "ks", "w" -> "v",
  "ou"/"oo" -> "u", "ee" -> "i", "y"/"j" -> "i", double letters single, final "ff" -> "v");
* 0.95 when one is the other with a particle glued on or off ("Benali" ~ "Ben Ali",
  "Delafontaine" ~ "de la Fontaine");
* 0.90 when their consonant skeletons are equal and one was written without vowels (Arabic
  script comes out of ``anyascii`` as "mhmd", "ywsf": for such words "w", "y" and a final
  "h" are dropped too); at least 0.90 (at most 0.95) when the skeletons are equal and the
  folded spellings are similar (Jaro-Winkler >= 0.70): Mohammed ~ Muhammad ~ Mohamad
  ("mhmd");
* the Jaro-Winkler similarity of the folded spellings (at most 0.93) when >= 0.85;
* 0.6 for a matching initial; otherwise -0.5.

The words of the shorter name are paired greedily with the best words of the other;
``names`` is the mean of the pairs, times 0.85 + 0.15 * (words paired / words of the longer
name).

*Date of birth* (partial dates are kept partial, :func:`compare_dates_of_birth`): equal 1.0;
day and month swapped 0.8; one digit differs 0.75; two adjacent digits swapped 0.7;
compatible partial dates: year and month 0.7, year only 0.5; partial dates whose years are
one digit apart 0.2; unknown on either side 0 (no evidence either way); otherwise -1.0.

*Nationality*: a shared nationality +0.05; both known and none shared -0.15. *Sex*: both
known (M/F) and different -0.5.

Worked examples, both from the same issuing country (+0.05) with a shared nationality: an
exact name with the full date of birth scores 1.0, with only the year of birth 0.84 (a
duplicate), without any date of birth 0.57 before the issuing country (not even a
suggestion: common names are too common); "Achmed Hasan" for "Ahmed Hassan" with only the
year 0.81; an exact name with another date of birth 0.20.

Scale
=====

Candidate pairs come from blocking keys (:func:`subject_blocking_keys`): each name word's
skeleton with the year of birth, the complete date of birth (also with day and month
swapped), each name word's skeleton with the month and day of birth (for a typo in the
year), and the entity id; reference keys block messages on references. A subject without a
date of birth gets no name keys (it cannot reach the suggestion threshold on its name alone).
Only subjects sharing a key are compared, the date of birth first (a clearly different one
ends the comparison before the names), and blocks larger than :data:`MAX_BLOCK` are skipped
(counted in the result). Word similarities and features are cached. 10,000 messages take
about a second (``benchmarks/legal_assistance.py``), 50,000 about 20 seconds; on the
synthetic traffic (:mod:`~.traffic`) pairwise precision is about 0.98 and recall about 0.97
for 10,000 messages (precision falls to 0.95 at 50,000, as namesakes accumulate), the misses
being mostly messages without any date of birth.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol

import jellyfish

from regie.legal_assistance.messages import Message, PartialDate, Subject
from regie.registration.matching import Match, Matcher, PersonRecord, Scored
from regie.registration.normalise import PARTICLES, name_key

DUPLICATE: Final = 0.77
SAME_ISSUER_BONUS: Final = 0.05
OTHER_ISSUER_PENALTY: Final = 0.05
MAX_BLOCK: Final = 500
#: References shorter than this (alphanumerics) are too generic to link on.
MIN_REFERENCE_LENGTH: Final = 5

W_NAMES: Final = 0.55
W_DOB: Final = 0.45
#: Names and date of birth reach at most this; a shared nationality adds the rest, so an
#: exact name and date of birth rank above a transliterated name with the same date.
IDENTITY_CEILING: Final = 0.95
NATIONALITY_BONUS: Final = 0.05
NATIONALITY_PENALTY: Final = 0.15
SEX_PENALTY: Final = 0.5
MISMATCH: Final = -0.5
#: Name agreement above which a clearly different date of birth, sex or entity id means
#: "another person with the same name" (see ``group_messages``).
CONFLICT_NAMES: Final = 0.9

#: Particles left out of names: single words of the registration particles plus Arabic ones.
NAME_PARTICLES: Final[frozenset[str]] = frozenset(
    {name_key(p) for p in PARTICLES if " " not in p and name_key(p)}
    | {"al", "el", "ul", "bin", "ben", "bel", "ibn", "bint", "mc", "mac", "o"}
)
#: Particles that are also written glued to the name ("Benali", "Elamrani", "Alrashid").
GLUED_PARTICLES: Final = ("al", "el", "ben", "bin", "bel")
_MIN_GLUED_REST: Final = 3


# --------------------------------------------------------------------------------------------
# Name folding
# --------------------------------------------------------------------------------------------

_FOLDS: Final = (
    ("tsch", "ch"),
    ("dj", "j"),
    ("tch", "ch"),
    ("sch", "sh"),
    ("sz", "sh"),
    ("cz", "ch"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("ch", "\x00"),  # kept apart from "c" -> "k"
    ("c", "k"),
    ("\x00", "ch"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("y", "i"),
    ("j", "i"),
)
_REPEATS = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiou]")


@lru_cache(maxsize=131072)
def fold(key: str) -> str:
    """Spelling variants of transliteration folded (see the module docstring):
    "youssef" -> "iusef", "schewtschenko" -> "shevchenko", "ivanoff" -> "ivanov"."""
    out = key
    for old, new in _FOLDS:
        out = out.replace(old, new)
    out = _REPEATS.sub(r"\1", out)
    if out.endswith("f") and len(out) > 3 and key.endswith("ff"):
        out = out[:-1] + "v"
    return out


@lru_cache(maxsize=131072)
def skeleton(key: str) -> str:
    """The consonants of :func:`fold` (repeats collapsed): "mohammed" -> "mhmd"."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", fold(key)))


@dataclass(frozen=True, slots=True)
class _Word:
    key: str
    fold: str
    #: Consonant skeletons: one, or for words written without vowels (Arabic script comes
    #: out of ``anyascii`` as "mhmd", "ywsf", "ftmh") also without "w"/"y" and a final "h".
    skeletons: frozenset[str]
    #: Folded, without a glued particle ("benali" -> "ali"), if any.
    bare: str
    #: Folded, with the particles written before it glued on ("de la Fontaine" ->
    #: "delafontaine"), if any.
    glued: str
    forename: bool
    #: Written without vowels (from an abjad script).
    abjad: bool


@lru_cache(maxsize=131072)
def _word(key: str, forename: bool, particles: tuple[str, ...] = ()) -> _Word:
    bare = ""
    if not forename:
        for p in GLUED_PARTICLES:
            if key.startswith(p) and len(key) - len(p) >= _MIN_GLUED_REST:
                bare = fold(key[len(p) :])
                break
    abjad = len(key) >= 2 and not _VOWELS.search(key) and key.isalpha()
    skeletons = {skeleton(key)}
    if abjad:
        no_long_vowels = key[0] + key[1:].replace("w", "").replace("y", "")
        skeletons |= {skeleton(no_long_vowels), skeleton(no_long_vowels.removesuffix("h"))}
    glued = fold("".join((*particles, key))) if particles else ""
    return _Word(key, fold(key), frozenset(k for k in skeletons if k), bare, glued, forename, abjad)


_SPLIT = re.compile(r"[\s\-_,./]+")


@lru_cache(maxsize=65536)
def _words(text: str, forename: bool) -> tuple[tuple[_Word, ...], tuple[str, ...]]:
    """(name words, particles) of a forename or name."""
    words: list[_Word] = []
    particles: list[str] = []
    pending: list[str] = []
    for raw in _SPLIT.split(text):
        key = name_key(raw)
        if not key:
            continue
        if key in NAME_PARTICLES:
            particles.append(key)
            pending.append(key)
        else:
            words.append(_word(key, forename, tuple(pending)))
            pending = []
    if not words and particles:  # a name that is only a "particle" ("De", "Al")
        words = [_word(p, forename) for p in particles]
        particles = []
    return tuple(words), tuple(particles)


@lru_cache(maxsize=262144)
def _word_similarity(a: _Word, b: _Word) -> float:
    if a.key == b.key:
        return 1.0
    if a.fold == b.fold:
        return 0.97
    if (a.bare and a.bare in (b.fold, b.bare)) or (b.bare and b.bare == a.fold):
        return 0.95
    if (a.glued and a.glued in (b.fold, b.glued)) or (b.glued and b.glued == a.fold):
        return 0.95
    if min(len(a.key), len(b.key)) == 1:
        return 0.6 if a.key[0] == b.key[0] else MISMATCH
    same_skeleton = bool(a.skeletons & b.skeletons)
    if same_skeleton and (a.abjad or b.abjad):
        return 0.9
    jw = jellyfish.jaro_winkler_similarity(a.fold, b.fold)
    if same_skeleton and jw >= 0.70:
        return min(0.95, max(0.90, jw))
    if jw >= 0.85:
        return min(0.93, jw)
    return MISMATCH


# --------------------------------------------------------------------------------------------
# Subject records and the matcher
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    """What the subject matcher knows of a subject; ``id`` identifies it among candidates."""

    id: int | None
    forename: str = ""
    name: str = ""
    date_of_birth: PartialDate | None = None
    nationalities: tuple[str, ...] = ()
    sex: str = ""
    entity_id: str = ""

    @classmethod
    def from_subject(cls, subject: Subject, id: int | None = None) -> SubjectRecord:
        return cls(
            id=id,
            forename=subject.forename,
            name=subject.name,
            date_of_birth=subject.date_of_birth,
            nationalities=subject.nationalities,
            sex=subject.sex.value if subject.sex else "",
            entity_id=subject.entity_id,
        )

    def to_person_record(self) -> PersonRecord:
        """For the registration person matcher (register lookups): complete dates only, one
        nationality only when there is exactly one."""
        return PersonRecord(
            id=self.id,
            first_names=self.forename,
            particle="",
            surname=self.name,
            date_of_birth=self.date_of_birth.as_date() if self.date_of_birth else None,
            bsn=None,
            nationality=self.nationalities[0] if len(self.nationalities) == 1 else "",
        )


class SubjectMatcher(Matcher[SubjectRecord], Protocol):
    """The swappable subject matcher: rule based now, the Intelligence issue's entity
    resolution later. ``propose`` returns the candidates at or above the matcher's own
    suggestion threshold, best first."""


def _fmt(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


@dataclass(frozen=True, slots=True)
class _Features:
    words: tuple[_Word, ...]
    particles: frozenset[str]
    first_forename: _Word | None
    last_name: _Word | None
    dob: PartialDate | None
    nationalities: frozenset[str]
    sex: str
    entity_id: str


@lru_cache(maxsize=131072)
def _features(record: SubjectRecord) -> _Features:
    fore, fore_particles = _words(record.forename, True)
    sur, sur_particles = _words(record.name, False)
    seen: set[str] = set()
    words: list[_Word] = []
    for w in (*fore, *sur):
        if w.key not in seen:
            seen.add(w.key)
            words.append(w)
    return _Features(
        words=tuple(words),
        particles=frozenset(fore_particles + sur_particles),
        first_forename=fore[0] if fore else None,
        last_name=sur[-1] if sur else None,
        dob=record.date_of_birth,
        nationalities=frozenset(record.nationalities),
        sex=record.sex if record.sex in ("M", "F") else "",
        entity_id=record.entity_id,
    )


def _digits(d: PartialDate) -> str:
    return f"{d.year:04d}{d.month or 0:02d}{d.day or 0:02d}"


def compare_dates_of_birth(a: PartialDate | None, b: PartialDate | None) -> tuple[float, str]:
    """The date-of-birth part of the subject score, with its Dutch reason."""
    if a is None or b is None:
        return 0.0, "geboortedatum onbekend"
    if a == b:
        if a.is_complete:
            return 1.0, "geboortedatum gelijk"
        return (0.7, "geboortejaar en -maand gelijk") if a.month else (0.5, "geboortejaar gelijk")
    if a.is_complete and b.is_complete:
        if a.year == b.year and a.day == b.month and a.month == b.day:
            return 0.8, "dag en maand verwisseld"
        da, db = _digits(a), _digits(b)
        differ = [i for i in range(8) if da[i] != db[i]]
        if len(differ) == 1:
            return 0.75, "geboortedatum verschilt één cijfer"
        if (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and da[differ[0]] == db[differ[1]]
            and da[differ[1]] == db[differ[0]]
        ):
            return 0.7, "twee cijfers van de geboortedatum verwisseld"
        return -1.0, "geboortedatum verschilt"
    compatible = a.year == b.year and (a.month is None or b.month is None or a.month == b.month)
    if compatible:
        if a.month is not None and b.month is not None:
            return 0.7, "geboortedatum onvolledig; jaar en maand gelijk"
        return 0.5, "geboortedatum onvolledig; jaar gelijk"
    if sum(x != y for x, y in zip(f"{a.year:04d}", f"{b.year:04d}", strict=True)) == 1:
        return 0.2, "geboortedatum onvolledig; jaar verschilt één cijfer"
    return -1.0, "geboortedatum verschilt"


def _compare_names(q: _Features, c: _Features) -> tuple[float, list[str]]:
    if not q.words or not c.words:
        return 0.0, ["naam onbekend"]
    small, large = (q.words, c.words) if len(q.words) <= len(c.words) else (c.words, q.words)
    pairs = sorted(
        ((_word_similarity(a, b), i, j) for i, a in enumerate(small) for j, b in enumerate(large)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_small: set[int] = set()
    used_large: set[int] = set()
    chosen: list[tuple[float, _Word, _Word]] = []
    for sim, i, j in pairs:
        if i in used_small or j in used_large:
            continue
        used_small.add(i)
        used_large.add(j)
        chosen.append((sim, small[i], large[j]))
        if len(chosen) == len(small):
            break
    mean = sum(s for s, _, _ in chosen) / len(chosen)
    value = mean * (0.85 + 0.15 * len(small) / len(large))
    reasons: list[str] = []
    lowest = min(s for s, _, _ in chosen)
    if lowest == 1.0:
        reasons.append("naam gelijk")
    elif lowest >= 0.97:
        reasons.append("naam gelijk na transliteratie")
    elif lowest > 0:
        reasons.append(f"naam lijkt ({_fmt(mean)})")
    else:
        reasons.append("naam verschilt")
    if any(a.forename != b.forename for s, a, b in chosen if s > 0):
        reasons.append("voor- en achternaam verwisseld")
    if len(small) < len(large):
        reasons.append("naamdelen ontbreken aan één kant")
    if q.particles != c.particles:
        reasons.append("partikel verschilt of ontbreekt")
    return value, reasons


class RuleBasedSubjectMatcher:
    """The default :class:`SubjectMatcher`; the scoring is described in the module docstring."""

    AUTO_LINK: float = 0.97
    SUGGEST: float = 0.60

    def compare(self, query: SubjectRecord, candidate: SubjectRecord) -> Scored:
        scored = self._compare(_features(query), _features(candidate), floor=None)
        assert scored is not None
        return scored

    @staticmethod
    def _compare(q: _Features, c: _Features, *, floor: float | None) -> Scored | None:
        """The score, or ``None`` when it cannot reach ``floor`` whatever the names (the
        date of birth is compared first: a clearly different one ends it cheaply)."""
        if q.entity_id and q.entity_id == c.entity_id:
            return Scored(1.0, ("zelfde Interpol entity-id",))
        dob, dob_reason = compare_dates_of_birth(q.dob, c.dob)
        if floor is not None:
            best = IDENTITY_CEILING * (W_NAMES + W_DOB * dob) + NATIONALITY_BONUS
            if best < floor:
                return None
        names, reasons = _compare_names(q, c)
        reasons.append(dob_reason)
        score = IDENTITY_CEILING * (W_NAMES * names + W_DOB * dob)
        if q.nationalities and c.nationalities:
            if q.nationalities & c.nationalities:
                score += NATIONALITY_BONUS
                reasons.append("nationaliteit gelijk")
            else:
                score -= NATIONALITY_PENALTY
                reasons.append("nationaliteit verschilt")
        if q.sex and c.sex and q.sex != c.sex:
            score -= SEX_PENALTY
            reasons.append("geslacht verschilt")
        return Scored(round(min(1.0, max(0.0, score)), 3), tuple(reasons))

    def propose(
        self, query: SubjectRecord, candidates: Sequence[SubjectRecord], *, limit: int = 5
    ) -> list[Match]:
        best: dict[int, Match] = {}
        q = _features(query)
        for candidate in candidates:
            cid = candidate.id
            if cid is None or cid == query.id:
                continue
            scored = self._compare(q, _features(candidate), floor=self.SUGGEST)
            if scored is None or scored.score < self.SUGGEST:
                continue
            known = best.get(cid)
            if known is None or scored.score > known.score:
                best[cid] = Match(cid, scored.score, scored.reasons)
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.id))
        return ranked[: max(limit, 0)]

    def blocking_keys(self, record: SubjectRecord) -> frozenset[str]:
        """Keys to find candidates with (see *Scale* in the module docstring)."""
        return subject_blocking_keys(record)


@lru_cache(maxsize=131072)
def _block_parts(w: _Word) -> frozenset[str]:
    """The spellings a word is blocked under: its skeletons (its fold when a skeleton is a
    single letter), and the skeletons without and with a glued particle."""
    parts = {k if len(k) >= 2 else w.fold for k in w.skeletons}
    parts |= {_REPEATS.sub(r"\1", _VOWELS.sub("", k)) for k in (w.bare, w.glued) if k}
    return frozenset(p for p in parts if p)


def subject_blocking_keys(record: SubjectRecord) -> frozenset[str]:
    """Blocking keys of a subject: ``y:`` a name word's skeleton with the year of birth,
    ``d:`` the complete date of birth (and with day and month swapped), ``m:`` a name word's
    skeleton with the month and day of birth (a typo in the year), ``e:`` the Interpol
    entity id.

    A subject without a date of birth gets no name keys: without one it cannot reach the
    suggestion threshold (an exact name scores 0.52, 0.57 with a shared nationality), so
    comparing it with every namesake would only cost time."""
    f = _features(record)
    keys: set[str] = set()
    if f.entity_id:
        keys.add(f"e:{f.entity_id}")
    if f.dob is None:
        return frozenset(keys)
    parts = set().union(*(_block_parts(w) for w in f.words)) if f.words else set()
    keys.update(f"y:{part}|{f.dob.year}" for part in parts)
    if f.dob.month is not None and f.dob.day is not None:
        keys.add(f"d:{f.dob}")
        keys.update(f"m:{part}|{f.dob.month:02d}{f.dob.day:02d}" for part in parts)
        if f.dob.day <= 12:
            keys.add(f"d:{PartialDate(f.dob.year, f.dob.day, f.dob.month)}")
    return frozenset(keys)


class PersonMatcherAdapter:
    """Any registration person matcher (``Matcher[PersonRecord]``) as a subject matcher:
    subjects are turned into :class:`~regie.registration.matching.PersonRecord` (complete
    dates of birth only; see :meth:`SubjectRecord.to_person_record`)."""

    def __init__(self, person_matcher: Matcher[PersonRecord]) -> None:
        self.person_matcher = person_matcher

    def propose(
        self, query: SubjectRecord, candidates: Sequence[SubjectRecord], *, limit: int = 5
    ) -> list[Match]:
        return self.person_matcher.propose(
            query.to_person_record(), [c.to_person_record() for c in candidates], limit=limit
        )

    def blocking_keys(self, record: SubjectRecord) -> frozenset[str]:
        return subject_blocking_keys(record)


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9A-Z]+")


def _ref(value: str) -> str:
    return _NON_ALNUM.sub("", value.upper())


def reference_keys(message: Message) -> frozenset[str]:
    """The references a message declares, as keys: ``ip:`` Interpol file number, ``is:``
    issuing country and its reference, ``own:`` our reference, ``ent:`` entity ids."""
    keys: set[str] = set()
    refs = message.references
    if refs.interpol and len(_ref(refs.interpol)) >= MIN_REFERENCE_LENGTH:
        keys.add(f"ip:{_ref(refs.interpol)}")
    if refs.issuing and len(_ref(refs.issuing)) >= MIN_REFERENCE_LENGTH:
        keys.add(f"is:{message.issuing_country}:{_ref(refs.issuing)}")
    if refs.own and len(_ref(refs.own)) >= MIN_REFERENCE_LENGTH:
        keys.add(f"own:{_ref(refs.own)}")
    for s in message.subjects:
        if s.entity_id:
            keys.add(f"ent:{_ref(s.entity_id)}")
    return frozenset(keys)


def _mentioned(message: Message) -> frozenset[str]:
    return frozenset(
        r for r in (_ref(x) for x in message.related_references) if len(r) >= MIN_REFERENCE_LENGTH
    )


def _bare(key: str) -> str:
    return key.rsplit(":", 1)[1]


_REFERENCE_REASONS: Final = {
    "ip": "zelfde Interpol-dossiernummer",
    "is": "zelfde referentie van het verzoekende land",
    "own": "zelfde eigen referentie",
    "ent": "zelfde Interpol entity-id",
}


def _reference_link(a: Message, b: Message) -> str | None:
    ka, kb = reference_keys(a), reference_keys(b)
    shared = sorted(ka & kb)
    if shared:
        return f"{_REFERENCE_REASONS[shared[0].split(':', 1)[0]]} ({_bare(shared[0])})"
    bare_a, bare_b = {_bare(k) for k in ka}, {_bare(k) for k in kb}
    mentioned = sorted((_mentioned(a) & bare_b) | (_mentioned(b) & bare_a))
    if mentioned:
        return f"verwijst naar referentie {mentioned[0]}"
    return None


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """Two messages (indexes or ids) judged to concern the same case."""

    a: int
    b: int
    score: float
    reasons: tuple[str, ...]


def _issuer_adjustment(a: Message, b: Message) -> tuple[float, str]:
    if a.issuing_country == b.issuing_country:
        return SAME_ISSUER_BONUS, "zelfde verzoekend land"
    return -OTHER_ISSUER_PENALTY, "ander verzoekend land"


def _records(message: Message, first_id: int) -> list[SubjectRecord]:
    return [SubjectRecord.from_subject(s, first_id + i) for i, s in enumerate(message.subjects)]


def compare_messages(
    a: Message,
    b: Message,
    *,
    matcher: SubjectMatcher | None = None,
    ids: tuple[int, int] = (0, 1),
) -> DuplicateLink | None:
    """The link between two messages (score and Dutch reasons) or ``None`` when the best
    evidence stays below :data:`DUPLICATE`."""
    matcher = matcher or RuleBasedSubjectMatcher()
    reason = _reference_link(a, b)
    if reason is not None:
        return DuplicateLink(ids[0], ids[1], 1.0, (reason,))
    ra, rb = _records(a, 0), _records(b, len(a.subjects))
    best: Match | None = None
    for q in ra:
        for m in matcher.propose(q, rb, limit=1):
            if best is None or m.score > best.score:
                best = m
    if best is None:
        return None
    bonus, issuer = _issuer_adjustment(a, b)
    score = round(min(1.0, max(0.0, best.score + bonus)), 3)
    if score < DUPLICATE:
        return None
    return DuplicateLink(ids[0], ids[1], score, (*best.reasons, issuer))


def blocking_keys(message: Message, *, matcher: SubjectMatcher | None = None) -> frozenset[str]:
    """Keys to store with a message so that the database can fetch the candidates of a new
    one: its reference keys, the bare values it mentions and its subjects' blocking keys."""
    keys = {f"r:{_bare(k)}" for k in reference_keys(message)}
    keys |= {f"r:{r}" for r in _mentioned(message)}
    block = getattr(matcher or RuleBasedSubjectMatcher(), "blocking_keys", subject_blocking_keys)
    for record in _records(message, 0):
        keys |= {f"s:{k}" for k in block(record)}
    return frozenset(keys)


def find_duplicates(
    message: Message,
    candidates: Sequence[tuple[int, Message]],
    *,
    matcher: SubjectMatcher | None = None,
    limit: int = 5,
) -> list[DuplicateLink]:
    """For intake: the earlier messages (``(id, message)``, e.g. those sharing a
    :func:`blocking_keys` key) that ``message`` duplicates, best first; ``a`` is ``-1`` (the
    new message), ``b`` the candidate's id."""
    links = [
        link
        for cid, other in candidates
        if (link := compare_messages(message, other, matcher=matcher, ids=(-1, cid)))
    ]
    links.sort(key=lambda link: (-link.score, link.b))
    return links[: max(limit, 0)]


class _Components:
    """Union-find that also keeps the members of each component (for the conflict check)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, drop = min(ra, rb), max(ra, rb)
        self.parent[drop] = keep
        self.members[keep].extend(self.members.pop(drop))


def _conflict(a: Message, b: Message) -> bool:
    """Whether two messages name the same person but clearly as someone else: subjects with
    agreeing names (name part >= 0.9) whose complete dates of birth differ beyond a typo, or
    whose sexes or Interpol entity ids differ."""
    for sa in a.subjects:
        fa = _features(SubjectRecord.from_subject(sa))
        for sb in b.subjects:
            fb = _features(SubjectRecord.from_subject(sb))
            if _compare_names(fa, fb)[0] < CONFLICT_NAMES:
                continue
            dob, _ = compare_dates_of_birth(fa.dob, fb.dob)
            if dob <= -1.0 and fa.dob and fb.dob and fa.dob.is_complete and fb.dob.is_complete:
                return True
            if fa.sex and fb.sex and fa.sex != fb.sex:
                return True
            if fa.entity_id and fb.entity_id and fa.entity_id != fb.entity_id:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Grouping:
    """Messages grouped into cases. Indexes refer to the input sequence."""

    #: Every message in exactly one group, groups ordered by their first message.
    groups: tuple[tuple[int, ...], ...]
    #: The links that joined messages into the groups, ``a < b``.
    links: tuple[DuplicateLink, ...]
    #: Possible duplicates for a person to judge: links between the matcher's suggestion
    #: threshold and ``DUPLICATE``, and links that were not followed because the two groups
    #: conflict (see :func:`group_messages`).
    suggestions: tuple[DuplicateLink, ...]
    #: Per message the index of its group in ``groups``.
    case_of: tuple[int, ...]
    #: Subject pairs scored by the matcher.
    comparisons: int
    #: Blocks larger than ``MAX_BLOCK`` that were not compared.
    skipped_blocks: int

    @property
    def duplicate_groups(self) -> tuple[tuple[int, ...], ...]:
        return tuple(g for g in self.groups if len(g) > 1)


def group_messages(
    messages: Sequence[Message],
    *,
    matcher: SubjectMatcher | None = None,
    threshold: float = DUPLICATE,
    max_block: int = MAX_BLOCK,
) -> Grouping:
    """Group ``messages`` into cases (see the module docstring).

    Links are followed strongest first (references, then subject scores high to low). A
    subject link is not followed when it would put two messages that conflict
    (:func:`_conflict`: same name, clearly different date of birth, sex or entity id) into
    one group; it becomes a suggestion instead. This keeps one uncertain link (an exact name
    with only a year of birth) from chaining two people's cases together."""
    matcher = matcher or RuleBasedSubjectMatcher()
    block = getattr(matcher, "blocking_keys", subject_blocking_keys)
    n = len(messages)
    found: dict[tuple[int, int], DuplicateLink] = {}

    # 1. References.
    declared: dict[str, list[int]] = defaultdict(list)
    bare: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(messages):
        for k in reference_keys(m):
            declared[k].append(i)
            bare[_bare(k)].append(i)
    ref_pairs: set[tuple[int, int]] = set()
    for holders in declared.values():
        ref_pairs |= _chain(holders)
    for i, m in enumerate(messages):
        for ref in _mentioned(m):
            ref_pairs |= {(min(i, j), max(i, j)) for j in bare.get(ref, ()) if j != i}
    for i, j in sorted(ref_pairs):
        reason = _reference_link(messages[i], messages[j])
        if reason is not None:
            found[(i, j)] = DuplicateLink(i, j, 1.0, (reason,))

    # 2. Subjects, blocked.
    records: list[SubjectRecord] = []
    owner: list[int] = []
    for i, m in enumerate(messages):
        for s in m.subjects:
            records.append(SubjectRecord.from_subject(s, len(records)))
            owner.append(i)
    blocks: dict[str, list[int]] = defaultdict(list)
    for rid, record in enumerate(records):
        for k in block(record):
            blocks[k].append(rid)
    skipped = 0
    candidates: dict[int, set[int]] = defaultdict(set)
    for ids in blocks.values():
        if len(ids) < 2:
            continue
        if len(ids) > max_block:
            skipped += 1
            continue
        for x in ids:
            mx = owner[x]
            candidates[x].update(y for y in ids if y > x and owner[y] != mx)
    comparisons = 0
    for x in sorted(candidates):
        others = sorted(candidates[x])
        comparisons += len(others)
        for match in matcher.propose(records[x], [records[y] for y in others], limit=len(others)):
            i, j = sorted((owner[x], owner[match.id]))
            bonus, issuer = _issuer_adjustment(messages[i], messages[j])
            score = round(min(1.0, max(0.0, match.score + bonus)), 3)
            known = found.get((i, j))
            if known is None or score > known.score:
                found[(i, j)] = DuplicateLink(i, j, score, (*match.reasons, issuer))

    # 3. Components, strongest links first, refusing conflicting merges.
    components = _Components(n)
    followed: list[DuplicateLink] = []
    suggestions: list[DuplicateLink] = []
    for link in sorted(found.values(), key=lambda lk: (-lk.score, lk.a, lk.b)):
        if link.score < threshold:
            suggestions.append(link)
            continue
        ra, rb = components.find(link.a), components.find(link.b)
        if ra == rb:
            followed.append(link)
            continue
        if link.score < 1.0 and any(
            _conflict(messages[x], messages[y])
            for x in components.members[ra]
            for y in components.members[rb]
        ):
            suggestions.append(
                DuplicateLink(
                    link.a, link.b, link.score, (*link.reasons, "let op: conflict in groep")
                )
            )
            continue
        components.union(link.a, link.b)
        followed.append(link)

    groups = sorted((tuple(sorted(g)) for g in components.members.values()), key=lambda g: g[0])
    case_of = [0] * n
    for gi, g in enumerate(groups):
        for i in g:
            case_of[i] = gi
    return Grouping(
        groups=tuple(groups),
        links=tuple(sorted(followed, key=lambda lk: (lk.a, lk.b))),
        suggestions=tuple(sorted(suggestions, key=lambda lk: (lk.a, lk.b))),
        case_of=tuple(case_of),
        comparisons=comparisons,
        skipped_blocks=skipped,
    )


def _chain(members: Sequence[int]) -> set[tuple[int, int]]:
    """Pairs that connect ``members`` (a chain suffices for the components)."""
    ordered = sorted(set(members))
    return {(ordered[k], ordered[k + 1]) for k in range(len(ordered) - 1)}


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairScores:
    """Pairwise precision and recall of a grouping against the true one."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(groups: Iterable[Sequence[int]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for g in groups:
        ordered = sorted(g)
        out.update(
            (ordered[a], ordered[b])
            for a in range(len(ordered))
            for b in range(a + 1, len(ordered))
        )
    return out


def pairwise_scores(
    predicted: Iterable[Sequence[int]], truth: Iterable[Sequence[int]]
) -> PairScores:
    """Pairwise precision/recall: every pair of messages put in one case is a prediction; a
    true positive when the truth has them in one case too."""
    p, t = _pairs(predicted), _pairs(truth)
    return PairScores(len(p & t), len(p - t), len(t - p))


__all__ = [
    "DUPLICATE",
    "DuplicateLink",
    "Grouping",
    "PairScores",
    "PersonMatcherAdapter",
    "RuleBasedSubjectMatcher",
    "SubjectMatcher",
    "SubjectRecord",
    "blocking_keys",
    "compare_dates_of_birth",
    "compare_messages",
    "find_duplicates",
    "fold",
    "group_messages",
    "pairwise_scores",
    "reference_keys",
    "skeleton",
    "subject_blocking_keys",
]
