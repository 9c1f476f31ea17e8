"""The statistics screen and its exports: both counts from the database, within scope,
audited, with clear errors for bad input."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import OffenceIn
from regie.registration.services import registration_create
from regie.statistics import services
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db


def params(**extra: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "start": f"{today.year - 1}-01",
        "end": f"{today:%Y-%m}",
        "level": "national",
        "period": "year",
        **extra,
    }


@pytest.fixture
def data(team: BaseTeam, other_team: BaseTeam, make_staff: Callable[..., Position]) -> Any:
    desk = make_staff(Role.DESK_OFFICER)
    ours = [
        registration_create(
            registration_input(team, offences=offences, involvements=()),
            actor=desk.user,
            source="desk",
        )[0]
        for offences in ((OffenceIn("A72"), OffenceIn("C40")), (OffenceIn("A20"),))
    ]
    theirs = registration_create(
        registration_input(other_team, involvements=()), actor=None, source="desk"
    )[0]
    services.refresh()
    return ours, theirs


def test_both_counts_within_scope(data: Any, client_for: Callable[..., Client]) -> None:
    chief = client_for(Role.TEAM_CHIEF)  # base-team scope: the other team's one is not counted
    r = chief.get(reverse("statistics:counts"), params())
    assert r.status_code == 200
    totals = r.context["totals"]
    assert sum(t["per_offence"] for t in totals) == 3
    assert sum(t["heaviest"] for t in totals) == 2
    assert r.context["registrations"] == 2
    entry = AuditEntry.objects.filter(object_type="statistics.counts", action="view").get()
    assert entry.actor_id == chief.position.user.pk  # type: ignore[attr-defined]
    by_category = chief.get(reverse("statistics:counts"), params(by_category="on"))
    codes = {row["category_code"] for row in by_category.context["page"]}
    assert {"1.2.3", "1.1.1"} <= codes


def test_exports_are_files_and_audited(data: Any, client_for: Callable[..., Client]) -> None:
    analyst = client_for(Role.ANALYST)
    csv = analyst.get(reverse("statistics:export", args=["counts", "csv"]), params())
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "attachment" in csv["Content-Disposition"]
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("period;region")
    district = analyst.position.district.code  # type: ignore[attr-defined]
    xlsx = analyst.get(
        reverse("statistics:export", args=["cbs-per-offence", "xlsx"]),
        params(level="district", region=district),
    )
    assert xlsx.status_code == 200
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()
    assert AuditEntry.objects.filter(object_type="statistics.counts", action="export").count() == 2


@pytest.mark.parametrize(
    ("url_args", "extra", "status", "message"),
    [
        (None, {"start": "2020-02", "end": "2020-01"}, 400, "vóór de beginmaand"),
        (None, {"start": "2000-01", "end": "2020-01"}, 400, "hoogstens tien jaar"),
        (None, {"start": "2020-13"}, 400, "JJJJ-MM"),
        (None, {"start": "gisteren"}, 400, "JJJJ-MM"),
        (None, {"start": "0001-01", "end": "0001-01"}, 400, "tussen 1900 en 2100"),
        (None, {"level": "neighbourhood", "by_category": "on"}, 400, "wijkniveau"),
        (None, {"level": "galaxy"}, 400, "galaxy"),
        (["cbs-heaviest", "xlsx"], {"level": "municipality"}, 400, "code van het gebied"),
        (["cbs-heaviest", "xlsx"], {"level": "unit", "region": "RE09"}, 400, "buiten uw"),
        (["cbs-heaviest", "xlsx"], {"level": "base_team", "region": "NOPE"}, 400, "buiten uw"),
        (["cbs-heaviest", "xlsx"], {"level": "national"}, 400, "landelijke tabel"),
        (["counts", "pdf"], {}, 400, ""),
        (["nonsense", "csv"], {}, 404, ""),
    ],
)
def test_bad_input_is_refused_clearly(
    data: Any,
    client_for: Callable[..., Client],
    url_args: list[str] | None,
    extra: dict[str, str],
    status: int,
    message: str,
) -> None:
    analyst = client_for(Role.ANALYST)
    url = reverse("statistics:export", args=url_args) if url_args else reverse("statistics:counts")
    r = analyst.get(url, params(**extra))
    assert r.status_code == status
    assert message in r.content.decode()
    assert not AuditEntry.objects.filter(object_type="statistics.counts", action="export").exists()


def test_case_funnel_page_counts_the_flow_within_scope(
    team: BaseTeam, make_staff: Callable[..., Position], client_for: Callable[..., Client]
) -> None:
    from regie.selection.models import Case
    from regie.selection.services import case_transition

    desk = make_staff(Role.DESK_OFFICER)
    screener = make_staff(Role.CASE_SCREENER)
    manager = make_staff(Role.DOSSIER_MANAGER)
    regs = [
        registration_create(
            registration_input(team, offences=(OffenceIn("A72"),), involvements=()),
            actor=desk.user,
            source="desk",
        )[0]
        for _ in range(3)
    ]
    cases = [Case.objects.get(registration=r) for r in regs]
    case_transition(
        cases[0].pk, "reject", actor=screener.user, fields={"reject_reason": "insufficient_leads"}
    )
    for c in cases[1:]:
        case_transition(c.pk, "take_up", actor=screener.user, fields={"override_reason": "x"})
    case_transition(
        cases[1].pk,
        "terminate",
        actor=manager.user,
        fields={"termination_reason": "insufficient_leads"},
    )
    services.refresh()
    chief = client_for(Role.TEAM_CHIEF)
    r = chief.get(reverse("statistics:funnel"), params())
    assert r.status_code == 200
    rows = dict(r.context["rows"])
    assert sum(count for count, _ in rows["Geregistreerd"]) == 3
    assert sum(count for count, _ in rows["Afgewezen"]) == 1
    assert sum(count for count, _ in rows["Opgepakt"]) == 2
    assert sum(count for count, _ in rows["Vroegtijdig beëindigd"]) == 1
    report = r.context["report"]["current"]
    assert report["terminated"] == 1 and report["assessed"] == 3
    assert AuditEntry.objects.filter(object_type="statistics.funnel", action="view").exists()
    bad = chief.get(reverse("statistics:funnel"), params(by="colour"))
    assert bad.status_code == 400


def test_the_numbers_on_the_page_equal_a_direct_sql_recount(
    data: Any, client_for: Callable[..., Client]
) -> None:
    """Issue 5: the counts shown equal a recount straight in SQL (per offence: offences;
    heaviest: registrations with at least one offence), for the user's scope."""
    from django.db import connection

    analyst = client_for(Role.ANALYST)  # district scope
    position = analyst.position  # type: ignore[attr-defined]
    r = analyst.get(reverse("statistics:counts"), params(level="base_team"))
    shown = {(row["region"]): (row["per_offence"], row["heaviest"]) for row in r.context["page"]}
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT t.code, COUNT(o.id), COUNT(DISTINCT r.id)
            FROM registration_offence o
            JOIN registration_registration r ON r.id = o.registration_id
            JOIN organisation_baseteam t ON t.id = r.base_team_id
            WHERE t.district_id = %s
            GROUP BY t.code
            """,
            [position.district_id],
        )
        recount = {code: (int(n), int(regs)) for code, n, regs in cur.fetchall()}
    assert recount and shown == recount
