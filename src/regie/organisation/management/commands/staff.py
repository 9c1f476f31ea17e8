from __future__ import annotations

import getpass
from argparse import ArgumentParser
from typing import Any

import qrcode
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from regie.organisation.models import BaseTeam, District, Municipality, Unit
from regie.organisation.roles import Role, ScopeLevel
from regie.organisation.services import OrganisationError, otp_enrol, staff_create

SCOPE_MODELS: dict[ScopeLevel, Any] = {
    ScopeLevel.UNIT: Unit,
    ScopeLevel.DISTRICT: District,
    ScopeLevel.BASE_TEAM: BaseTeam,
    ScopeLevel.MUNICIPALITY: Municipality,
}


class Command(BaseCommand):
    help = "Staff accounts: 'add' a user with a role and scope, 'otp' to enrol a TOTP device."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("username")
        add.add_argument("--first-name", required=True)
        add.add_argument("--last-name", required=True)
        add.add_argument("--particle", default="")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--scope-level", required=True, choices=ScopeLevel.values)
        add.add_argument(
            "--scope",
            default="",
            help="code of the unit/district/base team/municipality (empty for national)",
        )
        add.add_argument("--password", help="prompted when omitted")
        otp = sub.add_parser("otp", help="create a TOTP device and print its otpauth URI + QR")
        otp.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            level = ScopeLevel(options["scope_level"])
            target = None
            if level is not ScopeLevel.NATIONAL:
                model = SCOPE_MODELS[level]
                target = model.objects.filter(code=options["scope"]).first()
                if target is None:
                    raise CommandError(
                        f"unknown {level.value} code {options['scope']!r}", returncode=2
                    )
            password = options["password"] or getpass.getpass("Password: ")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages), returncode=2) from exc
            try:
                position = staff_create(
                    username=options["username"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    name_particle=options["particle"],
                    role=Role(options["role"]),
                    scope_level=level,
                    scope=target,
                    password=password,
                )
            except OrganisationError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            self.stdout.write(f"created {position}")
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"unknown user {options['username']!r}", returncode=2)
        device = otp_enrol(user)
        self.stdout.write(f"otpauth URI: {device.config_url}")
        qr = qrcode.QRCode()
        qr.add_data(device.config_url)
        qr.print_ascii(out=self.stdout)
