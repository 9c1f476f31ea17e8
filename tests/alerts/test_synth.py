"""The ``alerts`` synth step: every planted registration raises its rule, the watch lists
get their hits, and the generator's ordinary registrations are mostly not flagged."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from regie.alerts import synth
from regie.alerts.models import Flag, Notification, WatchHit
from regie.organisation.models import Position
from regie.organisation.roles import Role
from regie.registration.bulk import import_batch
from regie.registration.models import Registration

pytestmark = pytest.mark.django_db


def background() -> list[int]:
    """A week of the synthetic country's own registrations in the demo district."""
    from regie.synth.services import SCALES, SynthContext, _generator, to_registration_in

    gen = _generator(SynthContext(SCALES["demo"], 1, "registrations"))
    gen.config = dataclasses.replace(
        gen.config, start=dt.date(2019, 12, 1), end=dt.date(2019, 12, 10)
    )
    rows = [(f"bg:{e.key}", to_registration_in(e)) for e in gen]
    result = import_batch(rows, actor=None, source="synth")
    return result.created


def test_planted_registrations_raise_their_rules(make_staff: Callable[..., Position]) -> None:
    intel = make_staff(Role.INTELLIGENCE_OFFICER).user  # of the demo unit: the owner
    chief = make_staff(Role.TEAM_CHIEF).user  # of the demo team: a subscriber
    ordinary = background()
    assert len(ordinary) > 100
    summary = synth.run(seed=1)
    assert summary["planted"] == 12
    planted = Registration.objects.filter(source_ref__startswith=synth.PLANT)
    for reg in planted:
        rule = reg.source_ref.split(":")[1]
        codes = set(Flag.objects.filter(registration=reg).values_list("rule__code", flat=True))
        if rule == "HERHAALD":
            continue
        if rule == "WATCH":
            assert codes == set(), reg.source_ref
        else:
            assert rule in codes, (reg.source_ref, codes)
    repeat = planted.filter(source_ref__startswith=f"{synth.PLANT}:HERHAALD").order_by(
        "reported_at"
    )
    assert [
        Flag.objects.filter(registration=r, rule__code="HERHAALD").exists() for r in repeat
    ] == [False, False, True]
    hits = WatchHit.objects.select_related("registration")
    assert sorted(h.registration.source_ref for h in hits) == [
        f"{synth.HIT}:AMAZONE",
        f"{synth.HIT}:GOED",
    ]
    for h in hits:
        assert set(Notification.objects.filter(hit=h).values_list("recipient_id", flat=True)) == {
            intel.pk,
            chief.pk,
        }
    # The ordinary registrations: mostly no red flag.
    flagged = Flag.objects.filter(registration_id__in=ordinary).values("registration").distinct()
    assert flagged.count() / len(ordinary) < 0.05
