"""Every write of the LIRC work queue: intake (parse, quarantine, register lookup, triage,
duplicate grouping, notifications) and the officers' actions. Each is one transaction and is
audited; a refused action raises :class:`LegalAssistanceError` and changes nothing (the view
audits the refusal with :func:`audit_refusal`, outside the rolled-back transaction)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.audit.models import Action as AuditAction
from regie.audit.models import Outcome
from regie.audit.retention import RetentionPolicy, register
from regie.audit.services import audit_batch, audit_log
from regie.legal_assistance import classifier, duplicates
from regie.legal_assistance.messages import (
    KIND_LABELS,
    Message,
    MessageError,
    from_dict,
    parse,
    to_dict,
)
from regie.legal_assistance.models import (
    OPEN_STATUSES,
    Answer,
    ClassifierModel,
    LegalCase,
    LegalMessage,
    MessageEvent,
    MessageKey,
    MessageLink,
    Notification,
    QuarantinedMessage,
    RegisterHit,
    Status,
)
from regie.legal_assistance.traffic import Traffic
from regie.legal_assistance.triage import (
    DEFAULT_SLA,
    MAX_POINTS,
    PRIORITY_LABELS,
    Priority,
    Triage,
    triage,
)
from regie.legal_assistance.triage import RegisterHit as TriageHit
from regie.organisation.roles import Role

#: A subject is "known" in the person register from this matcher score on (between the
#: registration matcher's suggestion threshold 0.60 and its automatic link 0.97).
REGISTER_HIT_SCORE: Final = 0.85
#: At most this many earlier messages (the newest sharing a blocking key) are compared.
MAX_CANDIDATES: Final = 200
#: Messages and the quarantine are kept five years after receipt (art. 17 Wpg provision to
#: foreign authorities; illustrative, the LIRC's retention schedule sets the real term).
RETENTION: Final = dt.timedelta(days=5 * 366)
MAX_ANSWER: Final = 5000
MAX_REASON: Final = 300

OBJECT_MESSAGE: Final = "legal_assistance.message"
OBJECT_QUARANTINE: Final = "legal_assistance.quarantine"


class LegalAssistanceError(Exception):
    """A refused action: a Dutch message for the user and an HTTP status (409 conflict with
    the message's state, 422 bad input, 403 not allowed)."""

    def __init__(self, message: str, status: int = 409, *, errors: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = list(errors)


def audit_refusal(actor: Any, object_id: int, action: str, exc: LegalAssistanceError) -> None:
    audit_log(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type=OBJECT_MESSAGE,
        object_id=object_id,
        outcome=Outcome.DENIED if exc.status == 403 else Outcome.FAILURE,
        detail={"action": action, "error": exc.message},
    )


# --------------------------------------------------------------------------------------------
# Answer templates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerTemplate:
    code: str
    label: Any
    body: str
    #: Not allowed when a subject was found in the registers.
    only_without_hits: bool = False


ANSWER_TEMPLATES: Final[dict[str, AnswerTemplate]] = {
    t.code: t
    for t in (
        AnswerTemplate(
            "not_known",
            gettext_lazy("Niet bekend in de Nederlandse politieregisters"),
            "Re: {kind} {reference} ({country})\n\n"
            "Subject(s): {subjects}\n\n"
            "The subject(s) named above are not known in the police registers of the "
            "Netherlands.\n\nLIRC, National Police of the Netherlands",
            only_without_hits=True,
        ),
        AnswerTemplate(
            "known",
            gettext_lazy("Bekend; informatie volgt via rechtshulpverzoek"),
            "Re: {kind} {reference} ({country})\n\n"
            "Subject(s): {subjects}\n\n"
            "The subject(s) named above are known in the police registers of the Netherlands. "
            "Information will be provided upon a request for mutual legal assistance.\n\n"
            "LIRC, National Police of the Netherlands",
        ),
        AnswerTemplate(
            "received",
            gettext_lazy("Ontvangen; in behandeling"),
            "Re: {kind} {reference} ({country})\n\n"
            "Your message has been received and is being processed.\n\n"
            "LIRC, National Police of the Netherlands",
        ),
    )
}


def answer_text(message: LegalMessage, code: str) -> str:
    template = ANSWER_TEMPLATES[code]
    return template.body.format(
        kind=message.kind.replace("_", " "),
        reference=message.reference,
        country=message.issuing_country,
        subjects=message.subject_names,
    )


# --------------------------------------------------------------------------------------------
# Intake
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    subject_index: int
    register: str
    person: Any
    case: Any
    score: float | None
    description: str


def _as_text(payload: bytes | str) -> tuple[str, str]:
    """The payload as text for the database, and its base64 form when the text is not exact
    (invalid UTF-8 or NUL characters, which PostgreSQL text cannot hold)."""
    if isinstance(payload, str):
        if "\x00" in payload or any(0xD800 <= ord(ch) <= 0xDFFF for ch in payload):
            raw = payload.encode("utf-8", errors="surrogatepass")
            return _safe(payload), base64.b64encode(raw).decode("ascii")
        return payload, ""
    raw = bytes(payload)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _safe(raw.decode("utf-8", errors="backslashreplace")), base64.b64encode(raw).decode(
            "ascii"
        )
    if "\x00" in text:
        return _safe(text), base64.b64encode(raw).decode("ascii")
    return text, ""


def _safe(text: str) -> str:
    return "".join(
        f"\\x{ord(ch):02x}" if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text
    )


def _syntax(text: str) -> Literal["json", "xml"]:
    return "xml" if text[:64].lstrip("\ufeff \t\r\n").startswith("<") else "json"


def receive(
    payload: bytes | str,
    *,
    channel: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> LegalMessage | QuarantinedMessage:
    """Take in one message. A message that fails to parse is kept verbatim in the
    quarantine with all its errors (never dropped); a valid one is stored, looked up in the
    registers, triaged and grouped with its duplicates into a case."""
    now = now or timezone.now()
    try:
        message = parse(payload, now=now)
    except MessageError as exc:
        return quarantine(payload, exc, channel=channel, actor=actor)
    text, _raw = _as_text(payload)
    return store(message, text, channel=channel, actor=actor)


def error_dicts(error: MessageError) -> list[dict[str, Any]]:
    """The errors as stored: path, code, params, English and Dutch message."""
    return [{**e.as_dict(), "message_nl": e.message_nl} for e in error.errors]


def quarantine(
    payload: bytes | str, error: MessageError, *, channel: str, actor: Any = None
) -> QuarantinedMessage:
    text, raw = _as_text(payload)
    with transaction.atomic():
        q = QuarantinedMessage.objects.create(
            payload=text,
            payload_base64=raw,
            intake_channel=channel[:32],
            errors=error_dicts(error),
            received_by=actor if getattr(actor, "pk", None) else None,
            purpose="wpg17",
            retain_until=(timezone.now() + RETENTION).date(),
        )
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_QUARANTINE,
            object_id=q.pk,
            purpose="wpg17",
            outcome=Outcome.FAILURE,
            detail={
                "channel": channel,
                "errors": [e["code"] for e in q.errors][:20],
                "bytes": len(payload),
            },
        )
    return q


def register_lookup(message: Message) -> list[_Hit]:
    """The subjects of ``message`` found in the person register (registration matcher) and
    the open cases (Selectiviteitskader) those persons are involved in."""
    from regie.registration.normalise import split_particle
    from regie.registration.resolution import person_matcher
    from regie.registration.services import person_candidates, person_record
    from regie.selection.flow import FINAL_STATES
    from regie.selection.models import Case

    hits: list[_Hit] = []
    for index, subject in enumerate(message.subjects):
        if not subject.name:
            continue
        record = duplicates.SubjectRecord.from_subject(subject).to_person_record()
        particle, surname = split_particle(record.surname)
        query = replace(record, particle=particle, surname=surname)
        candidates = person_candidates(query, limit=50)
        if not candidates:
            continue
        by_id = {c.pk: c for c in candidates}
        records = [person_record(c) for c in candidates]
        for match in person_matcher().propose(query, records, limit=3):
            if match.score < REGISTER_HIT_SCORE or match.id not in by_id:
                continue
            person = by_id[match.id]
            hits.append(
                _Hit(
                    index,
                    "personen",
                    person,
                    None,
                    match.score,
                    # No name here: the person is shown through the link, so nothing of
                    # them outlives the person's own retention.
                    f"Persoon in het register (overeenkomst {match.score:.2f})",
                )
            )
            cases = (
                Case.objects.filter(registration__involvements__person=person)
                .exclude(state__in=[s.value for s in FINAL_STATES])
                .select_related("registration", "base_team", "assignee")
                .distinct()
                .order_by("pk")
            )
            for case in cases:
                hits.append(
                    _Hit(
                        index,
                        "open zaken",
                        person,
                        case,
                        match.score,
                        f"Open zaak {case.registration.number} ({case.get_state_display()})",
                    )
                )
    return hits


def _candidates(keys: Iterable[str]) -> list[tuple[int, Message]]:
    ids = list(
        MessageKey.objects.filter(key__in=list(keys))
        .values_list("message_id", flat=True)
        .distinct()
        .order_by("-message_id")[:MAX_CANDIDATES]
    )
    out: list[tuple[int, Message]] = []
    for pk, data in LegalMessage.objects.filter(pk__in=ids).values_list("pk", "data"):
        try:
            out.append((pk, from_dict(data)))
        except MessageError:  # a stored message always parses; skip rather than fail intake
            continue
    return out


def _reason_dicts(result: Triage) -> list[dict[str, Any]]:
    return [{"code": r.code, "text": r.text, "points": r.points} for r in result.reasons]


def store(message: Message, payload: str, *, channel: str, actor: Any = None) -> LegalMessage:
    """Store a parsed message with its triage, register hits, case and notifications."""
    with transaction.atomic(), audit_batch():
        hits = register_lookup(message)
        result = triage(
            message,
            register_hits=[TriageHit(h.subject_index, h.register, h.description) for h in hits],
        )
        keys = {k[:160] for k in duplicates.blocking_keys(message)}
        links = duplicates.find_duplicates(message, _candidates(keys))
        linked = dict(
            LegalMessage.objects.filter(pk__in=[link.b for link in links]).values_list(
                "pk", "case_id"
            )
        )
        case_ids = sorted(set(linked.values()))
        merged: list[int] = []
        if case_ids:
            case = LegalCase.objects.get(pk=case_ids[0])
            merged = case_ids[1:]
            if merged:  # the new message joins cases that were apart so far
                LegalMessage.objects.filter(case_id__in=merged).update(case=case)
                LegalCase.objects.filter(pk__in=merged).delete()
        else:
            case = LegalCase.objects.create()
        refs = message.references
        msg = LegalMessage.objects.create(
            payload=payload,
            syntax=_syntax(payload),
            data=to_dict(message),
            intake_channel=channel[:32],
            kind=message.kind.value,
            channel=message.channel.value,
            ref_own=refs.own,
            ref_issuing=refs.issuing,
            ref_interpol=refs.interpol,
            issuing_country=message.issuing_country,
            received_at=message.received_at,
            deadline=message.deadline,
            summary=message.summary,
            subjects=to_dict(message).get("subjects", []),
            category=result.category.value,
            priority=int(result.priority),
            score=result.score,
            reasons=_reason_dicts(result),
            triage_deadline=result.deadline,
            needs_second_confirmation=result.needs_second_confirmation,
            nl_link=result.nl_link,
            case=case,
            purpose="wpg17",
            retain_until=(message.received_at + RETENTION).date(),
        )
        MessageKey.objects.bulk_create([MessageKey(message=msg, key=k) for k in sorted(keys)])
        MessageLink.objects.bulk_create(
            [
                MessageLink(message=msg, other_id=link.b, score=link.score, reasons=link.reasons)
                for link in links
            ]
        )
        RegisterHit.objects.bulk_create(
            [
                RegisterHit(
                    message=msg,
                    subject_index=h.subject_index,
                    register=h.register,
                    person=h.person,
                    selection_case=h.case,
                    score=h.score,
                    description=h.description[:300],
                )
                for h in hits
            ]
        )
        notified = _notify(msg, [h for h in hits if h.case is not None])
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_MESSAGE,
            object_id=msg.pk,
            purpose="wpg17",
            detail={
                "channel": channel,
                "kind": msg.kind,
                "priority": msg.priority,
                "case": case.pk,
                "duplicates": [link.b for link in links],
                "merged_cases": merged,
                "register_hits": len(hits),
                "notified": notified,
            },
        )
    return msg


def _notify(msg: LegalMessage, case_hits: Sequence[_Hit]) -> list[int]:
    """Tell the owner of each matching open case: its assignee, else the team chief(s) of
    its base team."""
    from regie.organisation.models import Position

    recipients: dict[int, str] = {}
    kind = KIND_LABELS.get(msg.kind, msg.kind)  # type: ignore[call-overload]
    for h in case_hits:
        case = h.case
        text = _(
            "Een %(kind)s (%(reference)s, %(country)s) betreft een betrokkene bij uw open "
            "zaak %(case)s. Neem contact op met het LIRC."
        ) % {
            "kind": kind,
            "reference": msg.reference,
            "country": msg.issuing_country,
            "case": case.registration.number,
        }
        if case.assignee_id:
            users = [case.assignee_id]
        elif case.base_team_id:
            users = list(
                Position.objects.filter(
                    role=Role.TEAM_CHIEF, base_team_id=case.base_team_id
                ).values_list("user_id", flat=True)
            )
        else:
            users = []
        for user_id in users:
            recipients.setdefault(user_id, text)
    Notification.objects.bulk_create(
        [Notification(recipient_id=u, message=msg, text=t[:500]) for u, t in recipients.items()]
    )
    for user_id in recipients:
        audit_log(
            actor=None,
            action=AuditAction.CREATE,
            object_type="legal_assistance.notification",
            object_id=msg.pk,
            purpose="wpg17",
            detail={"recipient": user_id},
        )
    return sorted(recipients)


# --------------------------------------------------------------------------------------------
# Actions of the officers
# --------------------------------------------------------------------------------------------


def _locked(pk: int) -> LegalMessage:
    return LegalMessage.objects.select_for_update().get(pk=pk)


def _event(msg: LegalMessage, actor: Any, action: str, text: str, now: dt.datetime) -> None:
    MessageEvent.objects.create(message=msg, at=now, actor=actor, action=action, text=text[:500])


def _audit_change(actor: Any, msg: LegalMessage, action: str, **detail: Any) -> None:
    audit_log(
        actor=actor,
        action=AuditAction.CHANGE,
        object_type=OBJECT_MESSAGE,
        object_id=msg.pk,
        purpose="wpg17",
        detail={"action": action, **detail},
    )


def _require_open(msg: LegalMessage) -> None:
    if not msg.is_open:
        raise LegalAssistanceError(
            _("Dit bericht is al %(status)s.") % {"status": msg.get_status_display()}
        )


def _require_confirmed(msg: LegalMessage) -> None:
    if msg.awaiting_confirmation:
        raise LegalAssistanceError(
            _(
                "Spoedbericht: eerst moet een medewerker de beoordeling vastleggen en een "
                "tweede medewerker die bevestigen."
            )
        )


def _take_triage(msg: LegalMessage, actor: Any, now: dt.datetime) -> None:
    if msg.triaged_by_id is None:
        msg.triaged_by = actor
        msg.triaged_at = now


def assess(pk: int, *, actor: Any) -> LegalMessage:
    """The first officer accepts the triage (for a priority 1 message a second one must
    confirm it)."""
    now = timezone.now()
    with transaction.atomic():
        msg = _locked(pk)
        _require_open(msg)
        if msg.triaged_by_id is not None:
            raise LegalAssistanceError(_("De beoordeling is al vastgelegd."))
        _take_triage(msg, actor, now)
        if msg.status == Status.NEW:
            msg.status = Status.ASSESSED
        msg.save()
        _event(msg, actor, "assess", _("Beoordeling vastgelegd"), now)
        _audit_change(actor, msg, "assess", priority=msg.priority)
    return msg


def confirm(pk: int, *, actor: Any) -> LegalMessage:
    """The second officer confirms an urgent triage; the one who assessed it cannot."""
    now = timezone.now()
    with transaction.atomic():
        msg = _locked(pk)
        _require_open(msg)
        if not msg.needs_second_confirmation:
            raise LegalAssistanceError(_("Deze beoordeling hoeft niet bevestigd te worden."))
        if msg.confirmed_by_id is not None:
            raise LegalAssistanceError(_("De beoordeling is al bevestigd."))
        if msg.triaged_by_id is None:
            raise LegalAssistanceError(
                _(
                    "Eerst moet een medewerker de beoordeling vastleggen; daarna bevestigt "
                    "een ander."
                )
            )
        if msg.triaged_by_id == actor.pk:
            raise LegalAssistanceError(
                _(
                    "U heeft deze beoordeling zelf vastgelegd. Een tweede medewerker moet de "
                    "spoedbeoordeling bevestigen (vier-ogenprincipe)."
                ),
                status=403,
            )
        msg.confirmed_by = actor
        msg.confirmed_at = now
        msg.save()
        _event(msg, actor, "confirm", _("Spoedbeoordeling bevestigd"), now)
        _audit_change(actor, msg, "confirm", triaged_by=msg.triaged_by_id)
    return msg


def change_priority(pk: int, *, priority: int, reason: str, actor: Any) -> LegalMessage:
    """Set the priority by hand, with a reason; the deadline follows the new priority. A
    message raised to priority 1 needs another officer's confirmation."""
    reason = " ".join(reason.split())
    if not reason:
        raise LegalAssistanceError(_("Geef een reden voor de wijziging."), status=422)
    if len(reason) > MAX_REASON:
        raise LegalAssistanceError(
            _("De reden is te lang: hoogstens %(max)s tekens.") % {"max": MAX_REASON}, status=422
        )
    try:
        new = Priority(int(priority))
    except ValueError:
        raise LegalAssistanceError(_("Onbekende prioriteit."), status=422) from None
    now = timezone.now()
    with transaction.atomic():
        msg = _locked(pk)
        _require_open(msg)
        old = Priority(msg.priority)
        if new is old:
            raise LegalAssistanceError(_("Dit is al de prioriteit van het bericht."), status=422)
        text = f"Prioriteit handmatig gewijzigd van {int(old)} naar {int(new)}: {reason}"
        msg.reasons = [*msg.reasons, {"code": "manual", "text": text, "points": 0}]
        points = min(MAX_POINTS, sum(int(r.get("points", 0)) for r in msg.reasons))
        msg.priority = int(new)
        msg.score = 100 * (5 - int(new)) + points
        deadline = msg.received_at + DEFAULT_SLA[new]
        if msg.deadline is not None and msg.deadline < deadline:
            deadline = msg.deadline
        msg.triage_deadline = deadline
        msg.needs_second_confirmation = new is Priority.URGENT
        # The officer who sets the priority is the one who triaged it.
        msg.triaged_by = actor
        msg.triaged_at = now
        msg.confirmed_by = None
        msg.confirmed_at = None
        if msg.status == Status.NEW:
            msg.status = Status.ASSESSED
        msg.save()
        _event(
            msg,
            actor,
            "priority",
            f"{text} ({PRIORITY_LABELS[old]} -> {PRIORITY_LABELS[new]})",
            now,
        )
        _audit_change(actor, msg, "priority", old=int(old), new=int(new))
    return msg


def lirc_officers() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(position__role=Role.LIRC_OFFICER, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


def assign(pk: int, *, assignee_id: int, actor: Any) -> LegalMessage:
    assignee = next((u for u in lirc_officers() if u.pk == assignee_id), None)
    if assignee is None:
        raise LegalAssistanceError(_("Kies een medewerker van het LIRC."), status=422)
    now = timezone.now()
    with transaction.atomic():
        msg = _locked(pk)
        _require_open(msg)
        _require_confirmed(msg)
        _take_triage(msg, actor, now)
        msg.assignee = assignee
        msg.status = Status.ASSIGNED
        msg.save()
        _event(msg, actor, "assign", f"Toegewezen aan {assignee.get_full_name()}", now)
        _audit_change(actor, msg, "assign", assignee=assignee.pk)
    return msg


def answer(pk: int, *, template: str, text: str, actor: Any) -> Answer:
    """Send an answer the officer reviewed (from a template); refuses "not known" when a
    subject was found in the registers."""
    if template not in ANSWER_TEMPLATES:
        raise LegalAssistanceError(_("Kies een sjabloon."), status=422)
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise LegalAssistanceError(_("De tekst van het antwoord is leeg."), status=422)
    if len(text) > MAX_ANSWER:
        raise LegalAssistanceError(
            _("Het antwoord is te lang: hoogstens %(max)s tekens.") % {"max": MAX_ANSWER},
            status=422,
        )
    now = timezone.now()
    with transaction.atomic():
        msg = _locked(pk)
        _require_open(msg)
        _require_confirmed(msg)
        if ANSWER_TEMPLATES[template].only_without_hits and msg.hits.exists():
            raise LegalAssistanceError(
                _(
                    "Een betrokkene is gevonden in de registers: het antwoord \u201cNiet "
                    "bekend in de Nederlandse politieregisters\u201d is niet toegestaan."
                )
            )
        _take_triage(msg, actor, now)
        sent = Answer.objects.create(
            message=msg, template=template, text=text, sent_by=actor, sent_at=now
        )
        msg.status = Status.ANSWERED
        msg.done_at = now
        msg.save()
        _event(msg, actor, "answer", f"Beantwoord: {ANSWER_TEMPLATES[template].label}", now)
        _audit_change(actor, msg, "answer", template=template, answer=sent.pk)
    return sent


def close(pk: int, *, reason: str, actor: Any) -> LegalMessage:
    reason = " ".join(reason.split())[:MAX_REASON]
    now = timezone.now()
    with transaction.atomic():
        msg = _locked(pk)
        if msg.status == Status.CLOSED:
            raise LegalAssistanceError(_("Dit bericht is al afgesloten."))
        _require_confirmed(msg)
        msg.status = Status.CLOSED
        msg.done_at = msg.done_at or now
        msg.save()
        _event(msg, actor, "close", "Afgesloten" + (f": {reason}" if reason else ""), now)
        _audit_change(actor, msg, "close")
    return msg


def resubmit(pk: int, *, payload: str, actor: Any) -> LegalMessage:
    """A corrected payload for a quarantined message: parsed; if valid it becomes a message
    and the quarantine entry is resolved; if not, nothing changes."""
    try:
        message = parse(payload, now=timezone.now())
    except MessageError as exc:
        raise LegalAssistanceError(
            _("Het gecorrigeerde bericht bevat nog fouten."), status=422, errors=error_dicts(exc)
        ) from None
    with transaction.atomic():
        q = QuarantinedMessage.objects.select_for_update().get(pk=pk)
        if q.resolved:
            raise LegalAssistanceError(_("Dit bericht in quarantaine is al afgehandeld."))
        text, _raw = _as_text(payload)
        msg = store(message, text, channel=q.intake_channel, actor=actor)
        q.resolved = True
        q.resolved_at = timezone.now()
        q.resolved_by = actor
        q.message = msg
        q.save()
        audit_log(
            actor=actor,
            action=AuditAction.CHANGE,
            object_type=OBJECT_QUARANTINE,
            object_id=q.pk,
            purpose="wpg17",
            detail={"action": "resubmit", "message": msg.pk},
        )
    return msg


def mark_notifications_read(user: Any, ids: Sequence[int] | None = None) -> int:
    with transaction.atomic():
        qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        return qs.update(read_at=timezone.now())


def open_messages() -> Any:
    return LegalMessage.objects.filter(status__in=OPEN_STATUSES)


register(
    RetentionPolicy(
        LegalMessage,
        "delete",
        description="LIRC messages: five years after receipt (art. 17 Wpg)",
    )
)
register(
    RetentionPolicy(
        QuarantinedMessage,
        "delete",
        description="LIRC quarantine: five years after receipt",
    )
)


# --------------------------------------------------------------------------------------------
# Text classifier (proposes a category; never changes a triage)
# --------------------------------------------------------------------------------------------

OBJECT_CLASSIFIER: Final = "legal_assistance.classifier"


def train_classifier(
    *,
    actor: Any = None,
    from_synthetic: int | None = None,
    traffic: Traffic | None = None,
    seed: int = 1,
) -> ClassifierModel:
    """Fit the text classifier and store it as a new version.

    The examples are the messages officers have triaged (their final category). When there
    are fewer than ``classifier.MIN_TRIAGED``, or ``from_synthetic`` (a number of messages)
    or ``traffic`` (a generated ``Traffic``) is given, synthetic traffic is added; the model
    records which (``source``). Raises ``classifier.ClassifierError`` when the examples hold
    fewer than two categories. The fitting happens outside the transaction; the write is one
    transaction with its audit entry."""
    examples = classifier.triaged_examples()
    if traffic is not None or from_synthetic or examples.n_triaged < classifier.MIN_TRIAGED:
        classifier.add_synthetic(examples, n=from_synthetic, seed=seed, traffic=traffic)
    fitted = classifier.fit(examples, seed=seed)
    blob, digest = classifier.dumps(fitted.classifier)
    with transaction.atomic():
        row = ClassifierModel.objects.create(
            trained_at=timezone.now(),
            trained_by=actor if getattr(actor, "pk", None) else None,
            source=examples.source,
            n_examples=len(examples.texts),
            n_triaged=examples.n_triaged,
            n_synthetic=examples.n_synthetic,
            n_held_back=fitted.n_held_back,
            accuracy=fitted.accuracy,
            labels=list(fitted.classifier.categories),
            algorithm=classifier.ALGORITHM,
            blob=blob,
            sha256=digest,
        )
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_CLASSIFIER,
            object_id=row.pk,
            detail={
                "source": row.source,
                "examples": row.n_examples,
                "triaged": row.n_triaged,
                "synthetic": row.n_synthetic,
                "held_back": row.n_held_back,
                "accuracy": row.accuracy,
            },
        )
        transaction.on_commit(classifier.clear_cache)
    return row
