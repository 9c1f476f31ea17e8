from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "regie.selection"
    label = "selection"
    verbose_name = "Selectie en toewijzing"
