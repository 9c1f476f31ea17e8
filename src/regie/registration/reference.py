"""Loads the police offence classification and the seriousness ranks (reference data in
``data/``). Used by migration 0002 and after a test flush; rerunnable (updates in place)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def load_offence_reference(category_model: Any = None, code_model: Any = None) -> int:
    if category_model is None or code_model is None:
        from regie.registration.models import IncidentCode, OffenceCategory

        category_model, code_model = OffenceCategory, IncidentCode
    with (DATA / "offence_seriousness.csv").open(encoding="utf-8") as fh:
        seriousness = {r["category_code"]: r for r in csv.DictReader(fh)}
    with (DATA / "politie_soort_misdrijf.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    categories: dict[str, Any] = {}
    for r in rows:
        code = r["category_code"]
        if code in categories:
            continue
        s = seriousness[code]
        categories[code], _ = category_model.objects.update_or_create(
            code=code,
            defaults={
                "title": r["category_title"],
                "seriousness_rank": int(s["rank"]),
                "max_penalty_years": Decimal(s["max_penalty_years"]),
                "rationale": s["rationale"][:200],
            },
        )
    for r in rows:
        code_model.objects.update_or_create(
            code=r["incident_code"],
            category=categories[r["category_code"]],
            defaults={"title": r["incident_title"][:100]},
        )
    if category_model.__module__.startswith("regie."):
        # Not inside a migration: the service caches code ids.
        from regie.registration.services import clear_code_cache

        clear_code_cache()
    return len(rows)
