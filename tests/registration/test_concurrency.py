"""Races between real transactions in threads, on SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection

from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn
from regie.registration.models import Person, Registration
from regie.registration.services import registration_create
from tests.conftest import registration_input

THREADS = 6


def race(fn: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return results


def test_concurrent_retries_with_one_key_create_one_registration(
    concurrent_db: None, team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    desk = make_staff(Role.DESK_OFFICER)
    data = registration_input(team)
    results = race(
        lambda i: registration_create(
            data, actor=desk.user, source="api", idempotency_key="retry-42"
        )
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert len({reg.pk for reg, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Registration.objects.count() == 1


def test_two_desks_registering_the_same_person_yield_one(
    concurrent_db: None, team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    desks = [make_staff(Role.DESK_OFFICER) for _ in range(THREADS)]
    person = PersonIn("Fatima", "Bouzid", date_of_birth=dt.date(1991, 7, 14))

    def register(i: int) -> Any:
        data = registration_input(
            team,
            narrative=f"balie {i}",
            offences=(OffenceIn("A50"),),
            involvements=(InvolvementIn("victim", person=person),),
        )
        return registration_create(dataclasses.replace(data), actor=desks[i].user, source="desk")

    results = race(register)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert Registration.objects.count() == THREADS
    assert Person.objects.filter(surname="Bouzid").count() == 1
