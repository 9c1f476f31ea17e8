"""Argument types shared by Regie's management commands."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentTypeError


def date_type(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` command-line date; a clear argparse error otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
