from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.organisation.services import OrganisationError
from regie.synth.demo import credentials_path, ensure_demo_users


class Command(BaseCommand):
    help = "Demo mode: create (or reuse) one demo account per role and print the credentials."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("users", help="create one demo user per role")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            password, accounts = ensure_demo_users()
        except OrganisationError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write("Demo accounts (one per role), all with the same password:")
        for a in accounts:
            self.stdout.write(f"  {a.username:<22} {a.role:<32} {a.scope}")
        self.stdout.write(f"Password: {password}   (kept in {credentials_path()})")
