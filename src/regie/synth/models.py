from __future__ import annotations

from django.db import models


class SynthRun(models.Model):
    """One completed step of the synthetic-country generator, so reruns are idempotent."""

    step = models.CharField(max_length=64)
    scale = models.CharField(max_length=16)
    seed = models.IntegerField()
    created = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "scale", "seed"], name="synth_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.step} ({self.scale}, seed {self.seed})"
