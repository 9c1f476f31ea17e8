"""Series detection on the series that ``regie synth`` plants, hidden among ordinary
registrations from the registration generator: precision and recall floors, idempotent
reruns, decisions kept."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from regie.audit.models import AuditEntry
from regie.intelligence.linking.detect import Proposal, evaluate
from regie.intelligence.models import LinkProposal, LinkStatus, Series
from regie.intelligence.services import decide_link, run_detection
from regie.registration.models import Registration
from regie.synth import series_plant
from regie.synth.series_gen import REF_PREFIX, label_of
from regie.synth.services import demo_district, run_synth, steps

TZ = ZoneInfo("Europe/Amsterdam")
START, END = dt.date(2019, 3, 1), dt.date(2019, 4, 15)
SINCE = dt.datetime(2019, 3, 1, tzinfo=TZ)
#: Floors of the detection on planted series among a district's registrations.
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.8


def truth() -> dict[int, str]:
    rows = Registration.objects.filter(source_ref__startswith=REF_PREFIX)
    return {pk: label_of(ref) or "" for pk, ref in rows.values_list("pk", "source_ref")}


def stored_proposals() -> list[Proposal]:
    return [
        Proposal(a, b, s, ())
        for a, b, s in LinkProposal.objects.exclude(status=LinkStatus.REJECTED).values_list(
            "a_id", "b_id", "score"
        )
    ]


@pytest.fixture
def haystack(db: Any) -> dict[str, Any]:
    district = demo_district()
    background = series_plant.background(district, start=START, end=END, seed=1)
    planted = series_plant.plant_and_store(random.Random(1), district, start=START, end=END, seed=1)
    return {"background": background, **planted}


@pytest.mark.django_db
def test_planted_series_are_detected_with_precision_and_recall(haystack: dict[str, Any]) -> None:
    assert haystack["rejected"] == 0 and haystack["planted"] >= 40
    assert haystack["background"] > 1000
    summary = run_detection(SINCE)
    assert summary["registrations"] == Registration.objects.filter(occurred_from__gte=SINCE).count()
    ev = evaluate(stored_proposals(), truth())
    print(  # the figures for the report (pytest -s)
        f"planted={haystack['planted']} background={haystack['background']} "
        f"proposals={summary['proposals']} series={summary['series']} "
        f"precision={ev.precision:.3f} recall={ev.recall:.3f} "
        f"({ev.proposed_pairs} links touching planted, {ev.true_pairs} true pairs)"
    )
    assert ev.precision >= PRECISION_FLOOR
    assert ev.recall >= RECALL_FLOOR
    # Each planted series ends up mostly in one detected series.
    labels = truth()
    for label in set(labels.values()):
        members = [pk for pk, lab in labels.items() if lab == label]
        keys = list(Series.objects.filter(registrations__in=members).values_list("key", flat=True))
        biggest = max((keys.count(k) for k in set(keys)), default=0)
        assert biggest >= len(members) // 2, label
    # Rerun: idempotent, decisions kept.
    first, second, *_ = LinkProposal.objects.order_by("-score")
    decide_link(first, accept=True, reason="zelfde werkwijze en buurt", actor=None)
    decide_link(second, accept=False, reason="andere dader bekend", actor=None)
    again = run_detection(SINCE)
    assert again["created"] == 0 and again["withdrawn"] == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == LinkStatus.ACCEPTED and second.status == LinkStatus.REJECTED
    assert first.series is not None and second.series is None
    assert LinkProposal.objects.count() == summary["proposals"]
    assert AuditEntry.objects.filter(object_type="intelligence.detection").count() == 2


@pytest.mark.django_db
def test_synth_step_plants_and_detects(db: Any) -> None:
    """The "series" step of ``regie synth`` (after "registrations"): on its own it plants
    the series for the whole year and proposes their links."""
    assert steps().index("series") > steps().index("registrations")
    (result,) = run_synth(scale="demo", seed=7, only=["series"])
    assert result.summary["planted"] >= 40 and result.summary["rejected"] == 0
    assert result.summary["detection"]["proposals"] > 0
    ev = evaluate(stored_proposals(), truth())
    assert ev.precision >= PRECISION_FLOOR and ev.recall >= RECALL_FLOOR
    # Rerun skipped (idempotent).
    (again,) = run_synth(scale="demo", seed=7, only=["series"])
    assert again.skipped
