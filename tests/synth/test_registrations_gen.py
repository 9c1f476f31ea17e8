"""Tests for regie.synth.registrations_gen (pure Python, no Django, no database).

One district-year (five municipalities around Utrecht, ~20k registrations) is generated once
per module and shared by most tests.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely

from regie.organisation.geodata import load_reference
from regie.synth.registrations_gen import (
    AMSTERDAM,
    CHANNELS,
    DIGID_BREAK,
    GOOD_KINDS,
    INCIDENT_REFERENCE_FILE,
    NEAR_REPEAT_BRANCHING,
    ONLINE_BASE,
    REGISTRATION_KINDS,
    ROLES,
    GeneratorConfig,
    MunicipalityInput,
    NeighbourhoodInput,
    OffenceMixRow,
    PersonEntry,
    RegistrationEntry,
    RegistrationGenerator,
    inputs_from_reference,
    is_valid_bsn,
    load_offence_mix,
    online_share,
    online_trend,
)

DISTRICT = frozenset({"GM0307", "GM0310", "GM0321", "GM0355", "GM0356"})
YEAR_START, YEAR_END = date(2019, 1, 1), date(2019, 12, 31)
BURGLARY = frozenset({"A20", "A30", "B20", "A21", "A34"})
BICYCLE = frozenset({"A72", "A73"})


@dataclass(frozen=True)
class World:
    municipalities: list[MunicipalityInput]
    neighbourhoods: list[NeighbourhoodInput]


@dataclass(frozen=True)
class DistrictYear:
    generator: RegistrationGenerator
    registrations: list[RegistrationEntry]
    seconds: float


@pytest.fixture(scope="module")
def world() -> World:
    municipalities, neighbourhoods = inputs_from_reference(load_reference())
    return World(municipalities, neighbourhoods)


@pytest.fixture(scope="module")
def mix() -> list[OffenceMixRow]:
    return load_offence_mix()


@pytest.fixture(scope="module")
def district_year(world: World) -> DistrictYear:
    config = GeneratorConfig(start=YEAR_START, end=YEAR_END, municipality_codes=DISTRICT, seed=11)
    generator = RegistrationGenerator(config, world.municipalities, world.neighbourhoods)
    t0 = time.perf_counter()
    registrations = list(generator)
    return DistrictYear(generator, registrations, time.perf_counter() - t0)


def main_code(r: RegistrationEntry) -> str:
    return r.offences[0].incident_code


def digest(entries: Sequence[RegistrationEntry]) -> str:
    h = hashlib.sha256()
    for e in entries:
        h.update(repr(e).encode())
    return h.hexdigest()


def knox(xs: np.ndarray, ys: np.ndarray, ts: np.ndarray) -> int:
    """Pairs closer than 200 m and 14 days."""
    n, count = len(xs), 0
    for i in range(0, n, 400):
        dx = xs[i : i + 400, None] - xs[None, :]
        dy = ys[i : i + 400, None] - ys[None, :]
        dt = np.abs(ts[i : i + 400, None] - ts[None, :])
        count += int(((dx * dx + dy * dy < 200.0**2) & (dt < 14.0)).sum())
    return (count - n) // 2


# --------------------------------------------------------------------------- offence mix


def test_offence_mix_file(mix: list[OffenceMixRow]) -> None:
    with INCIDENT_REFERENCE_FILE.open(encoding="utf-8") as fh:
        reference = {(r["incident_code"], r["category_code"]) for r in csv.DictReader(fh)}
    assert 40 <= len(mix) <= 70
    assert all((r.incident_code, r.category_code) in reference for r in mix)
    by_code = {r.incident_code: r for r in mix}
    for code in ("A72", "A50", "A20", "A10", "C40", "F530", "F550", "A40", "B70"):
        assert code in by_code
    assert by_code["F636"].category_code.startswith("3.9.")  # online purchase fraud
    total = sum(r.weight for r in mix)
    vvc = sum(r.weight for r in mix if r.vvc) / total
    assert 0.80 <= vvc <= 0.85
    assert {r.incident_code for r in mix if r.near_repeat} == BURGLARY | BICYCLE
    for code in ("A20", "B70", "B73", "F550", "F530", "F521"):
        assert by_code[code].high_impact
    for code in ("A72", "A50", "C40", "F636"):
        assert not by_code[code].high_impact
    assert {r.kind for r in mix} == {"aangifte", "melding"}
    # the bulk of registered crime is in the high-volume offences
    assert by_code["A72"].weight == max(r.weight for r in mix)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A72,1.1.1,10,1,0,1,aangifte", "unknown code"),
        ("ZZ99,1.2.3,10,1,0,1,aangifte", "unknown code"),
        ("A72,1.2.3,0,1,0,1,aangifte", "weight"),
        ("A72,1.2.3,10,2,0,1,aangifte", "vvc"),
        ("A72,1.2.3,10,1,0,1,aanhouding", "kind"),
    ],
)
def test_load_offence_mix_rejects_bad_rows(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "mix.csv"
    path.write_text(
        "incident_code,category_code,weight,vvc,high_impact,near_repeat,kind\n" + line + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=message):
        load_offence_mix(path)


# --------------------------------------------------------------------------- volume


def test_national_volume_and_urbanity(world: World) -> None:
    config = GeneratorConfig(start=YEAR_START, end=YEAR_END)
    gen = RegistrationGenerator(config, world.municipalities, world.neighbourhoods)
    expected = gen.expected_by_municipality()
    assert len(expected) == 355
    assert gen.expected_count() == pytest.approx(800_000 * 365 / 365.25, rel=0.01)
    # per municipality proportional to population x (density / median density) ** 0.3
    by_code = {m.code: m for m in world.municipalities}
    densities = [m.population / m.area_km2 for m in world.municipalities]
    median = statistics.median(densities)
    ratios = [
        expected[c] / (m.population * (m.population / m.area_km2 / median) ** 0.3)
        for c, m in by_code.items()
    ]
    assert max(ratios) / min(ratios) == pytest.approx(1.0, abs=1e-9)
    # dense municipalities have more crime per inhabitant
    per_capita = {c: expected[c] / by_code[c].population for c in expected}
    assert per_capita["GM0363"] > 1.5 * per_capita["GM1680"]  # Amsterdam vs Aa en Hunze


def test_district_volume(world: World, district_year: DistrictYear) -> None:
    gen, regs = district_year.generator, district_year.registrations
    weights = {
        m.code: m.population * (m.population / m.area_km2) ** 0.3 for m in world.municipalities
    }
    share = sum(weights[c] for c in DISTRICT) / sum(weights.values())
    formula = 800_000 * share * 365 / 365.25
    assert gen.expected_count() == pytest.approx(formula, rel=0.01)
    assert 15_000 <= gen.expected_count() <= 35_000  # the demo size
    assert len(regs) == pytest.approx(gen.expected_count(), rel=0.03)
    counts = Counter(r.municipality_code for r in regs)
    for code, exp in gen.expected_by_municipality().items():
        assert abs(counts[code] - exp) < 5 * math.sqrt(exp) + 0.03 * exp


def test_demo_speed(district_year: DistrictYear) -> None:
    assert district_year.seconds < 20.0


def test_neighbourhood_restriction(world: World) -> None:
    utrecht = sorted(n.code for n in world.neighbourhoods if n.municipality_code == "GM0344")
    chosen = frozenset(utrecht[:3])
    config = GeneratorConfig(
        start=date(2019, 3, 1),
        end=date(2019, 3, 31),
        municipality_codes=frozenset({"GM0344"}),
        neighbourhood_codes=chosen,
    )
    full = RegistrationGenerator(
        GeneratorConfig(
            start=config.start, end=config.end, municipality_codes=frozenset({"GM0344"})
        ),
        world.municipalities,
        world.neighbourhoods,
    )
    part = RegistrationGenerator(config, world.municipalities, world.neighbourhoods)
    pop = {n.code: n.population for n in world.neighbourhoods}
    fraction = sum(pop[c] for c in chosen) / sum(pop[c] for c in utrecht)
    assert part.expected_count() == pytest.approx(full.expected_count() * fraction, rel=0.01)
    regs = list(part)
    assert regs
    assert {r.neighbourhood_code for r in regs} <= chosen


# --------------------------------------------------------------------------- records


def test_records_are_valid(world: World, district_year: DistrictYear) -> None:
    regs = district_year.registrations
    hoods = {n.code: n for n in world.neighbourhoods}
    keys = set()
    for r in regs:
        assert r.key not in keys
        keys.add(r.key)
        assert re.fullmatch(r"PL\d{4}-2019\d{6}", r.key)
        assert r.kind in REGISTRATION_KINDS
        assert r.channel in CHANNELS
        assert r.offences
        assert len({o.incident_code for o in r.offences}) == len(r.offences)
        for dt in (r.occurred_from, r.occurred_to, r.reported_at):
            assert isinstance(dt.tzinfo, ZoneInfo)
            assert dt.tzinfo == AMSTERDAM
            assert dt.astimezone(UTC).astimezone(AMSTERDAM) == dt  # no times in the DST gap
            assert dt.second == 0 and dt.microsecond == 0
        # compare instants: same-zone comparisons in Python ignore ``fold`` (DST end)
        assert r.occurred_from.timestamp() <= r.occurred_to.timestamp() < r.reported_at.timestamp()
        assert hoods[r.neighbourhood_code].municipality_code == r.municipality_code
        assert r.municipality_code in DISTRICT
        assert r.damage_eur is None or r.damage_eur > 0
        assert r.narrative
        for inv in r.involvements:
            assert inv.role in ROLES
            assert sum(o is not None for o in (inv.person, inv.good, inv.organisation)) == 1
            if inv.good is not None:
                assert inv.good.kind in GOOD_KINDS
                assert inv.role in {"stolen_good", "found_good"}
            if inv.organisation is not None:
                assert inv.role == "injured_organisation"
        if r.kind == "aanhouding":
            assert r.channel == "street"
        victims = {i.person.true_key for i in r.involvements if i.role == "victim" and i.person}
        suspects = {i.person.true_key for i in r.involvements if i.role == "suspect" and i.person}
        assert not victims & suspects
    # the true occurrence lies in the period; a window may start a few days before it
    assert min(r.occurred_to for r in regs).date() >= YEAR_START - timedelta(days=1)
    assert max(r.occurred_from for r in regs).date() <= YEAR_END
    # points lie inside their neighbourhood
    by_hood: dict[str, list[RegistrationEntry]] = defaultdict(list)
    for r in regs:
        by_hood[r.neighbourhood_code].append(r)
    for code, items in by_hood.items():
        xs = np.array([r.x for r in items])
        ys = np.array([r.y for r in items])
        inside = shapely.contains_xy(hoods[code].geometry_rd, xs, ys)
        assert inside.all(), code


def test_offence_mix_followed(district_year: DistrictYear, mix: list[OffenceMixRow]) -> None:
    regs = district_year.registrations
    counts = Counter(main_code(r) for r in regs)
    total_weight = sum(r.weight for r in mix)
    for row in mix:
        expected = len(regs) * row.weight / total_weight
        assert abs(counts[row.incident_code] - expected) < 5 * math.sqrt(expected) + 0.1 * expected
    by_code = {r.incident_code: r for r in mix}
    vvc = sum(by_code[main_code(r)].vvc for r in regs) / len(regs)
    assert 0.80 <= vvc <= 0.85


def test_several_offences(district_year: DistrictYear) -> None:
    regs = district_year.registrations
    multi = [r for r in regs if len(r.offences) > 1]
    assert 0.10 <= len(multi) / len(regs) <= 0.15
    pairs = Counter(
        (r.offences[0].incident_code, o.incident_code) for r in multi for o in r.offences[1:]
    )
    assert pairs[("A20", "C40")] > 0  # burglary + vandalism
    assert pairs[("F530", "F550")] > 0  # threat + assault
    assert pairs[("F550", "F530")] > 0


def test_arrests(district_year: DistrictYear) -> None:
    regs = district_year.registrations
    arrests = [r for r in regs if r.kind == "aanhouding"]
    assert 0.06 <= len(arrests) / len(regs) <= 0.10
    for r in arrests:
        arrested = {i.person.true_key for i in r.involvements if i.role == "arrested" and i.person}
        suspects = {i.person.true_key for i in r.involvements if i.role == "suspect" and i.person}
        assert arrested
        assert arrested <= suspects
    # meldingen keep the incident code they are classified under
    meldingen = [r for r in regs if r.kind == "melding"]
    assert meldingen
    assert all(r.offences for r in meldingen)


# --------------------------------------------------------------------------- channels


def test_online_share_function() -> None:
    for code in ONLINE_BASE:
        before = online_share(DIGID_BREAK - timedelta(days=1), code)
        after = online_share(DIGID_BREAK, code)
        assert before - after >= 0.10
        # rising before the break, recovering to +2 points two years later
        assert online_share(date(2014, 4, 1), code) < before
        recovered = online_share(date(2019, 4, 1), code)
        assert recovered == pytest.approx(before + 0.02, abs=0.002)
        assert online_share(date(2018, 4, 1), code) < recovered
        days = [DIGID_BREAK + timedelta(days=30 * i) for i in range(25)]
        shares = [online_share(d, code) for d in days]
        assert shares == sorted(shares)  # monotone recovery
    assert online_share(date(2019, 1, 1), "F550") == 0.0
    assert online_share(date(2019, 1, 1), "A73") == 0.0
    assert online_trend(DIGID_BREAK - timedelta(days=1)) == pytest.approx(0.0, abs=0.001)


def test_online_share_drop_in_data(world: World, mix: list[OffenceMixRow]) -> None:
    # only the offence types that may be reported online, to get many of them quickly
    eligible_mix = [r for r in mix if r.incident_code in ONLINE_BASE]
    config = GeneratorConfig(
        start=date(2017, 3, 1), end=date(2017, 4, 30), municipality_codes=DISTRICT, seed=5
    )
    gen = RegistrationGenerator(config, world.municipalities, world.neighbourhoods, eligible_mix)
    regs = [r for r in gen if r.kind != "aanhouding"]
    assert {main_code(r) for r in regs} == set(ONLINE_BASE)

    def share(month: int) -> tuple[float, float]:
        items = [r for r in regs if r.occurred_to.month == month and r.occurred_to.year == 2017]
        observed = sum(r.channel == "internet" for r in items) / len(items)
        model = statistics.fmean(online_share(r.occurred_to.date(), main_code(r)) for r in items)
        return observed, model

    march, model_march = share(3)
    april, model_april = share(4)
    assert march - april >= 0.07  # model: about 0.13
    assert march == pytest.approx(model_march, abs=0.035)
    assert april == pytest.approx(model_april, abs=0.035)


def test_channels_and_delays(district_year: DistrictYear) -> None:
    regs = district_year.registrations
    channels = Counter(r.channel for r in regs)
    assert channels["desk"] > channels["phone"] > channels["video"] > 0
    assert channels["internet"] > 0 and channels["street"] > 0 and channels["tipline"] > 0
    # internet reports only for the offence types that may be reported online
    assert all(main_code(r) in ONLINE_BASE for r in regs if r.channel == "internet")
    assert channels["chatbot"] == 0  # only from 2020

    def median_delay(channel: str) -> float:
        return statistics.median(
            (r.reported_at - r.occurred_to).total_seconds() / 3600
            for r in regs
            if r.channel == channel
        )

    assert median_delay("internet") > median_delay("phone") > median_delay("street")
    assert median_delay("street") < 2
    anonymous = [r for r in regs if r.channel == "tipline"]
    assert all(i.role != "reporter" for r in anonymous for i in r.involvements)


# --------------------------------------------------------------------------- time


def test_time_patterns(district_year: DistrictYear) -> None:
    regs = district_year.registrations
    exact = [r for r in regs if r.occurred_to - r.occurred_from <= timedelta(minutes=30)]

    # nightlife violence clusters in weekend nights
    violence = [r for r in exact if main_code(r) in {"F550", "F12"}]
    weekend_night = sum(
        r.occurred_from.weekday() in (5, 6) and r.occurred_from.hour < 6 for r in violence
    )
    week_night = sum(
        r.occurred_from.weekday() in (1, 2) and r.occurred_from.hour < 6 for r in violence
    )
    assert weekend_night > 2.5 * week_night

    # residential burglary: daytime and evening rather than night
    burglary = [
        r
        for r in regs
        if main_code(r) == "A20" and r.occurred_to - r.occurred_from <= timedelta(hours=6)
    ]
    mid_hours = [(r.occurred_from + (r.occurred_to - r.occurred_from) / 2).hour for r in burglary]
    assert sum(8 <= h < 23 for h in mid_hours) / len(mid_hours) > 0.75

    # shoplifting during opening hours
    shop = [r.occurred_from.hour for r in exact if main_code(r) == "A50"]
    assert sum(9 <= h <= 20 for h in shop) / len(shop) > 0.9


def test_seasonality(district_year: DistrictYear) -> None:
    regs = district_year.registrations

    def per_day(codes: frozenset[str], months: set[int]) -> float:
        n = sum(
            main_code(r) in codes and r.occurred_to.month in months and r.occurred_to.year == 2019
            for r in regs
        )
        days = sum(1 for i in range(365) if (YEAR_START + timedelta(days=i)).month in months)
        return n / days

    assert per_day(BICYCLE, {9, 10, 11}) > 1.4 * per_day(BICYCLE, {1, 2})
    assert per_day(frozenset({"A20", "A30"}), {11, 12, 1}) > 1.3 * per_day(
        frozenset({"A20", "A30"}), {5, 6, 7}
    )


def test_occurred_windows(district_year: DistrictYear) -> None:
    regs = district_year.registrations

    def windowed(codes: set[str]) -> float:
        items = [r for r in regs if main_code(r) in codes]
        return sum(r.occurred_to - r.occurred_from >= timedelta(hours=1) for r in items) / len(
            items
        )

    assert windowed({"A20"}) > 0.6
    assert windowed({"A72"}) > 0.5
    assert windowed({"F550", "F530"}) < 0.05
    # some burglaries span days (holidays)
    assert any(
        r.occurred_to - r.occurred_from > timedelta(days=2) for r in regs if main_code(r) == "A20"
    )


# --------------------------------------------------------------------------- near repeats


def test_near_repeat_knox(district_year: DistrictYear) -> None:
    regs = district_year.registrations
    stats = district_year.generator.last_stats
    assert stats is not None
    share = stats.near_repeat_children / stats.near_repeat_events
    assert 0.10 <= share <= 0.15
    assert share == pytest.approx(NEAR_REPEAT_BRANCHING, abs=0.02)

    rng = np.random.default_rng(0)
    for codes, min_ratio in ((BURGLARY, 1.5), (BICYCLE, 1.25), (frozenset({"C40"}), None)):
        items = [r for r in regs if main_code(r) in codes]
        xs = np.array([r.x for r in items])
        ys = np.array([r.y for r in items])
        ts = np.array(
            [(r.occurred_from.timestamp() + r.occurred_to.timestamp()) / 172_800 for r in items]
        )
        observed = knox(xs, ys, ts)
        shuffled = [knox(xs, ys, rng.permutation(ts)) for _ in range(4)]
        baseline = statistics.fmean(shuffled)
        spread = max(statistics.stdev(shuffled), math.sqrt(baseline))
        if min_ratio is None:  # no near-repeat mechanism: no space-time interaction
            assert observed < baseline + 4 * spread
        else:
            assert observed > min_ratio * baseline
            assert observed > baseline + 5 * spread


# --------------------------------------------------------------------------- identities


def test_bsn_elfproef() -> None:
    assert is_valid_bsn("111222333")
    assert is_valid_bsn("123456782")
    assert not is_valid_bsn("123456789")
    assert not is_valid_bsn("12345678")
    assert not is_valid_bsn("12345678a")


def persons(regs: Sequence[RegistrationEntry]) -> dict[str, list[PersonEntry]]:
    """Entries per true key, one per registration, in order of appearance."""
    result: dict[str, list[PersonEntry]] = defaultdict(list)
    for r in regs:
        seen: set[str] = set()
        for inv in r.involvements:
            if inv.person is not None and inv.person.true_key not in seen:
                seen.add(inv.person.true_key)
                result[inv.person.true_key].append(inv.person)
    return result


def test_persons_recur_with_noise(district_year: DistrictYear) -> None:
    by_key = persons(district_year.registrations)
    appearances = Counter({k: len(v) for k, v in by_key.items()})
    assert appearances.most_common(1)[0][1] >= 10  # prolific repeat offenders/victims
    recurring = {k: v for k, v in by_key.items() if len(v) > 1}
    assert len(recurring) > 300

    bsn_owner: dict[str, str] = {}
    later = typo = swap = particle = missing_bsn = 0
    for key, entries in by_key.items():
        first = entries[0]
        bsns = {e.bsn for e in entries if e.bsn is not None}
        assert len(bsns) <= 1
        for bsn in bsns:
            assert is_valid_bsn(bsn)
            assert bsn_owner.setdefault(bsn, key) == key
        assert len({e.nationality for e in entries}) == 1
        dobs = {e.date_of_birth for e in entries if e.date_of_birth is not None}
        for dob in dobs:
            assert date(1940, 1, 1) <= dob <= date(2008, 12, 31)
        for e in entries[1:]:
            later += 1
            missing_bsn += e.bsn is None
            if e.particle != first.particle:
                particle += 1
            elif e.surname != first.surname:
                typo += 1
            if (
                e.date_of_birth is not None
                and first.date_of_birth is not None
                and e.date_of_birth != first.date_of_birth
            ):
                d, f = e.date_of_birth, first.date_of_birth
                assert (d.year, d.month, d.day) == (f.year, f.day, f.month)
                swap += 1
    assert later > 1000
    assert 0.03 <= typo / later <= 0.075
    assert 0.015 <= swap / later <= 0.045
    assert particle > 0
    assert missing_bsn / later > 0.1


def test_names_are_varied(district_year: DistrictYear) -> None:
    entries = [e for v in persons(district_year.registrations).values() for e in v]
    particles = Counter(e.particle for e in entries)
    assert particles["van der"] > 0 and particles["de"] > 0
    surnames = {e.surname for e in entries}
    assert {"Yılmaz", "Öztürk", "Ramdin", "Nowak"} & surnames
    assert any(" " in s for s in surnames)  # "El Amrani", or a particle glued on: "Van der Meer"
    nationalities = Counter(e.nationality for e in entries)
    assert nationalities["NL"] / len(entries) > 0.75
    assert len(nationalities) >= 6
    no_bsn_foreigners = [e for e in entries if e.bsn is None and e.nationality != "NL"]
    assert no_bsn_foreigners
    # dates of birth are spread out (no pile-up at the 1940/2008 bounds)
    first_dobs = Counter(v[0].date_of_birth for v in persons(district_year.registrations).values())
    first_dobs.pop(None, None)
    assert first_dobs.most_common(1)[0][1] <= 0.002 * sum(first_dobs.values()) + 5


def test_goods_recur(district_year: DistrictYear) -> None:
    regs = district_year.registrations
    stolen_at: dict[str, tuple[RegistrationEntry, str | None]] = {}
    found = 0
    for r in regs:
        for inv in r.involvements:
            good = inv.good
            if good is None:
                continue
            if good.imei is not None:
                digits = [int(c) for c in good.imei]
                assert len(digits) == 15
                total = sum(
                    d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d)
                    for i, d in enumerate(digits)
                )
                assert total % 10 == 0  # Luhn
            if inv.role == "stolen_good":
                stolen_at[good.true_key] = (r, good.frame_number)
            else:
                found += 1
                origin, frame = stolen_at[good.true_key]
                assert origin.occurred_from <= r.reported_at
                if good.kind == "bicycle":
                    assert good.frame_number is not None
                    assert frame is None or frame == good.frame_number
    assert found > 50
    plates = [
        i.good.plate for r in regs for i in r.involvements if i.good is not None and i.good.plate
    ]
    assert plates
    assert all(re.fullmatch(r"[0-9A-Z]{1,3}-[0-9A-Z]{2,3}-[0-9A-Z]{1,2}", p) for p in plates)


def test_organisations_recur(district_year: DistrictYear) -> None:
    orgs = Counter(
        i.organisation.true_key
        for r in district_year.registrations
        for i in r.involvements
        if i.organisation is not None
    )
    assert orgs.most_common(1)[0][1] >= 20  # a shop that is hit again and again
    kvks = [
        i.organisation.kvk_number
        for r in district_year.registrations
        for i in r.involvements
        if i.organisation is not None and i.organisation.kvk_number is not None
    ]
    assert kvks and all(re.fullmatch(r"\d{8}", k) for k in kvks)


# --------------------------------------------------------------------------- determinism


def test_deterministic(world: World, district_year: DistrictYear) -> None:
    config = district_year.generator.config
    again = RegistrationGenerator(config, world.municipalities, world.neighbourhoods)
    first = []
    for entry in again:
        first.append(entry)
        if len(first) == 1000:
            break
    assert digest(first) == digest(district_year.registrations[:1000])
    other = RegistrationGenerator(
        GeneratorConfig(start=config.start, end=config.end, municipality_codes=DISTRICT, seed=12),
        world.municipalities,
        world.neighbourhoods,
    )
    second = [e for _, e in zip(range(1000), other, strict=False)]
    assert digest(second) != digest(first)
