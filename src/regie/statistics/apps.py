from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "regie.statistics"
    label = "statistics"
    verbose_name = "Statistiek"
