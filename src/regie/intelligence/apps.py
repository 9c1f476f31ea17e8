from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "regie.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence"
