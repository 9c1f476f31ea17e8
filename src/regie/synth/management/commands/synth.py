from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.synth.services import SCALES, run_synth, steps


def seed_type(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 2**31 - 1:
        raise ArgumentTypeError("the seed must lie between 0 and 2147483647")
    return value


class Command(BaseCommand):
    help = "Generate the synthetic country (deterministic for a scale and seed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=seed_type, default=1, help="0 .. 2147483647")
        parser.add_argument(
            "--only", nargs="*", metavar="STEP", help=f"run only these steps ({', '.join(steps())})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = run_synth(scale=options["scale"], seed=options["seed"], only=options["only"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for r in results:
            state = "already done" if r.skipped else "done"
            self.stdout.write(f"synth {r.step}: {state} {r.summary}")
