"""Intake of LIRC messages: storage, triage, quarantine, duplicates into cases, the import
command and the register lookups (with notifications)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from regie.audit.models import AuditEntry
from regie.legal_assistance.messages import dict_to_xml
from regie.legal_assistance.models import (
    LegalCase,
    LegalMessage,
    MessageKey,
    Notification,
    QuarantinedMessage,
    RegisterHit,
)
from regie.legal_assistance.services import receive
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from tests.legal_assistance.samples import message, payload, urgent

pytestmark = pytest.mark.django_db


def test_valid_json_is_stored_triaged_and_audited() -> None:
    before = AuditEntry.objects.count()
    msg = receive(payload(), channel="test")
    assert isinstance(msg, LegalMessage)
    assert msg.syntax == "json"
    assert msg.kind == "diffusion"
    assert msg.ref_interpol == "2019/12345"
    assert msg.issuing_country == "RU"
    assert msg.priority == 4  # information request, no link to the Netherlands
    assert msg.category == "information"
    assert msg.reasons and all({"code", "text", "points"} <= set(r) for r in msg.reasons)
    assert msg.payload == payload()  # verbatim
    assert msg.subjects[0]["name"] == "Ivanov"
    assert MessageKey.objects.filter(message=msg, key="r:201912345").exists()
    assert msg.status == "nieuw"
    assert msg.retain_until > msg.received_at.date()
    new = AuditEntry.objects.order_by("seq")[before:]
    assert [(e.object_type, e.action) for e in new] == [("legal_assistance.message", "create")]


def test_valid_xml_is_stored() -> None:
    xml = dict_to_xml(
        message(
            kind="red_notice",
            purpose="arrest",
            subjects=[
                {
                    "forename": "Aleksandr",
                    "name": "Ivanov",
                    "date_of_birth": "1980",
                    "arrest_warrants": [{"charge": "Мошенничество", "charge_translation": "Fraud"}],
                }
            ],
        )
    )
    msg = receive(xml.encode(), channel="test")
    assert isinstance(msg, LegalMessage)
    assert msg.syntax == "xml"
    assert msg.kind == "red_notice"
    assert msg.priority == 2 and msg.category == "arrest"
    assert msg.payload == xml


def test_bad_input_is_quarantined_verbatim_with_every_error() -> None:
    bad = json.dumps(message(issuing_country="QQ", received_at="2019-11-04T09:30:00"))
    before = AuditEntry.objects.count()
    q = receive(bad, channel="test")
    assert isinstance(q, QuarantinedMessage)
    assert q.payload == bad
    assert not q.resolved
    paths = {e["path"] for e in q.errors}
    assert {"issuing_country", "received_at"} <= paths
    assert all(e["message_nl"] for e in q.errors)
    assert not LegalMessage.objects.exists()
    entry = AuditEntry.objects.order_by("seq")[before:].get()
    assert (entry.object_type, entry.outcome) == ("legal_assistance.quarantine", "failure")


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe not utf-8", b'{"kind": "diffusion"\x00}', b"", b"<message><kind>x</kind>"],
    ids=["encoding", "nul", "empty", "xml-syntax"],
)
def test_nothing_is_lost_whatever_the_bytes(raw: bytes) -> None:
    q = receive(raw, channel="test")
    assert isinstance(q, QuarantinedMessage)
    assert q.errors
    if q.payload_base64:
        assert base64.b64decode(q.payload_base64) == raw
    else:
        assert q.payload.encode() == raw


def test_duplicates_across_channels_are_grouped_into_one_case() -> None:
    diffusion = receive(payload(), channel="test")
    # Weeks later the red notice through another channel, with a transliteration variant
    # and only the year of birth; no shared reference.
    notice = receive(
        payload(
            kind="red_notice",
            purpose="arrest",
            channel="sirene",
            references={"own": "NL-LIRC-2019-1"},
            received_at="2019-12-01T10:00:00+01:00",
            subjects=[
                {
                    "forename": "Alexander",
                    "name": "Ivanov",
                    "date_of_birth": "1980-05-04",
                    "nationalities": ["RU"],
                    "arrest_warrants": [{"charge": "Fraud"}],
                }
            ],
        ),
        channel="test",
    )
    # Same Interpol file number: linked by reference.
    repeat = receive(
        payload(channel="liaison", received_at="2019-12-02T10:00:00+01:00"), channel="test"
    )
    other = receive(
        payload(
            references={"interpol": "2019/99999"},
            subjects=[{"forename": "Maria", "name": "Lopez", "date_of_birth": "1975-03-03"}],
        ),
        channel="test",
    )
    assert isinstance(diffusion, LegalMessage) and isinstance(notice, LegalMessage)
    assert isinstance(repeat, LegalMessage) and isinstance(other, LegalMessage)
    assert notice.case_id == diffusion.case_id == repeat.case_id
    assert other.case_id != diffusion.case_id
    assert notice.links.get().other_id == diffusion.pk


def test_a_message_linking_two_cases_merges_them() -> None:
    a = receive(payload(references={"interpol": "2019/11111"}), channel="test")
    b = receive(
        payload(
            references={"issuing": "ES-2019-555"},
            issuing_country="ES",
            subjects=[{"forename": "Maria", "name": "Lopez", "date_of_birth": "1975-03-03"}],
        ),
        channel="test",
    )
    assert isinstance(a, LegalMessage) and isinstance(b, LegalMessage)
    assert a.case_id != b.case_id
    c = receive(
        payload(references={"interpol": "2019/11111"}, related_references=["ES-2019-555"]),
        channel="test",
    )
    assert isinstance(c, LegalMessage)
    assert set(LegalMessage.objects.values_list("case_id", flat=True)) == {c.case_id}
    assert LegalCase.objects.count() == 1


def test_import_command(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "a.json").write_text(payload())
    (tmp_path / "b.xml").write_text(dict_to_xml(message(references={"interpol": "2019/22222"})))
    (tmp_path / "c.jsonl").write_text(
        payload(references={"interpol": "2019/33333"}) + "\n\n" + '{"kind": 1}\n'
    )
    (tmp_path / "ignored.txt").write_text("not a message")
    with pytest.raises(CommandError) as exc:
        call_command("legal", "import", str(tmp_path))
    assert exc.value.returncode == 1
    out = capsys.readouterr()
    assert "3 imported, 1 quarantined" in out.out
    assert "c.jsonl:3: quarantined" in out.err
    assert LegalMessage.objects.count() == 3
    assert QuarantinedMessage.objects.get().payload == '{"kind": 1}'


def test_import_command_exits_zero_when_all_valid(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "a.json").write_text(payload())
    call_command("legal", "import", str(tmp_path / "a.json"))
    assert "1 imported" in capsys.readouterr().out


# --- register lookups -------------------------------------------------------------------------


def _berg(**overrides: Any) -> str:
    return payload(
        references={"interpol": "2019/44444"},
        issuing_country="DE",
        subjects=[
            {"forename": "Jan", "name": "van der Berg", "date_of_birth": "1980-05-04", "sex": "M"}
        ],
        **overrides,
    )


def test_register_hits_raise_priority_and_notify_the_team_chief(
    registration: Any, team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    from regie.selection.services import open_cases

    open_cases([registration.pk])
    chief = make_staff(Role.TEAM_CHIEF, at=team)
    other_chief = make_staff(Role.TEAM_CHIEF, at=team)
    msg = receive(_berg(), channel="test")
    assert isinstance(msg, LegalMessage)
    registers = set(msg.hits.values_list("register", flat=True))
    assert registers == {"personen", "open zaken"}
    person = registration.involvements.get(person__isnull=False).person
    assert msg.hits.filter(person=person).exists()
    assert msg.priority == 3  # information (4) raised by one level for the register hit
    assert any(r["code"] == "register_hit" and r["points"] == 20 for r in msg.reasons)
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {chief.user_id, other_chief.user_id}
    assert registration.number in Notification.objects.first().text  # type: ignore[union-attr]


def test_the_assignee_of_the_case_is_notified_instead(
    registration: Any, team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    from regie.selection.models import Case
    from regie.selection.services import open_cases

    open_cases([registration.pk])
    make_staff(Role.TEAM_CHIEF, at=team)
    investigator = make_staff(Role.INVESTIGATOR, at=team)
    Case.objects.filter(registration=registration).update(assignee=investigator.user)
    receive(_berg(), channel="test")
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [
        investigator.user_id
    ]


def test_no_hit_for_another_person(registration: Any) -> None:
    msg = receive(payload(), channel="test")
    assert isinstance(msg, LegalMessage)
    assert not RegisterHit.objects.exists()
    assert not Notification.objects.exists()


def test_urgent_sample_is_priority_one() -> None:
    msg = receive(urgent(), channel="test")
    assert isinstance(msg, LegalMessage)
    assert msg.priority == 1 and msg.needs_second_confirmation


def test_messages_and_quarantine_are_under_retention() -> None:
    from regie.audit.retention import policies

    labels = {p.label for p in policies()}
    assert {"legal_assistance.LegalMessage", "legal_assistance.QuarantinedMessage"} <= labels
