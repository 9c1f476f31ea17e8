"""A Splink person matcher for the registration app (:class:`SplinkPersonMatcher`).

It implements the registration app's ``Matcher`` protocol
(:class:`regie.registration.matching.PersonMatcher`: ``propose(query, candidates, limit=5)``
returning ``Match`` objects with a score and Dutch reasons), so it can replace
:class:`~regie.registration.matching.RuleBasedPersonMatcher` without changing the caller:
the database still fetches the candidates, the matcher scores them.

The score is Splink's match probability of a trained model, computed in Python by
:class:`~regie.intelligence.er.score.PairScorer` (no database engine per query; about a
hundred microseconds for a few candidates)
(:meth:`SplinkPersonMatcher.train` on the register, or a saved model), with the thresholds of
the registration app (``AUTO_LINK = 0.97``, ``SUGGEST = 0.60``) and its policy that a person
is never linked on similarity alone:

* Both sides have a valid BSN: equal -> 1.0 ("BSN gelijk"), different -> not proposed.
* Otherwise the probability is capped at ``SIMILARITY_CAP = 0.96`` (below ``AUTO_LINK``)
  unless first name, surname with particle and date of birth are all equal (a missing
  particle, swapped names or any typo is suggested, never linked automatically).

Term-frequency adjustments are switched off here: the candidates are a handful of records
fetched for one query, so frequencies counted among them would be meaningless. The batch
resolver (:class:`~regie.intelligence.er.model.EntityResolver`) keeps them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

from regie.intelligence.er.model import Engine, EntityResolver
from regie.intelligence.er.prepare import (
    double_metaphone,
    first_name_key,
    surname_parts,
)
from regie.intelligence.er.score import PairScorer
from regie.registration.matching import AUTO_LINK, SUGGEST, Match, PersonRecord
from regie.registration.normalise import normalise_bsn

SIMILARITY_CAP: Final = 0.96
FIELDS: Final = ("first_names", "particle", "surname", "date_of_birth")
_ID: Final = "id"

#: Dutch reasons per comparison and level label (as in the registration app).
_REASONS: Final[dict[str, dict[str, str]]] = {
    "surname": {
        "null": "achternaam onbekend",
        "equal": "achternaam gelijk",
        "equal without particle": "achternaam gelijk (tussenvoegsel verschilt)",
        "swapped": "voor- en achternaam verwisseld",
        "double metaphone": "achternaam klinkt gelijk",
        "else": "achternaam verschilt",
    },
    "first_name": {
        "null": "voornaam onbekend",
        "equal": "voornaam gelijk",
        "swapped": "voor- en achternaam verwisseld",
        "double metaphone": "voornaam klinkt gelijk",
        "initial": "voorletter komt overeen",
        "else": "voornaam verschilt",
    },
    "dob": {
        "null": "geboortedatum onbekend",
        "equal": "geboortedatum gelijk",
        "day and month swapped": "dag en maand verwisseld",
        "one digit": "geboortedatum verschilt één cijfer",
        "same year and month": "zelfde geboortejaar en -maand",
        "same year": "zelfde geboortejaar",
        "else": "geboortedatum verschilt",
    },
}
_NAMES_NL: Final = {"surname": "achternaam", "first_name": "voornaam"}


def _reason(comparison: str, label: str) -> str:
    known = _REASONS.get(comparison, {}).get(label)
    if known:
        return known
    if label.startswith("jaro-winkler"):
        return f"{_NAMES_NL.get(comparison, comparison)} lijkt"
    return f"{comparison}: {label}"


def person_frame(records: Sequence[PersonRecord], ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Person records as the raw frame the resolver prepares (id as text)."""
    return pd.DataFrame(
        {
            _ID: list(ids) if ids is not None else [str(r.id) for r in records],
            "first_names": [r.first_names for r in records],
            "particle": [r.particle for r in records],
            "surname": [r.surname for r in records],
            "date_of_birth": [
                r.date_of_birth.isoformat() if isinstance(r.date_of_birth, dt.date) else ""
                for r in records
            ],
        }
    )


def prepare_person(record: PersonRecord) -> dict[str, Any]:
    """The prepared columns of one person, as :func:`prepare_frame` makes them."""
    first = first_name_key(record.first_names.strip()) if record.first_names.strip() else None
    _particle, bare, full = surname_parts(record.surname.strip(), record.particle.strip())
    dob = record.date_of_birth
    return {
        "first_name": first,
        "first_name_dm": double_metaphone(first) if first else None,
        "surname": bare,
        "surname_full": full,
        "surname_dm": double_metaphone(bare) if bare else None,
        "dob": dob.strftime("%Y%m%d") if isinstance(dob, dt.date) else None,
    }


def _without_tf(model: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(model)
    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    return out


class SplinkPersonMatcher:
    """A ``PersonMatcher`` scoring candidates with a trained Splink model."""

    AUTO_LINK: float = AUTO_LINK
    SUGGEST: float = SUGGEST

    def __init__(self, model: dict[str, Any], *, engine: Engine = "duckdb") -> None:
        self.model = _without_tf(model)
        #: Only for training; scoring candidates needs no engine (:class:`PairScorer`).
        self.engine: Engine = engine
        self.scorer = PairScorer(self.model)

    @classmethod
    def train(
        cls, register: Sequence[PersonRecord], *, seed: int = 42, engine: Engine = "duckdb"
    ) -> SplinkPersonMatcher:
        """Train on the persons of the register (unsupervised; needs a few thousand)."""
        resolver = EntityResolver.from_records(person_frame(register), _ID, FIELDS, engine=engine)
        resolver.train(seed=seed)
        return cls(resolver.model(), engine=engine)

    def propose(
        self, query: PersonRecord, candidates: Sequence[PersonRecord], *, limit: int = 5
    ) -> list[Match]:
        q_bsn = normalise_bsn(query.bsn) if query.bsn else None
        best: dict[int, Match] = {}
        to_score: list[PersonRecord] = []
        for candidate in candidates:
            if candidate.id is None or candidate.id == query.id:
                continue
            c_bsn = normalise_bsn(candidate.bsn) if candidate.bsn else None
            if q_bsn and c_bsn:
                if q_bsn == c_bsn:
                    best[candidate.id] = Match(candidate.id, 1.0, ("BSN gelijk",))
                continue
            to_score.append(candidate)
        if to_score:
            for match in self._score(query, to_score):
                known = best.get(match.id)
                if known is None or (match.score, match.reasons) > (known.score, known.reasons):
                    best[match.id] = match
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.id))
        return ranked[: max(limit, 0)]

    def _score(self, query: PersonRecord, candidates: Sequence[PersonRecord]) -> list[Match]:
        left = prepare_person(query)
        out = []
        for candidate in candidates:
            assert candidate.id is not None
            found = self.scorer.score(prepare_person(candidate), left)
            if found.match_probability < self.SUGGEST:
                continue
            exact = (
                found.levels.get("first_name") == "equal"
                and found.levels.get("surname") == "equal"
                and found.levels.get("dob") == "equal"
            )
            score = (
                found.match_probability if exact else min(found.match_probability, SIMILARITY_CAP)
            )
            reasons = tuple(
                dict.fromkeys(_reason(name, label) for name, label in found.levels.items())
            )
            out.append(Match(candidate.id, round(score, 3), reasons))
        return out

    def auto_link_target(
        self, query: PersonRecord, candidates: Sequence[PersonRecord]
    ) -> Match | None:
        """The candidate to link without asking: the only one at or above ``AUTO_LINK``
        (the registration app's rule; two or more such candidates are left to the user)."""
        top = [m for m in self.propose(query, candidates, limit=2) if m.score >= self.AUTO_LINK]
        return top[0] if len(top) == 1 else None
