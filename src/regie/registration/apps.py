from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "regie.registration"
    label = "registration"
    verbose_name = "Registratie"

    def ready(self) -> None:
        # Registers the retention policies of the core objects and registrations.
        from regie.registration import services  # noqa: F401
