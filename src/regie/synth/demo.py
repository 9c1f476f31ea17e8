"""Demo accounts: one per role, for ``make run``. Only in demo mode (REGIE_DEMO=1).

All demo accounts share one generated password, created once and kept in
``var/demo-credentials.txt`` (mode 0600) so a second ``make run`` reuses it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from regie.organisation.models import BaseTeam, Municipality, Position
from regie.organisation.roles import ROLE_DEFAULT_SCOPE, Role, ScopeLevel
from regie.organisation.services import OrganisationError, staff_create

DEMO_USERS: dict[Role, tuple[str, str, str, str]] = {
    # role: (username, first name, particle, last name)
    Role.DESK_OFFICER: ("demo-balie", "Bente", "", "Baliestra"),
    Role.CASE_SCREENER: ("demo-screener", "Sam", "", "Schouten"),
    Role.DOSSIER_MANAGER: ("demo-dossiermanager", "Dirk", "van", "Dossem"),
    Role.INVESTIGATOR: ("demo-rechercheur", "Rosa", "de", "Rechter"),
    Role.TEAM_CHIEF: ("demo-teamchef", "Tamara", "van der", "Teeuw"),
    Role.ANALYST: ("demo-analist", "Anouk", "", "Alders"),
    Role.OM_LIAISON: ("demo-om", "Omar", "", "Ombrecht"),
    Role.QUALITY_OFFICER: ("demo-kwaliteit", "Karel", "", "Kwant"),
    Role.INTELLIGENCE_OFFICER: ("demo-informatie", "Iris", "", "Informa"),
    Role.TIPLINE_OPERATOR: ("demo-mma", "Mila", "", "Melder"),
    Role.MUNICIPALITY_RECIPIENT: ("demo-gemeente", "Gijs", "", "Gemeentelaar"),
    Role.AGENCY_RECIPIENT: ("demo-partner", "Fenna", "", "Fiscalist"),
    Role.LIRC_OFFICER: ("demo-lirc", "Lina", "", "Rechtshulp"),
    Role.INTEGRITY_OFFICER: ("demo-integriteit", "Ingrid", "", "Integer"),
    Role.ADMINISTRATOR: ("demo-beheerder", "Bart", "", "Beheer"),
}
#: The demo world centres on the base team that covers this municipality's first wijk.
DEMO_MUNICIPALITY = "GM0344"  # Utrecht


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    created: bool


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.txt"


def demo_password() -> str:
    path = credentials_path()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def ensure_demo_users() -> tuple[str, list[DemoAccount]]:
    if not settings.DEMO_MODE:
        raise OrganisationError("Demo-accounts bestaan alleen in demomodus (REGIE_DEMO=1).")
    mun = Municipality.objects.filter(code=DEMO_MUNICIPALITY).first()
    if mun is None:
        raise OrganisationError("Laad eerst de organisatie: 'regie org load'.")
    team = BaseTeam.objects.filter(neighbourhoods__municipality=mun).order_by("code").first()
    assert team is not None
    password = demo_password()
    hashed = make_password(password)  # hash once: PBKDF2 per account would take seconds
    user_model = get_user_model()
    accounts = []
    for role, (username, first, particle, last) in DEMO_USERS.items():
        level = ROLE_DEFAULT_SCOPE[role]
        target = {
            ScopeLevel.BASE_TEAM: team,
            ScopeLevel.DISTRICT: team.district,
            ScopeLevel.UNIT: team.district.unit,
            ScopeLevel.MUNICIPALITY: mun,
            ScopeLevel.NATIONAL: None,
        }[level]
        existing = user_model.objects.filter(username=username).first()
        if existing is None:
            position = staff_create(
                username=username,
                first_name=first,
                last_name=last,
                name_particle=particle,
                role=role,
                scope=target,
                scope_level=level,
                password_hash=hashed,
            )
            created = True
        else:
            if not existing.check_password(password):
                existing.set_password(password)
                existing.save(update_fields=["password"])
            position = Position.objects.get(user=existing)
            created = False
        accounts.append(DemoAccount(username, str(role.label), position.scope_label, created))
        if role == Role.AGENCY_RECIPIENT:
            _join_demo_agency(position.user)
    return password, accounts


def _join_demo_agency(user: Any) -> None:
    """The demo partner reads for the FIOD when the tip line's synth step made it."""
    from regie.tips.models import Recipient

    fiod = Recipient.objects.filter(name__startswith="FIOD").first()
    if fiod is not None and not fiod.members.filter(pk=user.pk).exists():
        from regie.tips.services import add_member

        add_member(fiod, user.username)
