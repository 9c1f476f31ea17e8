from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position

pytestmark = pytest.mark.django_db


def test_add_staff_and_enrol_otp(team: BaseTeam) -> None:
    out = StringIO()
    call_command(
        "staff",
        "add",
        "newchief",
        "--first-name",
        "Nina",
        "--last-name",
        "Berg",
        "--particle",
        "van den",
        "--role",
        "team_chief",
        "--scope-level",
        "base_team",
        "--scope",
        team.code,
        "--password",
        "a-long-and-rare-passphrase",
        stdout=out,
    )
    position = Position.objects.get(user__username="newchief")
    assert position.base_team == team and position.display_name == "Nina van den Berg"
    out = StringIO()
    call_command("staff", "otp", "newchief", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert AuditEntry.objects.filter(
        object_type="auth.user.totp", object_id=str(position.user.pk)
    ).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", "short"], "too short"),
        (["--scope", "NOPE"], "unknown base_team code"),
    ],
)
def test_bad_staff_input_exit_2(team: BaseTeam, args: list[str], message: str) -> None:
    base = [
        "staff",
        "add",
        "x",
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--role",
        "team_chief",
        "--scope-level",
        "base_team",
        "--scope",
        team.code,
        "--password",
        "a-long-and-rare-passphrase",
    ]
    for i in range(0, len(args), 2):
        base[base.index(args[i]) + 1] = args[i + 1]
    with pytest.raises(CommandError, match=message) as exc:
        call_command(*base, stdout=StringIO())
    assert exc.value.returncode == 2
    assert not Position.objects.filter(user__username="x").exists()


def test_duplicate_username_exit_2(team: BaseTeam) -> None:
    args = [
        "staff",
        "add",
        "dup",
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--role",
        "desk_officer",
        "--scope-level",
        "base_team",
        "--scope",
        team.code,
        "--password",
        "a-long-and-rare-passphrase",
    ]
    call_command(*args, stdout=StringIO())
    with pytest.raises(CommandError, match="bestaat al") as exc:
        call_command(*args, stdout=StringIO())
    assert exc.value.returncode == 2
