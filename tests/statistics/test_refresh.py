"""The summary tables: marked in the transaction of a change, refreshed per partition,
idempotent, never losing a change made during a refresh, equal to a full rebuild."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import OffenceIn
from regie.registration.models import Registration
from regie.registration.services import registration_create
from regie.statistics import selectors, services
from regie.statistics.models import CaseCount, DirtyPartition, OffenceCount, SummaryRefresh
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db


def create(team: BaseTeam, actor: Any = None, **overrides: Any) -> Registration:
    return registration_create(
        registration_input(team, involvements=(), **overrides), actor=actor, source="desk"
    )[0]


def table(model: Any) -> list[tuple[Any, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    return sorted(model.objects.values_list(*fields))


def national_total(measure: str = "per_offence") -> int:
    scope = selectors.Scope("national", None, 3)
    month = timezone.localdate().replace(day=1)
    df = selectors.offence_counts(
        scope,
        start=month - dt.timedelta(days=400),
        end=month,
        level="national",
        by_category=False,
    )
    return int(df[measure].sum() or 0)


def test_a_new_registration_marks_its_partition_and_shows_after_refresh(team: BaseTeam) -> None:
    reg = create(team)
    month = timezone.localtime(reg.reported_at).date().replace(day=1)
    assert DirtyPartition.objects.filter(month=month, base_team=team.code).exists()
    assert national_total() == 0  # not yet refreshed
    report = services.refresh()
    assert report.partitions == 1 and not report.failed
    assert national_total() == 2 and national_total("heaviest") == 1
    assert not DirtyPartition.objects.exists()
    assert SummaryRefresh.objects.count() == 1
    assert CaseCount.objects.filter(grain="team").get().registered == 1


def test_refresh_is_idempotent_and_equals_a_full_rebuild(
    team: BaseTeam, other_team: BaseTeam
) -> None:
    for t in (team, team, other_team):
        create(t)
    create(team, offences=(OffenceIn("A20"),), confidentiality=2)
    services.refresh()
    first = (table(OffenceCount), table(CaseCount))
    services.mark_all()
    services.refresh()
    assert (table(OffenceCount), table(CaseCount)) == first
    services.refresh(full=True)
    assert (table(OffenceCount), table(CaseCount)) == first
    assert not DirtyPartition.objects.exists()


def test_clearance_is_a_summary_dimension(team: BaseTeam) -> None:
    create(team, confidentiality=0)
    create(team, confidentiality=3, offences=(OffenceIn("A20"),))
    services.refresh()
    month = timezone.localdate().replace(day=1)
    span = {"start": month - dt.timedelta(days=400), "end": month}

    def total(clearance: int) -> int:
        scope = selectors.Scope("base_team", team.code, clearance)
        df = selectors.offence_counts(scope, **span, level="base_team", by_category=False)
        return int(df["per_offence"].sum() or 0)

    assert total(1) == 2 and total(3) == 3


def test_case_moves_and_reviews_mark_their_partition(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    from regie.selection.models import Case
    from regie.selection.services import case_transition
    from regie.selection.steering import review_record

    screener = make_staff(Role.CASE_SCREENER)
    reg = create(team)
    services.refresh()
    case = Case.objects.get(registration=reg)
    case_transition(
        case.pk, "reject", actor=screener.user, fields={"reject_reason": "insufficient_leads"}
    )
    assert DirtyPartition.objects.count() == 1
    services.refresh()
    row = CaseCount.objects.get(grain="team")
    assert (row.screened, row.rejected, row.rejected_first_insufficient_leads) == (1, 1, 1)
    quality = make_staff(Role.QUALITY_OFFICER)
    event = case.events.get()
    review_record(
        actor=quality.user, event_id=event.pk, sample="random", correct=False, feedback="Te snel."
    )
    assert DirtyPartition.objects.count() == 1
    services.refresh()
    row = CaseCount.objects.get(grain="team")
    assert (row.reviews, row.reviews_correct) == (1, 0)


def test_a_change_during_the_refresh_keeps_its_mark(
    team: BaseTeam, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(team)
    real = services.summary_rows

    def meanwhile(partitions: Any) -> Any:
        result = real(partitions)
        create(team)  # committed while the refresh computes: a new token on the same mark
        return result

    monkeypatch.setattr(services, "summary_rows", meanwhile)
    report = services.refresh()
    # What was read is already stale: not written; the mark stays for the next run.
    assert report.partitions == 0 and DirtyPartition.objects.count() == 1
    monkeypatch.setattr(services, "summary_rows", real)
    services.refresh()
    assert national_total() == 4 and not DirtyPartition.objects.exists()


def test_a_slower_refresher_never_overwrites_a_newer_one(
    team: BaseTeam, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reads, a change commits, B reads it and writes; A must not write its stale rows."""
    create(team)
    real = services.summary_rows
    calls = {"n": 0}

    def slow_a(partitions: Any) -> Any:
        calls["n"] += 1
        result = real(partitions)
        if calls["n"] == 1:
            create(team)  # the change
            monkeypatch.setattr(services, "summary_rows", real)
            services.refresh()  # refresher B: reads the change, writes, removes the mark
        return result

    monkeypatch.setattr(services, "summary_rows", slow_a)
    services.refresh()  # refresher A
    assert national_total() == 4 and not DirtyPartition.objects.exists()


def test_deleting_a_registration_marks_and_uncounts_it(team: BaseTeam) -> None:
    reg = create(team)
    services.refresh()
    assert national_total() == 2
    reg.delete()
    assert DirtyPartition.objects.count() == 1
    services.refresh()
    assert national_total() == 0
    assert not OffenceCount.objects.exists() and not CaseCount.objects.exists()


def test_an_inconsistent_case_history_skips_only_its_partition(
    team: BaseTeam, other_team: BaseTeam
) -> None:
    from regie.selection.models import Case, CaseEvent

    bad = create(team)
    create(other_team)
    case = Case.objects.get(registration=bad)
    # Written around case_transition (which would refuse it): a move not in the flow.
    CaseEvent.objects.create(
        case=case,
        seq=1,
        action="solve",
        from_state="registered",
        to_state="solved",
        at=timezone.now(),
        fields={},
    )
    report = services.refresh()
    assert report.partitions == 1 and len(report.failed) == 1
    assert DirtyPartition.objects.get().base_team == team.code  # kept for after the repair
    assert OffenceCount.objects.filter(base_team=other_team.code).exists()
    with pytest.raises(CommandError, match="could not be refreshed"):
        call_command("statistics", "refresh", stdout=StringIO(), stderr=StringIO())


def test_the_command(team: BaseTeam) -> None:
    create(team)
    out = StringIO()
    call_command("statistics", "status", stdout=out)
    assert "never" in out.getvalue() and "waiting: 1" in out.getvalue()
    out = StringIO()
    call_command("statistics", "refresh", stdout=out)
    assert "1 partition(s) refreshed" in out.getvalue()
    with pytest.raises(CommandError, match="at least 1 second"):
        call_command("statistics", "refresh", "--every", "0")
    with pytest.raises(CommandError, match="do not combine"):
        call_command("statistics", "refresh", "--full", "--every", "5")


def test_a_new_organisation_structure_marks_every_partition(
    team: BaseTeam, other_team: BaseTeam
) -> None:
    from regie.organisation.signals import structure_changed

    create(team)
    create(other_team)
    services.refresh()
    assert not DirtyPartition.objects.exists()
    structure_changed.send(sender=BaseTeam)  # sent by organisation.services.import_structure
    assert DirtyPartition.objects.count() == 2


def test_the_background_refresher_survives_a_failed_round(
    team: BaseTeam, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from regie.statistics.management.commands import statistics as command

    create(team)
    rounds = {"n": 0}
    real = services.refresh

    def flaky(**kwargs: Any) -> Any:
        rounds["n"] += 1
        if rounds["n"] == 1:
            raise OperationalError("connection lost")
        return real(**kwargs)

    def stop_after_two(seconds: float) -> None:
        if rounds["n"] >= 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(services, "refresh", flaky)
    monkeypatch.setattr(command.time, "sleep", stop_after_two)
    err = StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("statistics", "refresh", "--every", "1", stdout=StringIO(), stderr=err)
    assert "retrying" in err.getvalue()
    assert national_total() == 2 and not DirtyPartition.objects.exists()


def test_national_counts_by_category_equal_a_recount(team: BaseTeam, other_team: BaseTeam) -> None:
    from django.db import connection

    create(team)
    create(other_team, offences=(OffenceIn("A20"), OffenceIn("A72")))
    create(team, x=None, y=None)  # not placed: its own partition ("" base team)
    services.refresh()
    assert OffenceCount.objects.filter(grain=services.NATIONAL_GRAIN).exists()
    month = timezone.localdate().replace(day=1)
    df = selectors.offence_counts(
        selectors.Scope("national", None, 3),
        start=month - dt.timedelta(days=400),
        end=month,
        level="national",
        by_category=True,
    )
    shown = {
        code: (int(a), int(b))
        for code, a, b in df.group_by("category_code")
        .agg(pl.col("per_offence").sum(), pl.col("heaviest").sum())
        .iter_rows()
    }
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.code, COUNT(*) FROM registration_offence o "
            "JOIN registration_offencecategory c ON c.id = o.category_id GROUP BY c.code"
        )
        recount = {code: int(n) for code, n in cur.fetchall()}
    assert {c: v[0] for c, v in shown.items()} == recount
    # Refreshing only the unplaced partition keeps the national rows whole.
    services.mark([(timezone.localdate().replace(day=1), "")])
    services.refresh()
    again = selectors.offence_counts(
        selectors.Scope("national", None, 3),
        start=month - dt.timedelta(days=400),
        end=month,
        level="national",
        by_category=True,
    )
    assert int(again["per_offence"].sum()) == sum(recount.values())


def test_national_case_rows_equal_the_sum_of_the_team_rows(
    team: BaseTeam, other_team: BaseTeam
) -> None:
    create(team)
    create(other_team, offences=(OffenceIn("A20"),))
    services.refresh()
    month = timezone.localdate().replace(day=1)
    span = {"start": month - dt.timedelta(days=400), "end": month}
    national = selectors.Scope("national", None, 3)
    by_class = selectors.case_counts(national, **span, level="national", by="offence_class")
    per_team = selectors.case_counts(
        selectors.Scope("national", None, 3), **span, level="base_team", by="offence_class"
    )
    assert by_class["registered"].sum() == per_team["registered"].sum() == 2
    assert sorted(by_class["offence_class"].to_list()) == sorted(
        set(per_team["offence_class"].to_list())
    )
    assert CaseCount.objects.filter(grain=services.NATIONAL_GRAIN).exists()
