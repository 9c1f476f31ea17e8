"""The ``regie`` console command: Django's management commands plus Regie's own.

``regie migrate``, ``regie org load``, ``regie synth --scale demo``, ``regie audit verify``,
``regie retention run --dry-run`` ... all go through Django's command machinery.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regie.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["regie", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
