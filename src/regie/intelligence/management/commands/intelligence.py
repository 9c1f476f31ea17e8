"""``regie intelligence``: entity resolution on any file, and series detection.

``link --since DATE [--until DATE] [--team CODE ...]`` (re)runs series detection over the
registrations from DATE (idempotent: decided links are kept, see
:func:`regie.intelligence.services.run_detection`).

``dedupe --input FILE.csv --id-col ID [--fields a,b,c] [--link-with OTHER.csv] --out
PAIRS.csv`` writes ``id_l,id_r,match_probability`` for the pairs judged to be the same
entity (within one file, or between two), with the Splink model of ``intelligence.er``.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
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


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Entity resolution on CSV files; series detection over the registrations."

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

        ln = sub.add_parser("link", help="(re)run series detection and propose links")
        ln.add_argument("--since", type=_date, required=True, help="first offence date")
        ln.add_argument("--until", type=_date, help="last offence date (default: all later)")
        ln.add_argument("--team", action="append", help="base team code (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "link":
            self._link(options)
            return
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

    def _link(self, options: dict[str, Any]) -> None:
        from zoneinfo import ZoneInfo

        from regie.intelligence.services import IntelligenceError, run_detection

        tz = ZoneInfo("Europe/Amsterdam")
        since = dt.datetime.combine(options["since"], dt.time(), tzinfo=tz)
        until = (
            dt.datetime.combine(options["until"] + dt.timedelta(days=1), dt.time(), tzinfo=tz)
            if options["until"]
            else None
        )
        if until is not None and until <= since:
            raise CommandError("--until lies before --since", returncode=2)
        try:
            summary = run_detection(since, until=until, team_codes=options["team"])
        except IntelligenceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"{summary['registrations']} registrations, {summary['proposals']} links proposed "
            f"({summary['created']} new, {summary['updated']} updated, "
            f"{summary['withdrawn']} withdrawn), {summary['series']} series"
        )
