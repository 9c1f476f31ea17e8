from django.apps import AppConfig


class AnticipationConfig(AppConfig):
    name = "regie.anticipation"
    label = "anticipation"
    verbose_name = "Criminaliteitsanticipatie"
