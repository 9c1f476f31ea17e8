"""Time spans and day numbers.

A :class:`Span` is a whole number of days (``"14"``, ``"14D"``, ``"2W"``) or of calendar months
(``"1M"``). Month spans exist for month-resolution data such as the data.police.uk street-level
files, where every event is dated to its month: a window of "the next 14 days" from 1 March
then holds the whole of March or nothing, while "the next month" is exact.

Internally times are *day numbers*: days since 1970-01-01 as floats, the fraction being the
time of day. A window ``[start, start + span)`` of dates is the half-open interval of day
numbers ``[day(start), day(start + span))``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import numpy as np
from numpy.typing import NDArray

_EPOCH = date(1970, 1, 1)
_SPAN_RE = re.compile(r"^\s*(\d+)\s*([dDwWmM]?)\s*$")


@dataclass(frozen=True, order=True)
class Span:
    """``n`` days (``unit="D"``) or ``n`` calendar months (``unit="M"``)."""

    n: int
    unit: Literal["D", "M"] = "D"

    def __post_init__(self) -> None:
        if self.n <= 0:
            raise ValueError(f"a span must be positive, got {self.n}")
        if self.unit not in ("D", "M"):
            raise ValueError(f"unknown span unit {self.unit!r}")

    @classmethod
    def days(cls, n: int) -> Span:
        return cls(n, "D")

    @classmethod
    def months(cls, n: int) -> Span:
        return cls(n, "M")

    @classmethod
    def parse(cls, text: str | int | Span) -> Span:
        """``14`` / ``"14"`` / ``"14D"`` = 14 days, ``"2W"`` = 14 days, ``"1M"`` = one month."""
        if isinstance(text, Span):
            return text
        if isinstance(text, int):
            return cls.days(text)
        m = _SPAN_RE.match(text)
        if not m:
            raise ValueError(
                f"cannot read {text!r} as a period: give days (14), weeks (2W) or months (1M)"
            )
        n, unit = int(m.group(1)), m.group(2).upper() or "D"
        if n <= 0:
            raise ValueError(f"a period must be positive, got {text!r}")
        if unit == "W":
            return cls.days(7 * n)
        return cls(n, "M" if unit == "M" else "D")

    def add(self, d: date, k: int = 1) -> date:
        """``d`` plus ``k`` times this span (``k`` may be negative). Month spans keep the day
        of the month, clamped to the length of the target month."""
        if self.unit == "D":
            return date.fromordinal(d.toordinal() + k * self.n)
        months = d.year * 12 + (d.month - 1) + k * self.n
        y, m = divmod(months, 12)
        last = calendar.monthrange(y, m + 1)[1]
        return date(y, m + 1, min(d.day, last))

    def sub(self, d: date, k: int = 1) -> date:
        return self.add(d, -k)

    @property
    def approx_days(self) -> float:
        return float(self.n) if self.unit == "D" else self.n * 30.436875

    def __str__(self) -> str:
        return f"{self.n}M" if self.unit == "M" else str(self.n)


def day_number(d: date | datetime) -> int:
    """Days since 1970-01-01 of a date (the time of a datetime is dropped)."""
    if isinstance(d, datetime):
        d = d.date()
    return d.toordinal() - _EPOCH.toordinal()


def from_day_number(n: int | float) -> date:
    return date.fromordinal(int(np.floor(n)) + _EPOCH.toordinal())


def day_numbers(t: NDArray[np.datetime64]) -> NDArray[np.float64]:
    """Fractional day numbers of datetime64 values."""
    seconds = t.astype("datetime64[s]").astype(np.int64)
    return seconds.astype(np.float64) / 86400.0


def to_date(value: date | datetime | str) -> date:
    """A date from a date, datetime or ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"cannot read {value!r} as a date (YYYY-MM-DD)") from None
