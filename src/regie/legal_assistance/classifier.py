"""The text classifier's data, storage and per-process cache (the Django side of
:class:`~regie.legal_assistance.triage.TextClassifier`).

Labels are the *triage categories* (``triage.Category``: threat, arrest, missing,
information) as officers leave them: the stored category of every message an officer has
triaged (assessed or changed the priority of). When there are fewer than
:data:`MIN_TRIAGED` such messages, the examples are seeded with synthetic traffic
(:func:`~regie.legal_assistance.traffic.generate_traffic`), labelled with the category the
rule-based triage gives them; the stored model says which (``ClassifierModel.source``).

The model is fitted on 80 % of the examples and its accuracy measured on the other 20 %
(held back, :data:`HELD_BACK`), then pickled into a :class:`ClassifierModel` row (written by
``services.train_classifier``). :func:`current` loads the newest row once per process and
checks at most every :data:`CHECK_INTERVAL` seconds whether a newer version exists.

The classifier proposes; a human decides. Nothing here writes a message or its triage.
"""

from __future__ import annotations

import logging
import pickle  # only blobs dumps() wrote, their HMAC (SECRET_KEY) checked before loading
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from django.utils.crypto import constant_time_compare, salted_hmac

from regie.legal_assistance.messages import MessageError, from_dict
from regie.legal_assistance.models import ClassifierModel, LegalMessage
from regie.legal_assistance.traffic import Traffic, TrafficConfig, generate_traffic
from regie.legal_assistance.triage import (
    CATEGORY_LABELS,
    Category,
    Proposal,
    TextClassifier,
    message_text,
    triage,
)

#: Salt of the classifier blobs' HMAC (see :func:`_signature`).
SIGNATURE_SALT: Final = "regie.legal_assistance.classifier"

logger = logging.getLogger(__name__)

#: Fewer triaged messages than this: seed the examples with synthetic traffic.
MIN_TRIAGED: Final = 200
#: Synthetic messages generated for seeding when no number is given.
SYNTHETIC_DEFAULT: Final = 600
#: Share of the examples held back to measure the accuracy on.
HELD_BACK: Final = 0.2
#: Below this many examples nothing is held back (the accuracy is then unknown).
MIN_FOR_HOLD_OUT: Final = 20
#: Seconds between checks for a newer version.
CHECK_INTERVAL: Final = 60.0
ALGORITHM: Final = "tfidf-logreg/1"


class ClassifierError(Exception):
    """Training is not possible (for instance: only one category among the examples)."""


@dataclass
class Examples:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    n_triaged: int = 0
    n_synthetic: int = 0

    @property
    def source(self) -> str:
        if self.n_synthetic and self.n_triaged:
            return ClassifierModel.Source.MIXED
        if self.n_synthetic:
            return ClassifierModel.Source.SYNTHETIC
        return ClassifierModel.Source.TRIAGED


def triaged_examples() -> Examples:
    """The messages officers have triaged, with their stored (final) category."""
    out = Examples()
    rows = (
        LegalMessage.objects.filter(triaged_by__isnull=False)
        .order_by("pk")
        .values_list("data", "category")
    )
    for data, category in rows.iterator(chunk_size=500):
        try:
            text = message_text(from_dict(data))
        except MessageError:  # pragma: no cover - stored data was valid at intake
            continue
        if text:
            out.texts.append(text)
            out.labels.append(category)
            out.n_triaged += 1
    return out


def add_synthetic(
    examples: Examples, *, n: int | None = None, seed: int = 1, traffic: Traffic | None = None
) -> Examples:
    """Append synthetic messages (``traffic``, or ``n`` freshly generated ones), labelled
    with the category the rule-based triage gives them."""
    if traffic is None:
        traffic = generate_traffic(
            TrafficConfig(total=n or SYNTHETIC_DEFAULT, seed=seed, malformed_rate=0.0)
        )
    for item in traffic.valid_items:
        if item.message is None:  # pragma: no cover - valid_items are parsed
            continue
        text = message_text(item.message)
        if text:
            examples.texts.append(text)
            examples.labels.append(
                triage(item.message, register_hits=item.register_hit).category.value
            )
            examples.n_synthetic += 1
    return examples


def split(
    texts: Sequence[str], labels: Sequence[str], *, seed: int = 1
) -> tuple[list[int], list[int]]:
    """(training indexes, held-back indexes): a seeded shuffle, :data:`HELD_BACK` held back."""
    order = list(range(len(texts)))
    random.Random(f"{seed}:classifier").shuffle(order)
    n_test = int(len(order) * HELD_BACK) if len(order) >= MIN_FOR_HOLD_OUT else 0
    test, train = sorted(order[:n_test]), sorted(order[n_test:])
    if len({labels[i] for i in train}) < 2:
        raise ClassifierError("at least two categories are needed to train the classifier")
    return train, test


@dataclass(frozen=True)
class Fitted:
    classifier: TextClassifier
    examples: Examples
    n_held_back: int
    accuracy: float | None


def fit(examples: Examples, *, seed: int = 1) -> Fitted:
    """Fit on the training part, measure on the held-back part (pure: no database)."""
    train, test = split(examples.texts, examples.labels, seed=seed)
    clf = TextClassifier().fit(
        [examples.texts[i] for i in train], [examples.labels[i] for i in train]
    )
    accuracy = (
        clf.accuracy([examples.texts[i] for i in test], [examples.labels[i] for i in test])
        if test
        else None
    )
    return Fitted(clf, examples, len(test), None if accuracy is None else round(accuracy, 4))


def _signature(blob: bytes) -> str:
    """HMAC-SHA256 of ``blob`` under the installation's SECRET_KEY: a blob planted by someone
    who can write to the database but does not hold the key is never unpickled."""
    return salted_hmac(SIGNATURE_SALT, blob, algorithm="sha256").hexdigest()


def dumps(clf: TextClassifier) -> tuple[bytes, str]:
    blob = pickle.dumps(clf, protocol=pickle.HIGHEST_PROTOCOL)
    return blob, _signature(blob)


def loads(blob: bytes, signature: str) -> TextClassifier:
    if not constant_time_compare(_signature(blob), signature):
        raise ClassifierError("stored classifier does not carry this installation's signature")
    clf = pickle.loads(blob)  # noqa: S301 - signature verified; written by dumps() only
    if not isinstance(clf, TextClassifier):
        raise ClassifierError("stored blob is not a TextClassifier")
    return clf


# --------------------------------------------------------------------------------------------
# Per-process cache
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    version: int
    model: ClassifierModel  # without its blob
    classifier: TextClassifier


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.loaded: Loaded | None = None


_cache = _Cache()


def clear_cache() -> None:
    """Forget the loaded model: the next :func:`current` looks again (after training, and
    in tests)."""
    with _cache.lock:
        _cache.checked_at = float("-inf")
        _cache.loaded = None


def current() -> Loaded | None:
    """The newest stored classifier, loaded once per process; ``None`` when none is trained
    (or it cannot be loaded). Looks for a newer version at most every
    :data:`CHECK_INTERVAL` seconds."""
    with _cache.lock:
        now = time.monotonic()
        if now - _cache.checked_at < CHECK_INTERVAL:
            return _cache.loaded
        _cache.checked_at = now
        latest = ClassifierModel.objects.order_by("-pk").values_list("pk", flat=True).first()
        if latest is None:
            _cache.loaded = None
        elif _cache.loaded is None or _cache.loaded.version != latest:
            row = ClassifierModel.objects.get(pk=latest)
            try:
                clf = loads(bytes(row.blob), row.sha256)
            except Exception:  # a broken blob must not break the message page
                logger.exception("cannot load classifier version %s", latest)
                _cache.loaded = None
            else:
                row.blob = b""
                _cache.loaded = Loaded(latest, row, clf)
        return _cache.loaded


# --------------------------------------------------------------------------------------------
# The proposal on the message page
# --------------------------------------------------------------------------------------------


def _label(category: str) -> str:
    try:
        return CATEGORY_LABELS[Category(category)]
    except ValueError:
        return category


def _percent(p: float) -> int:
    return round(p * 100)


@dataclass(frozen=True)
class Shown:
    """What the message page shows: the proposal (or why there is none) and the model."""

    model: ClassifierModel | None
    proposal: Proposal | None = None
    category_label: str = ""
    confidence: int = 0
    alternatives: tuple[tuple[str, int], ...] = ()
    #: The proposal differs from the category the message has now.
    differs: bool = False

    @property
    def accuracy(self) -> int | None:
        """The model's accuracy on its held-back part, in percent."""
        if self.model is None or self.model.accuracy is None:
            return None
        return _percent(self.model.accuracy)


def propose(msg: LegalMessage) -> Shown:
    """The classifier's proposal for a stored message. Reads only; changes nothing."""
    loaded = current()
    if loaded is None:
        return Shown(model=None)
    try:
        text = message_text(from_dict(msg.data))
    except MessageError:  # pragma: no cover - stored data was valid at intake
        text = ""
    if not text:
        return Shown(model=loaded.model)
    p = loaded.classifier.predict(text)
    return Shown(
        model=loaded.model,
        proposal=p,
        category_label=_label(p.category),
        confidence=_percent(p.confidence),
        alternatives=tuple((_label(c), _percent(q)) for c, q in p.alternatives),
        differs=p.category != msg.category,
    )
