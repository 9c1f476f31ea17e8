"""``regie intelligence``: entity resolution on any file.

``dedupe --input FILE.csv --id-col ID [--fields a,b,c] [--link-with OTHER.csv] --out
PAIRS.csv`` writes ``id_l,id_r,match_probability`` for the pairs judged to be the same
entity (within one file, or between two), with the Splink model of ``intelligence.er``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.intelligence.er import dedupe_file
from regie.intelligence.er.model import MATCH_THRESHOLD


def _probability(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Entity resolution: deduplicate or link CSV files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        dd = sub.add_parser("dedupe", help="pairs of records that are the same entity")
        dd.add_argument("--input", type=Path, required=True)
        dd.add_argument("--id-col", required=True)
        dd.add_argument("--fields", help="comma-separated columns to compare (default: all)")
        dd.add_argument("--link-with", type=Path, help="a second file to link the first with")
        dd.add_argument("--out", type=Path, required=True)
        dd.add_argument(
            "--threshold",
            type=_probability,
            default=MATCH_THRESHOLD,
            help=f"match probability from which a pair is written (default {MATCH_THRESHOLD})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fields = (
            [f.strip() for f in options["fields"].split(",") if f.strip()]
            if options["fields"]
            else None
        )
        for path in (options["input"], options["link_with"]):
            if path is not None and not path.is_file():
                raise CommandError(f"{path}: no such file", returncode=2)
        try:
            n = dedupe_file(
                options["input"],
                options["id_col"],
                fields,
                link_with=options["link_with"],
                out=options["out"],
                threshold=options["threshold"],
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"{n} pairs written to {options['out']}")
