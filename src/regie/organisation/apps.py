from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "regie.organisation"
    label = "organisation"
    verbose_name = "Organisatie"

    def ready(self) -> None:
        # Registers the retention policy of the sign-in log.
        from regie.organisation import services  # noqa: F401
