"""The text classifier: trained on the messages officers triaged (or seeded with synthetic
traffic), stored as versions, cached per process, shown as a proposal on the message page,
and never changing a triage."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from regie.audit.models import AuditEntry
from regie.legal_assistance import classifier, services
from regie.legal_assistance.messages import parse
from regie.legal_assistance.models import ClassifierModel, LegalMessage
from regie.legal_assistance.services import receive, train_classifier
from regie.legal_assistance.triage import triage
from regie.organisation.roles import Role
from tests.legal_assistance.samples import message, urgent

pytestmark = pytest.mark.django_db

#: (purpose, summary) per triage category of the sample messages.
TEXTS = {
    "arrest": ("arrest", "Arrest requested for murder and armed robbery, extradition follows"),
    "missing": ("missing", "Missing child, last seen near the station, family worried"),
    "information": ("locate", "Whereabouts requested for a witness in a fraud inquiry"),
}


def _receive(text: str) -> LegalMessage:
    msg = receive(text, channel="test")
    assert isinstance(msg, LegalMessage)
    return msg


def _sample(category: str, n: int) -> str:
    purpose, summary = TEXTS[category]
    subject: dict[str, Any] = {"forename": "Piet", "name": f"{category.capitalize()}{n}"}
    if purpose == "arrest":
        subject["arrest_warrants"] = [{"charge": "Murder"}]
    number = list(TEXTS).index(category) * 1000 + n
    return json.dumps(
        message(
            purpose=purpose,
            summary=f"{summary} ({n})",
            references={"interpol": f"2019/{number:05d}"},
            subjects=[subject],
        )
    )


@pytest.fixture
def officer(make_staff: Callable[..., Any]) -> Any:
    return make_staff(Role.LIRC_OFFICER).user


@pytest.fixture
def lirc(client_for: Callable[..., Client]) -> Client:
    return client_for(Role.LIRC_OFFICER)


def _triaged(officer: Any, per_category: int = 8) -> list[LegalMessage]:
    out = []
    for category in TEXTS:
        for n in range(per_category):
            msg = _receive(_sample(category, n))
            assert msg.category == category
            services.assess(msg.pk, actor=officer)
            out.append(msg)
    return out


def test_training_on_triaged_messages(officer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifier, "MIN_TRIAGED", 20)
    triaged = _triaged(officer)
    _receive(_sample("arrest", 99))  # not triaged by an officer: not an example
    row = train_classifier(actor=officer)
    assert row.source == ClassifierModel.Source.TRIAGED
    assert (row.n_examples, row.n_triaged, row.n_synthetic) == (len(triaged), 24, 0)
    assert row.n_held_back == 4  # 20 % of 24
    assert row.accuracy is not None and row.accuracy >= 0.75
    assert row.labels == ["arrest", "information", "missing"]
    assert row.trained_by == officer and row.algorithm == classifier.ALGORITHM
    entry = AuditEntry.objects.filter(object_type=services.OBJECT_CLASSIFIER).latest("seq")
    assert entry.object_id == str(row.pk) and entry.detail["source"] == "triaged"
    loaded = classifier.current()
    assert loaded is not None and loaded.version == row.pk
    assert loaded.classifier.predict("Missing child last seen").category == "missing"


def test_the_final_category_after_a_human_change_is_the_label(
    officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(classifier, "MIN_TRIAGED", 20)
    triaged = _triaged(officer)
    # Officers decided the "whereabouts" requests concern a missing person.
    LegalMessage.objects.filter(pk__in=[m.pk for m in triaged], category="information").update(
        category="missing"
    )
    examples = classifier.triaged_examples()
    assert examples.labels.count("missing") == 16 and "information" not in examples.labels
    row = train_classifier(actor=officer)
    assert row.labels == ["arrest", "missing"]


def test_too_few_triaged_messages_fall_back_to_synthetic_traffic(
    officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _triaged(officer, per_category=1)
    monkeypatch.setattr(classifier, "SYNTHETIC_DEFAULT", 150)
    row = train_classifier(actor=officer)
    assert row.source == ClassifierModel.Source.MIXED
    assert row.n_triaged == 3 and 140 <= row.n_synthetic <= 150
    assert row.n_examples == row.n_triaged + row.n_synthetic
    assert row.accuracy is not None and row.n_held_back == row.n_examples // 5
    assert row.get_source_display() == "beoordeelde berichten aangevuld met synthetisch verkeer"


def test_command_trains_from_synthetic_only(capsys: Any) -> None:
    call_command("legal", "train-classifier", "--from-synthetic", "150")
    row = ClassifierModel.objects.get()
    assert row.source == ClassifierModel.Source.SYNTHETIC
    assert row.n_triaged == 0 and row.n_synthetic > 100
    assert set(row.labels) >= {"arrest", "information"}
    out = capsys.readouterr().out
    assert f"version {row.pk}, source synthetic" in out and "held back" in out


def test_the_cache_reloads_a_newer_version_at_most_every_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = train_classifier(from_synthetic=120)
    clock = {"now": 1000.0}
    monkeypatch.setattr(classifier.time, "monotonic", lambda: clock["now"])
    loaded = classifier.current()
    assert loaded is not None and loaded.version == first.pk
    second = train_classifier(from_synthetic=120, seed=2)
    clock["now"] += 30
    assert classifier.current() is loaded  # checked less than a minute ago: cached
    clock["now"] += 31
    again = classifier.current()
    assert again is not None and again.version == second.pk


def test_detail_shows_the_proposal_with_confidence_and_alternatives(lirc: Client) -> None:
    train_classifier(from_synthetic=200)
    msg = _receive(_sample("arrest", 1))
    response = lirc.get(reverse("legal_assistance:detail", args=[msg.pk]))
    assert response.status_code == 200
    shown = response.context["classification"]
    assert shown.proposal is not None and shown.model is not None
    body = response.content.decode()
    assert f"Voorstel classificatie: {shown.category_label} ({shown.confidence}%)" in body
    assert "alternatieven" in body and shown.alternatives
    assert all(f"{label} ({pct}%)" in body for label, pct in shown.alternatives)
    assert "alleen een voorstel" in body and "verandert niets" in body
    assert f"Model versie {shown.model.version}" in body


def test_detail_says_so_when_no_model_is_trained(lirc: Client) -> None:
    msg = _receive(_sample("arrest", 1))
    response = lirc.get(reverse("legal_assistance:detail", args=[msg.pk]))
    assert response.status_code == 200
    assert response.context["classification"].proposal is None
    body = response.content.decode()
    assert "er is nog geen tekstclassificatie getraind" in body
    assert "Voorstel classificatie: geen" in body
    assert "Model versie" not in body


def test_the_classifier_never_changes_the_triage(
    lirc: Client, officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A model that disagrees with the rules: officers' labels turned every arrest into
    # "information", so it proposes "information" for an arrest request.
    monkeypatch.setattr(classifier, "MIN_TRIAGED", 20)
    triaged = _triaged(officer)
    LegalMessage.objects.filter(pk__in=[m.pk for m in triaged], category="arrest").update(
        category="information"
    )
    train_classifier(actor=officer)
    fields = ("category", "priority", "score", "reasons", "triage_deadline", "status")
    for text in (_sample("arrest", 50), urgent()):
        msg = _receive(text)
        # Intake still follows the rules alone.
        rules = triage(parse(text))
        assert (msg.category, msg.priority, msg.score) == (
            rules.category.value,
            int(rules.priority),
            rules.score,
        )
        before = LegalMessage.objects.values(*fields).get(pk=msg.pk)
        response = lirc.get(reverse("legal_assistance:detail", args=[msg.pk]))
        assert response.status_code == 200
        assert LegalMessage.objects.values(*fields).get(pk=msg.pk) == before
    arrest = LegalMessage.objects.get(summary__contains="(50)")
    shown = lirc.get(reverse("legal_assistance:detail", args=[arrest.pk])).context["classification"]
    assert shown.proposal is not None
    assert shown.proposal.category == "information" and shown.differs
    assert arrest.category == "arrest" and arrest.priority == 2
    assert not AuditEntry.objects.filter(
        object_type=services.OBJECT_MESSAGE, object_id=str(arrest.pk), action="change"
    ).exists()
