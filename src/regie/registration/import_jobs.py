"""Worker processes of ``regie import registrations --jobs N``.

No model import at module level: a spawned worker imports this module (to run
:func:`init_worker`) before Django is set up.
"""

from __future__ import annotations

from typing import Any

#: Where a worker reports progress (rows done) to the parent's progress bar.
_PROGRESS: Any = None


def init_worker(progress: Any, database_name: str) -> None:
    """Set up Django in a fresh worker process, on the very database the parent writes to
    (under the test runner that is the test database, not the configured one); remember
    the progress queue."""
    import django

    global _PROGRESS
    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database_name
    _PROGRESS = progress


def run_share_in_worker(**kwargs: Any) -> Any:
    """One share of the file (see ``import.run_share``), in a worker process."""
    from importlib import import_module

    command = import_module("regie.registration.management.commands.import")
    return command.run_share(progress=_PROGRESS.put, **kwargs)
