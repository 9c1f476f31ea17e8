"""``regie cas``: crime anticipation.

* ``backtest``: the engine's rolling backtest on any event file (issue 6 item 4), OUT.json
  plus a per-window CSV next to it, with a progress bar.
* ``predict``: retrain, check the criteria and predict the coming fortnight for a base team
  (stored; published only when the criteria pass).
* ``switch``: the off switch per base team.
"""

from __future__ import annotations

import datetime as dt
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from regie.anticipation import services
from regie.anticipation.engine import EventFileError, run_backtest
from regie.core.argtypes import date_type
from regie.organisation.models import BaseTeam


class Command(BaseCommand):
    help = "Crime anticipation: backtest an event file, predict for a base team, switch off."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        bt = sub.add_parser("backtest", help="rolling backtest of every method on an event file")
        bt.add_argument("--events", type=Path, required=True, help="CSV with one event per row")
        bt.add_argument("--x-col")
        bt.add_argument("--y-col")
        bt.add_argument("--lon-col")
        bt.add_argument("--lat-col")
        bt.add_argument("--time-col", required=True)
        bt.add_argument("--time-format", help="strptime format (default: ISO 8601 or YYYY-MM)")
        bt.add_argument("--type-col")
        bt.add_argument("--types", help="comma-separated event types to keep")
        bt.add_argument("--crs", default="EPSG:28992")
        bt.add_argument("--cell", type=float, default=125.0, help="cell size in metres")
        bt.add_argument("--horizon", default="14", help="days, or 1M for a calendar month")
        bt.add_argument("--step", help="days or 1M (default: the horizon)")
        bt.add_argument("--start", type=date_type, required=True)
        bt.add_argument("--end", type=date_type, required=True)
        bt.add_argument("--coverage", default="1,3,5,10,20", help="percentages")
        bt.add_argument("--mask", help="history:YYYY-MM-DD or bbox (default: history/population)")
        bt.add_argument("--covariates", type=Path, help="CBS square statistics CSV")
        bt.add_argument("--methods", default="all")
        bt.add_argument("--json", type=Path, required=True, dest="json_out")
        bt.add_argument("--no-progress", action="store_true")

        pr = sub.add_parser("predict", help="retrain and predict the coming fortnight for a team")
        pr.add_argument("--team", required=True, help="base team code")
        pr.add_argument("--start", type=date_type, help="first day (default: today)")
        pr.add_argument("--hours", type=float, default=services.DEFAULT_HOURS)
        pr.add_argument("--minimum", type=float, default=services.DEFAULT_MINIMUM)
        pr.add_argument(
            "--category",
            action="append",
            default=[],
            help="offence category code or prefix (repeatable; default: all offences)",
        )

        sw = sub.add_parser("switch", help="switch anticipation on or off for a team")
        sw.add_argument("--team", required=True)
        state = sw.add_mutually_exclusive_group(required=True)
        state.add_argument("--on", action="store_true")
        state.add_argument("--off", action="store_true")
        sw.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "backtest":
            self._backtest(options)
            return
        team = BaseTeam.objects.filter(code=options["team"]).first()
        if team is None:
            raise CommandError(f"Onbekend basisteam {options['team']!r}", returncode=2)
        try:
            if what == "predict":
                run = services.run_for_team(
                    team,
                    options["start"] or dt.date.today(),
                    total_hours=options["hours"],
                    minimum_hours=options["minimum"],
                    categories=options["category"],
                )
                self.stdout.write(
                    f"{team.code} {run.crime_types or 'alle delicten'} {run.start}..{run.end}: "
                    f"{run.get_status_display()}"
                    f" ({run.events_used} delicten, {len(run.cells)} cellen)"
                )
                for reason in run.reasons:
                    self.stdout.write(f"  - {reason}")
            else:
                sw = services.set_switch(
                    team, enabled=bool(options["on"]), reason=options["reason"], actor=None
                )
                self.stdout.write(f"{team.code}: {'aan' if sw.enabled else 'uit'}")
        except services.AnticipationError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _backtest(self, options: dict[str, Any]) -> None:
        if options["start"] >= options["end"]:
            raise CommandError("--start must lie before --end", returncode=2)
        bar = tqdm(
            unit="venster",
            disable=options["no_progress"] or not sys.stderr.isatty(),
            file=sys.stderr,
        )

        def progress(done: int, total: int, label: str) -> None:
            bar.total = total
            bar.set_postfix_str(label)
            bar.update(done - bar.n)

        try:
            result = run_backtest(
                options["events"],
                start=options["start"],
                end=options["end"],
                time_col=options["time_col"],
                x_col=options["x_col"],
                y_col=options["y_col"],
                lon_col=options["lon_col"],
                lat_col=options["lat_col"],
                type_col=options["type_col"],
                types=options["types"],
                crs=options["crs"],
                time_format=options["time_format"],
                cell=options["cell"],
                horizon=options["horizon"],
                step=options["step"],
                coverage=options["coverage"],
                mask=options["mask"],
                covariates=options["covariates"],
                methods=options["methods"],
                json_out=options["json_out"],
                progress=progress,
            )
        except (EventFileError, ValueError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        finally:
            bar.close()
        summary = result.summary()
        self.stdout.write(
            f"{summary['cells']} cellen, {summary['windows']} vensters; beste methode: "
            f"{summary['best']} (zie {options['json_out']})"
        )
        for note in result.notes:
            self.stdout.write(f"  - {note}")
