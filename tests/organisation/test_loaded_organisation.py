from __future__ import annotations

import csv
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from regie.organisation import selectors
from regie.organisation.models import BaseTeam, District, Municipality, Neighbourhood, Unit
from regie.organisation.roles import Role
from regie.organisation.services import OrganisationError, import_structure, load_reference
from regie.organisation.signals import structure_changed

pytestmark = pytest.mark.django_db


def test_reference_data_loaded() -> None:
    assert Unit.objects.filter(is_national=False).count() == 10
    assert Unit.objects.get(code="LE").is_national
    assert Unit.objects.filter(name="Den Haag").count() == 1
    assert Municipality.objects.count() == 355
    assert Neighbourhood.objects.count() == 3177
    assert sum(Municipality.objects.values_list("population", flat=True)) == 17_427_806
    assert 140 <= BaseTeam.objects.count() <= 200
    assert 30 <= District.objects.count() <= 60
    assert not BaseTeam.objects.filter(generated=False).exists()


def test_every_neighbourhood_in_a_team_of_its_own_unit() -> None:
    assert not Neighbourhood.objects.filter(base_team__isnull=True).exists()
    mismatched = Neighbourhood.objects.exclude(
        base_team__district__unit=models_unit_of_municipality()
    )
    assert not mismatched.exists()


def models_unit_of_municipality():  # type: ignore[no-untyped-def]
    from django.db.models import F

    return F("municipality__unit")


def test_split_municipalities_are_big_cities() -> None:
    split = Municipality.objects.filter(base_team__isnull=True)
    assert split.exists()
    assert all(m.population > 150_000 for m in split)
    assert Municipality.objects.get(code="GM0363").base_team is None  # Amsterdam


def test_load_is_idempotent() -> None:
    before = BaseTeam.objects.count()
    report = load_reference()
    assert not report.created and BaseTeam.objects.count() == before


@pytest.mark.parametrize(
    ("x", "y", "crs", "mun"),
    [
        (4.8925, 52.3731, "EPSG:4326", "GM0363"),  # Dam, Amsterdam
        (136867, 455892, "EPSG:28992", "GM0344"),  # Domtoren, Utrecht
    ],
)
def test_locate_known_places(x: float, y: float, crs: str, mun: str) -> None:
    p = selectors.locate(x, y, crs)
    assert p is not None and p.municipality.code == mun
    assert p.neighbourhood is not None and p.base_team is not None
    assert p.base_team == p.neighbourhood.base_team
    assert p.unit == p.municipality.unit


def test_locate_in_the_north_sea_is_none() -> None:
    assert selectors.locate(3.5, 53.5, "EPSG:4326") is None


def export_structure_rows() -> list[dict[str, str]]:
    rows = []
    for w in Neighbourhood.objects.select_related("municipality", "base_team__district__unit"):
        t = w.base_team
        rows.append(
            {
                "unit_code": t.district.unit.code,
                "district_code": t.district.code,
                "district_name": t.district.name,
                "base_team_code": t.code,
                "base_team_name": t.name,
                "municipality_code": w.municipality.code,
                "neighbourhood_code": w.code,
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_import_structure_from_csv_replaces_generated(tmp_path: Path) -> None:
    rows = export_structure_rows()
    # Real structure: merge every team of one district into one base team "X-1".
    district = District.objects.order_by("code").first()
    assert district is not None
    for r in rows:
        r["base_team_name"] = "Echt " + r["base_team_name"]
        if r["district_code"] == district.code:
            r["base_team_code"], r["base_team_name"] = "X-1", "Basisteam Samengevoegd"
    path = tmp_path / "structure.csv"
    write_csv(path, rows)
    out = StringIO()
    call_command("org", "import-structure", str(path), stdout=out)
    assert "structure imported" in out.getvalue()
    merged = BaseTeam.objects.get(code="X-1")
    assert not merged.generated and merged.district == district
    assert not BaseTeam.objects.filter(district=district).exclude(code="X-1").exists()
    assert not BaseTeam.objects.filter(generated=True).exists()
    assert merged.population == sum(merged.neighbourhoods.values_list("population", flat=True))


def test_import_with_whole_municipality_rows(tmp_path: Path) -> None:
    rows = export_structure_rows()
    # Collapse rows of unsplit municipalities to one row without neighbourhood_code.
    seen: set[str] = set()
    compact = []
    split = set(Municipality.objects.filter(base_team__isnull=True).values_list("code", flat=True))
    for r in rows:
        if r["municipality_code"] in split:
            compact.append(r)
        elif r["municipality_code"] not in seen:
            seen.add(r["municipality_code"])
            compact.append({**r, "neighbourhood_code": ""})
    before = dict(Neighbourhood.objects.values_list("code", "base_team__code"))
    sent: list[object] = []
    structure_changed.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="t")
    try:
        import_structure(compact)
    finally:
        structure_changed.disconnect(dispatch_uid="t")
    after = dict(Neighbourhood.objects.values_list("code", "base_team__code"))
    assert before == after
    assert len(sent) == 1  # the statistics recompute their districts and units


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows: rows[1:], "wijken zonder basisteam"),
        (lambda rows: [{**rows[0], "unit_code": "RE99"}, *rows[1:]], "onbekende eenheid"),
        (
            lambda rows: [{**rows[0], "municipality_code": "GM9999"}, *rows[1:]],
            "onbekende gemeente",
        ),
        (lambda rows: [{**rows[0], "district_name": ""}, *rows[1:]], "ontbrekende velden"),
        (
            lambda rows: [{**rows[0], "neighbourhood_code": "WK999999"}, *rows[1:]],
            "wijk 'WK999999'",
        ),
    ],
)
def test_bad_structure_changes_nothing(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    before = dict(Neighbourhood.objects.values_list("code", "base_team__code"))
    with pytest.raises(OrganisationError, match=message):
        import_structure(mutate(export_structure_rows()))
    assert dict(Neighbourhood.objects.values_list("code", "base_team__code")) == before


def test_conflicting_duplicates_are_refused() -> None:
    rows = export_structure_rows()
    first = rows[0]
    other_team = next(
        r
        for r in rows
        if r["base_team_code"] != first["base_team_code"]
        and r["district_code"] == first["district_code"]
    )
    dup = {
        **first,
        "base_team_code": other_team["base_team_code"],
        "base_team_name": other_team["base_team_name"],
    }
    with pytest.raises(OrganisationError, match="staat al bij basisteam"):
        import_structure([*rows, dup])
    renamed = {**first, "district_name": "Andere naam"}
    with pytest.raises(OrganisationError, match="heeft twee namen"):
        import_structure([*rows, renamed])


def test_whole_municipality_listed_twice_is_refused() -> None:
    rows = export_structure_rows()
    mun = rows[0]["municipality_code"]
    whole_a = {**rows[0], "neighbourhood_code": ""}
    other = next(
        r
        for r in rows
        if r["base_team_code"] != rows[0]["base_team_code"]
        and r["district_code"] == rows[0]["district_code"]
    )
    whole_b = {
        **whole_a,
        "base_team_code": other["base_team_code"],
        "base_team_name": other["base_team_name"],
    }
    rest = [r for r in rows if r["municipality_code"] != mun]
    with pytest.raises(OrganisationError, match="staat al \\(geheel\\)"):
        import_structure([*rest, whole_a, whole_b])


def test_too_long_values_are_refused() -> None:
    rows = export_structure_rows()
    rows[0] = {**rows[0], "base_team_code": "X" * 17}
    with pytest.raises(OrganisationError, match="te lang: base_team_code"):
        import_structure(rows)


def test_districts_with_staff_must_stay(make_staff) -> None:  # type: ignore[no-untyped-def]
    analyst = make_staff(Role.ANALYST)  # district level
    rows = [r for r in export_structure_rows()]
    code = analyst.district.code
    for r in rows:
        if r["district_code"] == code:
            r["district_code"], r["district_name"] = "NEW-D", "Nieuw district"
    with pytest.raises(OrganisationError, match="Districten met medewerkers ontbreken"):
        import_structure(rows)
    assert District.objects.filter(code=code).exists()


def test_force_reload_refused_with_municipality_staff(make_staff) -> None:  # type: ignore[no-untyped-def]
    make_staff(Role.MUNICIPALITY_RECIPIENT)
    with pytest.raises(CommandError, match="gemeenten gekoppeld") as exc:
        call_command("org", "load", "--force", stdout=StringIO())
    assert exc.value.returncode == 2
    assert Municipality.objects.count() == 355


@pytest.mark.parametrize(
    "content",
    [
        '{"type": "FeatureCollection", "features": [1]}',
        '{"type": "FeatureCollection", "crs": "EPSG:28992", "features": []}',
        '{"type": "FeatureCollection", "features": {"a": 1}}',
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": '
        '"Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, "properties": 5}]}',
    ],
)
def test_malformed_geojson_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(CommandError) as exc:
        call_command("org", "import-structure", str(path))
    assert exc.value.returncode == 2


def test_bad_files_give_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="kolommen ontbreken") as exc:
        call_command("org", "import-structure", str(bad))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("org", "import-structure", str(tmp_path / "missing.csv"))
    broken = tmp_path / "x.geojson"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="geen geldige JSON"):
        call_command("org", "import-structure", str(broken))


def test_import_structure_from_geojson(tmp_path: Path) -> None:
    """Base-team polygons: here each current team's neighbourhoods, merged per team."""
    from shapely.ops import unary_union

    from regie.organisation import geodata

    features = []
    for t in BaseTeam.objects.select_related("district__unit"):
        geom = unary_union(
            [geodata.geometry_from_geojson(w.geometry) for w in t.neighbourhoods.all()]
        )
        features.append(
            {
                "type": "Feature",
                "geometry": geodata.geometry_to_geojson(geom),
                "properties": {
                    "unit_code": t.district.unit.code,
                    "district_code": t.district.code,
                    "district_name": t.district.name,
                    "base_team_code": t.code,
                    "base_team_name": t.name + " (echt)",
                },
            }
        )
    path = tmp_path / "teams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    before = dict(Neighbourhood.objects.values_list("code", "base_team__code"))
    call_command("org", "import-structure", str(path), stdout=StringIO())
    after = dict(Neighbourhood.objects.values_list("code", "base_team__code"))
    same = sum(before[k] == after[k] for k in before)
    # Simplified outlines overlap slightly, so a few border wijken may change team.
    assert same / len(before) > 0.97
    assert BaseTeam.objects.filter(name__endswith="(echt)").count() == BaseTeam.objects.count()


def test_team_chief_sees_own_team_map_and_staff(
    client_for: Callable[..., Client], make_staff, team: BaseTeam
) -> None:  # type: ignore[no-untyped-def]
    colleague = make_staff(Role.DESK_OFFICER)
    chief = client_for(Role.TEAM_CHIEF)
    r = chief.get(reverse("organisation:my_team"))
    assert r.status_code == 302 and r["Location"] == reverse(
        "organisation:base_team", args=[team.code]
    )
    page = chief.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "uw team" in html and "team-map-data" in html and "Utrecht" in html
    assert colleague.display_name in html
    fig = page.context["map"]
    assert len(fig["data"]) >= team.neighbourhoods.count()


def test_desk_officer_sees_team_without_staff(
    client_for: Callable[..., Client], team: BaseTeam
) -> None:
    r = client_for(Role.DESK_OFFICER).get(reverse("organisation:base_team", args=[team.code]))
    assert r.status_code == 200 and r.context["staff"] is None


def test_chief_of_other_team_sees_no_staff_here(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam
) -> None:
    chief = client_for(Role.TEAM_CHIEF, at=other_team)
    r = chief.get(reverse("organisation:base_team", args=[team.code]))
    assert r.status_code == 200 and r.context["staff"] is None
