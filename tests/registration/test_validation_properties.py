"""Property tests of the registration rules (pure: no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from regie.registration.inputs import OffenceIn, RegistrationIn
from regie.registration.validation import RD_BOUNDS, validate

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
CODES = frozenset({"A72", "A20", "C40", "F550"})
moments = st.datetimes(
    min_value=dt.datetime(1901, 1, 1),
    max_value=dt.datetime(2026, 11, 27),
    timezones=st.just(dt.UTC),
)


def reg(**kw: object) -> RegistrationIn:
    base: dict[str, object] = {
        "kind": "aangifte",
        "channel": "desk",
        "occurred_from": NOW - dt.timedelta(days=2),
        "occurred_to": NOW - dt.timedelta(days=1),
        "reported_at": NOW - dt.timedelta(hours=1),
        "offences": (OffenceIn("A72"),),
    }
    base.update(kw)
    return RegistrationIn(**base)  # type: ignore[arg-type]


@given(moments, moments)
def test_window_must_be_ordered(a: dt.datetime, b: dt.datetime) -> None:
    errors = validate(
        reg(occurred_from=a, occurred_to=b, reported_at=max(a, b)), now=NOW, known_codes=CODES
    )
    assert ("occurred_to" in errors) == (b < a)


@given(st.timedeltas(min_value=dt.timedelta(minutes=6), max_value=dt.timedelta(days=3650)))
def test_future_is_refused(ahead: dt.timedelta) -> None:
    errors = validate(reg(reported_at=NOW + ahead), now=NOW, known_codes=CODES)
    assert "Tijdstip ligt in de toekomst." in errors["reported_at"]


@given(
    st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True)
)
@settings(max_examples=300)
def test_coordinates_outside_the_netherlands(x: float, y: float) -> None:
    errors = validate(
        reg(x=x, y=y), now=NOW, known_codes=CODES, inside_netherlands=lambda _x, _y: True
    )
    x0, y0, x1, y1 = RD_BOUNDS
    inside = x0 <= x <= x1 and y0 <= y <= y1  # False for NaN
    assert ("x" in errors) == (not inside)


@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=5))
def test_unknown_codes_are_named(codes: list[str]) -> None:
    errors = validate(reg(offences=tuple(OffenceIn(c) for c in codes)), now=NOW, known_codes=CODES)
    for i, code in enumerate(codes):
        assert (f"offences[{i}].incident_code" in errors) == (code not in CODES)


def test_report_in_the_repeated_hour_after_the_offence_is_accepted() -> None:
    """At the end of summer time 02:00-03:00 happens twice: a report at 02:10 (the second
    time, CET) 30 minutes after an offence at 02:40 (the first time, CEST) is in order."""
    from zoneinfo import ZoneInfo

    ams = ZoneInfo("Europe/Amsterdam")
    offence = dt.datetime(2019, 10, 27, 2, 40, tzinfo=ams)  # fold 0: 00:40 UTC
    report = dt.datetime(2019, 10, 27, 2, 10, fold=1, tzinfo=ams)  # 01:10 UTC
    assert report.astimezone(dt.UTC) > offence.astimezone(dt.UTC)
    errors = validate(
        reg(occurred_from=offence, occurred_to=offence, reported_at=report),
        now=NOW,
        known_codes=CODES,
    )
    assert "reported_at" not in errors
