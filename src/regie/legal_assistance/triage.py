"""Triage of incoming LIRC messages: an explainable priority, and an optional text classifier.

Pure Python, no Django. :func:`triage` reads a parsed :class:`~.messages.Message` (and the
hits Regie's registers gave for its subjects) and returns a :class:`Triage`: the category,
the priority, a numeric score to order the queue by, the Dutch reasons behind them (every
factor with its points), the deadline and whether a second person must confirm. The rules
are fixed and documented here so that an officer can see *why* a message is on top; the
text classifier (:class:`TextClassifier`) only proposes an offence category with its
confidence, and never changes the priority.

Category (first rule that applies)
==================================

1. **threat** (counter-terrorism and imminent threat): an orange notice, an Interpol-UN
   Security Council special notice (the UN sanctions lists concern terrorism), the sender's
   flag ``terrorism`` or ``imminent_threat``, or a charge (original or translation) that
   names terrorism (:data:`TERRORISM_WORDS`). 40 points.
2. **arrest**: the (effective) purpose is ``arrest``: a red notice, a diffusion for arrest, a
   SIRENE alert under article 26 (European arrest warrant), a PNR hit or supplementary
   information for arrest. 30 points.
3. **missing**: purpose ``missing`` (yellow notice, SIRENE article 32, diffusion for a
   missing person) or a black notice (an unidentified body, matched against missing
   persons). 20 points.
4. **information**: everything else (blue, green and purple notices, diffusions to locate or
   for information, other SIRENE articles, Europol messages, MLA requests). 10 points.

Priority
========

Each category has a base priority: threat 1 (*spoed*), arrest 2 (*hoog*), missing 3
(*normaal*), information 4 (*laag*). The priority is **raised by one level** (at most once)
when a subject is linked to the Netherlands:

* a Dutch nationality (+15 points),
* a hit in Regie's registers (persons, open cases, watch lists; passed in by the caller)
  (+20 points),
* an address in the Netherlands (+10 points),
* born in the Netherlands (country of birth ``NL``, or the place of birth names the
  Netherlands) (+5 points),

or when a missing person is a minor (flag ``minor``, or younger than 18 by the date of
birth) (+10 points). Points without a change of level: the sender marked the message
urgent (+10), the subject may be armed and dangerous (+5), the sender's deadline falls
within 48 hours of receipt (+10), a PNR hit (travel is under way: +10).

Score and order
===============

``score = 100 * (5 - priority) + category points + factor points`` with the points above
capped at 99, so the score orders by priority first and within a priority by category and
factors. The queue is sorted by score (high first), then deadline, then receipt
(:func:`queue_key`).

Deadline and confirmation
=========================

The deadline is the receipt plus the service level of the priority (:data:`DEFAULT_SLA`, as
data: 4 hours, 24 hours, 5 days, 20 days; the LIRC sets the real values), or the sender's
deadline when that is earlier. Priority 1 items need a second person's confirmation
(``needs_second_confirmation``) before they are acted on.

Text classifier
===============

:class:`TextClassifier` is a scikit-learn pipeline: TF-IDF over word unigrams and bigrams
plus character 2-5-grams within words (so it copes with charges in several languages and
scripts), and a multinomial logistic regression. It is fitted on labelled texts (the
synthetic traffic has true categories, :mod:`~.traffic`) and proposes a category with its
probability and the runners-up. Pure fit/predict; a human decides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Final, Self

from anyascii import anyascii

from regie.legal_assistance.messages import (
    KIND_LABELS,
    Flag,
    Message,
    MessageKind,
    Purpose,
    Subject,
)


class Category(StrEnum):
    THREAT = "threat"
    ARREST = "arrest"
    MISSING = "missing"
    INFORMATION = "information"


CATEGORY_LABELS: Final[Mapping[Category, str]] = {
    Category.THREAT: "terrorismebestrijding en acute dreiging",
    Category.ARREST: "aanhouding",
    Category.MISSING: "vermissing",
    Category.INFORMATION: "informatieverzoek",
}


class Priority(IntEnum):
    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


PRIORITY_LABELS: Final[Mapping[Priority, str]] = {
    Priority.URGENT: "spoed",
    Priority.HIGH: "hoog",
    Priority.NORMAL: "normaal",
    Priority.LOW: "laag",
}

BASE_PRIORITY: Final[Mapping[Category, Priority]] = {
    Category.THREAT: Priority.URGENT,
    Category.ARREST: Priority.HIGH,
    Category.MISSING: Priority.NORMAL,
    Category.INFORMATION: Priority.LOW,
}
CATEGORY_POINTS: Final[Mapping[Category, int]] = {
    Category.THREAT: 40,
    Category.ARREST: 30,
    Category.MISSING: 20,
    Category.INFORMATION: 10,
}
#: Service level per priority: the time from receipt to the deadline. Illustrative defaults.
DEFAULT_SLA: Final[Mapping[Priority, dt.timedelta]] = {
    Priority.URGENT: dt.timedelta(hours=4),
    Priority.HIGH: dt.timedelta(hours=24),
    Priority.NORMAL: dt.timedelta(days=5),
    Priority.LOW: dt.timedelta(days=20),
}

POINTS_NL_NATIONALITY: Final = 15
POINTS_REGISTER_HIT: Final = 20
POINTS_NL_ADDRESS: Final = 10
POINTS_NL_BIRTH: Final = 5
POINTS_MINOR: Final = 10
POINTS_SENDER_URGENT: Final = 10
POINTS_ARMED: Final = 5
POINTS_SHORT_DEADLINE: Final = 10
POINTS_PNR: Final = 10
MAX_POINTS: Final = 99
SHORT_DEADLINE: Final = dt.timedelta(hours=48)
ADULT_AGE: Final = 18

#: Charges naming terrorism, in the languages the desk receives (matched on the
#: transliterated, casefolded text, so Cyrillic "терроризм" counts too).
TERRORISM_WORDS: Final = re.compile(
    r"terror|terorism|teroris|jihad|daesh|\bisil\b|\bisis\b|extremis", re.IGNORECASE
)
_NL_PLACE_WORDS: Final = re.compile(
    r"\b(netherlands|nederland|holland|pays[- ]bas|niederlande|paises bajos|paesi bassi)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RegisterHit:
    """A subject found in Regie's registers (the lookup is the Django layer's)."""

    #: Index of the subject in ``message.subjects``.
    subject_index: int
    #: Dutch name of the register: "personen", "open zaken", "signaleringen", ...
    register: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """One factor of the triage: a stable code, the Dutch text and its points."""

    code: str
    text: str
    points: int = 0

    def __str__(self) -> str:
        return f"{self.text} (+{self.points})" if self.points else self.text


@dataclass(frozen=True, slots=True)
class Triage:
    category: Category
    priority: Priority
    score: int
    reasons: tuple[Reason, ...]
    deadline: dt.datetime
    needs_second_confirmation: bool
    #: A subject is linked to the Netherlands (nationality, register, address, birth).
    nl_link: bool

    @property
    def reason_texts(self) -> tuple[str, ...]:
        return tuple(str(r) for r in self.reasons)

    @property
    def label(self) -> str:
        """For screens: "prioriteit 1 (spoed) - aanhouding" (with an en dash)."""
        return (
            f"prioriteit {int(self.priority)} ({PRIORITY_LABELS[self.priority]}) – "
            f"{CATEGORY_LABELS[self.category]}"
        )


def _plain(text: str) -> str:
    return anyascii(text).casefold()


def _who(message: Message, index: int) -> str:
    if len(message.subjects) < 2:
        return "persoon"
    name = message.subjects[index].display_name
    return f"persoon {index + 1}" + (f" ({name})" if name else "")


def _category(message: Message) -> tuple[Category, list[Reason]]:
    kind, purpose = message.kind, message.effective_purpose
    threat: list[Reason] = []
    pts = CATEGORY_POINTS[Category.THREAT]
    if kind is MessageKind.ORANGE_NOTICE:
        threat.append(Reason("orange_notice", "Oranje notice: waarschuwing voor acute dreiging"))
    if kind is MessageKind.UN_SPECIAL_NOTICE:
        threat.append(
            Reason(
                "un_special_notice",
                "Interpol-VN special notice: persoon op een sanctielijst van de "
                "VN-Veiligheidsraad (terrorismebestrijding)",
            )
        )
    if Flag.TERRORISM in message.flags:
        threat.append(Reason("flag_terrorism", "Afzender meldt terrorisme"))
    if Flag.IMMINENT_THREAT in message.flags:
        threat.append(Reason("flag_imminent_threat", "Afzender meldt acute dreiging"))
    for w in message.warrants:
        if TERRORISM_WORDS.search(_plain(f"{w.charge} {w.charge_translation}")):
            charge = w.charge_translation or w.charge
            threat.append(Reason("charge_terrorism", f"Tenlastelegging noemt terrorisme: {charge}"))
            break
    if threat:
        first = threat[0]
        threat[0] = Reason(first.code, first.text, pts)
        return Category.THREAT, threat

    if purpose is Purpose.ARREST:
        pts = CATEGORY_POINTS[Category.ARREST]
        text = {
            MessageKind.RED_NOTICE: "Rode notice: verzoek tot aanhouding met het oog op "
            "uitlevering",
            MessageKind.DIFFUSION: "Diffusie met doel aanhouding",
            MessageKind.SIRENE_ALERT: "SIRENE-signalering artikel 26: aanhouding met het oog "
            "op overlevering (Europees aanhoudingsbevel)",
        }.get(kind, f"{KIND_LABELS[kind].capitalize()} met doel aanhouding")
        return Category.ARREST, [Reason("arrest", text, pts)]

    if purpose is Purpose.MISSING or kind is MessageKind.BLACK_NOTICE:
        pts = CATEGORY_POINTS[Category.MISSING]
        text = {
            MessageKind.YELLOW_NOTICE: "Gele notice: vermiste persoon",
            MessageKind.SIRENE_ALERT: "SIRENE-signalering artikel 32: vermiste persoon",
            MessageKind.BLACK_NOTICE: "Zwarte notice: ongeïdentificeerd stoffelijk overschot",
        }.get(kind, f"{KIND_LABELS[kind].capitalize()} over een vermiste persoon")
        return Category.MISSING, [Reason("missing", text, pts)]

    pts = CATEGORY_POINTS[Category.INFORMATION]
    what = KIND_LABELS[kind].capitalize()
    if purpose is not None:
        what += f" (doel: {_PURPOSE_LABELS[purpose]})"
    return Category.INFORMATION, [Reason("information", f"{what}: informatieverzoek", pts)]


_PURPOSE_LABELS: Final[Mapping[Purpose, str]] = {
    Purpose.ARREST: "aanhouding",
    Purpose.LOCATE: "verblijfplaats vaststellen",
    Purpose.MISSING: "vermissing",
    Purpose.IDENTIFY: "identificatie",
    Purpose.INFORMATION: "informatie",
    Purpose.WARNING: "waarschuwing",
    Purpose.SANCTIONS: "sancties",
}


def _is_minor(subject: Subject, received: dt.date) -> bool:
    dob = subject.date_of_birth
    if dob is None:
        return False
    full = dob.as_date()
    if full is not None:
        age = received.year - full.year - ((received.month, received.day) < (full.month, full.day))
        return age < ADULT_AGE
    # Only the year (and month) known: a minor only if certainly under 18.
    return received.year - dob.year < ADULT_AGE


def _nl_reasons(message: Message, hits: Sequence[RegisterHit], any_hit: bool) -> list[Reason]:
    reasons: list[Reason] = []
    for i, s in enumerate(message.subjects):
        who = _who(message, i)
        if "NL" in s.nationalities:
            reasons.append(
                Reason(
                    "nl_nationality",
                    f"{who.capitalize()} heeft de Nederlandse nationaliteit",
                    POINTS_NL_NATIONALITY,
                )
            )
        if any(a.country == "NL" for a in s.addresses):
            reasons.append(
                Reason(
                    "nl_address",
                    f"{who.capitalize()} heeft een adres in Nederland",
                    POINTS_NL_ADDRESS,
                )
            )
        if s.country_of_birth == "NL" or _NL_PLACE_WORDS.search(_plain(s.place_of_birth)):
            reasons.append(
                Reason("nl_birth", f"{who.capitalize()} is geboren in Nederland", POINTS_NL_BIRTH)
            )
    by_subject: dict[int, list[RegisterHit]] = {}
    for h in hits:
        by_subject.setdefault(h.subject_index, []).append(h)
    for index in sorted(by_subject):
        found = by_subject[index]
        registers = sorted({h.register for h in found if h.register})
        where = f" ({', '.join(registers)})" if registers else ""
        who = _who(message, index) if 0 <= index < len(message.subjects) else "persoon"
        n = len(found)
        reasons.append(
            Reason(
                "register_hit",
                f"{who.capitalize()} is bekend in de registers van Regie: "
                f"{n} treffer{'s' if n != 1 else ''}{where}",
                POINTS_REGISTER_HIT,
            )
        )
    if any_hit and not hits:
        reasons.append(
            Reason(
                "register_hit",
                "Persoon is bekend in de registers van Regie",
                POINTS_REGISTER_HIT,
            )
        )
    return reasons


def triage(
    message: Message,
    *,
    register_hits: bool | Sequence[RegisterHit] = (),
    sla: Mapping[Priority, dt.timedelta] = DEFAULT_SLA,
) -> Triage:
    """The priority of ``message`` with its reasons (see the module docstring).

    ``register_hits`` is what the lookup in Regie's registers found for the subjects: a list
    of :class:`RegisterHit` or just ``True``/``False``."""
    hits: Sequence[RegisterHit] = () if isinstance(register_hits, bool) else register_hits
    any_hit = bool(register_hits)
    category, reasons = _category(message)
    base = BASE_PRIORITY[category]
    received = message.received_at.date()

    raise_reasons = _nl_reasons(message, hits, any_hit)
    nl_link = bool(raise_reasons)
    if category is Category.MISSING:
        minors = [i for i, s in enumerate(message.subjects) if _is_minor(s, received)]
        if Flag.MINOR in message.flags or minors:
            who = _who(message, minors[0]) if minors else "persoon"
            raise_reasons.append(
                Reason("missing_minor", f"Vermiste {who} is minderjarig", POINTS_MINOR)
            )
    priority = base
    if raise_reasons:
        priority = Priority(max(Priority.URGENT, base - 1))
        reasons.extend(raise_reasons)
        if priority is not base:
            reasons.append(
                Reason(
                    "raised",
                    f"Prioriteit verhoogd van {int(base)} naar {int(priority)} "
                    "(band met Nederland of vermiste minderjarige)",
                )
            )

    if Flag.URGENT in message.flags:
        reasons.append(
            Reason(
                "sender_urgent",
                "Afzender heeft het bericht als spoedeisend gemarkeerd",
                POINTS_SENDER_URGENT,
            )
        )
    if Flag.ARMED_DANGEROUS in message.flags:
        reasons.append(Reason("armed", "Persoon is mogelijk gewapend en gevaarlijk", POINTS_ARMED))
    if message.deadline is not None and message.deadline - message.received_at <= SHORT_DEADLINE:
        reasons.append(
            Reason(
                "short_deadline",
                "Termijn van de afzender verloopt binnen 48 uur na ontvangst",
                POINTS_SHORT_DEADLINE,
            )
        )
    if message.kind is MessageKind.PNR_HIT:
        reasons.append(Reason("pnr", "PNR-hit: de persoon reist nu", POINTS_PNR))

    points = min(MAX_POINTS, sum(r.points for r in reasons))
    score = 100 * (5 - int(priority)) + points
    deadline = message.received_at + sla[priority]
    if message.deadline is not None and message.deadline < deadline:
        deadline = message.deadline
        reasons.append(Reason("sender_deadline", "Termijn van de afzender is eerder dan de norm"))
    urgent = priority is Priority.URGENT
    if urgent:
        reasons.append(
            Reason(
                "second_confirmation", "Spoed: een tweede medewerker moet de beoordeling bevestigen"
            )
        )
    return Triage(
        category=category,
        priority=priority,
        score=score,
        reasons=tuple(reasons),
        deadline=deadline,
        needs_second_confirmation=urgent,
        nl_link=nl_link,
    )


def queue_key(result: Triage, message: Message) -> tuple[int, dt.datetime, dt.datetime]:
    """Sort key of the work queue: score high first, then deadline, then receipt."""
    return (-result.score, result.deadline, message.received_at)


# --------------------------------------------------------------------------------------------
# Text classifier
# --------------------------------------------------------------------------------------------


def message_text(message: Message) -> str:
    """What the classifier reads: the charges (original and translation) and the summary."""
    parts = [f"{w.charge} {w.charge_translation}" for w in message.warrants]
    parts.append(message.summary)
    return " ".join(p.strip() for p in parts if p.strip())


def _single_thread() -> AbstractContextManager[object]:
    """One BLAS/OpenMP thread: the problem is small, and spinning worker threads slow a
    shared machine down badly (threadpoolctl comes with scikit-learn)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


@dataclass(frozen=True, slots=True)
class Proposal:
    """The classifier's proposal: a category, its probability and the runners-up."""

    category: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


class TextClassifier:
    """TF-IDF (word 1-2-grams and character 2-5-grams within words) and logistic regression.

    Deterministic for equal input. ``fit`` needs at least two categories."""

    def __init__(self, *, c: float = 4.0, max_features: int = 20_000) -> None:
        self.c = c
        self.max_features = max_features
        self._pipeline: object | None = None
        self._classes: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        return self._classes

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Self:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if len(set(labels)) < 2:
            raise ValueError("at least two categories are needed")
        features = FeatureUnion(
            [
                (
                    "words",
                    TfidfVectorizer(
                        preprocessor=_plain,
                        ngram_range=(1, 2),
                        sublinear_tf=True,
                        max_features=self.max_features,
                    ),
                ),
                (
                    "chars",
                    TfidfVectorizer(
                        preprocessor=_plain,
                        analyzer="char_wb",
                        ngram_range=(2, 5),
                        sublinear_tf=True,
                        max_features=self.max_features,
                    ),
                ),
            ]
        )
        model = LogisticRegression(C=self.c, max_iter=2_000)
        pipeline = make_pipeline(features, model)
        with _single_thread():
            pipeline.fit(list(texts), list(labels))
        self._pipeline = pipeline
        self._classes = tuple(str(c) for c in model.classes_)
        return self

    def predict_many(self, texts: Sequence[str], *, alternatives: int = 2) -> list[Proposal]:
        if self._pipeline is None:
            raise RuntimeError("the classifier is not fitted")
        with _single_thread():
            probabilities = self._pipeline.predict_proba(list(texts))  # type: ignore[attr-defined]
        out: list[Proposal] = []
        for row in probabilities:
            ranked = sorted(
                zip(self._classes, (float(p) for p in row), strict=True),
                key=lambda cp: (-cp[1], cp[0]),
            )
            best, confidence = ranked[0]
            out.append(
                Proposal(
                    best,
                    round(confidence, 3),
                    tuple((c, round(p, 3)) for c, p in ranked[1 : 1 + alternatives]),
                )
            )
        return out

    def predict(self, text: str) -> Proposal:
        return self.predict_many([text])[0]

    def accuracy(self, texts: Sequence[str], labels: Sequence[str]) -> float:
        if not texts:
            return 0.0
        predicted = self.predict_many(texts, alternatives=0)
        return sum(p.category == y for p, y in zip(predicted, labels, strict=True)) / len(texts)
