"""Working-day deadlines of the case flow. Pure (no Django).

First screening is due within three working days of the report; a case put before ZSM is
due a decision within six hours. Working days follow the Algemene termijnenwet: not Saturday
or Sunday, and not a general holiday (Nieuwjaarsdag, Pasen, Hemelvaartsdag, Pinksteren,
Kerstmis, Koningsdag and 5 mei). The holidays come from the ``holidays`` package; its Dutch
calendar lists Goede Vrijdag, which the law does not, and has 5 mei only in lustrum years.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

FIRST_SCREENING_WORKING_DAYS = 3
ZSM_DECISION = dt.timedelta(hours=6)


@lru_cache(maxsize=64)
def general_holidays(year: int) -> frozenset[dt.date]:
    days = {
        day
        for day, name in holidays.country_holidays("NL", years=year, language="nl").items()
        if "goede vrijdag" not in name.lower()
    }
    days.add(dt.date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in general_holidays(day.year)


@lru_cache(maxsize=4096)
def _working_days_after(day: dt.date, days: int) -> dt.date:
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """The same clock time ``days`` working days later (a report on Friday evening with three
    working days is due Wednesday evening; one on Saturday counts from Monday)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = _working_days_after(moment.date(), days)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def screening_due(reported_at: dt.datetime) -> dt.datetime:
    return add_working_days(reported_at, FIRST_SCREENING_WORKING_DAYS)


def zsm_due(put_before_zsm_at: dt.datetime) -> dt.datetime:
    return put_before_zsm_at + ZSM_DECISION
