from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam
from regie.registration.models import Good, Person, Registration
from tests.conftest import point_in

pytestmark = pytest.mark.django_db


def row(team: BaseTeam, ref: str, **extra: str) -> dict[str, str]:
    x, y = point_in(team)
    base = {
        "ref": ref,
        "kind": "aangifte",
        "occurred_from": "2019-03-01T10:00:00",
        "occurred_to": "2019-03-01T12:00:00",
        "reported_at": "2019-03-02T09:00:00+01:00",
        "channel": "desk",
        "x": str(x),
        "y": str(y),
        "offences": "A72;C40!",
        "reporter_first_names": "Kees",
        "reporter_surname": "Visser",
        "reporter_date_of_birth": "1960-01-31",
        "good_kind": "bicycle",
        "good_frame_number": f"FR{ref}",
        "narrative": "fiets weg",
    }
    base.update(extra)
    return base


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    fields = sorted({k for r in rows for k in r})
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def test_csv_import_good_and_bad_rows_and_rerun(tmp_path: Path, team: BaseTeam) -> None:
    path = tmp_path / "legacy.csv"
    rows = [
        row(team, "1"),
        row(team, "2"),
        row(team, "3", occurred_to="2019-02-01T00:00:00"),
        row(team, "4", offences="ZZ9"),
        row(team, "5", reported_at="gisteren"),
    ]
    write_csv(path, rows)
    out = StringIO()
    with pytest.raises(CommandError, match="3 row\\(s\\) rejected") as exc:
        call_command("import", "registrations", str(path), "--no-progress", stdout=out)
    assert exc.value.returncode == 1
    assert "imported 2" in out.getvalue()
    assert Registration.objects.count() == 2
    reg = Registration.objects.get(source_ref="import:1")
    assert [(o.incident_code.code, o.attempt) for o in reg.offences.order_by("seq")] == [
        ("A72", False),
        ("C40", True),
    ]
    assert reg.base_team == team and reg.channel == "desk"
    assert Person.objects.filter(surname="Visser").count() == 1  # same person both rows
    assert Good.objects.count() == 2
    errors = list(csv.DictReader((tmp_path / "legacy.csv.errors.csv").open()))
    by_ref = {e["ref"]: e for e in errors}
    assert by_ref["import:3"]["field"] == "occurred_to" and by_ref["import:3"]["row"] == "4"
    assert by_ref["import:4"]["field"] == "offences[0].incident_code"
    assert by_ref["import:5"]["field"] == "reported_at"
    assert AuditEntry.objects.filter(
        object_type="registration.registration", object_id="batch"
    ).exists()
    # Rerun after fixing the bad rows: nothing doubles, the fixed rows come in.
    rows[2] = row(team, "3")
    rows[3] = row(team, "4")
    rows[4] = row(team, "5")
    write_csv(path, rows)
    out = StringIO()
    call_command("import", "registrations", str(path), "--no-progress", stdout=out)
    assert "imported 3, already present 2, rejected 0" in out.getvalue()
    assert Registration.objects.count() == 5


def test_jsonl_import(tmp_path: Path, team: BaseTeam) -> None:
    x, y = point_in(team)
    good = {
        "ref": "j1",
        "kind": "aanhouding",
        "occurred_from": "2019-05-01T22:00:00+02:00",
        "occurred_to": "2019-05-01T22:10:00+02:00",
        "reported_at": "2019-05-01T22:30:00+02:00",
        "channel": "street",
        "x": x,
        "y": y,
        "offences": [{"incident_code": "F550"}],
        "involvements": [
            {
                "role": "arrested",
                "person": {"first_names": "Mo", "surname": "Amrani", "bsn": "111222333"},
            }
        ],
    }
    path = tmp_path / "legacy.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"ref": "j2"}) + "\n")
    out = StringIO()
    with pytest.raises(CommandError, match="2 row"):
        call_command("import", "registrations", str(path), "--no-progress", stdout=out)
    reg = Registration.objects.get()
    assert reg.kind == "aanhouding" and reg.involvements.get().person.bsn == "111222333"
    errors = (tmp_path / "legacy.jsonl.errors.csv").read_text()
    assert "geen geldige JSON" in errors and "verplicht veld ontbreekt" in errors


def test_bad_file_exit_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="bestaat niet") as exc:
        call_command("import", "registrations", str(tmp_path / "nope.csv"))
    assert exc.value.returncode == 2
    bad = tmp_path / "x.txt"
    bad.write_text("x")
    with pytest.raises(CommandError, match="onbekend formaat"):
        call_command("import", "registrations", str(bad))
    hdr = tmp_path / "h.csv"
    hdr.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="kolommen ontbreken"):
        call_command("import", "registrations", str(hdr))


def test_jsonl_row_shapes_and_fields(tmp_path: Path, team: BaseTeam) -> None:
    base = {
        "kind": "aangifte",
        "occurred_from": "2019-05-01T10:00:00+02:00",
        "occurred_to": "2019-05-01T11:00:00+02:00",
        "reported_at": "2019-05-02T09:00:00+02:00",
        "channel": "desk",
        "offences": [{"incident_code": "A50"}],
    }
    rows = [
        {**base, "ref": "m1", "municipality_code": "GM0344", "confidentiality": 3},
        {**base, "ref": "b1", "damage_amount": 1e30},
        {**base, "ref": "b2", "offences": 5},
        {**base, "ref": "b3", "offences": [{"incident_code": "A50", "attempt": "false"}]},
        {**base, "ref": "b4", "municipality_code": "GM9999"},
        {**base, "ref": "b5", "confidentiality": 7},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(CommandError, match="5 row"):
        call_command("import", "registrations", str(path), "--no-progress", stdout=StringIO())
    reg = Registration.objects.get()
    assert reg.confidentiality == 3 and reg.municipality is not None
    assert reg.municipality.code == "GM0344"
    errors = {
        e["ref"]: e["field"] for e in csv.DictReader((tmp_path / "rows.jsonl.errors.csv").open())
    }
    assert errors == {
        "import:b1": "damage_amount",
        "import:b2": "offences",
        "import:b3": "offences[0].attempt",
        "import:b4": "municipality_code",
        "import:b5": "confidentiality",
    }


def test_import_links_the_survivor_of_a_merge(tmp_path: Path, team: BaseTeam) -> None:
    from regie.registration.services import core_object_merge

    path = tmp_path / "a.csv"
    write_csv(path, [row(team, "1", reporter_bsn="111222333"), row(team, "2")])
    call_command("import", "registrations", str(path), "--no-progress", stdout=StringIO())
    with_bsn = Person.objects.get(bsn="111222333")
    other = Person.objects.exclude(pk=with_bsn.pk).get(surname="Visser")
    core_object_merge(
        "person", survivor_id=other.pk, merged_id=with_bsn.pk, actor=None, reason="zelfde persoon"
    )
    write_csv(path, [row(team, "3", reporter_bsn="111222333")])
    call_command("import", "registrations", str(path), "--no-progress", stdout=StringIO())
    reg = Registration.objects.get(source_ref="import:3")
    assert reg.involvements.get(role="reporter").person_id == other.pk


def test_chunked_import_commits_good_rows_around_a_bad_one(tmp_path: Path, team: BaseTeam) -> None:
    """Batches of two: the bad row in the middle batch is reported with its row number,
    every good row is stored, and each batch audits what it created."""
    rows = [row(team, str(i), reporter_bsn="111222333" if i % 2 else "") for i in range(1, 8)]
    rows[3] = row(team, "4", occurred_to="2019-02-01T00:00:00")  # ends before it starts
    path = tmp_path / "chunks.csv"
    write_csv(path, rows)
    out = StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command(
            "import", "registrations", str(path), "--no-progress", "--batch-size", "2", stdout=out
        )
    assert "imported 6, already present 0, rejected 1" in out.getvalue()
    assert set(Registration.objects.values_list("source_ref", flat=True)) == {
        f"import:{i}" for i in (1, 2, 3, 5, 6, 7)
    }
    errors = list(csv.DictReader((tmp_path / "chunks.csv.errors.csv").open()))
    assert [(e["row"], e["ref"], e["field"]) for e in errors] == [("5", "import:4", "occurred_to")]
    # One person with the BSN across all batches; one without BSN (same name and date of
    # birth: the identity key) shared by the even rows.
    assert Person.objects.filter(bsn="111222333").count() == 1
    assert Person.objects.filter(surname="Visser").count() == 2
    registrations = AuditEntry.objects.filter(
        object_type="registration.registration", object_id="batch"
    )
    audited = [pk for e in registrations for pk in e.detail["ids"]]
    assert sorted(audited) == sorted(Registration.objects.values_list("pk", flat=True))
    persons = AuditEntry.objects.filter(object_type="registration.person", object_id="batch")
    assert sorted(pk for e in persons for pk in e.detail["ids"]) == sorted(
        Person.objects.values_list("pk", flat=True)
    )
    goods = AuditEntry.objects.filter(object_type="registration.good", object_id="batch")
    assert sorted(pk for e in goods for pk in e.detail["ids"]) == sorted(
        Good.objects.values_list("pk", flat=True)
    )
    from regie.audit.services import audit_verify

    assert audit_verify().ok
    # Rerun: nothing doubles.
    rows[3] = row(team, "4")
    write_csv(path, rows)
    out = StringIO()
    call_command(
        "import", "registrations", str(path), "--no-progress", "--batch-size", "2", stdout=out
    )
    assert "imported 1, already present 6, rejected 0" in out.getvalue()
    assert Person.objects.filter(surname="Visser").count() == 2


def test_import_batch_retries_after_a_concurrent_writer(
    monkeypatch: pytest.MonkeyPatch, team: BaseTeam
) -> None:
    """A person registered by someone else between the lookup and the insert: the unique
    index refuses the batch, the second attempt finds the person."""
    from regie.registration import bulk
    from regie.registration.importer import parse_csv_row

    ref, reg = parse_csv_row(row(team, "c1", reporter_bsn="111222333"))
    real = bulk.create_rows
    calls = {"n": 0}

    def racing(model: object, *args: object) -> list[int]:
        if model is Person:
            calls["n"] += 1
            if calls["n"] == 1:
                Person.objects.create(
                    first_names="Kees",
                    surname="Visser",
                    bsn="111222333",
                    retain_until=dt.date(2030, 1, 1),
                )
        return real(model, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "create_rows", racing)
    result = bulk.import_batch([(f"import:{ref}", reg)], actor=None, source="import")
    assert len(result.created) == 1 and calls["n"] == 2
    assert Person.objects.filter(bsn="111222333").count() == 1
    created = Registration.objects.get(pk=result.created[0])
    assert created.involvements.get(role="reporter").person.bsn == "111222333"
