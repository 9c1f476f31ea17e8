"""The Django layer of the tip line: intake, receipt flow, rewrite check, forwarding with
per-recipient encryption, need-to-know of recipients, audit."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from regie.audit.models import AuditEntry
from regie.organisation.models import Position
from regie.organisation.roles import Role
from regie.tips import sealing, services
from regie.tips.models import Attachment, Delivery, FollowUp, RecipientKind, Status, Tip
from regie.tips.services import TipError, Upload
from tests.tips.conftest import (
    CLEAN_REWRITE,
    ORIGINAL,
    PASSPHRASE_AMSTERDAM,
    PASSPHRASE_POLICE,
    PASSPHRASE_UTRECHT,
)

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 0.0)}
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _forwarded(tip: Tip, recipients: dict[str, Any], operator: Position) -> list[Delivery]:
    services.save_rewrite(tip, CLEAN_REWRITE, operator.user)
    tip.refresh_from_db()
    ids = [r.pk for r, _reason in services.proposed_recipients(tip)]
    return services.forward(tip, ids, operator.user)


# --- intake and receipt -----------------------------------------------------------------------


def test_tip_is_stored_encrypted_and_receipt_only_as_hash(desk_tip: tuple[Tip, Any]) -> None:
    tip, code = desk_tip
    raw = bytes(Tip.objects.get(pk=tip.pk).original)
    assert b"Vries" not in raw and b"Kerkstraat" not in raw
    assert services.original_of(tip) == ORIGINAL
    digits = code.digits if hasattr(code, "digits") else str(code.display).replace(" ", "")
    assert tip.receipt_selector == digits[:5]
    assert digits[5:15] not in tip.receipt_hash
    assert tip.receipt_hash.startswith("$argon2id$")


def test_receipt_flow_question_and_answer(desk_tip: tuple[Tip, Any], operator: Position) -> None:
    tip, code = desk_tip
    assert services.tip_by_receipt(code.display).pk == tip.pk
    services.desk_asks(tip, "Welke kleur heeft de auto?", operator.user)
    found = services.tip_by_receipt(code.display.replace(" ", "-"))
    assert [m["text"] for m in services.follow_ups_of(found)] == ["Welke kleur heeft de auto?"]
    services.reporter_adds(found, "Zwart.")
    assert [m["sender"] for m in services.follow_ups_of(tip)] == ["desk", "reporter"]
    assert b"Zwart" not in bytes(FollowUp.objects.filter(tip=tip).last().body)  # type: ignore[union-attr]


@pytest.mark.parametrize("wrong", ["flip-one-digit", "other-secret", "garbage"])
def test_wrong_receipt_is_refused_with_one_message(desk_tip: tuple[Tip, Any], wrong: str) -> None:
    _tip, code = desk_tip
    digits = code.display.replace(" ", "")
    if wrong == "flip-one-digit":
        text = digits[:7] + str((int(digits[7]) + 1) % 10) + digits[8:]
        with pytest.raises(TipError):
            services.tip_by_receipt(text)
    elif wrong == "other-secret":
        from regie.tips.receipt import generate_receipt_code

        other = generate_receipt_code(selector=digits[:5])
        with pytest.raises(TipError, match="onbekend of onjuist"):
            services.tip_by_receipt(other.display)
    else:
        with pytest.raises(TipError):
            services.tip_by_receipt("12ab")


def test_bad_input_stores_nothing(db: Any, _attachment_dir: Path) -> None:
    before = Tip.objects.count()
    with pytest.raises(TipError, match="wat er gebeurt"):
        services.submit_tip(answers={"who": "x"}, topic="drugs")
    with pytest.raises(TipError, match="onderwerp"):
        services.submit_tip(answers={"what": "x"}, topic="nonsense")
    with pytest.raises(TipError, match="gemeente"):
        services.submit_tip(answers={"what": "x"}, topic="drugs", municipality_code="GM9999")
    with pytest.raises(TipError, match="Bijlage 2"):
        services.submit_tip(
            answers={"what": "x"},
            topic="drugs",
            uploads=[Upload("a.jpg", _jpeg_with_gps()), Upload("b.exe", b"MZ\x90\x00binary")],
        )
    assert Tip.objects.count() == before
    assert not _attachment_dir.exists() or not list(_attachment_dir.iterdir())


def test_attachment_is_stripped_and_encrypted_on_disk(db: Any, _attachment_dir: Path) -> None:
    tip, _code = services.submit_tip(
        answers={"what": "Foto van de loods."},
        topic="other",
        uploads=[Upload("IMG_0001.jpg", _jpeg_with_gps())],
    )
    item = Attachment.objects.get(tip=tip)
    on_disk = (_attachment_dir / item.file_name).read_bytes()
    assert b"CameraMaker" not in on_disk and b"JFIF" not in on_disk[:64]
    content = services.attachment_content(item)
    assert content.content_type == "image/jpeg"
    assert b"CameraMaker" not in content.data
    assert "IMG_0001" not in content.name
    assert Image.open(io.BytesIO(content.data)).getexif().get(0x8825) is None


# --- rewrite check and forwarding ---------------------------------------------------------------


def test_rewrite_check_blocks_forwarding_until_clean(
    desk_tip: tuple[Tip, Any], recipients: dict[str, Any], operator: Position
) -> None:
    tip, _ = desk_tip
    report = services.save_rewrite(tip, "Jan de Vries handelt vanuit Kerkstraat 12.", operator.user)
    assert not report.ok
    assert any("Vries" in m for m in report.messages)
    tip.refresh_from_db()
    with pytest.raises(TipError, match="herleidbare"):
        services.forward(tip, [recipients["utrecht"].pk], operator.user)
    assert not Delivery.objects.exists()
    assert services.save_rewrite(tip, CLEAN_REWRITE, operator.user).ok


def test_routing_by_topic_and_area(desk_tip: tuple[Tip, Any], recipients: dict[str, Any]) -> None:
    tip, _ = desk_tip  # drugs in Utrecht
    names = [r.name for r, _reason in services.proposed_recipients(tip)]
    assert names == [recipients["police"].name, "Gemeente Utrecht"]
    tax_tip, _ = services.submit_tip(
        answers={"what": "Zwart geld."}, topic="tax", municipality_code="GM0363"
    )
    assert [r.name for r, _ in services.proposed_recipients(tax_tip)] == ["FIOD"]
    amsterdam_drugs, _ = services.submit_tip(
        answers={"what": "Handel."}, topic="drugs", municipality_code="GM0363"
    )
    assert [r.name for r, _ in services.proposed_recipients(amsterdam_drugs)] == [
        "Gemeente Amsterdam"
    ]


def test_encryption_round_trip_per_recipient_and_wrong_key_refused(
    desk_tip: tuple[Tip, Any], recipients: dict[str, Any], operator: Position
) -> None:
    tip, _ = desk_tip
    deliveries = {d.recipient.name: d for d in _forwarded(tip, recipients, operator)}
    assert set(deliveries) == {recipients["police"].name, "Gemeente Utrecht"}
    keys = {
        "Gemeente Utrecht": services.unlock_key(recipients["utrecht"], PASSPHRASE_UTRECHT, None),
        recipients["police"].name: services.unlock_key(
            recipients["police"], PASSPHRASE_POLICE, None
        ),
    }
    for name, delivery in deliveries.items():
        assert CLEAN_REWRITE.encode() not in bytes(delivery.sealed)
        package = services.open_delivery(delivery, keys[name], None)
        assert package.text["text"] == CLEAN_REWRITE
        assert "Vries" not in str(package.text)
    amsterdam_key = services.unlock_key(recipients["amsterdam"], PASSPHRASE_AMSTERDAM, None)
    with pytest.raises(TipError, match="niet voor uw sleutel"):
        services.open_delivery(deliveries["Gemeente Utrecht"], amsterdam_key, None)
    with pytest.raises(TipError, match="onjuist"):
        services.unlock_key(recipients["utrecht"], PASSPHRASE_AMSTERDAM, None)
    tip.refresh_from_db()
    assert tip.status == Status.FORWARDED and tip.forwarded_at is not None
    with pytest.raises(TipError):
        services.forward(tip, [recipients["fiod"].pk], operator.user)


# --- the desk's screens -------------------------------------------------------------------------


def test_desk_page_highlights_details_and_checks_rewrite(
    desk_tip: tuple[Tip, Any],
    recipients: dict[str, Any],
    client_for: Callable[..., Client],
) -> None:
    tip, _ = desk_tip
    client = client_for(Role.TIPLINE_OPERATOR)
    page = client.get(f"/tips/{tip.pk}/").content.decode()
    assert '<mark class="detail detail-plate"' in page
    assert "GX-123-B</mark>" in page and "06-12345678</mark>" in page
    assert "Gemeente Utrecht" in page  # proposed by routing
    response = client.post(
        f"/tips/{tip.pk}/herschrijven/", {"rewrite": "Jan de Vries, GX-123-B."}, follow=True
    )
    text = response.content.decode()
    assert 'data-check="findings"' in text and "GX-123-B" in text
    response = client.post(f"/tips/{tip.pk}/herschrijven/", {"rewrite": CLEAN_REWRITE}, follow=True)
    assert 'data-check="ok"' in response.content.decode()
    response = client.post(
        f"/tips/{tip.pk}/doorzetten/", {"recipients": [recipients["utrecht"].pk]}, follow=True
    )
    assert "Doorgezet naar Gemeente Utrecht" in response.content.decode()
    entries = AuditEntry.objects.filter(object_type="tips.tip", object_id=str(tip.pk))
    assert {"view", "change", "export"} <= set(entries.values_list("action", flat=True))


def test_phone_intake_by_operator(db: Any, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.TIPLINE_OPERATOR)
    response = client.post(
        "/tips/telefoon/", {"topic": "weapons", "what": "Wapen in de auto.", "municipality": ""}
    )
    assert response.status_code == 200
    tip = Tip.objects.get()
    assert tip.channel == "phone"
    assert "data-receipt" in response.content.decode()
    entry = AuditEntry.objects.get(object_type="tips.tip", action="create")
    assert entry.actor_id == client.position.user.pk  # type: ignore[attr-defined]
    bad = client.post("/tips/telefoon/", {"topic": "weapons", "what": ""})
    assert bad.status_code == 400 and Tip.objects.count() == 1


# --- recipients: need-to-know -------------------------------------------------------------------


def test_municipality_reads_only_its_own_tips(
    desk_tip: tuple[Tip, Any],
    recipients: dict[str, Any],
    operator: Position,
    client_for: Callable[..., Client],
    make_staff: Callable[..., Position],
) -> None:
    from regie.organisation.models import Municipality
    from regie.organisation.roles import ScopeLevel
    from regie.organisation.services import staff_create

    tip, _ = desk_tip
    _forwarded(tip, recipients, operator)
    utrecht = client_for(Role.MUNICIPALITY_RECIPIENT)
    inbox = utrecht.get("/tips/ontvangen/").content.decode()
    assert tip.number in inbox
    # Locked: the text is not shown until the key is unlocked.
    locked = utrecht.get(f"/tips/ontvangen/{tip.pk}/").content.decode()
    assert CLEAN_REWRITE not in locked
    bad = utrecht.post(
        "/tips/ontvangen/ontgrendelen/", {"passphrase": "fout-wachtwoord"}, follow=True
    )
    assert "onjuist" in bad.content.decode()
    utrecht.post("/tips/ontvangen/ontgrendelen/", {"passphrase": PASSPHRASE_UTRECHT})
    assert "regie_tips_key" in utrecht.cookies
    page = utrecht.get(f"/tips/ontvangen/{tip.pk}/").content.decode()
    assert CLEAN_REWRITE in page and "Vries" not in page
    utrecht.post(f"/tips/ontvangen/{tip.pk}/bevestigen/")
    utrecht.post(
        f"/tips/ontvangen/{tip.pk}/terugkoppeling/", {"feedback": "Bestuurlijke controle."}
    )
    delivery = Delivery.objects.get(tip=tip, recipient=recipients["utrecht"])
    assert delivery.acknowledged_at and delivery.feedback == "Bestuurlijke controle."
    assert delivery.opened_at is not None
    # The session alone does not open the key: without the cookie the text stays sealed.
    utrecht.cookies.pop("regie_tips_key")
    assert CLEAN_REWRITE not in utrecht.get(f"/tips/ontvangen/{tip.pk}/").content.decode()

    position = staff_create(
        username="amsterdam-ontvanger",
        first_name="A",
        last_name="Dam",
        role=Role.MUNICIPALITY_RECIPIENT,
        scope_level=ScopeLevel.MUNICIPALITY,
        scope=Municipality.objects.get(code="GM0363"),
        password="x-very-long-password-1",
    )
    from tests.conftest import verified_client

    amsterdam = verified_client(position.user)
    assert tip.number not in amsterdam.get("/tips/ontvangen/").content.decode()
    assert amsterdam.get(f"/tips/ontvangen/{tip.pk}/").status_code == 404
    assert (
        amsterdam.post(f"/tips/ontvangen/{tip.pk}/terugkoppeling/", {"feedback": "x"}).status_code
        == 404
    )
    assert AuditEntry.objects.filter(
        actor_id=position.user.pk, action="denied", object_type="tips.delivery"
    ).exists()
    # Recipients never reach the desk.
    assert amsterdam.get(f"/tips/{tip.pk}/").status_code == 403
    views = AuditEntry.objects.filter(
        actor_id=utrecht.position.user.pk,
        object_type="tips.delivery",
        action="view",  # type: ignore[attr-defined]
    )
    assert views.count() >= 3


def test_wrapped_session_key_does_not_contain_the_raw_key(
    desk_tip: tuple[Tip, Any], recipients: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.MUNICIPALITY_RECIPIENT)
    client.post("/tips/ontvangen/ontgrendelen/", {"passphrase": PASSPHRASE_UTRECHT})
    raw = sealing.unlock_private_key(
        bytes(recipients["utrecht"].protected_private_key), PASSPHRASE_UTRECHT
    )
    stored = str(dict(client.session))
    assert sealing.encode_key(raw) not in stored
    assert sealing.encode_key(raw) not in client.cookies["regie_tips_key"].value


def test_receipt_locks_after_repeated_wrong_secrets(desk_tip: tuple[Tip, Any]) -> None:
    from regie.tips.receipt import generate_receipt_code

    tip, code = desk_tip
    selector = code.display.replace(" ", "")[:5]
    for _ in range(services.RECEIPT_MAX_FAILURES):
        with pytest.raises(TipError):
            services.tip_by_receipt(generate_receipt_code(selector=selector).display)
    tip.refresh_from_db()
    assert tip.receipt_locked_until is not None
    # Locked: even the right code gets the same answer as a wrong one, for an hour.
    with pytest.raises(TipError, match="onbekend of onjuist"):
        services.tip_by_receipt(code.display)
    Tip.objects.filter(pk=tip.pk).update(
        receipt_locked_until=tip.receipt_locked_until - services.RECEIPT_LOCK
    )
    assert services.tip_by_receipt(code.display).pk == tip.pk
    tip.refresh_from_db()
    assert tip.receipt_failures == 0 and tip.receipt_locked_until is None


# --- review fixes: no exact reporter times, desk decisions under a lock -------------------------


def test_reporter_actions_leave_no_timed_trace(
    desk_tip: tuple[Tip, Any], operator: Position
) -> None:
    """The web intake and the reporter's answers write no audit entry (its microsecond time
    would undo the rounding of the tip's times); the desk's own actions are audited."""
    from regie.tips.models import UsedChallenge

    tip, code = desk_tip
    services.reporter_adds(services.tip_by_receipt(code.display), "Zwart.")
    assert not AuditEntry.objects.filter(object_type="tips.tip", actor__isnull=True).exists()
    services.desk_asks(tip, "Welke kleur?", operator.user)
    assert AuditEntry.objects.filter(object_type="tips.tip", actor=operator.user).exists()
    expires = time.time() + 600.5
    assert services.DbUsedChallenges().add_if_new("challenge-1", expires)
    kept = UsedChallenge.objects.get(challenge_id="challenge-1").expires_at
    assert kept % 3600 == 0 and expires <= kept < expires + 3600
    assert not services.DbUsedChallenges().add_if_new("challenge-1", expires)


def test_a_second_decision_on_a_stale_tip_is_refused_not_a_crash(
    desk_tip: tuple[Tip, Any], recipients: dict[str, Any], operator: Position
) -> None:
    tip, _ = desk_tip
    services.save_rewrite(tip, CLEAN_REWRITE, operator.user)
    stale = Tip.objects.get(pk=tip.pk)  # a second browser tab, loaded before forwarding
    ids = [r.pk for r, _reason in services.proposed_recipients(tip)]
    services.forward(tip, ids, operator.user)
    with pytest.raises(services.TipError, match="al beoordeeld"):
        services.forward(stale, ids, operator.user)  # double click: no IntegrityError
    with pytest.raises(services.TipError, match="Alleen een nieuwe melding"):
        services.set_not_concrete(stale, operator.user)
    assert stale.status == "forwarded"  # the caller's object is refreshed
    assert Delivery.objects.filter(tip=tip).count() == len(ids)


def test_a_partner_agency_reads_only_its_own_deliveries(
    desk_tip: tuple[Tip, Any],
    recipients: dict[str, Any],
    operator: Position,
    client_for: Callable[..., Client],
) -> None:
    """FIOD staff (role "Ontvanger partnerorganisatie") sign in, unlock FIOD's key and read
    what was forwarded to FIOD, nothing else; membership is explicit and checked."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    tip, _ = desk_tip
    services.save_rewrite(tip, CLEAN_REWRITE, operator.user)
    services.forward(tip, [recipients["fiod"].pk, recipients["utrecht"].pk], operator.user)
    fiod = client_for(Role.AGENCY_RECIPIENT)
    member = fiod.position.user  # type: ignore[attr-defined]
    # Not yet a member: an empty inbox, the tip is not found.
    assert tip.number not in fiod.get("/tips/ontvangen/").content.decode()
    assert fiod.get(f"/tips/ontvangen/{tip.pk}/").status_code == 404
    with pytest.raises(CommandError, match="Ontvanger partnerorganisatie"):
        call_command("tips", "add-member", "FIOD", operator.user.username)
    with pytest.raises(services.TipError, match="Alleen een partnerorganisatie"):
        services.add_member(recipients["utrecht"], member.username)
    call_command("tips", "add-member", "FIOD", member.username)
    assert tip.number in fiod.get("/tips/ontvangen/").content.decode()
    fiod.post("/tips/ontvangen/ontgrendelen/", {"passphrase": "fiod-sleutel-2020"})
    assert CLEAN_REWRITE in fiod.get(f"/tips/ontvangen/{tip.pk}/").content.decode()
    kmar = services.create_recipient(
        name="KMar", kind=RecipientKind.AGENCY, topics=["border"], passphrase="kmar-sleutel-2020"
    )
    with pytest.raises(services.TipError, match="al voor een andere ontvanger"):
        services.add_member(kmar, member.username)
    with pytest.raises(services.TipError, match="Alleen een partnerorganisatie"):
        services.add_member(recipients["police"], member.username)
    assert AuditEntry.objects.filter(object_type="tips.recipient", action="change").exists()
