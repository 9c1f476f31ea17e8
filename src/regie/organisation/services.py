"""Writes to the organisation: loading reference data, the (generated or imported) structure,
staff positions and the sign-in log. Every write is one transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.audit.models import Action, Purpose
from regie.audit.retention import RetentionPolicy, register
from regie.audit.services import audit_log
from regie.organisation import geodata
from regie.organisation.models import (
    BaseTeam,
    District,
    LoginEvent,
    Municipality,
    Neighbourhood,
    Position,
    Unit,
)
from regie.organisation.roles import ROLE_DEFAULT_SCOPE, Role, ScopeLevel
from regie.organisation.signals import structure_changed
from regie.organisation.structure import Area, BaseTeamPlan, DistrictPlan, generate_structure

NATIONAL_UNIT = ("LE", "Landelijke Eenheid")
UNIT_NAME_FIXES = {"DenHaag": "Den Haag"}
LOGIN_EVENT_RETENTION = dt.timedelta(days=365)
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
LOCKOUT_FAILURES = 5


#: Longest accepted values in a structure file (the database columns' limits).
FIELD_LIMITS = {
    "district_code": 16,
    "district_name": 100,
    "base_team_code": 16,
    "base_team_name": 100,
}


class OrganisationError(Exception):
    """Bad input for an organisation write; the message is meant for the user."""


# --- Reference data and structure ------------------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    units: int
    municipalities: int
    neighbourhoods: int
    districts: int
    base_teams: int
    created: bool


def organisation_loaded() -> bool:
    return Neighbourhood.objects.exists()


def load_reference(*, data_dir: Path | None = None, force: bool = False) -> LoadReport:
    """Load units, municipalities and neighbourhoods from the reference files and generate the
    stand-in district/base-team structure. Idempotent: does nothing when already loaded,
    unless ``force`` (which regenerates everything; refused while staff are attached)."""
    if organisation_loaded() and not force:
        return _report(created=False)
    ref = geodata.load_reference(data_dir)
    mun_areas = [
        Area(
            code=m.code,
            name=m.name,
            unit_code=m.unit_code,
            municipality_code=m.code,
            population=m.population,
            geometry_rd=geodata.to_rd(m.geometry_wgs84),
        )
        for m in ref.municipalities
    ]
    unit_of = {m.code: m.unit_code for m in ref.municipalities}
    wijk_areas = [
        Area(
            code=n.code,
            name=n.name,
            unit_code=unit_of[n.municipality_code],
            municipality_code=n.municipality_code,
            population=n.population_estimate,
            geometry_rd=geodata.to_rd(n.geometry_wgs84),
        )
        for n in ref.neighbourhoods
    ]
    plan = generate_structure(mun_areas, wijk_areas)
    with transaction.atomic():
        if force:
            _clear_structure()
        units = {}
        for u in ref.units:
            units[u.code], _ = Unit.objects.update_or_create(
                code=u.code,
                defaults={
                    "name": UNIT_NAME_FIXES.get(u.name, u.name),
                    "is_national": False,
                    "geometry": geodata.geometry_to_geojson(u.geometry_wgs84),
                },
            )
        Unit.objects.update_or_create(
            code=NATIONAL_UNIT[0],
            defaults={"name": NATIONAL_UNIT[1], "is_national": True, "geometry": None},
        )
        municipalities = Municipality.objects.bulk_create(
            [
                Municipality(
                    code=m.code,
                    name=m.name,
                    unit=units[m.unit_code],
                    population=m.population,
                    geometry=geodata.geometry_to_geojson(m.geometry_wgs84),
                )
                for m in ref.municipalities
            ]
        )
        mun_by_code = {m.code: m for m in municipalities}
        teams = _create_structure(plan.districts, plan.base_teams, units, generated=True)
        team_of_wijk = {w: teams[t.code] for t in plan.base_teams for w in t.neighbourhood_codes}
        Neighbourhood.objects.bulk_create(
            [
                Neighbourhood(
                    code=n.code,
                    name=n.name,
                    municipality=mun_by_code[n.municipality_code],
                    base_team=team_of_wijk[n.code],
                    population=n.population_estimate,
                    population_estimated=True,
                    geometry=geodata.geometry_to_geojson(n.geometry_wgs84),
                )
                for n in ref.neighbourhoods
            ]
        )
        _derive_municipality_teams()
        audit_log(
            actor=None,
            action=Action.CREATE,
            object_type="organisation.structure",
            purpose=Purpose.WPG13,
            detail={
                "source": "reference data",
                "generated": True,
                "base_teams": len(plan.base_teams),
            },
        )
    return _report(created=True)


def _report(*, created: bool) -> LoadReport:
    return LoadReport(
        units=Unit.objects.count(),
        municipalities=Municipality.objects.count(),
        neighbourhoods=Neighbourhood.objects.count(),
        districts=District.objects.count(),
        base_teams=BaseTeam.objects.count(),
        created=created,
    )


def _clear_structure() -> None:
    if Position.objects.filter(
        Q(base_team__isnull=False) | Q(district__isnull=False) | Q(municipality__isnull=False)
    ).exists():
        raise OrganisationError(
            "Er zijn medewerkers aan districten, basisteams of gemeenten gekoppeld; de structuur "
            "kan niet opnieuw worden gegenereerd. Gebruik 'regie org import-structure'."
        )
    Neighbourhood.objects.all().delete()
    Municipality.objects.all().delete()
    BaseTeam.objects.all().delete()
    District.objects.all().delete()


def _create_structure(
    districts: Iterable[DistrictPlan],
    base_teams: Iterable[BaseTeamPlan],
    units: dict[str, Unit],
    *,
    generated: bool,
) -> dict[str, BaseTeam]:
    district_objs = {
        d.code: District.objects.create(
            code=d.code, name=d.name, unit=units[d.unit_code], generated=generated
        )
        for d in districts
    }
    return {
        t.code: BaseTeam.objects.create(
            code=t.code,
            name=t.name,
            district=district_objs[t.district_code],
            generated=generated,
            population=t.population,
        )
        for t in base_teams
    }


def _derive_municipality_teams() -> None:
    """A municipality belongs to a base team when all its neighbourhoods do; otherwise it is
    split (base_team NULL). Base-team populations are recomputed from neighbourhoods."""
    teams_per_mun: dict[int, set[int]] = {}
    for mun_id, team_id in Neighbourhood.objects.values_list("municipality_id", "base_team_id"):
        teams_per_mun.setdefault(mun_id, set()).add(team_id)
    for mun_id, teams in teams_per_mun.items():
        Municipality.objects.filter(pk=mun_id).update(
            base_team_id=next(iter(teams)) if len(teams) == 1 else None
        )
    for team in BaseTeam.objects.all():
        pop = sum(team.neighbourhoods.values_list("population", flat=True))
        if team.population != pop:
            BaseTeam.objects.filter(pk=team.pk).update(population=pop)


def import_structure(rows: list[dict[str, str]], *, actor: Any = None) -> LoadReport:
    """Replace districts and base teams by a real structure.

    ``rows`` come from the CSV/GeoJSON importer (:mod:`regie.organisation.importer`), one per
    municipality or neighbourhood: ``unit_code, district_code, district_name, base_team_code,
    base_team_name, municipality_code`` and optionally ``neighbourhood_code`` (a row with a
    neighbourhood overrides its municipality's row). Every neighbourhood must end up in a base
    team; otherwise nothing changes.
    """
    if not organisation_loaded():
        raise OrganisationError("Laad eerst de referentiedata: 'regie org load'.")
    units = {u.code: u for u in Unit.objects.all()}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    wijken = {n.code: n for n in Neighbourhood.objects.select_related("municipality")}
    errors: list[str] = []
    districts: dict[str, DistrictPlan] = {}
    teams: dict[str, tuple[str, str]] = {}  # code -> (name, district)
    team_of_wijk: dict[str, str] = {}
    explicit: set[str] = set()
    whole: dict[str, str] = {}  # municipality -> base team of its whole-municipality row
    for i, row in enumerate(rows, start=2):
        where = f"regel {i}"
        missing = [
            k
            for k in (
                "unit_code",
                "district_code",
                "district_name",
                "base_team_code",
                "base_team_name",
                "municipality_code",
            )
            if not row.get(k)
        ]
        if missing:
            errors.append(f"{where}: ontbrekende velden: {', '.join(missing)}")
            continue
        too_long = [
            f"{k} (max. {n} tekens)" for k, n in FIELD_LIMITS.items() if len(row.get(k) or "") > n
        ]
        if too_long:
            errors.append(f"{where}: te lang: {', '.join(too_long)}")
            continue
        if row["unit_code"] not in units:
            errors.append(f"{where}: onbekende eenheid {row['unit_code']!r}")
            continue
        mun = municipalities.get(row["municipality_code"])
        if mun is None:
            errors.append(f"{where}: onbekende gemeente {row['municipality_code']!r}")
            continue
        if mun.unit.code != row["unit_code"]:
            errors.append(
                f"{where}: gemeente {mun.code} hoort bij eenheid {mun.unit.code}, "
                f"niet bij {row['unit_code']}"
            )
            continue
        d = districts.get(row["district_code"])
        if d is None:
            districts[row["district_code"]] = DistrictPlan(
                code=row["district_code"],
                name=row["district_name"],
                unit_code=row["unit_code"],
                base_team_codes=(),
                population=0,
            )
        elif d.unit_code != row["unit_code"]:
            errors.append(f"{where}: district {d.code} ligt in twee eenheden")
            continue
        elif d.name != row["district_name"]:
            errors.append(
                f"{where}: district {d.code} heeft twee namen "
                f"({d.name!r} en {row['district_name']!r})"
            )
            continue
        prev = teams.setdefault(
            row["base_team_code"], (row["base_team_name"], row["district_code"])
        )
        if prev[1] != row["district_code"]:
            errors.append(f"{where}: basisteam {row['base_team_code']} ligt in twee districten")
            continue
        if prev[0] != row["base_team_name"]:
            errors.append(
                f"{where}: basisteam {row['base_team_code']} heeft twee namen "
                f"({prev[0]!r} en {row['base_team_name']!r})"
            )
            continue
        wijk_code = row.get("neighbourhood_code") or ""
        if wijk_code:
            w = wijken.get(wijk_code)
            if w is None or w.municipality.code != mun.code:
                errors.append(f"{where}: wijk {wijk_code!r} onbekend of niet in {mun.code}")
                continue
            if wijk_code in explicit and team_of_wijk[wijk_code] != row["base_team_code"]:
                errors.append(
                    f"{where}: wijk {wijk_code} staat al bij basisteam {team_of_wijk[wijk_code]}"
                )
                continue
            team_of_wijk[wijk_code] = row["base_team_code"]
            explicit.add(wijk_code)
        else:
            earlier = whole.setdefault(mun.code, row["base_team_code"])
            if earlier != row["base_team_code"]:
                errors.append(
                    f"{where}: gemeente {mun.code} staat al (geheel) bij basisteam "
                    f"{earlier}; splits per wijk met neighbourhood_code"
                )
                continue
            for w in wijken.values():
                if w.municipality.code == mun.code and w.code not in explicit:
                    team_of_wijk[w.code] = row["base_team_code"]
    unassigned = sorted(set(wijken) - set(team_of_wijk))
    if unassigned and not errors:
        shown = ", ".join(unassigned[:10])
        errors.append(f"{len(unassigned)} wijken zonder basisteam (bijv. {shown})")
    if errors:
        raise OrganisationError("; ".join(errors[:50]))
    with transaction.atomic():
        old_team_codes = set(BaseTeam.objects.values_list("code", flat=True))
        staffed = set(
            Position.objects.filter(base_team__isnull=False).values_list(
                "base_team__code", flat=True
            )
        )
        gone = sorted((old_team_codes & staffed) - set(teams))
        if gone:
            raise OrganisationError(
                f"Basisteams met medewerkers ontbreken in het bestand: {', '.join(gone[:10])}"
            )
        staffed_districts = set(
            Position.objects.filter(district__isnull=False).values_list("district__code", flat=True)
        )
        gone = sorted(staffed_districts - set(districts))
        if gone:
            raise OrganisationError(
                f"Districten met medewerkers ontbreken in het bestand: {', '.join(gone[:10])}"
            )
        new_districts = {}
        for d in districts.values():
            new_districts[d.code], _ = District.objects.update_or_create(
                code=d.code,
                defaults={"name": d.name, "unit": units[d.unit_code], "generated": False},
            )
        new_teams = {}
        for code, (name, dcode) in teams.items():
            new_teams[code], _ = BaseTeam.objects.update_or_create(
                code=code,
                defaults={"name": name, "district": new_districts[dcode], "generated": False},
            )
        for wcode, tcode in team_of_wijk.items():
            Neighbourhood.objects.filter(code=wcode).update(base_team=new_teams[tcode])
        Municipality.objects.update(base_team=None)
        BaseTeam.objects.exclude(code__in=teams).delete()
        District.objects.exclude(code__in=districts).filter(base_teams__isnull=True).delete()
        _derive_municipality_teams()
        structure_changed.send(sender=BaseTeam)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="organisation.structure",
            purpose=Purpose.WPG13,
            detail={"source": "import", "districts": len(districts), "base_teams": len(teams)},
        )
    return _report(created=True)


# --- Staff -------------------------------------------------------------------------------------


def _scope_kwargs(level: ScopeLevel, target: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"scope_level": level}
    field = {
        ScopeLevel.UNIT: "unit",
        ScopeLevel.DISTRICT: "district",
        ScopeLevel.BASE_TEAM: "base_team",
        ScopeLevel.MUNICIPALITY: "municipality",
    }.get(level)
    if field is not None:
        if target is None:
            raise OrganisationError(
                f"Een positie op niveau {level.label} heeft een {level.label.lower()} nodig"
            )
        kwargs[field] = target
    return kwargs


def staff_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    role: Role,
    scope: Any = None,
    scope_level: ScopeLevel | None = None,
    name_particle: str = "",
    employee_number: str | None = None,
    job_title: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    email: str = "",
    synthetic: bool = False,
    actor: Any = None,
) -> Position:
    level = scope_level or ROLE_DEFAULT_SCOPE[role]
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username=username).exists():
            raise OrganisationError(f"Gebruikersnaam {username!r} bestaat al")
        user = user_model(
            username=username, first_name=first_name, last_name=last_name, email=email
        )
        if password:
            user.set_password(password)
        elif password_hash:
            user.password = password_hash
        else:
            user.set_unusable_password()
        user.save()
        position = Position.objects.create(
            user=user,
            role=role,
            name_particle=name_particle,
            employee_number=employee_number or _new_employee_number(),
            job_title=job_title or str(role.label),
            synthetic=synthetic,
            **_scope_kwargs(level, scope),
        )
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="organisation.position",
            object_id=position.pk,
            purpose=Purpose.WPG13,
            detail={"role": role.value, "scope": level.value},
        )
    return position


def _new_employee_number() -> str:
    while True:
        number = f"P{secrets.randbelow(10**7):07d}"
        if not Position.objects.filter(employee_number=number).exists():
            return number


def otp_enrol(user: Any, *, actor: Any = None) -> TOTPDevice:
    """Replace the user's TOTP devices by a new confirmed one (the key is shown once)."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="auth.user.totp",
            object_id=user.pk,
            purpose=Purpose.WPG13,
            detail={"devices_removed": removed},
        )
    return device


# --- Sign-in log -------------------------------------------------------------------------------


def record_login(username: str, user: Any, *, succeeded: bool, reason: str = "") -> None:
    LoginEvent.objects.create(
        username=username[:150],
        user=user,
        succeeded=succeeded,
        reason=reason,
        purpose=Purpose.WPG13,
        retain_until=timezone.localdate() + LOGIN_EVENT_RETENTION,
    )
    if user is not None:
        audit_log(
            actor=user,
            action=Action.LOGIN,
            object_type="auth.user",
            object_id=user.pk,
            purpose=Purpose.WPG13,
        )


def login_locked(username: str) -> bool:
    since = timezone.now() - LOCKOUT_WINDOW
    recent = LoginEvent.objects.filter(username=username, at__gte=since).order_by("-at")
    failures = 0
    for ev in recent[:LOCKOUT_FAILURES]:
        if ev.succeeded:
            break
        failures += 1
    return failures >= LOCKOUT_FAILURES


register(
    RetentionPolicy(
        model=LoginEvent, action="delete", description="sign-in log: one year (security)"
    )
)
