"""Proposing existing core objects for what a user enters: persons, organisations, goods and
locations that are registered once and reused.

Pure Python, no Django. The database layer fetches candidates (for persons with
:meth:`RuleBasedPersonMatcher.blocking_keys`), a matcher scores them, and the user confirms a
proposal; a match at or above ``AUTO_LINK`` may be linked without asking. Every matcher has
the same small interface (:class:`Matcher`: ``propose(query, candidates, limit=5)``), so the
rule-based person matcher can be swapped for a trained entity-resolution model (Splink) later.

Thresholds (the same for all matchers)
======================================

``AUTO_LINK = 0.97``
    At or above it the system links without asking, but only when exactly one candidate
    reaches it (:meth:`auto_link_target`). For persons only a same BSN (1.0) or an exact
    surname, first name and date of birth (0.98) get there: a typo anywhere, initials, a
    missing date of birth, swapped names or another nationality stay below it, so a person
    is never linked on similarity alone. For goods only a same identifier without
    contradictions (1.0).
``SUGGEST = 0.60``
    Below it nothing is proposed. It sits above what a same surname and first name with a
    clearly different date of birth score (0.49) and what a same surname with unknown first
    name and date of birth scores (0.588), and below a same surname and first name without
    any date of birth (0.725) or a same surname and date of birth with another first name
    (0.686: twins and data errors look like this; a human decides).

Person scoring
==============

1. Both sides have a valid BSN: equal -> **1.0** ("BSN gelijk"); different -> **0.0**
   ("BSN verschilt"), whatever the names: two valid, different BSNs are two people (the
   elfproef catches every single-digit typo and every swap of adjacent digits). After
   "BSN gelijk" the reasons of step 2 follow, so a user sees contradicting names.
2. Otherwise three parts, each a value in [-0.5, 1] with a Dutch reason::

       score = 0.98 * (0.40 * surname + 0.20 * first name + 0.40 * date of birth)

   times 0.95 when first and last name are swapped (considered only when the swapped
   surname part scores >= 0.85 and the swapped first-name part >= 0.6), minus 0.05 when
   both nationalities are known and differ, then clamped to [0, 1] and rounded to three
   decimals.

   Surname (particle kept apart; compared with and without it):
     equal (or equal with an abbreviated particle "v.d." ~ "van der") 1.0 ·
     equal but particle missing on one side 0.95 · particle differs 0.85 ·
     one part of a double name equal ("Jansen-de Vries" ~ "de Vries") 0.90 ·
     sounds the same (Dutch-folded metaphone, and Jaro-Winkler >= 0.80) max(0.90, JW) ·
     Jaro-Winkler of the name keys >= 0.85: that value · otherwise -0.5.
     Non-exact values are capped at 0.95. Unknown: 0.3.
   First name (the first given name; all given names for initials):
     equal 1.0 · appears among the other's given names 0.8 · sounds the same (and JW
     >= 0.80) or Jaro-Winkler >= 0.85: 0.8 · known Dutch roepnaam ("Jan" ~ "Johannes") 0.7 ·
     initials agree ("J." ~ "Jan") 0.6 · unknown 0.3 · otherwise -0.5.
   Date of birth:
     equal 1.0 · day and month swapped 0.75 · one digit differs 0.7 · same year and one
     side 1 January (a placeholder for an unknown day) 0.4 · unknown 0.35 · otherwise -0.25.

   Examples: exact name and date 0.98 (auto link); surname and date with initials 0.90;
   "Jan van der Berg" 1980-05-04 vs "J. v.d. Berg" 1980-04-05 0.80; same name, other date
   0.49 (not proposed); unrelated 0.

Other core objects
==================

* Goods: an equal normalised frame number, plate, IMEI or serial number (serials of four
  characters or more, and not when both brands are known and differ) -> 1.0; with a
  contradiction (another identifier or the kind differs) 0.8; otherwise no match.
* Locations: same postcode and house number (or, without postcodes, same street, number and
  place) and suffix -> 1.0; different suffix -> 0.7; otherwise no match.
* Organisations: same KvK number -> 1.0, different KvK numbers -> 0.0; otherwise the same
  name without legal-form words ("B.V.", "Stichting") -> 0.9.

All matchers are deterministic: equal scores are ordered by id.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final, Protocol

import jellyfish

from regie.registration.normalise import (
    city_key,
    house_number_parts,
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
    split_particle,
    street_key,
)

AUTO_LINK: Final = 0.97
SUGGEST: Final = 0.60

# Person scoring (see the module docstring).
W_SURNAME: Final = 0.40
W_FIRST: Final = 0.20
W_DOB: Final = 0.40
CEILING: Final = 0.98
SWAPPED_NAMES_FACTOR: Final = 0.95
SWAP_MIN_SURNAME: Final = 0.85
SWAP_MIN_FIRST: Final = 0.6
NATIONALITY_PENALTY: Final = 0.05
FUZZY_MIN: Final = 0.85
#: Metaphone drops vowels ("Kees" ~ "Koos", "Bos" ~ "Buis"): a same code only counts with
#: some spelling similarity too.
PHONETIC_MIN: Final = 0.80
FUZZY_CAP: Final = 0.95
MISMATCH: Final = -0.5


# --------------------------------------------------------------------------------------------
# Records, results and the interface
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    """What the matcher knows of a person (``id`` is ``None`` for what is being entered)."""

    id: int | None
    first_names: str
    particle: str
    surname: str
    date_of_birth: dt.date | None
    bsn: str | None
    nationality: str = ""


@dataclass(frozen=True)
class OrganisationRecord:
    id: int | None
    name: str
    kvk_number: str | None = None


@dataclass(frozen=True)
class GoodRecord:
    id: int | None
    kind: str = ""
    brand: str = ""
    frame_number: str | None = None
    plate: str | None = None
    imei: str | None = None
    serial_number: str | None = None


@dataclass(frozen=True)
class LocationRecord:
    id: int | None
    street: str = ""
    house_number: str = ""
    house_number_suffix: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class Match:
    """A proposed existing object."""

    id: int
    score: float  # 0..1
    #: Human readable, Dutch: "BSN gelijk", "dag en maand verwisseld", ...
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    """The comparison of two records, before ranking."""

    score: float
    reasons: tuple[str, ...]


class Decision(StrEnum):
    AUTO_LINK = "auto_link"
    SUGGEST = "suggest"
    NONE = "none"


def decide(score: float, *, auto_link: float = AUTO_LINK, suggest: float = SUGGEST) -> Decision:
    """What a score means: link automatically, suggest to the user, or nothing."""
    if score >= auto_link:
        return Decision.AUTO_LINK
    if score >= suggest:
        return Decision.SUGGEST
    return Decision.NONE


class _Identified(Protocol):
    @property
    def id(self) -> int | None: ...


class Matcher[R](Protocol):
    """Proposes existing objects (``candidates``) for ``query``, best first, at most
    ``limit``, only those scoring at least the matcher's suggestion threshold."""

    def propose(self, query: R, candidates: Sequence[R], *, limit: int = 5) -> list[Match]: ...


class PersonMatcher(Matcher[PersonRecord], Protocol):
    """The swappable person matcher: rule based (:class:`RuleBasedPersonMatcher`) or a
    trained Splink model (:class:`regie.intelligence.er.matcher.SplinkPersonMatcher`), chosen
    by :func:`regie.registration.resolution.person_matcher`."""

    def auto_link_target(
        self, query: PersonRecord, candidates: Sequence[PersonRecord]
    ) -> Match | None: ...


class _RuleMatcher[R: _Identified](ABC):
    """Ranking shared by the rule-based matchers; subclasses implement :meth:`compare`."""

    AUTO_LINK: float = AUTO_LINK
    SUGGEST: float = SUGGEST

    @abstractmethod
    def compare(self, query: R, candidate: R) -> Scored:
        """Score ``candidate`` as a match for ``query``, with the reasons."""

    def propose(self, query: R, candidates: Sequence[R], *, limit: int = 5) -> list[Match]:
        best: dict[int, Match] = {}
        for candidate in candidates:
            cid = candidate.id
            if cid is None or cid == query.id:
                continue
            scored = self.compare(query, candidate)
            if scored.score < self.SUGGEST:
                continue
            match = Match(cid, scored.score, scored.reasons)
            # The same id twice: keep the best, independent of the order of the candidates.
            known = best.get(cid)
            if known is None or (match.score, match.reasons) > (known.score, known.reasons):
                best[cid] = match
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.id))
        return ranked[: max(limit, 0)]

    def decide(self, score: float) -> Decision:
        return decide(score, auto_link=self.AUTO_LINK, suggest=self.SUGGEST)

    def auto_link_target(self, query: R, candidates: Sequence[R]) -> Match | None:
        """The candidate to link without asking: the only one at or above ``AUTO_LINK``.
        Two or more such candidates (duplicates in the register) are left to the user."""
        top = [m for m in self.propose(query, candidates, limit=2) if m.score >= self.AUTO_LINK]
        return top[0] if len(top) == 1 else None


def _fmt(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


@dataclass(frozen=True)
class _Part:
    value: float
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockingKeys:
    """What a database query should use to fetch candidates for a person: any person with
    this BSN, or born on one of ``dates_of_birth``, or whose stored surname key is in
    ``surname_keys``, or whose stored phonetic key is in ``phonetic_keys``.

    The keys include the surname without and with its particle, the parts of a double
    surname and the first given name (to find swapped first and last names)."""

    bsn: str | None
    dates_of_birth: tuple[dt.date, ...]
    surname_keys: tuple[str, ...]
    phonetic_keys: tuple[str, ...]

    def is_empty(self) -> bool:
        return not (self.bsn or self.dates_of_birth or self.surname_keys or self.phonetic_keys)


@lru_cache(maxsize=65536)
def _surname_parts(particle: str, surname: str) -> tuple[str, str]:
    """(particle, surname) with a particle typed into the surname field moved out."""
    if particle.strip():
        return " ".join(particle.casefold().split()), " ".join(surname.split())
    return split_particle(surname)


def _double_name_parts(surname: str) -> list[str]:
    """Bare keys of the parts of a double surname ("Jansen-de Vries" -> jansen, vries)."""
    parts = [p for p in surname.split("-") if p.strip()]
    if len(parts) < 2:
        return []
    return [k for k in (name_key(split_particle(p)[1]) for p in parts) if k]


def _swapped_dob(dob: dt.date) -> dt.date | None:
    if dob.day > 12 or dob.day == dob.month:
        return None
    return dob.replace(month=dob.day, day=dob.month)


_VOWELS = frozenset("aeiouy")


def _particle_norm(particle: str) -> str:
    words = particle.casefold().replace("\u2019", "'").split()
    return " ".join("het" if w == "'t" else w for w in words)


def _particle_initials(particle: str) -> str:
    out = []
    for token in particle.casefold().replace("/", " ").replace(".", " ").split():
        letters = "".join(c for c in token if c.isalpha())
        if not letters:
            continue
        out.append(letters if not (set(letters) & _VOWELS) else letters[0])
    return "".join(out)


def _is_abbreviated(particle: str) -> bool:
    return "." in particle or "/" in particle or particle.casefold() in ("vd", "v")


def _compare_particles(a: str, b: str) -> tuple[float, tuple[str, ...]]:
    na, nb = _particle_norm(a), _particle_norm(b)
    if na == nb:
        return 1.0, ()
    if not na or not nb:
        return 0.95, ("tussenvoegsel ontbreekt aan één kant",)
    abbreviated = _is_abbreviated(a) or _is_abbreviated(b)
    if abbreviated and _particle_initials(a) == _particle_initials(b):
        return 1.0, ("tussenvoegsel afgekort",)
    return 0.85, ("tussenvoegsel verschilt",)


def _compare_surnames(qp: str, qs: str, cp: str, cs: str) -> _Part:
    qp, qs = _surname_parts(qp, qs)
    cp, cs = _surname_parts(cp, cs)
    q_bare, c_bare = name_key(qs), name_key(cs)
    if not q_bare or not c_bare:
        return _Part(0.3, ("achternaam onbekend",))
    q_full, c_full = name_key(f"{qp} {qs}"), name_key(f"{cp} {cs}")
    if q_full == c_full:
        return _Part(1.0, ("achternaam gelijk",))
    if q_bare == c_bare:
        value, notes = _compare_particles(qp, cp)
        return _Part(value, ("achternaam gelijk", *notes))
    q_parts, c_parts = _double_name_parts(qs), _double_name_parts(cs)
    if c_bare in q_parts or q_bare in c_parts or set(q_parts) & set(c_parts):
        return _Part(0.90, ("deel van dubbele achternaam gelijk",))
    jw = max(
        jellyfish.jaro_winkler_similarity(q_bare, c_bare),
        jellyfish.jaro_winkler_similarity(q_full, c_full),
    )
    if jw >= PHONETIC_MIN and phonetic(qs) == phonetic(cs):
        return _Part(min(FUZZY_CAP, max(0.90, jw)), (f"achternaam klinkt gelijk ({_fmt(jw)})",))
    if jw >= FUZZY_MIN:
        return _Part(min(FUZZY_CAP, jw), (f"achternaam lijkt ({_fmt(jw)})",))
    return _Part(MISMATCH, ("achternaam verschilt",))


#: Official given names and the roepnamen they go with (keys).
_NAME_GROUPS: Final[tuple[frozenset[str], ...]] = tuple(
    frozenset(g.split())
    for g in (
        "johannes jan johan hans joop jo jannes",
        "johanna jo hanneke hanna ans",
        "cornelis kees cor corne",
        "cornelia cor corrie nel",
        "petrus pieter piet peter",
        "wilhelmus willem wim pim",
        "hendrik hendrikus henricus henk harry rik",
        "nicolaas klaas nico",
        "gerardus gerhardus gerrit gert gerard",
        "theodorus dirk dick theo",
        "antonius anton ton toon teun",
        "jacobus jacob jaap sjaak koos kobus co",
        "josephus jozef jos sjef joep",
        "franciscus frans frank",
        "hubertus huub bert",
        "albertus lambertus bert",
        "maria ria mies marja mieke marie",
        "anna annie anneke",
        "elisabeth bep betty liesbeth lies els",
        "geertruida truus trudy",
        "aleida alida ida",
        "mohammed mohamed muhammad mohammad mohamad muhammed",
    )
)


def _roepnaam_related(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _NAME_GROUPS)


@dataclass(frozen=True)
class _GivenName:
    key: str
    abbreviated: bool  # an initial ("J.") or a shortened name ("Joh.")


def _given_names(first_names: str) -> list[_GivenName]:
    out: list[_GivenName] = []
    for token in first_names.split():
        if "." in token:
            pieces = [p for p in token.split(".") if p]
            out.extend(_GivenName(name_key(p), True) for p in pieces if name_key(p))
            continue
        key = name_key(token)
        if key:
            out.append(_GivenName(key, len(key) == 1))
    return out


def _abbreviation_agrees(a: _GivenName, b: _GivenName) -> bool:
    if a.abbreviated and b.abbreviated:
        return a.key.startswith(b.key) or b.key.startswith(a.key)
    if a.abbreviated:
        return b.key.startswith(a.key)
    return a.key.startswith(b.key)


def _compare_first_names(q_first: str, c_first: str) -> _Part:
    qn, cn = _given_names(q_first), _given_names(c_first)
    if not qn or not cn:
        return _Part(0.3, ("voornaam onbekend",))
    q, c = qn[0], cn[0]
    if q.abbreviated or c.abbreviated:
        pairs = list(zip(qn, cn, strict=False))
        if _abbreviation_agrees(q, c):
            if all(_abbreviation_agrees(a, b) for a, b in pairs):
                return _Part(0.6, ("voorletters komen overeen",))
            return _Part(0.6, ("eerste voorletter komt overeen",))
        return _Part(MISMATCH, ("voorletters verschillen",))
    if q.key == c.key:
        return _Part(1.0, ("voornaam gelijk",))
    if q.key in {n.key for n in cn} or c.key in {n.key for n in qn}:
        return _Part(0.8, ("voornaam komt voor in voornamen",))
    jw = jellyfish.jaro_winkler_similarity(q.key, c.key)
    if jw >= PHONETIC_MIN and phonetic(q.key) == phonetic(c.key):
        return _Part(0.8, (f"voornaam klinkt gelijk ({_fmt(jw)})",))
    if jw >= FUZZY_MIN:
        return _Part(0.8, (f"voornaam lijkt ({_fmt(jw)})",))
    if _roepnaam_related(q.key, c.key):
        return _Part(0.7, ("roepnaam past bij voornaam",))
    return _Part(MISMATCH, ("voornaam verschilt",))


def _digits(d: dt.date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def _compare_dates_of_birth(a: dt.date | None, b: dt.date | None) -> _Part:
    if a is None or b is None:
        return _Part(0.35, ("geboortedatum onbekend",))
    if a == b:
        return _Part(1.0, ("geboortedatum gelijk",))
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return _Part(0.75, ("dag en maand verwisseld",))
    if sum(x != y for x, y in zip(_digits(a), _digits(b), strict=True)) == 1:
        return _Part(0.7, ("geboortedatum verschilt één cijfer",))
    if a.year == b.year and ((a.month, a.day) == (1, 1) or (b.month, b.day) == (1, 1)):
        return _Part(0.4, ("geboortedatum mogelijk onvolledig (1 januari)",))
    return _Part(-0.25, ("geboortedatum verschilt",))


class RuleBasedPersonMatcher(_RuleMatcher[PersonRecord]):
    """The default :class:`PersonMatcher`; the scoring is described in the module docstring."""

    AUTO_LINK: float = 0.97  # above it the system links without asking
    SUGGEST: float = 0.60  # below it no suggestion

    def blocking_keys(self, query: PersonRecord) -> BlockingKeys:
        particle, surname = _surname_parts(query.particle, query.surname)
        dates: list[dt.date] = []
        if query.date_of_birth is not None:
            dates.append(query.date_of_birth)
            swapped = _swapped_dob(query.date_of_birth)
            if swapped is not None:
                dates.append(swapped)
        given = query.first_names.split()
        first = split_particle(given[0])[1] if given else ""
        bare_parts = [split_particle(p)[1] for p in surname.split("-")]
        names = [surname, f"{particle} {surname}", *bare_parts, first]
        keys = [name_key(n) for n in names]
        phonetics = [phonetic(n) for n in (surname, *bare_parts, first)]
        return BlockingKeys(
            bsn=normalise_bsn(query.bsn) if query.bsn else None,
            dates_of_birth=tuple(dates),
            surname_keys=tuple(sorted({k for k in keys if k})),
            phonetic_keys=tuple(sorted({p for p in phonetics if p})),
        )

    @staticmethod
    def may_auto_link(query: PersonRecord, candidate: PersonRecord) -> bool:
        """A necessary condition for :meth:`compare` to reach ``AUTO_LINK``: the same valid
        BSN, or the same known date of birth. Any other date of birth scores at most 0.75,
        which keeps a score at or below 0.98 * (0.40 + 0.20 + 0.40 * 0.75) = 0.88. Lets the
        database fetch only the candidates of an automatic link."""
        q_bsn = normalise_bsn(query.bsn) if query.bsn else None
        if q_bsn and candidate.bsn and q_bsn == normalise_bsn(candidate.bsn):
            return True
        return query.date_of_birth is not None and query.date_of_birth == candidate.date_of_birth

    @staticmethod
    def stored_keys(record: PersonRecord) -> tuple[str, str]:
        """(surname key, phonetic key) to store with a person for :meth:`blocking_keys`:
        the surname without its particle."""
        _, surname = _surname_parts(record.particle, record.surname)
        return name_key(surname), phonetic(surname)

    def compare(self, query: PersonRecord, candidate: PersonRecord) -> Scored:
        q_bsn = normalise_bsn(query.bsn) if query.bsn else None
        c_bsn = normalise_bsn(candidate.bsn) if candidate.bsn else None
        if q_bsn and c_bsn and q_bsn != c_bsn:
            return Scored(0.0, ("BSN verschilt",))

        straight = (
            _compare_surnames(query.particle, query.surname, candidate.particle, candidate.surname),
            _compare_first_names(query.first_names, candidate.first_names),
        )
        # Swapped: the query's first names hold the surname and vice versa. Only considered
        # when both swapped parts agree well, and better than the names as entered.
        swapped = (
            _compare_surnames("", query.first_names, candidate.particle, candidate.surname),
            _compare_first_names(
                _surname_parts(query.particle, query.surname)[1], candidate.first_names
            ),
        )

        def names_value(parts: tuple[_Part, _Part]) -> float:
            return W_SURNAME * parts[0].value + W_FIRST * parts[1].value

        is_swapped = (
            swapped[0].value >= SWAP_MIN_SURNAME
            and swapped[1].value >= SWAP_MIN_FIRST
            and names_value(swapped) * SWAPPED_NAMES_FACTOR > names_value(straight)
        )
        surname, first = swapped if is_swapped else straight
        dob = _compare_dates_of_birth(query.date_of_birth, candidate.date_of_birth)

        raw = CEILING * (names_value((surname, first)) + W_DOB * dob.value)
        reasons = [*surname.reasons, *first.reasons, *dob.reasons]
        if is_swapped:
            raw *= SWAPPED_NAMES_FACTOR
            reasons.append("voor- en achternaam verwisseld")
        q_nat, c_nat = query.nationality.strip().upper(), candidate.nationality.strip().upper()
        if q_nat and c_nat and q_nat != c_nat:
            raw -= NATIONALITY_PENALTY
            reasons.append("nationaliteit verschilt")

        if q_bsn and q_bsn == c_bsn:
            return Scored(1.0, ("BSN gelijk", *reasons))
        return Scored(_clamp(raw), tuple(reasons))


# --------------------------------------------------------------------------------------------
# Goods, locations, organisations
# --------------------------------------------------------------------------------------------

#: Serial numbers shorter than this are too common to identify a good.
MIN_SERIAL_LENGTH: Final = 4


def _imei_key(value: str) -> str:
    return normalise_imei(value) or normalise_serial(value)


class GoodMatcher(_RuleMatcher[GoodRecord]):
    """Exact normalised identifiers; see the module docstring."""

    def compare(self, query: GoodRecord, candidate: GoodRecord) -> Scored:
        brands_differ = bool(
            query.brand.strip()
            and candidate.brand.strip()
            and name_key(query.brand) != name_key(candidate.brand)
        )
        checks = (
            ("framenummer", normalise_frame_number, query.frame_number, candidate.frame_number),
            ("kenteken", normalise_plate, query.plate, candidate.plate),
            ("IMEI", _imei_key, query.imei, candidate.imei),
            ("serienummer", normalise_serial, query.serial_number, candidate.serial_number),
        )
        equal: list[str] = []
        conflicts: list[str] = []
        for label, normalise, q_value, c_value in checks:
            q_key = normalise(q_value) if q_value else ""
            c_key = normalise(c_value) if c_value else ""
            if not q_key or not c_key:
                continue
            if label == "serienummer" and (brands_differ or len(q_key) < MIN_SERIAL_LENGTH):
                continue
            if q_key == c_key:
                equal.append(f"{label} gelijk")
            else:
                conflicts.append(f"let op: {label} verschilt")
        if not equal:
            return Scored(0.0, ())
        if query.kind and candidate.kind and query.kind != candidate.kind:
            conflicts.append("let op: soort verschilt")
        return Scored(0.8 if conflicts else 1.0, (*equal, *conflicts))


#: The unique identifiers of a good, strongest first: a frame number (or VIN) names one
#: object for its life, a licence plate can move to another vehicle, an IMEI can be forged.
GOOD_IDENTIFIERS: Final = ("frame_number", "plate", "imei")


@dataclass(frozen=True)
class GoodIdentity:
    """Which good a good entered with some identifiers is (:func:`good_identity`)."""

    #: The existing good it is, or None for a new good.
    link: int | None
    #: Identifiers to store: on the new good, or added to the linked good (which had none of
    #: that kind).
    store: dict[str, str]
    #: Identifiers entered that a *different* good holds: they stay with the registration
    #: (``Involvement.identifiers_entered``), and neither good is changed.
    elsewhere: dict[str, str]


def good_identity(
    entered: Mapping[str, str | None],
    holders: Mapping[str, tuple[int, Mapping[str, str | None]]],
) -> GoodIdentity:
    """Decide which good the identifiers ``entered`` (normalised, by field of
    :data:`GOOD_IDENTIFIERS`) name, given ``holders``: for each entered identifier that an
    existing good holds, ``(that good's id, its identifiers)``.

    The good is the holder of the strongest entered identifier that contradicts none of the
    others (it holds no *other* value of a kind entered): a bicycle found by its frame number
    whose plate field is empty gets the plate entered. A holder that contradicts (the plate
    entered is on a vehicle with another VIN) is a different good: its identifier is kept
    in ``elsewhere`` and not moved. With no acceptable holder the good is new, with the
    identifiers nobody holds. So every identifier entered is either on the good or kept
    with the registration, a unique identifier never names two goods, and nothing is taken
    away from an existing good."""
    wanted = {f: v for f in GOOD_IDENTIFIERS if (v := entered.get(f))}
    link: int | None = None
    for f in GOOD_IDENTIFIERS:
        if f in wanted and f in holders:
            pk, theirs = holders[f]
            if all(not theirs.get(g) or theirs.get(g) == v for g, v in wanted.items()):
                link = pk
                break
    elsewhere = {f: v for f, v in wanted.items() if f in holders and holders[f][0] != link}
    if link is None:
        return GoodIdentity(None, {f: v for f, v in wanted.items() if f not in holders}, elsewhere)
    linked = next(theirs for pk, theirs in holders.values() if pk == link)
    store = {f: v for f, v in wanted.items() if f not in holders and not linked.get(f)}
    return GoodIdentity(link, store, elsewhere)


class LocationMatcher(_RuleMatcher[LocationRecord]):
    """Address equality; see the module docstring."""

    def compare(self, query: LocationRecord, candidate: LocationRecord) -> Scored:
        q_num, q_suffix = house_number_parts(query.house_number, query.house_number_suffix)
        c_num, c_suffix = house_number_parts(candidate.house_number, candidate.house_number_suffix)
        q_pc, c_pc = normalise_postcode(query.postcode), normalise_postcode(candidate.postcode)
        if q_pc and c_pc:
            basis = "postcode en huisnummer"
            same = q_pc == c_pc and q_num == c_num
        else:
            q_street, c_street = street_key(query.street), street_key(candidate.street)
            q_city, c_city = city_key(query.city), city_key(candidate.city)
            if not (q_street and c_street and q_city and c_city):
                return Scored(0.0, ())
            basis = "straat, huisnummer en plaats"
            same = q_street == c_street and q_city == c_city and q_num == c_num
        if not same:
            return Scored(0.0, ())
        if q_suffix == c_suffix:
            return Scored(1.0, (f"{basis} gelijk",))
        return Scored(0.7, (f"{basis} gelijk", "toevoeging verschilt"))


class OrganisationMatcher(_RuleMatcher[OrganisationRecord]):
    """KvK number, else the name without legal form; see the module docstring."""

    def compare(self, query: OrganisationRecord, candidate: OrganisationRecord) -> Scored:
        q_kvk = normalise_kvk(query.kvk_number) if query.kvk_number else None
        c_kvk = normalise_kvk(candidate.kvk_number) if candidate.kvk_number else None
        if q_kvk and c_kvk:
            if q_kvk == c_kvk:
                return Scored(1.0, ("KvK-nummer gelijk",))
            return Scored(0.0, ("KvK-nummer verschilt",))
        q_name, c_name = organisation_name_key(query.name), organisation_name_key(candidate.name)
        if q_name and q_name == c_name:
            return Scored(0.9, ("naam gelijk (zonder rechtsvorm)",))
        return Scored(0.0, ())
