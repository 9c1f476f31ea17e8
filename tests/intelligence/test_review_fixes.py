"""Series identity and serialised rebuilds, a picture over many registrations, and what the
picture and the series page reveal."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regie.intelligence import services
from regie.intelligence.models import LinkProposal, Problem, ProblemMember, Series
from regie.intelligence.services import rebuild_series
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role, ScopeLevel
from regie.registration.models import Registration
from tests.intelligence.helpers import second_registration


def link(a: Any, b: Any, score: float = 0.8, reasons: list[dict[str, Any]] | None = None) -> Any:
    lo, hi = sorted((a.pk, b.pk))
    return LinkProposal.objects.create(
        a_id=lo,
        b_id=hi,
        score=score,
        reasons=reasons or [{"code": "text", "weight": 0.44, "detail": "werkwijze 80% gelijk"}],
        detected_at=timezone.now(),
    )


@pytest.mark.django_db
def test_series_keeps_its_pk_and_url_when_links_are_decided(
    client_for: Callable[..., Client], team: BaseTeam, registration: Any
) -> None:
    b = second_registration(team, registration)
    c = second_registration(team, registration)
    ab, bc = link(registration, b), link(b, c)
    rebuild_series()
    series = Series.objects.get()
    url = reverse("intelligence:series", args=[series.pk])
    client = client_for(Role.INTELLIGENCE_OFFICER)
    client.post(
        reverse("intelligence:decide", args=[ab.pk]),
        {"besluit": "accepteren", "reden": "zelfde werkwijze"},
    )
    again = Series.objects.get()
    assert again.pk == series.pk and again.accepted_links == 1 and again.size == 3
    # Rejecting the other link shrinks the series; its lowest member stays, so does its URL.
    client.post(
        reverse("intelligence:decide", args=[bc.pk]),
        {"besluit": "afwijzen", "reden": "andere dader"},
    )
    shrunk = Series.objects.get()
    assert shrunk.pk == series.pk and shrunk.size == 2
    assert set(shrunk.registrations.values_list("pk", flat=True)) == {registration.pk, b.pk}
    assert client.get(url).status_code == 200
    rebuild_series()
    assert Series.objects.get().pk == series.pk


class _RecordingConnection:
    vendor = "postgresql"

    def __init__(self) -> None:
        self.sql: list[str] = []

    @contextlib.contextmanager
    def cursor(self) -> Iterator[Any]:
        recorder = self

        class _Cursor:
            def execute(self, sql: str, params: Any = None) -> None:
                recorder.sql.append(sql)

        yield _Cursor()


@pytest.mark.django_db
def test_decisions_and_rebuilds_take_the_series_lock_first(
    team: BaseTeam, registration: Any, make_staff: Callable[..., Any], monkeypatch: Any
) -> None:
    b = second_registration(team, registration)
    proposal = link(registration, b)
    actor = make_staff(Role.INTELLIGENCE_OFFICER).user
    if connection.vendor == "postgresql":
        with CaptureQueriesContext(connection) as queries:
            services.decide_link(proposal, accept=True, reason="zelfde dader", actor=actor)
        sql = [q["sql"] for q in queries.captured_queries]
        lock = next(i for i, s in enumerate(sql) if "pg_advisory_xact_lock" in s)
        read = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s)
        assert lock < read
    else:
        fake = _RecordingConnection()
        monkeypatch.setattr(services, "connection", fake)
        services.decide_link(proposal, accept=True, reason="zelfde dader", actor=actor)
        assert fake.sql and all("pg_advisory_xact_lock" in s for s in fake.sql)
        fake.sql.clear()
        rebuild_series()
        assert fake.sql


def _many(registration: Any, n: int) -> None:
    rows = []
    for i in range(n):
        r = copy.copy(registration)
        r.pk = None
        r.number = f"T-{i:08d}"
        r.idempotency_key = None
        r.source_ref = ""
        r.occurred_from = registration.occurred_from - dt.timedelta(hours=i % 500)
        rows.append(r)
    Registration.objects.bulk_create(rows, batch_size=500)


@contextlib.contextmanager
def _sqlite_variable_limit(limit: int) -> Iterator[None]:
    """Lower SQLite's bound-parameter limit, as a big database would hit the real one."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    try:
        yield
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


@pytest.mark.django_db
def test_picture_over_more_registrations_than_the_variable_limit_renders(
    client_for: Callable[..., Client], team: BaseTeam, registration: Any
) -> None:
    b = second_registration(team, registration)
    link(registration, b)
    rebuild_series()
    _many(registration, 300)
    client = client_for(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL)
    day = timezone.localdate(registration.occurred_from)
    query = {
        "niveau": "national",
        "van": (day - dt.timedelta(days=200)).isoformat(),
        "tot": (day + dt.timedelta(days=1)).isoformat(),
    }
    with _sqlite_variable_limit(100):
        page = client.get(reverse("intelligence:picture"), query)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<span class="value" id="total">302</span>' in body
    assert Series.objects.get().key in body
    assert "1 koppelvoorstel wacht op beoordeling" in body


@pytest.mark.django_db
def test_picture_answers_an_invisible_problem_as_an_unknown_one(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam, registration: Any
) -> None:
    hidden = second_registration(other_team, registration)
    secret = Problem.objects.create(title="Geheim onderzoek", owner_unit=other_team.district.unit)
    ProblemMember.objects.create(problem=secret, registration=hidden)
    client = client_for(Role.ANALYST)
    url = reverse("intelligence:picture")
    invisible = client.get(url, {"fenomeen": f"probleem:{secret.pk}"})
    unknown = client.get(url, {"fenomeen": "probleem:999999"})
    assert invisible.status_code == unknown.status_code == 400
    assert "Geheim onderzoek" not in invisible.content.decode()
    assert "Onbekend probleem" in invisible.content.decode()
    # A visible problem still works.
    mine = Problem.objects.create(title="Fietsen station", owner_unit=team.district.unit)
    ProblemMember.objects.create(problem=mine, registration=registration)
    page = client.get(url, {"fenomeen": f"probleem:{mine.pk}"})
    assert page.status_code == 200 and "Fietsen station" in page.content.decode()


@pytest.mark.django_db
def test_series_page_speaks_only_of_visible_members_and_objects(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam, registration: Any
) -> None:
    from regie.organisation.roles import Confidentiality
    from regie.registration.models import Person

    b = second_registration(team, registration)
    early = registration.occurred_from - dt.timedelta(days=40)
    far = second_registration(
        other_team, registration, occurred_from=early, occurred_to=early + dt.timedelta(hours=1)
    )
    secret = Person.objects.create(
        first_names="Geheime",
        surname="Bron",
        confidentiality=Confidentiality.SECRET,
        retain_until=dt.date(2099, 1, 1),
    )
    plain = Person.objects.create(
        first_names="Gewone",
        surname="Verdachte",
        confidentiality=Confidentiality.INTERNAL,
        retain_until=dt.date(2099, 1, 1),
    )
    link(
        registration,
        b,
        reasons=[
            {"code": "object", "weight": 0.3, "detail": f"gedeeld object person:{secret.pk}"},
            {"code": "object", "weight": 0.3, "detail": f"gedeeld object person:{plain.pk}"},
        ],
    )
    link(b, far)
    rebuild_series()
    series = Series.objects.get()
    assert series.size == 3
    analyst = client_for(Role.ANALYST)  # clearance: confidential; the far team is not visible
    body = analyst.get(reverse("intelligence:series", args=[series.pk])).content.decode()
    assert '<dd id="series-size">2</dd>' in body
    assert "buiten uw bevoegdheid" not in body
    first = timezone.localtime(min(registration.occurred_from, b.occurred_from))
    assert f'<dd id="series-period">{first:%d-%m-%Y}' in body
    assert f"person:{secret.pk}" not in body and f"person:{plain.pk}" in body
    proposals = analyst.get(reverse("intelligence:proposals")).content.decode()
    assert f"person:{secret.pk}" not in proposals and f"person:{plain.pk}" in proposals
    officer = client_for(Role.INTELLIGENCE_OFFICER)  # clearance: secret
    body = officer.get(reverse("intelligence:series", args=[series.pk])).content.decode()
    assert f"person:{secret.pk}" in body


@pytest.mark.django_db
def test_problem_page_does_not_count_hidden_members(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam, registration: Any
) -> None:
    hidden = second_registration(other_team, registration)
    problem = Problem.objects.create(title="Fietsen", owner_unit=team.district.unit)
    ProblemMember.objects.create(problem=problem, registration=registration)
    ProblemMember.objects.create(problem=problem, registration=hidden)
    body = (
        client_for(Role.ANALYST)
        .get(reverse("intelligence:problem", args=[problem.pk]))
        .content.decode()
    )
    assert '<dd id="member-count">1</dd>' in body
    assert "buiten uw bevoegdheid" not in body


def test_simultaneous_decisions_leave_the_series_up_to_date(
    concurrent_db: None, team: BaseTeam, make_staff: Callable[..., Any]
) -> None:
    import threading

    from django.db import close_old_connections

    from regie.registration.services import registration_create
    from tests.conftest import registration_input

    desk = make_staff(Role.DESK_OFFICER)
    regs = [
        registration_create(registration_input(team), actor=desk.user, source="desk")[0]
        for _ in range(5)
    ]
    proposals = [link(x, y) for x, y in itertools.pairwise(regs)]
    rebuild_series()
    series_pk = Series.objects.get().pk
    analysts = [make_staff(Role.INTELLIGENCE_OFFICER).user for _ in proposals]
    barrier = threading.Barrier(len(proposals))
    errors: list[Exception] = []

    def decide(i: int) -> None:
        try:
            barrier.wait()
            services.decide_link(
                proposals[i], accept=True, reason="zelfde werkwijze", actor=analysts[i]
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(proposals))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert not errors, errors
    series = Series.objects.get()
    assert series.pk == series_pk
    assert series.accepted_links == len(proposals) and series.size == len(regs)
    assert not LinkProposal.objects.filter(series=None).exists()
