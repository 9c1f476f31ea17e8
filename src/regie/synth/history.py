"""The ``history`` step of ``regie synth``: the years before the generated period, with known
trend effects, so the trend decomposition (:mod:`regie.statistics.trend`, issue 5) can be
validated on stored registrations.

What it writes: registrations reported from :data:`HISTORY_START` (January 2014) up to the day
before the period of the ``registrations`` step (:data:`regie.synth.services.SCALE_PERIOD`,
2019), for one base team: the demo team (the base team of Utrecht's first wijk) where the
scale holds it, else the first base team of the scale. One base team at the level of the demo
year keeps ``make run`` quick (seed 1: 28,474 registrations in ~25 s on SQLite; the whole demo
district would be ~130,000) and lets the team's series run on into the demo year without a
jump.

The truth (:func:`simulate_history`, which is :func:`regie.statistics.trend.simulate_series`):

* **Volume.** The team's expected monthly volume in the demo year (from the registration
  generator's own placement of events, :func:`expected_area_volume`) times ``volume``
  (:data:`HISTORY_VOLUME`, 1.0 per scale), so January 2019 continues the history; going back,
  :data:`ANNUAL_DECLINE` (6 %) a year more, a 6 % seasonal swing and monthly noise of the size
  of Poisson noise at that volume.
* **Online channel.** The counterfactual internet share rises 1 point a year to
  :data:`ONLINE_SHARE_AT_END` (the demo team's share at the start of 2019); from April 2017
  (:data:`~regie.statistics.trend.ONLINE_BREAK`) it is :data:`ONLINE_DROP` (4.5 points) lower,
  recovering linearly in :data:`RECOVERY_MONTHS`. The internet reports missed in the break are
  missed registrations (offline reports are unaffected), as in the trend model.
* **Counting rule.** Registrations reported before July 2018
  (:data:`~regie.statistics.trend.COUNTING_RULE_SWITCH`) carry only their heaviest offence
  (lowest seriousness rank, the first on a tie); from July 2018 they keep every offence the
  generator gave them (its companion offences: ~12 % of registrations have several, as in the
  demo year). The extra offences per month are counted as they are written and are the exact
  true counting-rule effect.

The registrations themselves come from :class:`~regie.synth.registrations_gen.RegistrationGenerator`
for the team's neighbourhoods over the history period (offence mix, places, times, persons,
goods, narratives like the rest of the synthetic data), generated with some surplus. Per
reporting month the step keeps exactly the true numbers: the internet reports from the
registrations that may be reported online (an aangifte of bicycle theft, theft from a car,
online purchase fraud or shoplifting), the others from the rest; an internet report that is kept
as an offline one goes to the desk (by day) or the phone. The generator's identity counters
start at :data:`ID_OFFSET`, so the BSNs, frame numbers, plates, IMEIs and KvK numbers derived
from them do not coincide with the demo year's (the bulk writer would link those unrelated
objects). Organisations without a KvK number are still found by name, as at the desk, and the
``cases`` step may link a history suspect to a demo-year case as a known offender.

Stored with the bulk writer under source ``synth`` (refs ``synth:<seed>:history:<key>``), like
the ``registrations`` step; source ``synth`` opens **no cases** (the ``cases`` step opens cases
only for the demo year's registrations), which is intended: the history is there for the
statistics, the case flow starts in the demo year. The step's summary holds the truth:
the simulation's parameters (:func:`truth_of` rebuilds the exact expected monthly series and
effects from it) and, per month, the true counting-rule and online effects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from regie.statistics.trend import (
    COUNTING_RULE_SWITCH,
    ONLINE_BREAK,
    MonthlySeries,
    SimulationTruth,
    simulate_series,
)
from regie.synth.registrations_gen import ONLINE_BASE

if TYPE_CHECKING:
    from regie.organisation.models import BaseTeam
    from regie.synth.registrations_gen import (
        GeneratorConfig,
        MunicipalityInput,
        NeighbourhoodInput,
        RegistrationEntry,
        RegistrationGenerator,
    )
    from regie.synth.services import SynthContext

HISTORY_START = dt.date(2014, 1, 1)
"""First month of the history (39 months before the April 2017 break)."""

#: Share of the team's demo-year volume that the history generates, per scale. 1.0 connects
#: the team's series to the demo year; the tests use less.
HISTORY_VOLUME: dict[str, float] = {"demo": 1.0, "unit": 1.0, "national": 1.0}

ANNUAL_DECLINE = 0.06
"""Underlying decline of registered crime a year (the source: ~6 % a year from 2012)."""
SEASONALITY = 0.06
EXTRA_NOISE = 0.02
"""Monthly noise of the volume besides the Poisson-sized part (lognormal sigma)."""
ONLINE_SHARE_AT_END = 0.145
"""Counterfactual internet share at the end of the history: the demo team's share at the start
of the demo year (seed 1: 14.4 % in 2019 Q1, rising to 17.9 % in Q4)."""
ONLINE_SLOPE = 0.01
"""Rise of the internet share a year before the break (the generator: 3.5 points a year on the
~30 % of registrations that may be reported online)."""
ONLINE_DROP = 0.045
"""Internet share lost at the April 2017 break (the generator: 15 points on those ~30 %)."""
RECOVERY_MONTHS = 18.0
"""Linear recovery of the internet share, complete in October 2018 (inside the history, so
the history alone identifies it)."""
ONLINE_NOISE = 0.004

ID_OFFSET = 5_123_457
"""Start of the generator's person, good and organisation counters: identifiers derived from
them stay clear of the demo year's (whose counters start at 0)."""
SUPPLY_MARGIN = 1.25
"""Generated registrations per kept one in the busiest month of a year (in expectation)."""
ATTEMPTS = 4

#: Incident codes that may be reported online (the citizen's online report).
ONLINE_CODES = frozenset(ONLINE_BASE)


class _ShortSupply(Exception):
    """A month had fewer generated registrations than the truth asks for."""

    def __init__(self, month: dt.date, needed: float) -> None:
        super().__init__(f"history: too few generated registrations in {month:%Y-%m}")
        self.month = month
        self.needed = needed


# --------------------------------------------------------------------------- the truth


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from *start* to *end* (inclusive)."""
    months = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def simulation_parameters(
    *, level: float, seed: int, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """Keyword arguments of :func:`~regie.statistics.trend.simulate_series` for a history of
    the months ``start .. end`` (first days) whose underlying level would be *level*
    registrations in the month after *end*."""
    n = len(_month_starts(start, end))
    return {
        "start": start,
        "end": end,
        "base_level": level / (1.0 - ANNUAL_DECLINE) ** (n / 12.0),
        "annual_decline": ANNUAL_DECLINE,
        "switch": None,  # the counting rule comes from the written offences
        "multi_offence_share": 0.0,
        "online_break": ONLINE_BREAK,
        "online_drop": ONLINE_DROP,
        "recovery_months": RECOVERY_MONTHS,
        "recovery_shape": "linear",
        "seasonality": SEASONALITY,
        # Poisson-sized monthly variation at this volume, plus some more.
        "noise": math.sqrt(EXTRA_NOISE**2 + 1.0 / max(level, 1.0)),
        "seed": seed,
        "online_base": ONLINE_SHARE_AT_END - ONLINE_SLOPE * (n - 1) / 12.0,
        "online_slope": ONLINE_SLOPE,
        "online_noise": ONLINE_NOISE,
    }


def simulate_history(
    *, level: float, seed: int, start: dt.date = HISTORY_START, end: dt.date | None = None
) -> tuple[MonthlySeries, SimulationTruth, dict[str, Any]]:
    """The true monthly registrations and internet reports (pure): the series and truth of
    :func:`~regie.statistics.trend.simulate_series` with :func:`simulation_parameters`, and
    those parameters. The counting rule is not in it (see :func:`truth_of`)."""
    end = end or dt.date(2018, 12, 1)
    params = simulation_parameters(level=level, seed=seed, start=start, end=end)
    series, truth = simulate_series(**params)
    return series, truth, params


def truth_of(summary: dict[str, Any]) -> tuple[MonthlySeries, SimulationTruth]:
    """The exact expected monthly series of a ``history`` step (per offence, heaviest offence =
    registrations, internet reports) and its truth, rebuilt from the step's summary: the
    simulation again from its parameters, with the counting-rule effect that was written."""
    params = dict(summary["truth"]["simulation"])
    for key in ("start", "end", "online_break"):
        params[key] = dt.date.fromisoformat(params[key])
    series, truth = simulate_series(**params)
    extra = np.asarray(summary["truth"]["counting_rule_effect"], dtype=float)
    total = series.heaviest_array
    stored = dataclasses.replace(series, per_offence=(total + extra).tolist())
    return stored, dataclasses.replace(
        truth, counting_rule_effect=extra, switch=COUNTING_RULE_SWITCH
    )


# --------------------------------------------------------------------------- the area


def history_team(ctx: SynthContext) -> BaseTeam:
    """The base team whose history is generated: the demo team when the scale holds it, else
    the first base team (by code) of the scale's units."""
    from regie.organisation.models import BaseTeam
    from regie.synth.demo import DEMO_MUNICIPALITY

    units = [u.pk for u in ctx.units()]
    teams = BaseTeam.objects.filter(district__unit__in=units).order_by("code")
    team = teams.filter(neighbourhoods__municipality__code=DEMO_MUNICIPALITY).first()
    team = team or teams.first()
    assert team is not None, "load the organisation first"
    return team


def expected_area_volume(generator: RegistrationGenerator, hood_codes: frozenset[str]) -> float:
    """Expected registrations a year that *generator* places in the neighbourhoods
    *hood_codes*: its volume per municipality shared over the neighbourhoods with the weights
    it draws them with (population x a stable heterogeneity; dense ones for "central"
    offences). Near repeats stay in their parent's neighbourhood, so they do not change it."""
    from regie.synth.registrations_gen import _Run

    run = _Run(generator)
    central = np.array([t.central for t in generator.code_traits], dtype=bool)
    per_year = generator.annual_rate * 365.25
    total = 0.0
    for mi in range(len(generator.municipalities)):
        ids = run.hood_ids.get(mi, [])
        inside = np.array([run.hoods[i].code in hood_codes for i in ids], dtype=bool)
        if not inside.any():
            continue
        for flag in (False, True):
            weights = np.diff(np.asarray(run.hood_cum[(mi, flag)], dtype=float), prepend=0.0)
            fraction = float(weights[inside].sum() / weights.sum())
            total += float(generator.share[mi]) * float(per_year[central == flag].sum()) * fraction
    return total


# --------------------------------------------------------------------------- the step


def _supply_by_month(
    entries: Iterator[RegistrationEntry], last_day: dt.date
) -> Iterator[tuple[dt.date, list[RegistrationEntry]]]:
    """The generated entries per reporting month (first day, Amsterdam time), each month as
    soon as it is complete; entries reported after *last_day* are left out.

    The generator goes by occurrence day and nothing is reported before it occurred, so once
    an entry's window starts in a month, no later entry is reported in an earlier month."""
    pending: dict[dt.date, list[RegistrationEntry]] = defaultdict(list)
    frontier = dt.date.min
    for entry in entries:
        reported = entry.reported_at.date()
        if reported <= last_day:
            pending[dt.date(reported.year, reported.month, 1)].append(entry)
        frontier = max(frontier, entry.occurred_from.date())
        for month in sorted(m for m in pending if _next_month(m) <= frontier):
            yield month, pending.pop(month)
    for month in sorted(pending):
        yield month, pending.pop(month)


def _heaviest_only(entry: RegistrationEntry, ranks: dict[str, int]) -> RegistrationEntry:
    """The entry with only its heaviest offence (lowest seriousness rank; the first on a tie):
    what was registered before the July 2018 counting rule."""
    if len(entry.offences) == 1:
        return entry
    best = min(entry.offences, key=lambda o: ranks.get(o.category_code, 10**6))
    return dataclasses.replace(entry, offences=(best,))


def _may_be_online(entry: RegistrationEntry) -> bool:
    """Whether the citizen's online report takes this registration (its main offence, or the
    only one kept under the old counting rule)."""
    return entry.kind == "aangifte" and entry.offences[0].incident_code in ONLINE_CODES


def _offline_channel(entry: RegistrationEntry) -> str:
    """The channel of a generated entry kept as an offline report: an internet report goes to
    the desk by day, else to the phone."""
    if entry.channel != "internet":
        return entry.channel
    return "desk" if 8 <= entry.reported_at.hour <= 21 else "phone"


def _utc(entry: RegistrationEntry, channel: str) -> RegistrationEntry:
    """The entry on *channel*, its times in UTC: the generator gives Amsterdam times, and two
    times in the hour repeated when summer time ends compare by wall clock in Python (a report
    at 02:10 CET after an offence at 02:40 CEST would look earlier and be refused)."""
    return dataclasses.replace(
        entry,
        channel=channel,
        occurred_from=entry.occurred_from.astimezone(dt.UTC),
        occurred_to=entry.occurred_to.astimezone(dt.UTC),
        reported_at=entry.reported_at.astimezone(dt.UTC),
    )


def _select(
    month: dt.date,
    supply: list[RegistrationEntry],
    *,
    registrations: int,
    online: int,
    rng: random.Random,
    ranks: dict[str, int],
) -> list[RegistrationEntry]:
    """Exactly *registrations* entries of the month's *supply* with the offences of the month's
    counting rule, *online* of them internet reports (from the entries that may be reported
    online), in reporting order."""
    order = list(supply)
    rng.shuffle(order)
    if month < COUNTING_RULE_SWITCH:
        order = [_heaviest_only(e, ranks) for e in order]
    eligible = [e for e in order if _may_be_online(e)]
    if len(order) < registrations or len(eligible) < online:
        raise _ShortSupply(
            month, max(registrations / max(len(order), 1), online / max(len(eligible), 1))
        )
    chosen = eligible[:online]
    taken = {e.key for e in chosen}
    rest = [e for e in order if e.key not in taken][: registrations - online]
    out = [_utc(e, "internet") for e in chosen]
    out += [_utc(e, _offline_channel(e)) for e in rest]
    out.sort(key=lambda e: (e.reported_at, e.key))
    return out


def _expected_by_month(generator: RegistrationGenerator, months: list[dt.date]) -> list[float]:
    """Expected generated registrations per month of occurrence."""
    share = float(generator.share.sum())
    out = dict.fromkeys(months, 0.0)
    day = generator.config.start
    while day <= generator.config.end:
        month = dt.date(day.year, day.month, 1)
        if month in out:
            out[month] += float(generator.daily_rates(day).sum()) * share
        day += dt.timedelta(days=1)
    return [out[m] for m in months]


def _generate(
    config: GeneratorConfig,
    factors: dict[int, float],
    municipalities: list[MunicipalityInput],
    neighbourhoods: list[NeighbourhoodInput],
) -> Iterator[RegistrationEntry]:
    """The generator's registrations over ``config``'s period, one run a year with the volume
    ``config.annual_national_volume x factors[year]`` (the history needs more the further it
    goes back). The identity counters run on from :data:`ID_OFFSET` over the years."""
    from regie.synth.registrations_gen import RegistrationGenerator, _Run

    counters = (ID_OFFSET, ID_OFFSET, ID_OFFSET)
    for year in range(config.start.year, config.end.year + 1):
        year_config = dataclasses.replace(
            config,
            start=max(config.start, dt.date(year, 1, 1)),
            end=min(config.end, dt.date(year, 12, 31)),
            annual_national_volume=round(config.annual_national_volume * factors[year]),
        )
        run = _Run(RegistrationGenerator(year_config, municipalities, neighbourhoods))
        # Identifiers (BSN, frame number, plate, IMEI, KvK) derive from these counters.
        run.person_seq, run.good_seq, run.org_seq = counters
        yield from run.generate()
        counters = (run.person_seq, run.good_seq, run.org_seq)


@dataclasses.dataclass
class _Written:
    registrations: list[int]
    online: list[int]
    offences: list[int]
    created: int = 0
    rejected: int = 0
    first_rejections: list[str] = dataclasses.field(default_factory=list)


def _write(
    ctx: SynthContext,
    entries: Iterator[RegistrationEntry],
    months: list[dt.date],
    series: MonthlySeries,
    ranks: dict[str, int],
) -> _Written:
    """Select and store the history from the generated *entries*; raises
    :class:`_ShortSupply` when a month has too few of them."""
    from regie.registration.bulk import import_batch
    from regie.synth.services import SYNTH_BATCH, to_registration_in

    n = len(months)
    index = {m: i for i, m in enumerate(months)}
    total = [round(x) for x in series.total_array]
    internet = [round(x) for x in series.online_array]
    written = _Written([0] * n, [0] * n, [0] * n)
    rng = random.Random(f"{ctx.seed}:{ctx.scale.name}:history")
    batch: list[tuple[str, Any]] = []
    rows: dict[str, tuple[int, bool, int]] = {}

    def flush() -> None:
        result = import_batch(batch, actor=None, source="synth")
        written.created += len(result.created)
        written.rejected += len(result.errors)
        for ref, errors in result.errors.items():
            i, is_online, offences = rows[ref]
            written.registrations[i] -= 1
            written.online[i] -= is_online
            written.offences[i] -= offences
            if len(written.first_rejections) < 5:
                written.first_rejections.append(f"{ref}: {errors}")
        batch.clear()
        rows.clear()

    done: set[dt.date] = set()
    last_day = _next_month(months[-1]) - dt.timedelta(days=1)
    for month, supply in _supply_by_month(entries, last_day):
        i = index[month]
        for entry in _select(
            month, supply, registrations=total[i], online=internet[i], rng=rng, ranks=ranks
        ):
            ref = f"synth:{ctx.seed}:history:{entry.key}"
            batch.append((ref, to_registration_in(entry)))
            is_online = entry.channel == "internet"
            rows[ref] = (i, is_online, len(entry.offences))
            written.registrations[i] += 1
            written.online[i] += is_online
            written.offences[i] += len(entry.offences)
        done.add(month)
        if len(batch) >= SYNTH_BATCH:
            flush()
    for month in months:
        if month not in done and total[index[month]] > 0:
            raise _ShortSupply(month, 2.0)
    if batch:
        flush()
    return written


def run(ctx: SynthContext) -> dict[str, Any]:
    """The ``history`` step (see the module docstring): registrations of one base team from
    January 2014 to the start of the scale's period with a known underlying decline, April
    2017 online break and July 2018 counting rule; source ``synth``, so no cases are opened for
    them. The summary holds the truth (:func:`truth_of`)."""
    from django.db import transaction

    from regie.organisation.geodata import load_reference as load_geo
    from regie.organisation.models import Neighbourhood
    from regie.registration.models import OffenceCategory
    from regie.synth.registrations_gen import (
        GeneratorConfig,
        RegistrationGenerator,
        inputs_from_reference,
    )
    from regie.synth.services import SCALE_PERIOD, _generator

    volume = HISTORY_VOLUME[ctx.scale.name]
    team = history_team(ctx)
    hoods_qs = Neighbourhood.objects.filter(base_team=team)
    team_hoods = frozenset(hoods_qs.values_list("code", flat=True))
    team_muns = frozenset(hoods_qs.values_list("municipality__code", flat=True))
    # The level of the demo year in the team, as the registrations step generates it.
    scale_generator = _generator(ctx)
    level = expected_area_volume(scale_generator, team_hoods) / 12.0 * volume
    last_day = SCALE_PERIOD[ctx.scale.name][0] - dt.timedelta(days=1)
    months = _month_starts(HISTORY_START, last_day)
    series, truth, params = simulate_history(
        level=level, seed=ctx.seed, start=months[0], end=months[-1]
    )
    ranks = dict(OffenceCategory.objects.values_list("code", "seriousness_rank"))

    muns, hoods = inputs_from_reference(load_geo())
    config = GeneratorConfig(
        start=HISTORY_START,
        end=last_day,
        annual_national_volume=scale_generator.config.annual_national_volume,
        municipality_codes=team_muns,
        neighbourhood_codes=team_hoods,
        seed=ctx.seed,
    )
    expected = _expected_by_month(RegistrationGenerator(config, muns, hoods), months)
    need: dict[int, float] = defaultdict(float)
    for month, target, mean in zip(months, series.total_array, expected, strict=True):
        need[month.year] = max(need[month.year], float(target) / mean if mean > 0 else 0.0)
    factors = {year: SUPPLY_MARGIN * ratio for year, ratio in need.items()}
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                entries = _generate(config, factors, muns, hoods)
                written = _write(ctx, entries, months, series, ranks)
            break
        except _ShortSupply as short:
            factors[short.month.year] *= max(1.25, 1.1 * short.needed)
    else:
        raise RuntimeError(f"history: not enough generated registrations after {ATTEMPTS} tries")

    counting = [
        written.offences[i] - written.registrations[i] if m >= COUNTING_RULE_SWITCH else 0
        for i, m in enumerate(months)
    ]
    return {
        "registrations": written.created,
        "rejected": written.rejected,
        "first_rejections": written.first_rejections,
        "period": [HISTORY_START.isoformat(), last_day.isoformat()],
        "base_team": team.code,
        "volume": volume,
        "supply_factors": {str(y): round(f, 3) for y, f in sorted(factors.items())},
        "truth": {
            "simulation": {
                k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()
            },
            "underlying_annual_change": -ANNUAL_DECLINE,
            "counting_rule_switch": COUNTING_RULE_SWITCH.isoformat(),
            "online_break": ONLINE_BREAK.isoformat(),
            "counting_rule_effect": counting,
            "online_effect": [round(float(x), 2) for x in truth.online_effect],
        },
    }
