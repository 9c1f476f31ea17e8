"""``regie intelligence dedupe``: the command around ``er.dedupe_file``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from regie.intelligence.er.synth import synthetic_persons


def test_dedupe_command_writes_pairs_and_refuses_bad_input(tmp_path: Path) -> None:
    data = synthetic_persons(400, seed=7)
    src = tmp_path / "persons.csv"
    data.records.to_csv(src, index=False)
    out = tmp_path / "pairs.csv"
    text = StringIO()
    call_command(
        "intelligence", "dedupe", "--input", str(src), "--id-col", "id", "--out", str(out),
        stdout=text,
    )  # fmt: skip
    pairs = pd.read_csv(out, dtype=str)
    assert list(pairs.columns) == ["id_l", "id_r", "match_probability"]
    assert f"{len(pairs)} pairs written" in text.getvalue() and len(pairs) > 0
    with pytest.raises(CommandError, match="id column 'nr' not found"):
        call_command(
            "intelligence", "dedupe", "--input", str(src), "--id-col", "nr", "--out", str(out)
        )
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "intelligence", "dedupe", "--input", str(tmp_path / "nope.csv"), "--id-col", "id",
            "--out", str(out),
        )  # fmt: skip
