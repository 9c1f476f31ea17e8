"""PNR workload monitoring on the management-information page: PNR hits received, handled
and open per day and per ISO week (hand-checked counts), in the chart and the CSV export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.legal_assistance import reporting
from regie.legal_assistance.models import LegalMessage, Status
from regie.legal_assistance.services import receive
from regie.organisation.roles import Role
from tests.legal_assistance.samples import message

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=UTC)


def _pnr(n: int, received: dt.datetime, done: dt.datetime | None = None) -> LegalMessage:
    text = json.dumps(
        message(
            kind="pnr_hit",
            purpose="locate",
            channel="pnr",
            references={"interpol": f"2025/{n:05d}"},
            received_at=received.isoformat(),
            subjects=[{"forename": "Reiziger", "name": f"Nummer{n}"}],
        )
    )
    msg = receive(text, channel="test")
    assert isinstance(msg, LegalMessage), msg
    if done is not None:  # the desk answered it
        LegalMessage.objects.filter(pk=msg.pk).update(done_at=done, status=Status.ANSWERED)
    return msg


@pytest.fixture
def hits() -> None:
    _pnr(1, _at(3, 10), _at(4, 9))  # A: Monday 3 March, handled the next day
    _pnr(2, _at(5, 10))  # B: open
    _pnr(3, _at(10, 8), _at(11, 15))  # C: Monday 10 March, handled on the 11th
    _pnr(4, _at(11, 11))  # D: open
    _pnr(5, _at(12, 9), _at(12, 11))  # E: handled the same morning
    # Not a PNR hit: not counted.
    other = receive(
        json.dumps(
            message(references={"interpol": "2025/09999"}, received_at=_at(11, 9).isoformat())
        ),
        channel="test",
    )
    assert isinstance(other, LegalMessage)


def _rows(rows: list[reporting.WorkloadRow]) -> dict[str, tuple[int, int, int]]:
    return {r.start.isoformat(): (r.received, r.handled, r.open) for r in rows}


def test_weekly_and_daily_pnr_series_hand_checked(hits: None) -> None:
    r = reporting.report(_at(12, 12))
    weekly = _rows(r.pnr_weekly)
    # Weeks (Monday) from the one holding 12 February (28 days back) to this week.
    assert next(iter(weekly)) == "2025-02-10" and list(weekly)[-1] == "2025-03-10"
    assert weekly["2025-02-24"] == (0, 0, 0)
    assert weekly["2025-03-03"] == (2, 1, 1)  # A and B in, A handled, B open on Sunday night
    assert weekly["2025-03-10"] == (3, 2, 2)  # C, D, E in; C, E handled; B and D open
    daily = _rows(r.pnr_daily)
    assert len(daily) == 29 and next(iter(daily)) == "2025-02-12"
    assert daily["2025-03-03"] == (1, 0, 1)
    assert daily["2025-03-04"] == (0, 1, 0)
    assert daily["2025-03-05"] == (1, 0, 1)
    assert daily["2025-03-09"] == (0, 0, 1)
    assert daily["2025-03-10"] == (1, 0, 2)
    assert daily["2025-03-11"] == (1, 1, 2)  # D in, C handled
    assert daily["2025-03-12"] == (1, 1, 2)  # E in and handled
    assert sum(received for received, _, _ in daily.values()) == 5
    figure = r.pnr_figure()
    by_name = {trace["name"]: trace for trace in figure["data"]}
    assert sum(by_name["ontvangen per dag"]["y"]) == 5
    assert sum(by_name["afgehandeld per week"]["y"]) == 3
    assert by_name["open (einde dag)"]["y"][-1] == 2
    csv = reporting.csv_rows(r)
    assert ["pnr ontvangen per week", "2025-03-10", "PNR-hit", "", "3"] in csv
    assert ["pnr afgehandeld per week", "2025-03-03", "PNR-hit", "", "1"] in csv
    assert ["pnr open einde week", "2025-03-09", "PNR-hit", "", "1"] in csv
    assert ["pnr open einde dag", "2025-03-11", "PNR-hit", "", "2"] in csv
    assert ["pnr afgehandeld per dag", "2025-03-04", "PNR-hit", "", "1"] in csv


def test_no_pnr_hits_gives_zero_series() -> None:
    r = reporting.report(_at(12, 12))
    assert len(r.pnr_daily) == 29 and len(r.pnr_weekly) == 5
    assert all((w.received, w.handled, w.open) == (0, 0, 0) for w in r.pnr_weekly)


def test_page_and_export_show_the_pnr_workload(client_for: Callable[..., Client]) -> None:
    lirc = client_for(Role.LIRC_OFFICER)
    now = timezone.now().replace(microsecond=0)
    received = now - dt.timedelta(days=2)
    _pnr(7, received)
    response = lirc.get(reverse("legal_assistance:management"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "PNR-werklast" in body and 'data-figure="pnr-figure"' in body
    assert 'id="pnr-figure"' in body and "vendor/plotly.min" in body
    figure = response.context["pnr_figure"]
    assert sum(next(t for t in figure["data"] if t["name"] == "ontvangen per dag")["y"]) == 1
    day = timezone.localtime(received).date().isoformat()
    export = lirc.get(reverse("legal_assistance:management_export")).content.decode()
    assert f"pnr ontvangen per dag,{day},PNR-hit,,1" in export
