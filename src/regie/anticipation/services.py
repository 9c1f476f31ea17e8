"""Writes of crime anticipation: a retrain and prediction per base team and period
(:func:`run_for_team`), and the off switch (:func:`set_switch`). Both audited.

A run trains on the registrations of the base team's whole district (offences near the
team's border count), over the last two years before the period. Before anything is
published the engine's rolling backtest runs on the team's own cells over the last
``CasCriteria.last_windows`` fortnights, every method side by side, and
``engine.check_criteria`` judges it: the main model must beat the best baseline by the
stated margin on enough windows and events. A run that fails is stored with every reason
and not published: team chiefs see why, analysts can inspect it. The model card is
generated for every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from regie.anticipation.engine import (
    ALL_METHODS,
    CasCriteria,
    CellSet,
    EventSet,
    Grid,
    Span,
    backtest,
    build_mask,
    capacity_advice,
    channel_dependence,
    check_criteria,
    model_card,
    predict_period,
)
from regie.anticipation.engine.bias import ChannelRow
from regie.anticipation.engine.capacity import assign_areas
from regie.anticipation.models import PredictionRun, Status, Switch
from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.organisation import geodata
from regie.organisation.models import BaseTeam, Neighbourhood
from regie.registration.models import Registration
from regie.registration.services import offence_categories

#: Training history before the period.
HISTORY = dt.timedelta(days=730)
HORIZON_DAYS = 14
CELL = 125.0
#: Default patrol hours to split over a fortnight, and the minimum per neighbourhood.
DEFAULT_HOURS = 400.0
DEFAULT_MINIMUM = 8.0


class AnticipationError(Exception):
    """A run that cannot be made (with a Dutch message)."""


@dataclass(frozen=True)
class TeamArea:
    codes: list[str]
    names: dict[str, str]
    shapes: dict[str, Any]  # neighbourhood code -> RD polygon


def team_area(team: BaseTeam) -> TeamArea:
    """The team's neighbourhoods, with their RD shapes."""
    rows = list(
        Neighbourhood.objects.filter(base_team=team).values_list("code", "name", "geometry")
    )
    return TeamArea(
        codes=[code for code, _, _ in rows],
        names={code: name for code, name, _ in rows},
        shapes={code: geodata.to_rd(geodata.geometry_from_geojson(geom)) for code, _, geom in rows},
    )


def category_filter(categories: Sequence[str]) -> Q:
    """Registrations with an offence in one of ``categories`` (codes or code prefixes:
    "1.1" is every burglary category); every offence when empty."""
    if not categories:
        return Q(offences__isnull=False)
    cond = Q()
    for code in categories:
        cond |= Q(offences__category__code=code) | Q(
            offences__category__code__startswith=f"{code}."
        )
    return cond


def check_categories(categories: Sequence[str]) -> list[str]:
    """The codes, each checked against the offence categories (a clear error otherwise)."""
    known = [c.code for c in offence_categories().values()]
    out = []
    for raw in categories:
        code = raw.strip().rstrip(".")
        if not any(k == code or k.startswith(f"{code}.") for k in known):
            raise AnticipationError(f"Onbekende delictcategorie {raw!r}.")
        out.append(code)
    return sorted(set(out))


def events_around(
    team: BaseTeam, until: dt.date, categories: Sequence[str] = ()
) -> EventSet | None:
    """Registered offences (of ``categories``) with coordinates in the team's district over
    :data:`HISTORY` before ``until``, at the time the offence began (local time; day-parts
    are local)."""
    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(until, dt.time.min, tzinfo=tz)
    rows = list(
        Registration.objects.filter(
            category_filter(categories),
            base_team__district_id=team.district_id,
            occurred_from__gte=end - HISTORY,
            occurred_from__lt=end,
            x__isnull=False,
            y__isnull=False,
        )
        .distinct()
        .values_list("pk", "x", "y", "occurred_from", "channel")
    )
    if not rows:
        return None
    _, xs, ys, ts, channels = zip(*rows, strict=True)
    return EventSet.from_arrays(
        np.asarray(xs, dtype=np.float64),
        np.asarray(ys, dtype=np.float64),
        list(ts),
        channels=list(channels),
        tz=str(tz),
        resolution="time",
        source="Regie-registraties",
    )


def switch_of(team: BaseTeam) -> Switch:
    found = Switch.objects.filter(base_team=team).first()
    return found if found is not None else Switch(base_team=team, enabled=True)


def set_switch(team: BaseTeam, *, enabled: bool, reason: str, actor: Any) -> Switch:
    """Switch anticipation on or off for a base team; switching off needs a reason."""
    reason = reason.strip()
    if not enabled and not reason:
        raise AnticipationError("Geef een reden om de anticipatie uit te schakelen.")
    with transaction.atomic():
        sw, _ = Switch.objects.select_for_update().get_or_create(base_team=team)
        sw.enabled, sw.reason = enabled, reason
        sw.changed_by = actor if getattr(actor, "is_authenticated", False) else None
        sw.save()
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="anticipation.switch",
            object_id=team.code,
            purpose=Purpose.WPG13,
            detail={"enabled": enabled, "reason": reason},
        )
    return sw


def run_for_team(
    team: BaseTeam,
    start: dt.date,
    *,
    actor: Any = None,
    total_hours: float = DEFAULT_HOURS,
    minimum_hours: float = DEFAULT_MINIMUM,
    criteria: CasCriteria | None = None,
    categories: Sequence[str] = (),
) -> PredictionRun:
    """Retrain, check the criteria and predict ``[start, start + 14 days)`` for ``team`` and
    the offence ``categories`` (all when empty: the criteria hold per crime type and area);
    store the run (published, refused or switched off) and return it."""
    if total_hours <= 0 or minimum_hours < 0:
        raise AnticipationError("Het aantal uren moet positief zijn.")
    categories = check_categories(categories)
    criteria = criteria or CasCriteria()
    end = start + dt.timedelta(days=HORIZON_DAYS)
    run = PredictionRun(
        base_team=team,
        start=start,
        end=end,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        total_hours=total_hours,
        cell_size=CELL,
        crime_types=",".join(categories),
    )
    switch = switch_of(team)
    if not switch.enabled:
        run.status = Status.SWITCHED_OFF
        run.reasons = [f"Uitgeschakeld: {switch.reason}"]
        return _store(run, actor)
    area = team_area(team)
    if not area.codes:
        raise AnticipationError(f"Basisteam {team.code} heeft geen wijken.")
    events = events_around(team, start, categories)
    run.events_used = len(events) if events is not None else 0
    horizon = Span.days(HORIZON_DAYS)
    windows_from = start - dt.timedelta(days=HORIZON_DAYS * criteria.last_windows)
    before = len(events.before(windows_from)) if events is not None else 0
    if events is None or before < criteria.min_events:
        run.status = Status.REFUSED
        run.reasons = [
            f"Te weinig geregistreerde delicten met een plaats vóór {windows_from:%d-%m-%Y} "
            f"({before}; minimaal {criteria.min_events})."
        ]
        return _store(run, actor)
    grid = Grid.for_events(events, cell=CELL)
    # The cells that count: those with history before the first criteria window, in the
    # team's own neighbourhoods.
    mask = build_mask(grid, events, f"history:{windows_from.isoformat()}", start=windows_from)
    in_team = assign_areas(grid, mask.ids, area.shapes)
    domain = CellSet(grid, mask.ids[in_team != ""])
    if not len(domain):
        run.status = Status.REFUSED
        run.reasons = ["Geen cellen met geregistreerde delicten in het gebied van dit team."]
        return _store(run, actor)
    result = backtest(
        events,
        domain,
        start=windows_from,
        end=start,
        horizon=horizon,
        step=horizon,
        methods=ALL_METHODS,
    )
    verdict = check_criteria(result, criteria)
    run.metrics = result.summary()
    run.model_card = model_card(
        result,
        verdict,
        criteria=criteria,
        area=f"{team.name} ({team.code})",
        crime_types=_category_names(categories),
        data_source="Regie-registraties van het district, twee jaar voor de periode",
    )
    # How much the top cells depend on each reporting channel (issue 6's bias report): the
    # main model refitted without that channel's registrations.
    channels = channel_dependence(events, domain, start, horizon=horizon)
    run.metrics["channels"] = [
        {
            "channel": row.channel,
            "events": row.events,
            "share": round(row.share, 4),
            "share_in_top": round(row.share_in_top, 4),
            "overlap_without": round(row.overlap_without, 4),
        }
        for row in channels
    ]
    run.model_card += _channel_section(channels)
    run.reasons = [check.message for check in verdict.checks if not check.passed]
    run.status = Status.PUBLISHED if verdict.passed else Status.REFUSED
    # The prediction is made either way: published for the team, or kept for the analysts'
    # review of a refusal (never shown as advice).
    prediction = predict_period(events, start, horizon=horizon, domain=domain)
    cell_areas = assign_areas(grid, prediction.cells.ids, area.shapes)
    advice = capacity_advice(
        prediction,
        cell_areas,
        total_hours=total_hours,
        minimum_hours={code: minimum_hours for code in area.codes},
        history=events,
    )
    high = set(advice.high_risk.tolist())
    xs, ys = grid.lower_left(prediction.cells.ids)
    run.cells = [
        {
            "id": int(cid),
            "x": float(x),
            "y": float(y),
            "score": round(float(score), 6),
            "expected": round(float(exp), 4),
            "high_risk": int(cid) in high,
            "area": str(code),
        }
        for cid, x, y, score, exp, code in zip(
            prediction.cells.ids,
            xs,
            ys,
            prediction.score,
            prediction.expected,
            cell_areas,
            strict=True,
        )
    ]
    run.advice = [
        {**row, "naam": area.names.get(str(row["gebied"]), "")}
        for row in advice.rows()
        if row["gebied"]
    ]
    return _store(run, actor)


def _category_names(categories: Sequence[str]) -> list[str]:
    if not categories:
        return ["alle geregistreerde delicten"]
    titles = {c.code: c.title for c in offence_categories().values()}
    return [f"{code} {titles.get(code, '')}".strip() for code in categories]


def _channel_section(rows: list[ChannelRow]) -> str:
    """The model card's section on reporting channels (Dutch Markdown)."""

    def pct(x: float) -> str:
        return f"{100 * x:.1f} %".replace(".", ",")

    lines = [
        "",
        "## Afhankelijkheid van het meldkanaal",
        "",
        "Per kanaal: aandeel van de delicten, aandeel in de cellen met hoog risico, en hoeveel "
        "van die cellen hetzelfde blijven als het model zonder de meldingen van dat kanaal "
        "wordt getraind (overlap). Een lage overlap betekent dat de kaart sterk op dat kanaal "
        "leunt.",
        "",
        "| kanaal | delicten | aandeel | aandeel hoog risico | overlap zonder |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.channel} | {r.events} | {pct(r.share)} | {pct(r.share_in_top)} "
        f"| {pct(r.overlap_without)} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def _store(run: PredictionRun, actor: Any) -> PredictionRun:
    with transaction.atomic():
        run.save()
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="anticipation.predictionrun",
            object_id=run.pk,
            purpose=Purpose.WPG10,
            detail={
                "base_team": run.base_team.code,
                "crime_types": run.crime_types,
                "start": run.start.isoformat(),
                "status": run.status,
                "reasons": run.reasons[:10],
            },
        )
    return run
