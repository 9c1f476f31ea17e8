"""``regie selection``: the solvability model from the command line.

regie selection fit [--cutoff YYYY-MM-DD] [--no-activate] [--card FILE]
regie selection model            # the active model, its criteria and whether it advises
regie selection switch off|on --reason TEXT
regie selection readvise         # recompute the advice of cases awaiting screening
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.core.argtypes import date_type
from regie.selection import services
from regie.selection.flow import TransitionError
from regie.selection.models import SolvabilityModel


class Command(BaseCommand):
    help = "Fit, inspect and switch the solvability model of the Selectiviteitskader."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fit = sub.add_parser("fit", help="fit on earlier cases, evaluate on held-back ones")
        fit.add_argument("--cutoff", type=date_type, help="held back from this report date on")
        fit.add_argument("--no-activate", action="store_true")
        fit.add_argument("--card", type=Path, help="write the model card (Markdown) here")
        sub.add_parser("model", help="show the active model and its criteria")
        switch = sub.add_parser("switch", help="the off switch")
        switch.add_argument("state", choices=["on", "off"])
        switch.add_argument("--reason", required=True)
        sub.add_parser("readvise", help="recompute the advice of cases awaiting screening")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "fit":
                row = services.fit_solvability(
                    actor=None, cutoff=options["cutoff"], activate=not options["no_activate"]
                )
                self._show(row)
                if options["card"]:
                    options["card"].write_text(row.model_card, encoding="utf-8")
            elif action == "model":
                active = SolvabilityModel.objects.filter(active=True).first()
                if active is None:
                    self.stdout.write("no active model: the framework advises without a score")
                    return
                self._show(active)
            elif action == "switch":
                current = SolvabilityModel.objects.filter(active=True).first()
                if current is None:
                    raise CommandError("no active model to switch", returncode=2)
                services.model_switch(
                    current, actor=None, enabled=options["state"] == "on", reason=options["reason"]
                )
                self.stdout.write(f"model {current.version} switched {options['state']}")
            else:
                self.stdout.write(f"{services.readvise_open_cases()} cases re-advised")
        except TransitionError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
            raise CommandError(f"{exc.message} {details}".strip(), returncode=2) from exc

    def _show(self, row: SolvabilityModel) -> None:
        overall = row.evaluation.get("overall", {})

        def num(value: Any) -> str:
            return "n/a" if value is None else f"{value:.3f}"

        self.stdout.write(
            f"model {row.version}: trained {row.training_from}..{row.training_to}, "
            f"held back {row.test_from}..{row.test_to}; AUC {num(overall.get('auc'))}, "
            f"ECE {num(overall.get('ece'))}; criteria {'PASSED' if row.passed else 'FAILED'}; "
            f"{'active' if row.active else 'not active'}, "
            f"{'enabled' if row.enabled else 'switched off'}"
        )
        for check in row.criteria.get("checks", []):
            mark = "PASS" if check.get("passed") else "FAIL"
            self.stdout.write(f"  {mark} {check.get('name')}: {check.get('message')}")
