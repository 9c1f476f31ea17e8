from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AlertsConfig(AppConfig):
    name = "regie.alerts"
    label = "alerts"
    verbose_name = "Rode vlaggen en volglijsten"

    def ready(self) -> None:
        # Evaluates every new registration and reacts to merges (see receivers.py).
        from regie.alerts import receivers  # noqa: F401

        post_migrate.connect(_load_definitions, sender=self, dispatch_uid="alerts-load-rules")


def _load_definitions(sender: Any, **kwargs: Any) -> None:
    """After ``migrate``: load ``data/rules.json`` when its version is newer than the one
    loaded (rules changed on the screen stay as they are)."""
    from regie.alerts.services import load_definitions

    load_definitions()
