"""The "series" step of ``regie synth``: plant the series of :mod:`regie.synth.series_gen`
around real neighbourhoods, store them with the bulk writer, and run series detection."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from regie.organisation import geodata
from regie.organisation.models import District, Neighbourhood
from regie.synth.series_gen import Anchor, plant


def anchors_in(district: District, *, limit: int = 40) -> list[Anchor]:
    """Representative points of the district's neighbourhoods (RD metres)."""
    out = []
    hoods = (
        Neighbourhood.objects.filter(base_team__district=district)
        .select_related("municipality")
        .order_by("code")[:limit]
    )
    for hood in hoods:
        p = geodata.to_rd(geodata.geometry_from_geojson(hood.geometry)).representative_point()
        out.append(Anchor(float(p.x), float(p.y), hood.name, hood.municipality.name))
    return out


def banditry_anchors(district: District, *, per_municipality: int = 2) -> list[Anchor]:
    """Points in several municipalities of the district's unit (a travelling group)."""
    out: list[Anchor] = []
    seen: dict[str, int] = {}
    hoods = (
        Neighbourhood.objects.filter(base_team__district__unit=district.unit)
        .select_related("municipality")
        .order_by("-municipality__population", "code")
    )
    for hood in hoods:
        n = seen.get(hood.municipality.code, 0)
        if n >= per_municipality or (len(seen) >= 6 and hood.municipality.code not in seen):
            continue
        seen[hood.municipality.code] = n + 1
        p = geodata.to_rd(geodata.geometry_from_geojson(hood.geometry)).representative_point()
        out.append(Anchor(float(p.x), float(p.y), hood.name, hood.municipality.name))
    return out


def plant_and_store(
    rng: random.Random, district: District, *, start: dt.date, end: dt.date, seed: int
) -> dict[str, Any]:
    from regie.registration.bulk import import_batch
    from regie.synth.series_gen import SPECS

    local = [s for s in SPECS if s.kind != "banditry"]
    roaming = [s for s in SPECS if s.kind == "banditry"]
    planted = plant(rng, anchors_in(district), start=start, end=end, seed=seed, specs=local)
    planted += plant(
        rng, banditry_anchors(district), start=start, end=end, seed=seed, specs=roaming
    )
    result = import_batch([(p.ref, p.registration) for p in planted], actor=None, source="synth")
    return {
        "planted": len(result.created),
        "rejected": len(result.errors),
        "first_rejections": [f"{k}: {v}" for k, v in list(result.errors.items())[:3]],
        "series_planted": len({p.label for p in planted}),
    }


def run(ctx: Any) -> dict[str, Any]:
    from regie.intelligence.services import run_detection
    from regie.synth.services import SCALE_PERIOD, demo_district

    start, end = SCALE_PERIOD[ctx.scale.name]
    district = demo_district()
    summary = plant_and_store(ctx.rng, district, start=start, end=end, seed=ctx.seed)
    tz = ZoneInfo("Europe/Amsterdam")
    since = dt.datetime(start.year, start.month, start.day, tzinfo=tz)
    detection = run_detection(since)
    summary["detection"] = {k: detection[k] for k in ("registrations", "proposals", "series")}
    return summary


def background(district: District, *, start: dt.date, end: dt.date, seed: int) -> int:
    """Ordinary registrations of the district for a period (the registration generator), as
    the haystack the planted series hide in; returns how many were stored (for tests and
    benchmarks of a shorter period than the synth scale's year)."""
    from regie.organisation.geodata import load_reference as load_geo
    from regie.registration.bulk import import_batch
    from regie.synth.registrations_gen import (
        GeneratorConfig,
        RegistrationGenerator,
        inputs_from_reference,
    )
    from regie.synth.services import to_registration_in

    muns, hoods = inputs_from_reference(load_geo())
    wijken = frozenset(
        Neighbourhood.objects.filter(base_team__district=district).values_list("code", flat=True)
    )
    municipalities = frozenset(
        Neighbourhood.objects.filter(code__in=wijken).values_list("municipality__code", flat=True)
    )
    config = GeneratorConfig(
        start=start,
        end=end,
        seed=seed,
        municipality_codes=municipalities,
        neighbourhood_codes=wijken,
    )
    created = 0
    batch: list[tuple[str, Any]] = []
    for entry in RegistrationGenerator(config, muns, hoods):
        batch.append((f"synth-bg:{seed}:{entry.key}", to_registration_in(entry)))
        if len(batch) >= 2000:
            created += len(import_batch(batch, actor=None, source="synth").created)
            batch.clear()
    if batch:
        created += len(import_batch(batch, actor=None, source="synth").created)
    return created
