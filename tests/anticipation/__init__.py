"""Tests of the crime anticipation engine (plain pytest, no database)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_crime_events() -> Path:
    """The workplace's shared public crime-event files (``../shared/data/crime_events`` next
    to the checkout, or ``$REGIE_SHARED_DATA/crime_events``; on the CI machine also
    ``/work/shared/data``): the tests that need them are skipped where none is present."""
    candidates = [
        Path(os.environ["REGIE_SHARED_DATA"]) if os.environ.get("REGIE_SHARED_DATA") else None,
        Path(__file__).resolve().parents[3] / "shared" / "data",
        Path("/work/shared/data"),
    ]
    for base in candidates:
        if base is not None and (base / "crime_events").is_dir():
            return base / "crime_events"
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "crime_events"
