from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "regie.synth"
    label = "synth"
    verbose_name = "Synthetic country"
