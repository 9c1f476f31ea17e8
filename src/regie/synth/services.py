"""The synthetic country: one entry point, ``regie synth --scale demo|unit|national --seed N``.

It runs registered *steps* in order on top of the real organisation data. Each step is
deterministic for a (scale, seed) and recorded in :class:`SynthRun`, so a rerun skips steps
already done. Later apps add steps (registrations, cases, tips, messages) with
:func:`register_step`; a step gets a :class:`SynthContext` with its own seeded Random.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.organisation.models import (
    BaseTeam,
    District,
    Municipality,
    Neighbourhood,
    Position,
    Unit,
)
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import load_reference
from regie.synth.models import SynthRun
from regie.synth.names import random_name, username_for


@dataclass(frozen=True)
class Scale:
    name: str
    #: Unit codes to populate; empty = all regional units.
    units: tuple[str, ...]
    #: Multiplier on the per-team staffing table.
    staff_factor: int
    #: Number of municipalities connected to the anonymous tip line.
    connected_municipalities: int


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", (), 1, 50),
    "unit": Scale("unit", ("RE06",), 6, 50),
    "national": Scale("national", (), 6, 50),
}

# Staff per base team / district / unit / nationally at staff_factor 1.
TEAM_STAFF = {
    Role.TEAM_CHIEF: 1,
    Role.DESK_OFFICER: 2,
    Role.CASE_SCREENER: 2,
    Role.DOSSIER_MANAGER: 1,
    Role.INVESTIGATOR: 3,
}
DISTRICT_STAFF = {Role.ANALYST: 1, Role.OM_LIAISON: 1, Role.QUALITY_OFFICER: 1}
UNIT_STAFF = {Role.INTELLIGENCE_OFFICER: 1, Role.INTEGRITY_OFFICER: 1, Role.ANALYST: 1}
NATIONAL_STAFF = {Role.TIPLINE_OPERATOR: 3, Role.LIRC_OFFICER: 3, Role.ADMINISTRATOR: 1}
# Job titles (functies) per role; the rank-like title differs from the role in Regie.
JOB_TITLES: dict[Role, tuple[str, ...]] = {
    Role.TEAM_CHIEF: ("Teamchef basisteam",),
    Role.DESK_OFFICER: ("Medewerker Intake & Service", "Servicemedewerker", "Agent"),
    Role.CASE_SCREENER: ("Medewerker opsporing (screening)", "Hoofdagent"),
    Role.DOSSIER_MANAGER: ("Senior medewerker opsporing", "Brigadier"),
    Role.INVESTIGATOR: (
        "Rechercheur",
        "Tactisch rechercheur",
        "Forensisch rechercheur",
        "Digitaal rechercheur",
    ),
    Role.ANALYST: ("Operationeel analist", "Strategisch analist", "Criminaliteitsanalist"),
    Role.OM_LIAISON: ("Parketsecretaris ZSM", "Officier van justitie ZSM"),
    Role.QUALITY_OFFICER: ("Kwaliteitshulpofficier van justitie",),
    Role.INTELLIGENCE_OFFICER: ("Informatierechercheur", "Senior informatierechercheur"),
    Role.TIPLINE_OPERATOR: ("Medewerker meldkamer M.", "Coördinator M."),
    Role.MUNICIPALITY_RECIPIENT: ("Medewerker openbare orde en veiligheid",),
    Role.AGENCY_RECIPIENT: ("Medewerker informatie-uitwisseling",),
    Role.LIRC_OFFICER: ("Medewerker internationale rechtshulp", "Senior medewerker LIRC"),
    Role.INTEGRITY_OFFICER: ("Adviseur Veiligheid, Integriteit en Klachten",),
    Role.ADMINISTRATOR: ("Functioneel beheerder",),
}
# Fixed per level whatever the factor: one chief per team.
NOT_SCALED = {Role.TEAM_CHIEF, Role.ADMINISTRATOR}


@dataclass
class SynthContext:
    scale: Scale
    seed: int
    step: str
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:{self.scale.name}:{self.step}")

    def units(self) -> list[Unit]:
        qs = Unit.objects.filter(is_national=False).order_by("code")
        if self.scale.units:
            qs = qs.filter(code__in=self.scale.units)
        return list(qs)


StepFn = Callable[[SynthContext], dict[str, Any]]
_STEPS: list[tuple[str, StepFn]] = []


def register_step(name: str) -> Callable[[StepFn], StepFn]:
    def decorator(fn: StepFn) -> StepFn:
        if any(n == name for n, _ in _STEPS):
            raise ValueError(f"synth step {name!r} registered twice")
        _STEPS.append((name, fn))
        return fn

    return decorator


def steps() -> list[str]:
    return [n for n, _ in _STEPS]


@dataclass(frozen=True)
class StepResult:
    step: str
    skipped: bool
    summary: dict[str, Any]


def run_synth(*, scale: str, seed: int, only: list[str] | None = None) -> list[StepResult]:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    unknown = set(only or []) - set(steps())
    if unknown:
        raise ValueError(f"unknown step(s): {', '.join(sorted(unknown))}")
    results = []
    for name, fn in _STEPS:
        if only and name not in only:
            continue
        done = SynthRun.objects.filter(step=name, scale=scale, seed=seed).first()
        if done is not None:
            results.append(StepResult(name, True, done.summary))
            continue
        with transaction.atomic():
            summary = fn(SynthContext(SCALES[scale], seed, name))
            SynthRun.objects.create(step=name, scale=scale, seed=seed, summary=summary)
            audit_log(
                actor=None,
                action=Action.CREATE,
                object_type=f"synth.{name}",
                purpose=Purpose.WPG13,
                detail={"scale": scale, "seed": seed, **summary},
            )
        results.append(StepResult(name, False, summary))
    return results


# --- Steps of the foundation -----------------------------------------------------------------


@register_step("organisation")
def step_organisation(ctx: SynthContext) -> dict[str, Any]:
    report = load_reference()
    return {
        "units": report.units,
        "municipalities": report.municipalities,
        "neighbourhoods": report.neighbourhoods,
        "districts": report.districts,
        "base_teams": report.base_teams,
    }


@register_step("staff")
def step_staff(ctx: SynthContext) -> dict[str, Any]:
    """Staff per base team, district and unit, national desks, and one recipient for each
    municipality connected to the anonymous tip line. Synthetic users cannot log in
    (unusable password); demo users are created by ``regie demo users``."""
    user_model = get_user_model()
    taken = set(user_model.objects.values_list("username", flat=True))
    numbers = set(Position.objects.values_list("employee_number", flat=True))
    unusable = make_password(None)
    users: list[Any] = []
    positions: list[Position] = []

    def add(role: Role, level: ScopeLevel, target: Any) -> None:
        name = random_name(ctx.rng)
        username = username_for(name, taken)
        while True:
            number = f"S{ctx.rng.randrange(10**7):07d}"
            if number not in numbers:
                numbers.add(number)
                break
        user = user_model(
            username=username, first_name=name.first, last_name=name.last, password=unusable
        )
        users.append(user)
        kwargs: dict[str, Any] = {}
        if level is not ScopeLevel.NATIONAL:
            kwargs[level.value] = target
        positions.append(
            Position(
                role=role,
                scope_level=level,
                name_particle=name.particle,
                employee_number=number,
                job_title=ctx.rng.choice(JOB_TITLES[role]),
                synthetic=True,
                **kwargs,
            )
        )

    def staff(table: dict[Role, int], level: ScopeLevel, target: Any) -> None:
        for role, n in table.items():
            count = n if role in NOT_SCALED else n * ctx.scale.staff_factor
            for _ in range(count):
                add(role, level, target)

    units = ctx.units()
    for unit in units:
        staff(UNIT_STAFF, ScopeLevel.UNIT, unit)
        for district in District.objects.filter(unit=unit).order_by("code"):
            staff(DISTRICT_STAFF, ScopeLevel.DISTRICT, district)
        for team in BaseTeam.objects.filter(district__unit=unit).order_by("code"):
            staff(TEAM_STAFF, ScopeLevel.BASE_TEAM, team)
    staff(NATIONAL_STAFF, ScopeLevel.NATIONAL, None)
    muns = list(Municipality.objects.order_by("code"))
    connected = sorted(
        ctx.rng.sample(muns, min(ctx.scale.connected_municipalities, len(muns))),
        key=lambda m: m.code,
    )
    for mun in connected:
        add(Role.MUNICIPALITY_RECIPIENT, ScopeLevel.MUNICIPALITY, mun)
    user_model.objects.bulk_create(users, batch_size=1000)
    by_name = dict(
        user_model.objects.filter(username__in=[u.username for u in users]).values_list(
            "username", "pk"
        )
    )
    for user, position in zip(users, positions, strict=True):
        position.user_id = by_name[user.username]
    Position.objects.bulk_create(positions, batch_size=1000)
    return {
        "staff": len(positions),
        "units": [u.code for u in units],
        "connected_municipalities": len(connected),
    }


# --- Registrations ----------------------------------------------------------------------------

#: The period each scale generates (the source document's time: 2019).
SCALE_PERIOD = {
    "demo": (dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    "unit": (dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    "national": (dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
}
SYNTH_BATCH = 2000


def demo_district() -> District:
    """The district of the demo world: the one holding the demo team (Utrecht)."""
    from regie.synth.demo import DEMO_MUNICIPALITY

    team = (
        BaseTeam.objects.filter(neighbourhoods__municipality__code=DEMO_MUNICIPALITY)
        .order_by("code")
        .first()
    )
    assert team is not None, "load the organisation first"
    return team.district


def to_registration_in(entry: Any) -> Any:
    from regie.registration.inputs import (
        GoodIn,
        InvolvementIn,
        OffenceIn,
        OrganisationIn,
        PersonIn,
        RegistrationIn,
    )

    involvements = []
    for inv in entry.involvements:
        if inv.person is not None:
            p = inv.person
            involvements.append(
                InvolvementIn(
                    inv.role,
                    person=PersonIn(
                        first_names=p.first_names,
                        surname=p.surname,
                        particle=p.particle,
                        date_of_birth=p.date_of_birth,
                        bsn=p.bsn,
                        nationality=p.nationality,
                    ),
                )
            )
        elif inv.good is not None:
            g = inv.good
            involvements.append(
                InvolvementIn(
                    inv.role,
                    good=GoodIn(
                        kind=g.kind,
                        brand=g.brand,
                        description=g.description,
                        frame_number=g.frame_number,
                        plate=g.plate,
                        imei=g.imei,
                        serial_number=g.serial_number,
                    ),
                )
            )
        elif inv.organisation is not None:
            o = inv.organisation
            involvements.append(
                InvolvementIn(inv.role, organisation=OrganisationIn(o.name, o.kvk_number))
            )
    return RegistrationIn(
        kind=entry.kind,
        occurred_from=entry.occurred_from,
        occurred_to=entry.occurred_to,
        reported_at=entry.reported_at,
        channel=entry.channel,
        offences=tuple(
            OffenceIn(o.incident_code, attempt=o.attempt, category_code=o.category_code)
            for o in entry.offences
        ),
        involvements=tuple(involvements),
        narrative=entry.narrative,
        damage_amount=entry.damage_eur,
        x=entry.x,
        y=entry.y,
    )


def _generator(ctx: SynthContext) -> Any:
    """The registration generator of this scale and seed (deterministic: the registrations
    and cases steps each build it and see the same entries)."""
    from regie.organisation.geodata import load_reference as load_geo
    from regie.synth.registrations_gen import (
        GeneratorConfig,
        RegistrationGenerator,
        inputs_from_reference,
    )

    muns, hoods = inputs_from_reference(load_geo())
    start, end = SCALE_PERIOD[ctx.scale.name]
    if ctx.scale.name == "demo":
        district = demo_district()
        wijken = frozenset(
            Neighbourhood.objects.filter(base_team__district=district).values_list(
                "code", flat=True
            )
        )
        municipalities = frozenset(
            Neighbourhood.objects.filter(code__in=wijken).values_list(
                "municipality__code", flat=True
            )
        )
    else:
        units = [u.code for u in ctx.units()]
        wijken = None
        municipalities = frozenset(
            Municipality.objects.filter(unit__code__in=units).values_list("code", flat=True)
        )
    config = GeneratorConfig(
        start=start,
        end=end,
        seed=ctx.seed,
        municipality_codes=municipalities,
        neighbourhood_codes=wijken,
    )
    generator = RegistrationGenerator(config, muns, hoods)
    return generator


@register_step("registrations")
def step_registrations(ctx: SynthContext) -> dict[str, Any]:
    """A year of registrations from the pure generator
    (:mod:`regie.synth.registrations_gen`), stored with the bulk writer. Demo: the demo
    team's district; unit: the scale's units; national: the whole country."""
    from regie.registration.bulk import import_batch

    generator = _generator(ctx)
    municipalities = generator.config.municipality_codes or frozenset()
    start, end = generator.config.start, generator.config.end
    created = rejected = 0
    batch: list[tuple[str, Any]] = []
    first_errors: list[str] = []

    def flush() -> None:
        nonlocal created, rejected
        result = import_batch(batch, actor=None, source="synth")
        created += len(result.created)
        rejected += len(result.errors)
        for ref, errors in list(result.errors.items())[: 5 - len(first_errors)]:
            first_errors.append(f"{ref}: {errors}")
        batch.clear()

    for entry in generator:
        batch.append((f"synth:{ctx.seed}:{entry.key}", to_registration_in(entry)))
        if len(batch) >= SYNTH_BATCH:
            flush()
    if batch:
        flush()
    return {
        "registrations": created,
        "rejected": rejected,
        "first_rejections": first_errors,
        "period": [start.isoformat(), end.isoformat()],
        "municipalities": len(municipalities),
    }


@register_step("history")
def step_history(ctx: SynthContext) -> dict[str, Any]:
    """The years before the period, for one base team, with known trend effects
    (:mod:`regie.synth.history`); source "synth", so no cases. Registered here, after
    "registrations" and before "cases": steps run in the order they are registered."""
    from regie.synth import history

    return history.run(ctx)


#: The moment the synthetic case histories are cut off: the morning after the generated
#: period, so the last days' cases are still open in the queues.
def flow_now(scale: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    end = SCALE_PERIOD[scale][1] + dt.timedelta(days=1)
    return dt.datetime(end.year, end.month, end.day, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@register_step("cases")
def step_cases(ctx: SynthContext) -> dict[str, Any]:
    """Every synthetic registration becomes a case and goes through the Selectiviteitskader
    flow (:mod:`regie.synth.cases`); histories stop at :func:`flow_now`."""
    from regie.statistics.services import mark_all
    from regie.synth import cases

    summary = cases.run(iter(_generator(ctx)), seed=ctx.seed, now=flow_now(ctx.scale.name))
    mark_all()  # the cases were written in bulk, without the per-change marks
    return summary


@register_step("solvability")
def step_solvability(ctx: SynthContext) -> dict[str, Any]:
    """Fit the solvability model on the synthetic cases (the latest ~30 % of investigated
    cases with a known outcome held back); it advises only if it meets its criteria."""
    from regie.selection.services import fit_solvability

    row = fit_solvability(actor=None)
    overall = row.evaluation.get("overall", {})
    return {
        "model": row.version,
        "passed": row.passed,
        "active": row.active,
        "auc": overall.get("auc"),
        "ece": overall.get("ece"),
        "held_back": [row.test_from.isoformat(), row.test_to.isoformat()],
    }


@register_step("legal_assistance")
def step_legal_assistance(ctx: SynthContext) -> dict[str, Any]:
    """A few days of international legal-assistance traffic (LIRC) through the intake service
    (:mod:`regie.legal_assistance.synth`)."""
    from regie.legal_assistance import synth

    return synth.run(seed=ctx.seed)


@register_step("series")
def step_series(ctx: SynthContext) -> dict[str, Any]:
    """Planted crime series with known truth (:mod:`regie.synth.series_gen`): burglary and
    bicycle-theft series in the demo district, mobile banditry across the municipalities of
    its unit; then the series detection runs over the period so there are proposals to
    review (:mod:`regie.intelligence.linking`)."""
    from regie.synth import series_plant

    return series_plant.run(ctx)


@register_step("tips")
def step_tips(ctx: SynthContext) -> dict[str, Any]:
    """Recipients with their keys and two months of anonymous tips (Meld Misdaad Anoniem,
    :mod:`regie.tips.synth`)."""
    from regie.tips import synth

    return synth.run(seed=ctx.seed)


@register_step("alerts")
def step_alerts(ctx: SynthContext) -> dict[str, Any]:
    """Registrations planted to raise each red-flag rule, and watch lists with hits
    (:mod:`regie.alerts.synth`)."""
    from regie.alerts import synth

    end = SCALE_PERIOD[ctx.scale.name][1]
    return synth.run(seed=ctx.seed, end=end)
