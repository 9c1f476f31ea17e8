"""Crime anticipation in Regie: a base team's prediction from its registrations, the
criteria gate before publishing, the off switch, the pages within scope, exports, audit and
the ``regie cas`` command."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from regie.anticipation import services
from regie.anticipation.engine import CasCriteria
from regie.anticipation.engine.synthetic import make_city
from regie.anticipation.models import PredictionRun, Status
from regie.audit.models import AuditEntry
from regie.organisation import geodata
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.registration.bulk import import_batch
from regie.registration.inputs import OffenceIn, RegistrationIn

START = dt.date(2019, 6, 3)
ACCEPT_ALL = CasCriteria(min_margin=-1.0, min_events=10, min_windows=1)
IMPOSSIBLE = CasCriteria(min_margin=10.0, min_events=10, min_windows=1)


def _points(team: BaseTeam, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` points in the team's neighbourhoods, half of them in three hot spots."""
    rng = np.random.default_rng(seed)
    shapes = [
        geodata.to_rd(geodata.geometry_from_geojson(w.geometry))
        for w in team.neighbourhoods.order_by("code")
    ]
    from shapely.geometry import Point

    def inside(x: float, y: float) -> bool:
        return any(s.contains(Point(x, y)) for s in shapes)

    x0, y0, x1, y1 = shapes[0].bounds
    for s in shapes[1:]:
        bx0, by0, bx1, by1 = s.bounds
        x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
    hot: list[tuple[float, float]] = []
    while len(hot) < 3:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if inside(x, y):
            hot.append((x, y))
    out: list[tuple[float, float]] = []
    while len(out) < n:
        if rng.random() < 0.5:
            hx, hy = hot[int(rng.integers(3))]
            x, y = hx + rng.normal(0, 60), hy + rng.normal(0, 60)
        else:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if inside(x, y):
            out.append((float(x), float(y)))
    return out


@pytest.fixture
def history(team: BaseTeam) -> int:
    """Two years of bicycle thefts in the team's area before ``START``."""
    rng = np.random.default_rng(7)
    rows = []
    first = dt.datetime(2017, 6, 5, tzinfo=dt.UTC)
    for i, (x, y) in enumerate(_points(team, 900, seed=3)):
        at = first + dt.timedelta(minutes=int(rng.integers(0, 728 * 24 * 60)))
        rows.append(
            (
                f"h{i}",
                RegistrationIn(
                    kind="aangifte",
                    occurred_from=at,
                    occurred_to=at + dt.timedelta(hours=1),
                    reported_at=at + dt.timedelta(hours=3),
                    channel="desk",
                    offences=(OffenceIn("A72"),),
                    x=x,
                    y=y,
                ),
            )
        )
    result = import_batch(rows, actor=None, source="import")
    assert not result.errors
    return len(result.created)


@pytest.mark.django_db
def test_a_run_that_passes_its_criteria_is_published_with_map_and_advice(
    team: BaseTeam, history: int
) -> None:
    run = services.run_for_team(team, START, total_hours=300, minimum_hours=5, criteria=ACCEPT_ALL)
    assert run.status == Status.PUBLISHED and run.reasons == []
    assert 0 < run.events_used <= history
    assert run.cells and all(c["area"] for c in run.cells)
    # The top 3 % of the team's cells (floor), as the engine's metrics count them.
    assert sum(1 for c in run.cells if c["high_risk"]) == len(run.cells) * 3 // 100
    hours = [a["uren"] for a in run.advice]
    assert sum(hours) == pytest.approx(300) and min(hours) >= 5
    assert run.model_card.startswith(f"# Modelkaart criminaliteitsanticipatie — {team.name}")
    assert "Criteria: **GESLAAGD**" in run.model_card
    assert run.metrics["windows"] >= 1 and "lightgbm" in run.metrics["methods"]
    # The channel report: all history came in at the desk.
    (desk,) = run.metrics["channels"]
    assert desk["channel"] == "desk" and desk["share"] == 1.0 and desk["share_in_top"] == 1.0
    assert "## Afhankelijkheid van het meldkanaal" in run.model_card
    assert AuditEntry.objects.filter(
        object_type="anticipation.predictionrun", object_id=str(run.pk), action="create"
    ).exists()


@pytest.mark.django_db
def test_a_run_that_fails_its_criteria_is_refused_with_every_reason(
    team: BaseTeam, history: int
) -> None:
    run = services.run_for_team(team, START, criteria=IMPOSSIBLE)
    assert run.status == Status.REFUSED
    assert run.reasons and any("basis" in r.lower() for r in run.reasons)
    assert "NIET GESLAAGD" in run.model_card


@pytest.mark.django_db
def test_too_little_history_is_refused_without_training(team: BaseTeam) -> None:
    run = services.run_for_team(team, START)
    assert run.status == Status.REFUSED and run.cells == [] and run.model_card == ""
    assert "Te weinig" in run.reasons[0]


@pytest.mark.django_db
def test_the_off_switch_stops_runs_and_needs_a_reason(team: BaseTeam, history: int) -> None:
    with pytest.raises(services.AnticipationError):
        services.set_switch(team, enabled=False, reason=" ", actor=None)
    services.set_switch(team, enabled=False, reason="evaluatie na klachten", actor=None)
    run = services.run_for_team(team, START, criteria=ACCEPT_ALL)
    assert run.status == Status.SWITCHED_OFF and run.cells == []
    assert "evaluatie na klachten" in run.reasons[0]
    services.set_switch(team, enabled=True, reason="", actor=None)
    assert services.run_for_team(team, START, criteria=ACCEPT_ALL).status == Status.PUBLISHED


@pytest.mark.django_db
def test_pages_show_published_runs_in_scope_and_refusals_without_advice(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam, history: int
) -> None:
    chief = client_for(Role.TEAM_CHIEF)
    page = reverse("anticipation:team")
    assert "nog geen voorspelling" in chief.get(page).content.decode()
    published = services.run_for_team(team, START, criteria=ACCEPT_ALL)
    body = chief.get(page).content.decode()
    assert 'data-figure="fig-cas"' in body and 'id="advice"' in body
    assert AuditEntry.objects.filter(object_type="anticipation.team", object_id=team.code).exists()
    export = chief.get(reverse("anticipation:export", args=[published.pk, "csv"]))
    rows = list(csv.DictReader(StringIO(export.content.decode())))
    assert export.status_code == 200 and {"gebied", "naam", "uren", "totaal"} <= set(rows[0])
    geo = json.loads(
        chief.get(reverse("anticipation:export", args=[published.pk, "geojson"])).content
    )
    lon, lat = geo["features"][0]["geometry"]["coordinates"][0][0]
    assert 3 < lon < 8 and 50 < lat < 54  # WGS84, RFC 7946
    assert chief.get(reverse("anticipation:export", args=[published.pk, "kml"])).status_code == 404

    refused = services.run_for_team(team, START, criteria=IMPOSSIBLE)
    body = chief.get(page).content.decode()
    assert "criteria niet gehaald" in body and "fig-cas" not in body
    assert chief.get(reverse("anticipation:export", args=[refused.pk, "csv"])).status_code == 403
    assert chief.get(reverse("anticipation:model_card", args=[refused.pk])).status_code == 403
    analyst = client_for(Role.ANALYST)  # the analyst reviews the refusal
    body = analyst.get(f"{page}?team={team.code}").content.decode()
    assert "ter beoordeling" in body and "fig-cas" in body
    assert (
        "NIET GESLAAGD"
        in analyst.get(reverse("anticipation:model_card", args=[refused.pk])).content.decode()
    )

    # Another unit's team: refused and audited.
    assert chief.get(f"{page}?team={other_team.code}").status_code == 403
    assert AuditEntry.objects.filter(
        object_type="anticipation.team", object_id=other_team.code, outcome="denied"
    ).exists()
    other_run = PredictionRun.objects.create(
        base_team=other_team, start=START, end=START, status=Status.PUBLISHED
    )
    assert chief.get(reverse("anticipation:model_card", args=[other_run.pk])).status_code == 403


@pytest.mark.django_db
def test_only_analysts_switch_and_a_reason_is_required(
    client_for: Callable[..., Client], team: BaseTeam
) -> None:
    url = reverse("anticipation:switch")
    chief = client_for(Role.TEAM_CHIEF)
    assert chief.post(url, {"team": team.code, "enabled": "0", "reason": "x"}).status_code == 403
    analyst = client_for(Role.ANALYST)
    r = analyst.post(url, {"team": team.code, "enabled": "0", "reason": ""}, follow=True)
    assert "Geef een reden" in r.content.decode() and services.switch_of(team).enabled
    analyst.post(url, {"team": team.code, "enabled": "0", "reason": "pilot gestopt"})
    assert not services.switch_of(team).enabled
    body = analyst.get(f"{reverse('anticipation:team')}?team={team.code}").content.decode()
    assert "uitgeschakeld" in body and "pilot gestopt" in body


@pytest.mark.django_db
def test_cas_commands(tmp_path: Path, team: BaseTeam, history: int) -> None:
    events = make_city(0, side=12, events=2500, days=300).simulate(seed=1)
    path = tmp_path / "events.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["x", "y", "datum"])
        for x, y, t in zip(events.x, events.y, events.t, strict=True):
            w.writerow([f"{x:.1f}", f"{y:.1f}", str(t)])
    out = tmp_path / "out.json"
    first = events.t.min().astype("datetime64[D]").astype(dt.date)
    start = str(first + dt.timedelta(days=120))
    end = str(dt.date.fromisoformat(start) + dt.timedelta(days=56))
    text = StringIO()
    call_command(
        "cas", "backtest", "--events", str(path), "--x-col", "x", "--y-col", "y",
        "--time-col", "datum", "--start", start, "--end", end, "--methods", "previous_28,lightgbm",
        "--json", str(out), "--no-progress", stdout=text,
    )  # fmt: skip
    doc = json.loads(out.read_text())
    assert doc["windows"] == 4 and set(doc["methods"]) == {"previous_28", "lightgbm"}
    assert set(doc["methods"]["lightgbm"]["hit_rate"]) == {"1", "3", "5", "10", "20"}
    assert (tmp_path / "out.windows.csv").is_file() and "beste methode" in text.getvalue()
    with pytest.raises(CommandError, match="nope"):
        call_command(
            "cas", "backtest", "--events", str(path), "--x-col", "x", "--y-col", "nope",
            "--time-col", "datum", "--start", start, "--end", end, "--json", str(out),
        )  # fmt: skip
    text = StringIO()
    call_command("cas", "predict", "--team", team.code, "--start", str(START), stdout=text)
    assert team.code in text.getvalue() and PredictionRun.objects.filter(base_team=team).exists()
    with pytest.raises(CommandError, match="Onbekend basisteam"):
        call_command("cas", "predict", "--team", "XX-B99")
    call_command("cas", "switch", "--team", team.code, "--off", "--reason", "test", stdout=text)
    assert not services.switch_of(team).enabled


@pytest.mark.django_db
def test_runs_per_crime_type(
    client_for: Callable[..., Client], team: BaseTeam, history: int
) -> None:
    with pytest.raises(services.AnticipationError, match="Onbekende delictcategorie"):
        services.run_for_team(team, START, categories=["9.9.9"])
    bikes = services.run_for_team(team, START, criteria=ACCEPT_ALL, categories=["1.2"])
    assert bikes.crime_types == "1.2" and bikes.events_used == history  # A72 is 1.2.3
    burglary = services.run_for_team(team, START, categories=["1.1.1"])
    assert burglary.crime_types == "1.1.1" and burglary.status == Status.REFUSED
    assert "Te weinig" in burglary.reasons[0]
    chief = client_for(Role.TEAM_CHIEF)
    page = reverse("anticipation:team")
    body = chief.get(f"{page}?soort=1.2").content.decode()
    assert 'id="kind-select"' in body and "delictcategorie 1.2" in body and "fig-cas" in body
    body = chief.get(f"{page}?soort=1.1.1").content.decode()
    assert "Te weinig" in body and "fig-cas" not in body
