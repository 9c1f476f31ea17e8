from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "regie.tips"
    label = "tips"
    verbose_name = "Meld Misdaad Anoniem"
