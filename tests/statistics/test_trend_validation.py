"""Trend decomposition validated on stored synthetic registrations (issue 5, part 2).

``regie synth`` (steps ``organisation`` and ``history``) writes 2014-2018 registrations of the
demo team with known effects: an underlying decline of 6 % a year, the April 2017 online break
(4.5 share points, linear recovery in 18 months) and the July 2018 counting rule (one offence per
registration before, every offence from then). The test reads them back from the database with
a plain ORM aggregate per reporting month, runs :func:`regie.statistics.trend.decompose` on that
and compares with the truth recorded by the step.

Volume: three quarters of the demo team's (~300 registrations a month, ~21,000 in all), so a
month's count carries Poisson noise of ~6 % and the monthly online share ~2 share points. The
tolerances come from 500 simulated histories of the same model at this volume
(``history.simulate_history``, seeds 0-499; the stored series equals the simulated one
exactly, which the test checks first):

- counting-rule effect: exactly the extra offences written per month (it is arithmetic);
- online effect, total April 2017 - December 2018 (truth ~-155 registrations): within 70 % of
  the truth (99th percentile of the error: 68 %; a history without a break passes this in 8 %
  of the seeds), the truth inside the model's 95 % interval (97 % of the histories) and the
  interval below zero, i.e. the break detected (all 500); the drop in the online share within
  3 share points of the true 4.5 (99th percentile of the error: 2.0);
- underlying annual change: within 1.75 percentage points of the truth (99th percentile 1.3,
  maximum 1.7) and the truth inside its 95 % interval (98 %).

At the demo volume the errors are ~1.2 times smaller, at half of it ~1.2 times larger (and the
break is then missed in 3 % of the histories). Seed 1 (the stored history): online total -145
(95 % interval -209 to -64) against a true -154, drop 3.8 points, annual change -6.6 % (-7.7 to
-5.5) against -6 %. The checks can fail: on a history without the break and the decline they
do (``test_the_checks_fail_without_the_effects``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse

from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.models import Offence, Registration
from regie.statistics.trend import (
    COUNTING_RULE_SWITCH,
    ONLINE_BREAK,
    Decomposition,
    MonthlySeries,
    SimulationTruth,
    decompose,
)
from regie.synth import history
from regie.synth.services import run_synth
from tests.conftest import verified_client

VOLUME = 0.75
SEED = 1
WINDOW = (ONLINE_BREAK, date(2018, 12, 1))
ONLINE_TOLERANCE = 0.70
ANNUAL_TOLERANCE_PP = 1.75


def stored_series(months: list[date]) -> MonthlySeries:
    """The monthly series of the stored synthetic registrations, by reporting month: offences
    (every offence counted), registrations (= heaviest offences: one per registration) and
    internet reports."""
    regs = Registration.objects.filter(source="synth")
    per_month = {
        row["month"].date(): (row["registrations"], row["online"])
        for row in regs.annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(registrations=Count("id"), online=Count("id", filter=Q(channel="internet")))
    }
    offences = {
        month.date(): n
        for month, n in Offence.objects.filter(registration__source="synth")
        .annotate(month=TruncMonth("registration__reported_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    }
    assert sorted(per_month) == months == sorted(offences)
    return MonthlySeries(
        months=months,
        per_offence=[offences[m] for m in months],
        heaviest=[per_month[m][0] for m in months],
        online=[per_month[m][1] for m in months],
        total_registrations=[per_month[m][0] for m in months],
    )


def online_checks(dec: Decomposition, truth: SimulationTruth) -> dict[str, bool]:
    estimate, lower, upper = dec.online.total(*WINDOW)
    true = truth.online_total(*WINDOW)
    return {
        "within tolerance": abs(estimate - true) <= ONLINE_TOLERANCE * abs(true),
        "truth in interval": lower <= true <= upper,
        "detected": upper < 0,
    }


def annual_checks(dec: Decomposition, truth: SimulationTruth) -> dict[str, bool]:
    true = truth.underlying_annual_change
    lower, upper = dec.annual_change_ci
    return {
        "within tolerance": abs(dec.annual_change - true) * 100 <= ANNUAL_TOLERANCE_PP,
        "truth in interval": lower <= true <= upper,
    }


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch, db: Any) -> tuple[MonthlySeries, SimulationTruth]:
    monkeypatch.setitem(history.HISTORY_VOLUME, "demo", VOLUME)
    summary = run_synth(scale="demo", seed=SEED, only=["organisation", "history"])[-1].summary
    assert summary["rejected"] == 0
    expected, truth = history.truth_of(summary)
    series = stored_series(expected.months)
    assert series == expected  # what was stored is the truth's series
    return series, truth


def test_recovered_effects_match_the_injected_truth(
    stored: tuple[MonthlySeries, SimulationTruth],
    make_staff: Callable[..., Position],
) -> None:
    series, truth = stored
    dec = decompose(series)

    # The trend page reads the same series from the summary tables and shows this result.
    from regie.statistics.services import refresh

    refresh()
    from regie.synth.models import SynthRun

    code = SynthRun.objects.get(step="history", scale="demo", seed=SEED).summary["base_team"]
    team = BaseTeam.objects.get(code=code)
    chief = make_staff(Role.TEAM_CHIEF, at=team)
    client = verified_client(chief.user)
    page = client.get(reverse("statistics:trend"))
    assert page.status_code == 200
    shown = page.context["d"]
    assert shown.months == series.months
    assert shown.annual_change == pytest.approx(dec.annual_change)
    np.testing.assert_array_equal(shown.published, dec.published)
    assert "Gecorrigeerd voor beide effecten" in page.content.decode()

    # Counting rule: exact, zero before July 2018, ~11 % of the published count after it.
    np.testing.assert_array_equal(dec.counting_rule.effect, truth.counting_rule_effect)
    after = np.array([m >= COUNTING_RULE_SWITCH for m in series.months])
    assert np.all(dec.counting_rule.effect[~after] == 0) and np.all(
        dec.counting_rule.effect[after] > 0
    )
    assert 0.05 < dec.counting_rule.share[after].mean() < 0.2

    # Online break: total missed registrations over the break period.
    assert truth.online_total(*WINDOW) < -50
    assert online_checks(dec, truth) == dict.fromkeys(online_checks(dec, truth), True)
    assert abs(dec.online.drop - history.ONLINE_DROP) < 0.03

    # Underlying trend: -6 % a year.
    assert annual_checks(dec, truth) == dict.fromkeys(annual_checks(dec, truth), True)
    # Uncorrected, the published series is far off in 2018 (new counting rule, recovery).
    assert dec.published_yoy[2018] - truth.underlying_annual_change > ANNUAL_TOLERANCE_PP / 100


def test_the_checks_fail_without_the_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same checks on a history without the effects at the test volume (pure simulation:
    the stored series equals the simulated one) fail against the truth with the effects."""
    level = 300.0  # registrations a month, as in the stored history
    _, truth, _ = history.simulate_history(level=level, seed=SEED)
    monkeypatch.setattr(history, "ONLINE_DROP", 0.0)
    monkeypatch.setattr(history, "ANNUAL_DECLINE", 0.0)
    flat, no_effects, _ = history.simulate_history(level=level, seed=SEED)
    assert not np.any(no_effects.online_effect)
    dec = decompose(flat)
    assert not online_checks(dec, truth)["detected"]
    assert not online_checks(dec, truth)["within tolerance"]
    assert not annual_checks(dec, truth)["within tolerance"]
    assert not annual_checks(dec, truth)["truth in interval"]
