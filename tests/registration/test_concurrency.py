"""Races between real transactions in threads, on SQLite (file, WAL) and PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn
from regie.registration.models import Person, Registration
from regie.registration.services import registration_create
from tests.conftest import registration_input
from tests.registration.test_import import row, write_csv

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


def test_two_writer_processes_import_every_row_once(
    concurrent_db: None, tmp_path: Path, team: BaseTeam
) -> None:
    """``--jobs 2``: two processes, each with its share of the batches and its own database
    connection; the same outcome as one writer (rows once, shared people once, the bad row
    reported with its number), also when run again."""
    rows = [row(team, f"j{i}", reporter_bsn="111222333" if i % 3 == 0 else "") for i in range(24)]
    rows[9]["occurred_from"] = "gisteren"
    write_csv(tmp_path / "j.csv", rows)
    args = ["import", "registrations", str(tmp_path / "j.csv"), "--no-progress"]
    for _attempt in range(2):
        with pytest.raises(CommandError, match="1 row"):
            call_command(*args, "--jobs", "2", "--batch-size", "5", stdout=StringIO())
        assert Registration.objects.count() == 23
    assert Person.objects.filter(bsn="111222333").count() == 1
    errors = list(csv.reader((tmp_path / "j.csv.errors.csv").open()))
    assert [e[0] for e in errors[1:]] == ["11"] and errors[1][2] == "occurred_from"
    with pytest.raises(CommandError, match="--jobs"):
        call_command(*args, "--jobs", "0")
