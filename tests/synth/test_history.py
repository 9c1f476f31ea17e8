"""The ``history`` step of ``regie synth`` (regie.synth.history): the years before the demo year
with a known underlying decline, April 2017 online break and July 2018 counting rule.

The database tests run the step at a fifth of the demo team's volume (~5,700 registrations)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from regie.organisation.models import BaseTeam
from regie.registration.models import Offence, Registration
from regie.statistics.trend import COUNTING_RULE_SWITCH, ONLINE_BREAK
from regie.synth import history
from regie.synth.demo import DEMO_MUNICIPALITY
from regie.synth.models import SynthRun
from regie.synth.services import SCALE_PERIOD, run_synth, steps

VOLUME = 0.2
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_step_runs_after_registrations_and_before_cases() -> None:
    order = steps()
    assert order.index("registrations") < order.index("history") < order.index("cases")
    assert order.index("history") == order.index("registrations") + 1


def test_truth_is_deterministic_and_has_the_effects() -> None:
    a, truth, params = history.simulate_history(level=400.0, seed=5)
    b, again, _ = history.simulate_history(level=400.0, seed=5)
    other, _, _ = history.simulate_history(level=400.0, seed=6)
    assert a == b and a != other
    np.testing.assert_array_equal(truth.online_effect, again.online_effect)
    months = a.months
    assert months[0] == dt.date(2014, 1, 1) and months[-1] == dt.date(2018, 12, 1)
    # The history ends where the demo year begins; >= 24 months before the break.
    assert history._next_month(months[-1]) == SCALE_PERIOD["demo"][0]
    assert months.index(ONLINE_BREAK) >= 24 and COUNTING_RULE_SWITCH in months
    # The level connects: ~400 a month in the month after the history.
    assert params["base_level"] * (1 - history.ANNUAL_DECLINE) ** 5 == pytest.approx(400.0)
    assert truth.underlying_annual_change == -history.ANNUAL_DECLINE
    # Missed internet reports from April 2017 until the recovery (18 months), none elsewhere.
    broken = np.array([ONLINE_BREAK <= m < dt.date(2018, 10, 1) for m in months])
    assert np.all(truth.online_effect[broken] < 0) and np.all(truth.online_effect[~broken] == 0)
    lost = truth.counterfactual_share - a.online_share
    at = months.index(ONLINE_BREAK)
    assert abs(lost[:at].mean()) < 0.01 < 0.02 < lost[at : at + 3].mean()


def _monthly(regs: Any) -> dict[dt.date, tuple[int, int, int]]:
    """Per reporting month: registrations, internet reports, offences."""
    rows = {
        r["month"].date(): r
        for r in regs.annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(n=Count("id"), online=Count("id", filter=Q(channel="internet")))
    }
    offences = dict(
        Offence.objects.filter(registration__in=regs)
        .annotate(month=TruncMonth("registration__reported_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return {m: (r["n"], r["online"], offences[r["month"]]) for m, r in sorted(rows.items())}


def _snapshot(regs: Any) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    return [
        (
            r.source_ref,
            r.reported_at.isoformat(),
            r.channel,
            r.kind,
            tuple(o.incident_code.code for o in r.offences.all()),
        )
        for r in regs.order_by("source_ref").prefetch_related("offences__incident_code")
    ]


@pytest.mark.django_db
def test_history_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from regie.selection.models import Case

    monkeypatch.setitem(history.HISTORY_VOLUME, "demo", VOLUME)
    results = run_synth(scale="demo", seed=1, only=["organisation", "history"])
    summary = results[-1].summary
    regs = Registration.objects.filter(source="synth", source_ref__startswith="synth:1:history:")
    n = regs.count()
    assert summary["rejected"] == 0 and summary["registrations"] == n > 4000
    team = (
        BaseTeam.objects.filter(neighbourhoods__municipality__code=DEMO_MUNICIPALITY)
        .order_by("code")
        .first()
    )
    assert team is not None and summary["base_team"] == team.code  # the demo team
    assert not regs.exclude(base_team=team).exists()
    assert regs.filter(reported_at__date__lt=dt.date(2014, 1, 1)).count() == 0
    assert regs.filter(reported_at__gte=dt.datetime(2019, 1, 1, tzinfo=AMSTERDAM)).count() == 0

    # Volumes follow the truth exactly, month by month.
    expected, truth = history.truth_of(summary)
    monthly = _monthly(regs)
    assert list(monthly) == expected.months
    assert [v[0] for v in monthly.values()] == expected.total_registrations
    assert [v[1] for v in monthly.values()] == expected.online
    assert [v[2] for v in monthly.values()] == expected.per_offence
    assert summary["truth"]["online_effect"] == [round(x, 2) for x in truth.online_effect]

    # Before July 2018 one offence per registration (the heaviest), from then several.
    switch = dt.datetime(2018, 7, 1, tzinfo=AMSTERDAM)
    counted = regs.annotate(k=Count("offences"))
    assert not counted.filter(reported_at__lt=switch).exclude(k=1).exists()
    after = counted.filter(reported_at__gte=switch)
    assert 0.05 < after.filter(k__gt=1).count() / after.count() < 0.2
    assert sum(summary["truth"]["counting_rule_effect"]) == (
        Offence.objects.filter(registration__in=after).count() - after.count()
    )

    # The internet share drops in April 2017; internet reports are citizens' aangiften.
    share = {m: v[1] / v[0] for m, v in monthly.items()}
    before = np.mean(
        [share[dt.date(2016, m, 1)] for m in (10, 11, 12)]
        + [share[dt.date(2017, m, 1)] for m in (1, 2, 3)]
    )
    dropped = np.mean([share[dt.date(2017, m, 1)] for m in (4, 5, 6, 7, 8, 9)])
    assert before - dropped > 0.015
    online = regs.filter(channel="internet")
    assert not online.exclude(kind="aangifte").exists()
    assert (
        not Offence.objects.filter(registration__in=online, seq=1)
        .exclude(incident_code__code__in=history.ONLINE_CODES)
        .exists()
    )

    # Source "synth": no cases are opened for them.
    assert not Case.objects.filter(registration__in=regs).exists()

    # Idempotent.
    assert run_synth(scale="demo", seed=1, only=["history"])[0].skipped


@pytest.mark.django_db
def test_history_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same scale and seed on a clean slate give the same history (a short one here)."""
    monkeypatch.setitem(history.HISTORY_VOLUME, "demo", VOLUME)
    monkeypatch.setattr(history, "HISTORY_START", dt.date(2018, 5, 1))
    summary = run_synth(scale="demo", seed=4, only=["organisation", "history"])[-1].summary
    regs = Registration.objects.filter(source="synth", source_ref__startswith="synth:4:history:")
    first = _snapshot(regs)
    assert summary["period"] == ["2018-05-01", "2018-12-31"] and len(first) > 500
    regs.delete()
    SynthRun.objects.filter(step="history").delete()
    again = run_synth(scale="demo", seed=4, only=["history"])[0].summary
    assert again == summary
    assert _snapshot(regs) == first
