"""Writes of the tip line: intake, follow-up, the desk's work, forwarding, the recipients'
acknowledgement and feedback, invoices and expiry. Every desk and recipient action is
written to the audit log; a reporter's actions are logged without any actor or origin."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.organisation.models import Municipality, Unit
from regie.tips import attachments as attachment_core
from regie.tips import billing, conf, retention, rewrite, sealing
from regie.tips.models import (
    Attachment,
    BillingModel,
    Channel,
    CountKind,
    Delivery,
    ExpiredCount,
    FollowUp,
    Invoice,
    Recipient,
    RecipientKind,
    Sender,
    Status,
    Tip,
    Topic,
    UsedChallenge,
)
from regie.tips.pow import ProofOfWorkError
from regie.tips.receipt import (
    InvalidReceiptCode,
    ReceiptCode,
    issue_receipt,
    normalise_receipt_code,
)

QUESTIONS = ("what", "who", "where", "when", "how")
MAX_TEXT = 5000
RECEIPT_FAILED = "Deze bonnummer is onbekend of onjuist. Controleer de cijfers."
#: Wrong secrets in a row for one selector before it is locked, and for how long.
RECEIPT_MAX_FAILURES = 10
RECEIPT_LOCK = dt.timedelta(hours=1)


class TipError(ValueError):
    """Bad input or a refused action; ``str(error)`` is a Dutch message for the user."""


# --------------------------------------------------------------------------------------------
# Proof of work
# --------------------------------------------------------------------------------------------


class DbUsedChallenges:
    """:class:`regie.tips.pow.UsedChallenges` on the database (shared by all processes)."""

    def add_if_new(self, challenge_id: str, expires_at: float) -> bool:
        now = timezone.now().timestamp()
        UsedChallenge.objects.filter(expires_at__lt=now).delete()
        try:
            with transaction.atomic():
                # Kept to the next full hour: the exact expiry would tell when the reporter
                # loaded the form (a challenge stays unusable at least until it expires).
                UsedChallenge.objects.create(
                    challenge_id=challenge_id, expires_at=math.ceil(expires_at / 3600) * 3600
                )
        except IntegrityError:
            return False
        return True


def check_work(token: str, nonce: str) -> None:
    try:
        conf.proof_of_work().verify(token, nonce, DbUsedChallenges())
    except ProofOfWorkError as error:
        raise TipError(str(error)) from None
    except (ValueError, TypeError):
        raise TipError("De controle is ongeldig; probeer het opnieuw.") from None


# --------------------------------------------------------------------------------------------
# Intake
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _attachment_path(name: str) -> Path:
    return conf.attachment_dir() / name


def _clean_answers(answers: dict[str, str], topic: str, municipality_code: str) -> dict[str, str]:
    clean = {q: (answers.get(q) or "").strip() for q in QUESTIONS}
    if not clean["what"]:
        raise TipError("Beschrijf in elk geval wat er gebeurt of gebeurd is.")
    for text in clean.values():
        if len(text) > MAX_TEXT:
            raise TipError(f"Een antwoord mag hoogstens {MAX_TEXT} tekens hebben.")
    if topic not in Topic.values:
        raise TipError("Kies een onderwerp uit de lijst.")
    if municipality_code and not Municipality.objects.filter(code=municipality_code).exists():
        raise TipError("Kies een gemeente uit de lijst (of laat het veld leeg).")
    return clean


def submit_tip(
    *,
    answers: dict[str, str],
    topic: str,
    municipality_code: str = "",
    uploads: Sequence[Upload] = (),
    channel: Channel = Channel.WEB,
    operator: Any = None,
    now: dt.datetime | None = None,
    receipt: bool = True,
) -> tuple[Tip, ReceiptCode | None]:
    """Store a new tip (encrypted) with its stripped attachments and issue a receipt code.

    Bad input raises :class:`TipError` and stores nothing. Only the phone path has an
    actor (the operator who entered the call)."""
    clean = _clean_answers(answers, topic, municipality_code)
    if len(uploads) > conf.MAX_ATTACHMENTS:
        raise TipError(f"U kunt hoogstens {conf.MAX_ATTACHMENTS} bijlagen meesturen.")
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(attachment_core.sanitise(upload.data, conf.ATTACHMENT_LIMITS))
        except attachment_core.AttachmentRejected as error:
            raise TipError(f"Bijlage {len(cleaned) + 1}: {error}") from None
    now = now or timezone.now()
    # Received time is kept to the hour: finer precision adds nothing to the desk's work
    # and could be matched against other records of the reporter's activity.
    received = now.replace(minute=0, second=0, microsecond=0)
    vault = conf.desk_vault()
    hasher = conf.receipt_hasher() if receipt else None
    written: list[Any] = []
    try:
        with transaction.atomic():
            code: ReceiptCode | None = None
            selector, hashed = None, ""
            if receipt:
                assert hasher is not None
                code, stored = issue_receipt(
                    hasher, lambda s: Tip.objects.filter(receipt_selector=s).exists()
                )
                selector, hashed = stored.selector, stored.hash
            tip = Tip.objects.create(
                received_at=received,
                channel=channel,
                topic=topic,
                municipality_code=municipality_code,
                original=vault.encrypt(sealing.Package(clean)),
                receipt_selector=selector,
                receipt_hash=hashed,
                expires_at=retention.expiry_date(received, policy=conf.retention_policy()),
            )
            for index, clean_file in enumerate(cleaned, start=1):
                name = f"{secrets.token_hex(16)}.bin"
                package = sealing.Package(
                    {"index": index},
                    (
                        sealing.Attachment(
                            f"bijlage-{index}.{clean_file.extension}",
                            clean_file.content_type,
                            clean_file.data,
                        ),
                    ),
                )
                path = _attachment_path(name)
                path.write_bytes(vault.encrypt(package))
                written.append(path)
                Attachment.objects.create(
                    tip=tip, file_name=name, kind=str(clean_file.kind), size=len(clean_file.data)
                )
            if operator is not None:
                # The phone path: the operator's entry is a staff action and is audited.
                # A reporter's own submission is not: an audit entry carries its time to the
                # microsecond, which would undo the rounding of ``received_at`` above.
                audit_log(
                    actor=operator,
                    action=Action.CREATE,
                    object_type="tips.tip",
                    object_id=tip.pk,
                    purpose=Purpose.WPG8,
                    detail={"channel": channel, "attachments": len(cleaned)},
                )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return tip, code


def original_of(tip: Tip) -> dict[str, str]:
    return dict(conf.desk_vault().decrypt(bytes(tip.original)).text)


def rewrite_of(tip: Tip) -> str:
    if not tip.rewrite:
        return ""
    return str(conf.desk_vault().decrypt(bytes(tip.rewrite)).text)


def attachment_content(attachment: Attachment) -> sealing.Attachment:
    package = conf.desk_vault().decrypt(_attachment_path(attachment.file_name).read_bytes())
    return package.attachments[0]


def original_text(answers: dict[str, str]) -> str:
    """The questionnaire as one text, for the rewrite check."""
    return "\n".join(answers.get(q, "") for q in QUESTIONS if answers.get(q))


# --------------------------------------------------------------------------------------------
# Anonymous follow-up
# --------------------------------------------------------------------------------------------


def tip_by_receipt(code_text: str) -> Tip:
    """The live tip of a receipt code; one message for every failure."""
    try:
        code = normalise_receipt_code(code_text)
    except InvalidReceiptCode as error:
        raise TipError(str(error)) from None
    tip = Tip.objects.filter(receipt_selector=code.selector).first()
    now = timezone.now()
    locked_until = tip.receipt_locked_until if tip is not None else None
    if locked_until is not None and locked_until > now:
        # Same answer and (by verifying the dummy hash) the same cost as an unknown code.
        conf.receipt_hasher().verify(None, code)
        raise TipError(RECEIPT_FAILED)
    if not conf.receipt_hasher().verify(tip.receipt_hash if tip else None, code):
        if tip is not None:
            failures = tip.receipt_failures + 1
            Tip.objects.filter(pk=tip.pk).update(
                receipt_failures=0 if failures >= RECEIPT_MAX_FAILURES else failures,
                receipt_locked_until=now + RECEIPT_LOCK
                if failures >= RECEIPT_MAX_FAILURES
                else tip.receipt_locked_until,
            )
        raise TipError(RECEIPT_FAILED)
    assert tip is not None
    if tip.receipt_failures or tip.receipt_locked_until:
        Tip.objects.filter(pk=tip.pk).update(receipt_failures=0, receipt_locked_until=None)
    return tip


def follow_ups_of(tip: Tip) -> list[dict[str, Any]]:
    vault = conf.desk_vault()
    return [
        {
            "sender": f.sender,
            "sender_label": f.get_sender_display(),
            "text": str(vault.decrypt(bytes(f.body)).text),
            "created_at": f.created_at,
        }
        for f in tip.follow_ups.all()
    ]


def _add_follow_up(tip: Tip, sender: Sender, text: str) -> FollowUp:
    text = text.strip()
    if not text:
        raise TipError("Het bericht is leeg.")
    if len(text) > MAX_TEXT:
        raise TipError(f"Een bericht mag hoogstens {MAX_TEXT} tekens hebben.")
    body = conf.desk_vault().encrypt(sealing.Package(text))
    created = timezone.now().replace(second=0, microsecond=0)
    return FollowUp.objects.create(tip=tip, sender=sender, body=body, created_at=created)


def reporter_adds(tip: Tip, text: str) -> FollowUp:
    """The reporter's answer. Not audited, for the same reason as the web intake: the entry's
    exact time would undo the rounding of ``FollowUp.created_at``."""
    with transaction.atomic():
        return _add_follow_up(tip, Sender.REPORTER, text)


def desk_asks(tip: Tip, text: str, actor: Any) -> FollowUp:
    with transaction.atomic():
        follow_up = _add_follow_up(tip, Sender.DESK, text)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="tips.tip",
            object_id=tip.pk,
            detail={"follow_up": "desk"},
        )
    return follow_up


# --------------------------------------------------------------------------------------------
# Desk
# --------------------------------------------------------------------------------------------


def place_names() -> frozenset[frozenset[str]]:
    """The municipalities' names as the rewrite checker compares names: a municipality in a
    tip identifies nobody and is kept in the forwarded text."""
    from regie.organisation.models import Municipality

    return frozenset(
        words
        for words in (
            rewrite.name_words(n) for n in Municipality.objects.values_list("name", flat=True)
        )
        if words
    )


@contextlib.contextmanager
def _locked(tip: Tip) -> Iterator[Tip]:
    """The tip's row locked for a desk decision (checks are made on the locked row); the
    caller's object is refreshed afterwards, also when the decision is refused."""
    try:
        with transaction.atomic():
            yield Tip.objects.select_for_update().get(pk=tip.pk)
    finally:
        tip.refresh_from_db()


def _check_forwardable(tip: Tip) -> None:
    if tip.status != Status.NEW:
        raise TipError("Deze melding is al beoordeeld, doorgezet of afgesloten.")
    if not tip.rewrite:
        raise TipError("Herschrijf de melding eerst.")
    if not tip.rewrite_checked_ok:
        raise TipError(
            "De herschreven tekst bevat nog herleidbare gegevens; pas hem aan en controleer "
            "opnieuw."
        )


def save_rewrite(tip: Tip, text: str, actor: Any) -> rewrite.RewriteReport:
    """Store the rewrite and the outcome of its check; returns the check's report."""
    text = text.strip()
    if not text:
        raise TipError("De herschreven tekst is leeg.")
    if len(text) > MAX_TEXT * 2:
        raise TipError("De herschreven tekst is te lang.")
    report = rewrite.check_rewrite(original_text(original_of(tip)), text, place_names())
    with _locked(tip) as locked:
        if locked.status in (Status.FORWARDED, Status.CLOSED):
            raise TipError("Deze melding is al doorgezet of afgesloten.")
        locked.rewrite = conf.desk_vault().encrypt(sealing.Package(text))
        locked.rewrite_checked_ok = report.ok
        locked.save(update_fields=["rewrite", "rewrite_checked_ok"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="tips.tip",
            object_id=tip.pk,
            detail={"rewrite_ok": report.ok, "findings": len(report.messages)},
        )
    return report


def _routing_recipient(r: Recipient) -> Any:
    from regie.tips import routing

    return routing.Recipient(
        id=str(r.pk),
        name=r.name,
        kind=routing.RecipientKind(r.kind),
        topics=frozenset(r.topics),
        area=frozenset(r.area) if r.area else None,
        active=r.active,
    )


def proposed_recipients(tip: Tip) -> list[tuple[Recipient, str]]:
    """Recipients by topic and area (:func:`regie.tips.routing.route_tip`) with the reason."""
    from regie.tips import routing

    by_id = {str(r.pk): r for r in Recipient.objects.filter(active=True)}
    routes = routing.route_tip(
        tip.topic,
        tip.municipality_code or None,
        [_routing_recipient(r) for r in by_id.values()],
    )
    return [(by_id[route.recipient.id], route.reason) for route in routes]


def set_not_concrete(tip: Tip, actor: Any) -> None:
    with _locked(tip) as locked:
        if locked.status != Status.NEW:
            raise TipError("Alleen een nieuwe melding kan als niet concreet worden beoordeeld.")
        locked.concrete = False
        _close_locked(locked, Status.NOT_CONCRETE, ["concrete"], actor)


def _close_locked(locked: Tip, status: Status, also: list[str], actor: Any) -> None:
    """End a locked tip with ``status``: closed now, expiring after the closed-tip term."""
    now = timezone.now()
    locked.status = status
    locked.closed_at = now
    locked.expires_at = retention.expiry_date(
        locked.received_at, closed_at=now, policy=conf.retention_policy()
    )
    locked.save(update_fields=[*also, "status", "closed_at", "expires_at"])
    audit_log(
        actor=actor,
        action=Action.CHANGE,
        object_type="tips.tip",
        object_id=locked.pk,
        detail={"status": status},
    )


def forward(
    tip: Tip, recipient_ids: Iterable[int], actor: Any, *, with_attachments: bool = False
) -> list[Delivery]:
    """Seal the rewrite (and, if chosen, the stripped attachments) for each recipient.

    Refused unless the tip is new, has a rewrite that passed the check, and at least one
    active recipient is chosen. The reporter's own words never leave the desk."""
    ids = sorted({int(i) for i in recipient_ids})
    _check_forwardable(tip)
    recipients = list(Recipient.objects.filter(pk__in=ids, active=True))
    if not ids or len(recipients) != len(ids):
        raise TipError("Kies een of meer actieve ontvangers.")
    files = (
        tuple(attachment_content(a) for a in tip.attachments.order_by("pk"))
        if with_attachments
        else ()
    )
    now = timezone.now()
    text = {
        "number": tip.number,
        "topic": tip.topic,
        "topic_label": str(Topic(tip.topic).label),
        "municipality": tip.municipality_code,
        "received": tip.received_at.date().isoformat(),
        "text": rewrite_of(tip),
    }
    with _locked(tip) as locked:
        # Checked again under the lock: a double click or a parallel "niet concreet".
        _check_forwardable(locked)
        deliveries = [
            Delivery.objects.create(
                tip=locked,
                recipient=r,
                sealed=sealing.seal_package(
                    sealing.Package(text, files), sealing.decode_key(r.public_key)
                ),
                sent_at=now,
                sent_by=actor,
            )
            for r in recipients
        ]
        locked.concrete = True
        locked.status = Status.FORWARDED
        locked.forwarded_at = now
        locked.expires_at = retention.expiry_date(
            locked.received_at, forwarded_at=now, policy=conf.retention_policy()
        )
        locked.save(update_fields=["concrete", "status", "forwarded_at", "expires_at"])
        audit_log(
            actor=actor,
            action=Action.EXPORT,
            object_type="tips.tip",
            object_id=tip.pk,
            detail={"recipients": [r.name for r in recipients], "attachments": len(files)},
        )
    return deliveries


def close(tip: Tip, actor: Any) -> None:
    with _locked(tip) as locked:
        if locked.status == Status.CLOSED:
            raise TipError("Deze melding is al afgesloten.")
        _close_locked(locked, Status.CLOSED, [], actor)


# --------------------------------------------------------------------------------------------
# Recipients
# --------------------------------------------------------------------------------------------


def add_member(recipient: Recipient, username: str, actor: Any = None) -> None:
    """Let a partner agency's staff member (role "Ontvanger partnerorganisatie") read for
    ``recipient``. Refused for municipalities and police recipients (they are found by scope)
    and for users without that role."""
    from django.contrib.auth import get_user_model

    from regie.organisation.access import position_of
    from regie.organisation.roles import Role

    if recipient.kind != RecipientKind.AGENCY or recipient.unit_id is not None:
        raise TipError("Alleen een partnerorganisatie buiten de politie heeft leden.")
    user = get_user_model().objects.filter(username=username).first()
    position = position_of(user) if user is not None else None
    if user is None or position is None or position.role != Role.AGENCY_RECIPIENT:
        raise TipError(
            f"Gebruiker {username!r} bestaat niet of heeft niet de rol Ontvanger "
            "partnerorganisatie."
        )
    if Recipient.objects.filter(members=user).exclude(pk=recipient.pk).exists():
        raise TipError(f"Gebruiker {username!r} leest al voor een andere ontvanger.")
    with transaction.atomic():
        recipient.members.add(user)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="tips.recipient",
            object_id=recipient.pk,
            detail={"member_added": user.pk},
        )


def create_recipient(
    *,
    name: str,
    kind: RecipientKind,
    topics: Iterable[str],
    passphrase: str,
    area: Iterable[str] = (),
    municipality: Municipality | None = None,
    unit: Unit | None = None,
    connected_on: dt.date | None = None,
    actor: Any = None,
) -> Recipient:
    """A recipient with a new key pair; the private key is kept only under ``passphrase``."""
    topics = sorted(set(topics))
    unknown = set(topics) - set(Topic.values)
    if unknown or not topics:
        raise TipError(f"Onbekende of geen onderwerpen: {', '.join(sorted(unknown))}")
    if len(passphrase) < 12:
        raise TipError("Het wachtwoord van de sleutel moet minstens 12 tekens hebben.")
    area_codes = sorted(set(area))
    if kind == RecipientKind.MUNICIPALITY:
        if municipality is None:
            raise TipError("Een gemeente als ontvanger heeft een gemeente nodig.")
        area_codes = sorted(set(area_codes) | {municipality.code})
    elif municipality is not None:
        raise TipError("Alleen een gemeente als ontvanger hoort bij een gemeente.")
    if area_codes and Municipality.objects.filter(code__in=area_codes).count() != len(area_codes):
        raise TipError("Het gebied bevat een onbekende gemeentecode.")
    keys = sealing.generate_keypair()
    ops, mem = conf.key_opslimit()
    with transaction.atomic():
        recipient = Recipient.objects.create(
            name=name,
            kind=kind,
            topics=topics,
            area=area_codes,
            municipality=municipality,
            unit=unit,
            public_key=sealing.encode_key(keys.public_key),
            protected_private_key=sealing.protect_private_key(
                keys.private_key, passphrase, opslimit=ops, memlimit=mem
            ),
            fingerprint=keys.fingerprint,
            connected_on=connected_on,
        )
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="tips.recipient",
            object_id=recipient.pk,
            purpose=Purpose.WPG13,
            detail={"name": name, "kind": kind, "topics": topics},
        )
    return recipient


def unlock_key(recipient: Recipient, passphrase: str, actor: Any) -> bytes:
    """The recipient's raw private key; a wrong passphrase is audited and refused."""
    try:
        key = sealing.unlock_private_key(bytes(recipient.protected_private_key), passphrase)
    except sealing.WrongPassphrase as error:
        audit_log(
            actor=actor,
            action=Action.DENIED,
            object_type="tips.key",
            object_id=recipient.pk,
            outcome="denied",
        )
        raise TipError(str(error)) from None
    audit_log(actor=actor, action=Action.VIEW, object_type="tips.key", object_id=recipient.pk)
    return key


def open_delivery(delivery: Delivery, private_key: bytes, actor: Any) -> sealing.Package:
    try:
        package = sealing.open_package(bytes(delivery.sealed), private_key)
    except sealing.SealingError as error:
        audit_log(
            actor=actor,
            action=Action.VIEW,
            object_type="tips.delivery",
            object_id=delivery.pk,
            outcome="failure",
        )
        raise TipError(str(error)) from None
    if delivery.opened_at is None:
        Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )
    audit_log(
        actor=actor,
        action=Action.VIEW,
        object_type="tips.delivery",
        object_id=delivery.pk,
        detail={"tip": delivery.tip_id},
    )
    return package


def acknowledge(delivery: Delivery, actor: Any) -> None:
    if delivery.acknowledged_at is not None:
        raise TipError("De ontvangst is al bevestigd.")
    with transaction.atomic():
        delivery.acknowledged_at = timezone.now()
        delivery.save(update_fields=["acknowledged_at"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="tips.delivery",
            object_id=delivery.pk,
            detail={"acknowledged": True},
        )


def record_feedback(delivery: Delivery, text: str, actor: Any) -> None:
    text = text.strip()
    if not text:
        raise TipError("Beschrijf wat er met de melding is gedaan.")
    if len(text) > MAX_TEXT:
        raise TipError(f"De terugkoppeling mag hoogstens {MAX_TEXT} tekens hebben.")
    with transaction.atomic():
        delivery.feedback = text
        delivery.feedback_at = timezone.now()
        if delivery.acknowledged_at is None:
            delivery.acknowledged_at = delivery.feedback_at
        delivery.save(update_fields=["feedback", "feedback_at", "acknowledged_at"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="tips.delivery",
            object_id=delivery.pk,
            detail={"feedback": True},
        )


# --------------------------------------------------------------------------------------------
# Billing
# --------------------------------------------------------------------------------------------


def forwarded_counts(year: int) -> dict[int, int]:
    """Tips forwarded to each municipality recipient in ``year`` (live and expired)."""
    from django.db.models import Count

    counts: dict[int, int] = {}
    live = (
        Delivery.objects.filter(sent_at__year=year, recipient__kind=RecipientKind.MUNICIPALITY)
        .values("recipient_id")
        .annotate(n=Count("pk"))
    )
    for row in live:
        counts[row["recipient_id"]] = row["n"]
    names = dict(
        Recipient.objects.filter(kind=RecipientKind.MUNICIPALITY).values_list("name", "pk")
    )
    for expired in ExpiredCount.objects.filter(
        kind=CountKind.FORWARDED, month__startswith=f"{year}-", recipient_name__in=names
    ):
        pk = names[expired.recipient_name]
        counts[pk] = counts.get(pk, 0) + expired.count
    return counts


def billing_municipalities() -> list[tuple[Recipient, billing.Municipality]]:
    out = []
    for r in Recipient.objects.filter(kind=RecipientKind.MUNICIPALITY).select_related(
        "municipality"
    ):
        m = r.municipality
        assert m is not None
        out.append((r, billing.Municipality(m.code, m.name, m.population, r.connected_on)))
    return out


def comparison(year: int) -> list[billing.ComparisonRow]:
    pairs = billing_municipalities()
    counts = forwarded_counts(year)
    tips_by_code = {m.code: counts.get(r.pk, 0) for r, m in pairs}
    return billing.compare_models(
        [m for _, m in pairs], tips_by_code, year, billing.load_size_classes()
    )


def issue_invoices(year: int, actor: Any) -> int:
    """The year's invoices of every connected municipality under both models (replacing
    earlier ones of that year); returns the number of invoices."""
    if not 2000 <= year <= 2100:
        raise TipError("Kies een jaar tussen 2000 en 2100.")
    classes = billing.load_size_classes()
    counts = forwarded_counts(year)
    made = 0
    with transaction.atomic():
        Invoice.objects.filter(year=year).delete()
        for recipient, m in billing_municipalities():
            tips = counts.get(recipient.pk, 0)
            for model, lines in (
                (BillingModel.MODEL_2020, billing.invoice_lines_2020(m, year, classes)),
                (BillingModel.OLD, billing.invoice_lines_old(m, year, tips)),
            ):
                if not lines:
                    continue
                Invoice.objects.create(
                    recipient=recipient,
                    year=year,
                    model=model,
                    tips=tips,
                    lines=[
                        {
                            "description": line.description,
                            "quantity": line.quantity,
                            "unit_price": f"{line.unit_price:.2f}",
                            "amount": f"{line.amount:.2f}",
                        }
                        for line in lines
                    ],
                    total=billing.total(lines),
                )
                made += 1
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="tips.invoice",
            object_id=year,
            purpose=Purpose.WPG13,
            detail={"invoices": made},
        )
    return made


# --------------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------------


def _bump(month: str, topic: str, kind: CountKind, recipient: str = "") -> None:
    row, _ = ExpiredCount.objects.get_or_create(
        month=month, topic=topic, kind=kind, recipient_name=recipient
    )
    ExpiredCount.objects.filter(pk=row.pk).update(count=F("count") + 1)


def _unlink_all(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def expire_tips(now: dt.datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Delete expired tips for good - rows, follow-ups, deliveries and attachment files -
    after folding them into :class:`ExpiredCount`. Returns what was (or would be) deleted."""
    now = now or timezone.now()
    expired = list(
        Tip.objects.filter(expires_at__lte=now).prefetch_related("attachments", "deliveries")
    )
    result = {"tips": len(expired), "attachments": sum(t.attachments.count() for t in expired)}
    if dry_run or not expired:
        return result
    paths: list[Path] = []
    with transaction.atomic():
        for tip in expired:
            month = retention.period_of(timezone.localdate(tip.received_at), "month")
            _bump(month, tip.topic, CountKind.RECEIVED)
            if tip.forwarded_at is not None:
                forwarded_month = retention.period_of(timezone.localdate(tip.forwarded_at), "month")
                # recipient "" : the tip itself (counted once however many recipients).
                _bump(forwarded_month, tip.topic, CountKind.FORWARDED)
            for d in tip.deliveries.select_related("recipient"):
                sent_month = retention.period_of(timezone.localdate(d.sent_at), "month")
                _bump(sent_month, tip.topic, CountKind.FORWARDED, d.recipient.name)
                if d.feedback_at is not None:
                    _bump(sent_month, tip.topic, CountKind.FEEDBACK, d.recipient.name)
            paths.extend(_attachment_path(a.file_name) for a in tip.attachments.all())
        ids = [t.pk for t in expired]
        Tip.objects.filter(pk__in=ids).delete()
        audit_log(
            actor=None,
            action=Action.DELETE,
            object_type="tips.tip",
            object_id="expiry",
            purpose=Purpose.WPG13,
            detail={"tips": ids, "attachments": result["attachments"]},
        )
        transaction.on_commit(lambda: _unlink_all(paths))
    return result


def total_amount(invoices: Iterable[Invoice]) -> Decimal:
    return sum((i.total for i in invoices), Decimal("0.00"))
