"""The LIRC screens: queue order and filters, detail with the triage reasons, the actions
(four-eyes confirmation, priority, assignment, answers, closing), the quarantine with
re-submission, notifications and management information."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.legal_assistance.models import (
    Answer,
    LegalMessage,
    Notification,
    QuarantinedMessage,
)
from regie.legal_assistance.services import receive
from regie.organisation.roles import Role
from tests.legal_assistance.samples import payload, urgent

pytestmark = pytest.mark.django_db


def _receive(text: str) -> LegalMessage:
    msg = receive(text, channel="test")
    assert isinstance(msg, LegalMessage)
    return msg


@pytest.fixture
def lirc(client_for: Callable[..., Client]) -> Client:
    return client_for(Role.LIRC_OFFICER)


@pytest.fixture
def lirc2(client_for: Callable[..., Client]) -> Client:
    return client_for(Role.LIRC_OFFICER)


def _user(c: Client) -> Any:
    return c.position.user  # type: ignore[attr-defined]


def test_queue_is_sorted_by_priority_and_deadline_and_marks_overdue(lirc: Client) -> None:
    low = _receive(payload())
    now = timezone.now().replace(microsecond=0)
    high = _receive(urgent(received_at=(now - dt.timedelta(minutes=5)).isoformat()))
    response = lirc.get(reverse("legal_assistance:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(f"/rechtshulp/{high.pk}/") < body.index(f"/rechtshulp/{low.pk}/")
    # The 2019 diffusion is long overdue; the fresh orange notice is not.
    rows = response.context["rows"]
    assert dict((m.pk, late) for m, late in rows) == {high.pk: False, low.pk: True}
    assert "te laat" in body
    entry = AuditEntry.objects.filter(actor_id=_user(lirc).pk, action="view").latest("seq")
    assert set(entry.detail["ids"]) == {high.pk, low.pk}


def test_queue_filters(lirc: Client) -> None:
    low = _receive(payload())
    high = _receive(urgent())
    url = reverse("legal_assistance:queue")
    assert [m.pk for m, _ in lirc.get(url, {"prioriteit": 1}).context["rows"]] == [high.pk]
    assert [m.pk for m, _ in lirc.get(url, {"soort": "diffusion"}).context["rows"]] == [low.pk]
    assert lirc.get(url, {"mijn": "on"}).context["rows"] == []
    assert lirc.get(url, {"status": "afgesloten"}).context["rows"] == []


def test_detail_shows_the_triage_reasons_with_points(lirc: Client) -> None:
    msg = _receive(urgent())
    response = lirc.get(reverse("legal_assistance:detail", args=[msg.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Prioriteit 1 (spoed)" in body
    for reason in msg.reasons:
        assert reason["text"] in body
    assert "+40" in body  # category points
    assert "BENALI" in body


def test_urgent_triage_needs_a_second_officer(lirc: Client, lirc2: Client) -> None:
    msg = _receive(urgent())
    # Nothing can be acted on before the confirmation.
    r = lirc.post(
        reverse("legal_assistance:answer", args=[msg.pk]),
        {"template": "received", "text": "Received."},
    )
    assert r.status_code == 409
    assert "tweede medewerker" in r.content.decode()
    assert lirc.post(reverse("legal_assistance:assess", args=[msg.pk])).status_code == 302
    before = AuditEntry.objects.count()
    r = lirc.post(reverse("legal_assistance:confirm", args=[msg.pk]))
    assert r.status_code == 403
    assert "U heeft deze beoordeling zelf vastgelegd" in r.content.decode()
    msg.refresh_from_db()
    assert msg.confirmed_by_id is None
    refused = AuditEntry.objects.order_by("seq")[before:]
    assert any(e.outcome == "denied" and e.detail.get("action") == "confirm" for e in refused)
    r = lirc2.post(reverse("legal_assistance:confirm", args=[msg.pk]))
    assert r.status_code == 302
    msg.refresh_from_db()
    assert msg.confirmed_by_id == _user(lirc2).pk
    assert msg.triaged_by_id == _user(lirc).pk


def test_change_priority_needs_a_reason(lirc: Client) -> None:
    msg = _receive(payload())
    url = reverse("legal_assistance:priority", args=[msg.pk])
    r = lirc.post(url, {"priority": 2, "reason": ""})
    assert r.status_code == 422
    msg.refresh_from_db()
    assert msg.priority == 4
    r = lirc.post(url, {"priority": 2, "reason": "Verdachte verblijft in Rotterdam"})
    assert r.status_code == 302
    msg.refresh_from_db()
    assert msg.priority == 2
    assert msg.triage_deadline == msg.received_at + dt.timedelta(hours=24)
    assert msg.reasons[-1]["code"] == "manual"
    assert "Rotterdam" in msg.reasons[-1]["text"]
    assert msg.events.get().action == "priority"
    # Raised to urgent: the one who raised it cannot confirm it.
    lirc.post(url, {"priority": 1, "reason": "Acuut"})
    msg.refresh_from_db()
    assert msg.awaiting_confirmation and msg.triaged_by_id == _user(lirc).pk
    assert lirc.post(reverse("legal_assistance:confirm", args=[msg.pk])).status_code == 403


def test_assign_to_a_lirc_officer_only(
    lirc: Client, lirc2: Client, make_staff: Callable[..., Any]
) -> None:
    msg = _receive(payload())
    url = reverse("legal_assistance:assign", args=[msg.pk])
    investigator = make_staff(Role.INVESTIGATOR)
    assert lirc.post(url, {"assignee": investigator.user_id}).status_code == 422
    assert lirc.post(url, {"assignee": _user(lirc2).pk}).status_code == 302
    msg.refresh_from_db()
    assert msg.assignee_id == _user(lirc2).pk and msg.status == "toegewezen"
    rows = lirc2.get(reverse("legal_assistance:queue"), {"mijn": "on"}).context["rows"]
    assert [m.pk for m, _ in rows] == [msg.pk]


def test_answer_with_a_template_and_close(lirc: Client) -> None:
    msg = _receive(payload())
    detail = reverse("legal_assistance:detail", args=[msg.pk])
    preview = lirc.get(detail, {"sjabloon": "not_known"})
    text = preview.context["answer_form"].initial["text"]
    assert "not known in the police registers of the Netherlands" in text
    assert "2019/12345" in text
    r = lirc.post(
        reverse("legal_assistance:answer", args=[msg.pk]),
        {"template": "not_known", "text": text + "\nReviewed."},
    )
    assert r.status_code == 302
    msg.refresh_from_db()
    assert msg.status == "beantwoord" and msg.done_at is not None
    assert Answer.objects.get(message=msg).text.endswith("Reviewed.")
    # Answered once: a second answer is refused.
    r = lirc.post(
        reverse("legal_assistance:answer", args=[msg.pk]), {"template": "known", "text": "x"}
    )
    assert r.status_code == 409
    assert lirc.post(reverse("legal_assistance:close", args=[msg.pk])).status_code == 302
    msg.refresh_from_db()
    assert msg.status == "afgesloten"


def test_not_known_is_refused_when_registers_hit(lirc: Client, registration: Any) -> None:
    from regie.selection.services import open_cases

    open_cases([registration.pk])
    msg = _receive(
        payload(
            references={"interpol": "2019/44444"},
            subjects=[{"forename": "Jan", "name": "van der Berg", "date_of_birth": "1980-05-04"}],
        )
    )
    assert msg.hits.exists()
    person = registration.involvements.get(person__isnull=False).person
    detail = lirc.get(reverse("legal_assistance:detail", args=[msg.pk])).content.decode()
    assert f'href="/registraties/personen/{person.pk}/">Jan van der Berg</a>' in detail
    assert registration.number in detail  # the open case
    url = reverse("legal_assistance:answer", args=[msg.pk])
    r = lirc.post(url, {"template": "not_known", "text": "Not known."})
    assert r.status_code == 409
    assert "niet toegestaan" in r.content.decode()
    assert not Answer.objects.exists()
    assert lirc.post(url, {"template": "known", "text": "Known."}).status_code == 302


def test_bad_input_changes_nothing(lirc: Client) -> None:
    msg = _receive(payload())
    r = lirc.post(reverse("legal_assistance:answer", args=[msg.pk]), {"template": "nope"})
    assert r.status_code == 422
    r = lirc.post(reverse("legal_assistance:priority", args=[msg.pk]), {"priority": 9})
    assert r.status_code == 422
    msg.refresh_from_db()
    assert (msg.status, msg.priority) == ("nieuw", 4)
    assert lirc.get(reverse("legal_assistance:detail", args=[999999])).status_code == 404


def test_quarantine_list_and_resubmit(lirc: Client) -> None:
    q = receive(payload(issuing_country="QQ"), channel="test")
    assert isinstance(q, QuarantinedMessage)
    r = lirc.get(reverse("legal_assistance:quarantine"))
    assert "Onbekende landcode" in r.content.decode() or q.errors[0]["message_nl"] in (
        r.content.decode()
    )
    url = reverse("legal_assistance:quarantine_detail", args=[q.pk])
    still_bad = lirc.post(url, {"payload": payload(received_at="yesterday")})
    assert still_bad.status_code == 422
    assert "received_at" in still_bad.content.decode()
    assert not LegalMessage.objects.exists()
    q.refresh_from_db()
    assert not q.resolved
    good = lirc.post(url, {"payload": payload()})
    assert good.status_code == 302
    q.refresh_from_db()
    assert q.resolved and q.message is not None
    assert good["Location"] == reverse("legal_assistance:detail", args=[q.message.pk])
    assert q.payload == payload(issuing_country="QQ")  # the original stays


def test_notifications_show_only_ones_own(
    client_for: Callable[..., Client], registration: Any, team: Any
) -> None:
    from regie.selection.services import open_cases

    open_cases([registration.pk])
    chief = client_for(Role.TEAM_CHIEF, at=team)
    desk = client_for(Role.DESK_OFFICER, at=team)
    _receive(
        payload(
            references={"interpol": "2019/44444"},
            subjects=[{"forename": "Jan", "name": "van der Berg", "date_of_birth": "1980-05-04"}],
        )
    )
    url = reverse("legal_assistance:notifications")
    r = chief.get(url)
    assert registration.number in r.content.decode()
    assert registration.number not in desk.get(url).content.decode()
    assert chief.post(url).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_management_information_and_export(lirc: Client) -> None:
    now = timezone.now().replace(microsecond=0)
    for days in (20, 10, 3):
        _receive(
            payload(
                references={"interpol": f"2019/{days:05d}"},
                received_at=(now - dt.timedelta(days=days)).isoformat(),
                subjects=[{"name": f"Person{days}"}],
            )
        )
    r = lirc.get(reverse("legal_assistance:management"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "backlog-figure" in body and "vendor/plotly.min" in body
    assert r.context["figure"]["data"]
    csv = lirc.get(reverse("legal_assistance:management_export"))
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().startswith("tabel,datum,soort,prioriteit,waarde")
    assert AuditEntry.objects.filter(action="export", object_type="legal_assistance.report")
