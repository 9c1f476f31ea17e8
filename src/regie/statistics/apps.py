from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "regie.statistics"
    label = "statistics"
    verbose_name = "Statistiek"

    def ready(self) -> None:
        # Marks the summary partitions a change touches (see receivers.py).
        from regie.statistics import receivers  # noqa: F401
