from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "regie.search"
    label = "search"
    verbose_name = "Zoeken"

    def ready(self) -> None:
        # Keeps the index current (see receivers.py).
        from regie.search import receivers  # noqa: F401
