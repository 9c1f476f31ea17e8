"""Entity resolution of persons, organisations, goods and locations (pure Python, no Django).

Splink (Fellegi-Sunter with term-frequency adjustments) behind a small interface:

* :class:`EntityResolver` (:mod:`.model`): train, resolve a batch (matches, the review queue
  of uncertain pairs with their probability, clusters) and match one new record on entry;
  engine ``"duckdb"`` (default) or ``"spark"``.
* :func:`dedupe_file` (:mod:`.dedupe`): any CSV file, deduplicated or linked to another.
* :class:`SplinkPersonMatcher` (:mod:`.matcher`): the registration app's ``PersonMatcher``
  protocol on a trained model.
* :mod:`.prepare`: the normalisation (Dutch particles, transliteration, Double Metaphone,
  dates of birth as digit strings); :mod:`.synth`: synthetic Dutch persons with duplicates.
"""

from regie.intelligence.er.dedupe import dedupe_file
from regie.intelligence.er.matcher import SplinkPersonMatcher
from regie.intelligence.er.model import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    Candidate,
    Engine,
    EntityResolver,
    Resolution,
)
from regie.intelligence.er.prepare import FieldError, prepare_frame

__all__ = [
    "MATCH_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Candidate",
    "Engine",
    "EntityResolver",
    "FieldError",
    "Resolution",
    "SplinkPersonMatcher",
    "dedupe_file",
    "prepare_frame",
]
