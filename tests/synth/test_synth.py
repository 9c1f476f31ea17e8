from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.synth.models import SynthRun
from regie.synth.names import PersonName, ascii_slug, username_for
from regie.synth.services import run_synth

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple[str, str, str, str]]:
    return list(
        Position.objects.filter(synthetic=True)
        .order_by("employee_number")
        .values_list("user__username", "role", "employee_number", "job_title")
    )


def test_demo_staff_per_team_and_deterministic() -> None:
    run_synth(scale="demo", seed=7, only=["organisation", "staff"])
    first = snapshot()
    teams = BaseTeam.objects.count()
    assert Position.objects.filter(role=Role.TEAM_CHIEF, synthetic=True).count() == teams
    assert all(t.staff.filter(role=Role.INVESTIGATOR).count() == 3 for t in BaseTeam.objects.all())
    assert Position.objects.filter(role=Role.MUNICIPALITY_RECIPIENT).count() == 50
    # Same seed on a clean slate gives the same world.
    get_user_model().objects.filter(position__synthetic=True).delete()
    SynthRun.objects.all().delete()
    run_synth(scale="demo", seed=7, only=["organisation", "staff"])
    assert snapshot() == first


def test_rerun_is_idempotent() -> None:
    run_synth(scale="demo", seed=1, only=["organisation", "staff"])
    count = Position.objects.count()
    results = run_synth(scale="demo", seed=1, only=["organisation", "staff"])
    assert all(r.skipped for r in results)
    assert Position.objects.count() == count


def test_other_seed_other_names() -> None:
    run_synth(scale="demo", seed=1, only=["staff"])
    a = snapshot()
    Position.objects.filter(synthetic=True).delete()
    run_synth(scale="demo", seed=2, only=["staff"])
    assert snapshot() != a


def test_unit_scale_only_that_unit() -> None:
    run_synth(scale="unit", seed=1, only=["staff"])
    units = set(
        Position.objects.filter(synthetic=True, base_team__isnull=False).values_list(
            "base_team__district__unit__code", flat=True
        )
    )
    assert units == {"RE06"}


def test_bad_arguments_exit_2() -> None:
    with pytest.raises(CommandError) as exc:
        call_command("synth", "--only", "nonsense")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="between 0 and 2147483647"):
        call_command("synth", "--seed", "99999999999999999999")
    with pytest.raises(ValueError, match="unknown scale"):
        run_synth(scale="galaxy", seed=1)


def test_usernames_are_ascii_and_unique() -> None:
    taken: set[str] = set()
    a = username_for(PersonName("Zoë", "van der", "Öztürk"), taken)
    b = username_for(PersonName("Zoë", "van der", "Öztürk"), taken)
    assert a == "zoe.vanderozturk" and b == "zoe.vanderozturk2"
    assert ascii_slug("Renée") == "renee"


def test_demo_users_only_in_demo_mode() -> None:
    with pytest.raises(CommandError, match="demomodus"):
        call_command("demo", "users", stdout=StringIO())


@override_settings(DEMO_MODE=True)
def test_demo_users_one_per_role(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "users", stdout=out)
    text = out.getvalue()
    assert "demo-teamchef" in text and "Password:" in text
    demo = Position.objects.filter(user__username__startswith="demo-")
    assert sorted(demo.values_list("role", flat=True)) == sorted(Role.values)
    password = (tmp_path / "demo-credentials.txt").read_text().strip()
    assert password in text
    assert demo.get(role=Role.TEAM_CHIEF).user.check_password(password)
    # Second run reuses accounts and password.
    again = StringIO()
    call_command("demo", "users", stdout=again)
    assert password in again.getvalue()
    assert Position.objects.filter(user__username__startswith="demo-").count() == len(Role)


def test_demo_registrations() -> None:
    from django.db.models import Count

    from regie.registration.models import Offence, Person, Registration
    from regie.synth.services import demo_district

    results = run_synth(scale="demo", seed=3, only=["registrations"])
    summary = results[0].summary
    regs = Registration.objects.filter(source="synth")
    n = regs.count()
    assert n == summary["registrations"] and 10_000 < n < 40_000
    assert summary["rejected"] <= n * 0.001
    district = demo_district()
    assert not regs.exclude(base_team__district=district).exists()
    multi = regs.annotate(k=Count("offences")).filter(k__gt=1).count()
    assert 0.08 < multi / n < 0.18
    a72 = Offence.objects.filter(registration__in=regs, incident_code__code="A72").count()
    assert a72 / Offence.objects.filter(registration__in=regs).count() > 0.05
    assert regs.filter(channel="internet").exists()
    # Recurring persons: some persons appear in several registrations.
    assert Person.objects.annotate(k=Count("involvements")).filter(k__gt=2).exists()
    # Idempotent.
    again = run_synth(scale="demo", seed=3, only=["registrations"])
    assert again[0].skipped and Registration.objects.filter(source="synth").count() == n
    # Cases: every registration becomes one, driven through the flow with the source's rates.
    from regie.selection.flow import State
    from regie.selection.flow import check as flow_check
    from regie.selection.models import Case, CaseEvent

    cases = run_synth(scale="demo", seed=3, only=["staff", "cases"])[-1].summary
    assert Case.objects.count() == cases["cases"] == n
    rates = cases["rates"]
    assert 0.40 < rates["vvc_rejected_share"] < 0.60
    assert 0.02 < rates["terminated_early_share"] < 0.045
    assert 0.90 < rates["conviction_share"] < 0.96
    # The stored history replays through the one validator, event by event.
    sample = Case.objects.filter(state=State.COURT_DECIDED).first()
    assert sample is not None
    state = State.REGISTERED
    for e in CaseEvent.objects.filter(case=sample).order_by("seq"):
        assert e.from_state == state
        t = flow_check(
            state,
            e.action,
            e.actor_role,
            e.fields,
            {
                "has_suspect": True,
                "summoned": True,
                "advice": e.advice or None,
                "is_assignee": e.actor_id == sample.assignee_id,
            },
        ).transition
        state = t.target
    assert state == sample.state
    # Recent cases are still open; old high-impact cases were all taken up.
    assert Case.objects.filter(state=State.REGISTERED).exists()
    taken = ("hic", "undermining")
    assert not Case.objects.filter(offence_class__in=taken, state=State.REJECTED).exists()
    assert run_synth(scale="demo", seed=3, only=["cases"])[0].skipped
