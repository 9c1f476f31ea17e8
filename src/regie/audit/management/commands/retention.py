from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from regie.audit.retention import policies, run_retention


class Command(BaseCommand):
    help = "Retention: remove or anonymise personal data whose term has expired."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="apply every registered retention policy")
        run.add_argument("--dry-run", action="store_true", help="only count what would go")
        sub.add_parser("policies", help="list the registered policies")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "policies":
            for p in policies():
                self.stdout.write(f"{p.label}: {p.action} ({p.description})")
            return
        report = run_retention(dry_run=options["dry_run"])
        verb = "would be" if report.dry_run else "were"
        for label, n in report.counts.items():
            action = next(p.action for p in policies() if p.label == label)
            self.stdout.write(f"{label}: {n} record(s) {verb} {action}d")
        if not report.counts:
            self.stdout.write("no retention policies registered")
