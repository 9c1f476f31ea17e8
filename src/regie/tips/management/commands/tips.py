"""``regie tips``: the tip line's maintenance and its public process.

regie tips expire [--dry-run]          # delete expired tips for good (rows and attachment
                                       # files); statistics keep only counts
regie tips serve-public [--bind H:P]   # serve the public intake (gunicorn, no access log,
                                       # settings regie.tips.public_settings)
regie tips add-recipient NAME --kind agency|municipality --topics a,b [--municipality GM0344]
                         [--unit CODE] [--area GM...,GM...] [--connected-on YYYY-MM-DD]
                                       # new recipient with a key pair; the passphrase is
                                       # read from the environment variable TIPS_PASSPHRASE
regie tips add-member RECIPIENT USERNAME  # a partner agency's staff member reads for it
regie tips invoices YEAR               # the year's invoices under both models
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.organisation.models import Municipality, Unit
from regie.tips import services
from regie.tips.models import Recipient, RecipientKind


class Command(BaseCommand):
    help = "Meld Misdaad Anoniem: expiry, the public intake process, recipients, invoices."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser("expire")
        expire.add_argument("--dry-run", action="store_true")
        serve = sub.add_parser("serve-public")
        serve.add_argument("--bind", default="127.0.0.1:8001")
        serve.add_argument("--workers", type=int, default=2)
        add = sub.add_parser("add-recipient")
        add.add_argument("name")
        add.add_argument("--kind", choices=[k.value for k in RecipientKind], required=True)
        add.add_argument("--topics", required=True)
        add.add_argument("--municipality")
        add.add_argument("--unit")
        add.add_argument("--area", default="")
        add.add_argument("--connected-on")
        member = sub.add_parser("add-member")
        member.add_argument("recipient", help="the recipient's name")
        member.add_argument("username")
        invoices = sub.add_parser("invoices")
        invoices.add_argument("year", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "expire":
            result = services.expire_tips(dry_run=opts["dry_run"])
            verb = "would delete" if opts["dry_run"] else "deleted"
            self.stdout.write(f"{verb} {result['tips']} tips, {result['attachments']} attachments")
        elif action == "serve-public":
            self._serve(opts["bind"], opts["workers"])
        elif action == "add-recipient":
            self._add(opts)
        elif action == "add-member":
            recipient = Recipient.objects.filter(name=opts["recipient"]).first()
            if recipient is None:
                raise CommandError(f"unknown recipient {opts['recipient']!r}")
            try:
                services.add_member(recipient, opts["username"])
            except services.TipError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{opts['username']} reads for {recipient.name}")
        elif action == "invoices":
            try:
                n = services.issue_invoices(opts["year"], None)
            except services.TipError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{n} invoices for {opts['year']}")

    def _serve(self, bind: str, workers: int) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "regie.tips.public_settings"}
        argv = [
            gunicorn,
            "regie.tips.public_wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            # No access log (gunicorn's default, stated explicitly), and no forwarded-for
            # handling: the process never learns a client address to log.
            "--access-logfile",
            "/dev/null",
            "--forwarded-allow-ips",
            "",
        ]
        os.execve(gunicorn, argv, env)  # noqa: S606 - fixed argv, no shell

    def _add(self, opts: dict[str, Any]) -> None:
        passphrase = os.environ.get("TIPS_PASSPHRASE", "")
        municipality = None
        if opts["municipality"]:
            municipality = Municipality.objects.filter(code=opts["municipality"]).first()
            if municipality is None:
                raise CommandError(f"unknown municipality {opts['municipality']}")
        unit = None
        if opts["unit"]:
            unit = Unit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"unknown unit {opts['unit']}")
        try:
            connected = (
                dt.date.fromisoformat(opts["connected_on"]) if opts["connected_on"] else None
            )
            recipient = services.create_recipient(
                name=opts["name"],
                kind=RecipientKind(opts["kind"]),
                topics=[t.strip() for t in opts["topics"].split(",") if t.strip()],
                passphrase=passphrase,
                area=[a.strip() for a in opts["area"].split(",") if a.strip()],
                municipality=municipality,
                unit=unit,
                connected_on=connected,
            )
        except (services.TipError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"recipient {recipient.pk}: {recipient.name} key {recipient.fingerprint}")
