from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "regie.selection"
    label = "selection"
    verbose_name = "Selectie en toewijzing"

    def ready(self) -> None:
        # Opens a case for every new registration (see receivers.py).
        from regie.selection import receivers  # noqa: F401
