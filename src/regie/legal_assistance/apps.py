from django.apps import AppConfig


class LegalAssistanceConfig(AppConfig):
    name = "regie.legal_assistance"
    label = "legal_assistance"
    verbose_name = "Internationale rechtshulp (LIRC)"

    def ready(self) -> None:
        # Registers the retention policies of the messages and the quarantine.
        from regie.legal_assistance import services  # noqa: F401
