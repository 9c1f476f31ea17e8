"""Added intake cost of the red-flag and watch-list evaluation, measured in-process (not
collected by default; run it explicitly, on SQLite and on PostgreSQL):

    REGIE_TESTING=1 .venv/bin/pytest tests/alerts/bench_intake.py -q -s
    REGIE_TESTING=1 scripts/test-postgres.sh .venv/bin/pytest tests/alerts/bench_intake.py -q -s

200 desk registrations one at a time and 3 bulk batches of 1,000 (2 % honour-violence
narratives, 10 % assaults, recurring victims, one bicycle each): the time spent in the
receiver and its queries, against the whole registration.
"""

import statistics as st
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regie.alerts import receivers, services
from regie.organisation.roles import Role
from regie.registration.bulk import import_batch
from regie.registration.inputs import InvolvementIn, OffenceIn
from regie.registration.services import registration_create
from tests.alerts.helpers import EGG_TEXT, bike, person
from tests.conftest import registration_input


@pytest.mark.django_db
def test_bench(team: Any, make_staff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = make_staff(Role.DESK_OFFICER).user

    def inputs(i: int) -> Any:
        return registration_input(
            team,
            narrative=(
                EGG_TEXT
                if i % 50 == 0
                else "Fiets gestolen bij het station; slot doorgeknipt. Geen getuigen."
            ),
            offences=(OffenceIn("F550" if i % 10 == 0 else "A72"),),
            involvements=(
                InvolvementIn("victim", person=person(f"N{i % 200}", bsn=None)),
                bike(f"B-{i}"),
            ),
        )

    orig = services.evaluate_registrations
    spent: list[tuple[float, int, int]] = []

    def timed(*a: Any, **k: Any) -> Any:
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            r = orig(*a, **k)
            spent.append((time.perf_counter() - t, len(q.captured_queries), len(a[0])))
        return r

    monkeypatch.setattr(receivers, "evaluate_registrations", timed)
    for i in range(20):
        registration_create(inputs(i), actor=desk, source="desk")
    spent.clear()
    t0 = time.perf_counter()
    for i in range(200):
        registration_create(inputs(1000 + i), actor=desk, source="desk")
    total = time.perf_counter() - t0
    per = [s for s, _, _ in spent]
    desk_q = st.median([q for _, q, _ in spent])
    print(
        f"DESK total {1000 * total / 200:.2f} ms/reg; alerts median "
        f"{1000 * st.median(per):.3f} ms, mean {1000 * st.mean(per):.3f} ms; queries {desk_q}"
    )

    spent.clear()
    t0 = time.perf_counter()
    for b in range(3):
        import_batch(
            [(f"bb-{b}-{i}", inputs(5000 + 1000 * b + i)) for i in range(1000)],
            actor=None,
            source="import",
        )
    total = time.perf_counter() - t0
    alerts = 1000 * sum(s for s, _, _ in spent) / 3000
    queries = [q for _, q, _ in spent]
    print(f"BULK total {1000 * total / 3000:.3f} ms/reg; alerts {alerts:.3f} ms/reg; {queries=}")
