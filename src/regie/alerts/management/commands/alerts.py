"""``regie alerts``: red flags and watch lists from the command line.

regie alerts evaluate --since DATE [--until DATE]
    (re)evaluate the registrations reported since DATE against the active rules and the
    watch lists; idempotent: never a second flag for the same rule and registration, nor a
    second hit for the same entry, registration and role.
regie alerts load [--file FILE] [--force]
    load the queues and rules of data/rules.json (or FILE) when its version is newer than
    the one loaded; rules changed on the screen are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from regie.alerts.services import DATA_FILE, AlertsError, evaluate_since, load_definitions
from regie.core.argtypes import date_type

TZ = ZoneInfo("Europe/Amsterdam")


class Command(BaseCommand):
    help = "Red flags and watch lists: (re)evaluate registrations, load the rules."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="(re)evaluate past registrations")
        ev.add_argument("--since", type=date_type, required=True, help="YYYY-MM-DD")
        ev.add_argument("--until", type=date_type, help="YYYY-MM-DD (exclusive)")
        ld = sub.add_parser("load", help="load the queues and rules file")
        ld.add_argument("--file", type=Path, default=DATA_FILE)
        ld.add_argument("--force", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "evaluate":
            since = dt.datetime.combine(opts["since"], dt.time(), tzinfo=TZ)
            until = (
                dt.datetime.combine(opts["until"], dt.time(), tzinfo=TZ) if opts["until"] else None
            )
            if until is not None and until <= since:
                raise CommandError("--until must lie after --since", returncode=2)
            totals = evaluate_since(since, until=until)
        else:
            try:
                totals = load_definitions(opts["file"], force=opts["force"])
            except AlertsError as e:
                raise CommandError(str(e), returncode=2) from e
        self.stdout.write(json.dumps(totals, ensure_ascii=False, default=str))
