from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log: 'verify' checks the hash chain (exit 1 when it is broken)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check that no entry was edited, removed or reordered")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit log intact: {result.checked} entries verified")
            return
        for b in result.breaks[:50]:
            self.stderr.write(f"entry {b.seq}: {b.reason}")
        raise CommandError(
            f"audit log BROKEN: {len(result.breaks)} problem(s) in {result.checked} entries"
        )
