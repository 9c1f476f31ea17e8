"""Crime anticipation in the database: published (or refused) predictions per base team and
period, and the off switch per base team. The engine itself is Django-free
(``anticipation.engine``); these rows keep what it produced and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import BaseTeam


class Status(models.TextChoices):
    PUBLISHED = "published", _("gepubliceerd")
    REFUSED = "refused", _("niet gepubliceerd: criteria niet gehaald")
    SWITCHED_OFF = "switched_off", _("uitgeschakeld")


class Switch(models.Model):
    """The off switch of a base team: while it is off, no prediction is made or shown."""

    base_team = models.OneToOneField(BaseTeam, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.base_team.code}: {'aan' if self.enabled else 'uit'}"


class PredictionRun(models.Model):
    """One retrain and prediction for a base team and a period: the criteria verdict, the
    model card, and (when published) the cells and the capacity advice. Aggregates per cell
    and neighbourhood only: no personal data."""

    base_team = models.ForeignKey(BaseTeam, on_delete=models.CASCADE, related_name="+")
    start = models.DateField(_("van"))
    end = models.DateField(_("tot"))
    status = models.CharField(max_length=16, choices=Status.choices)
    #: Offence categories predicted (comma-separated category codes or code prefixes, e.g.
    #: "1.1.1" burglary); empty: all registered offences.
    crime_types = models.CharField(_("delicttypen"), max_length=200, blank=True)
    #: Dutch reasons for the verdict (every failed criterion, or the switch's reason).
    reasons = models.JSONField(default=list)
    #: Backtest summary of the criteria windows (hit rates, PAI, Brier per method).
    metrics = models.JSONField(default=dict)
    model_card = models.TextField(blank=True)
    #: Per cell in the team's area: id, x, y (RD, lower left), score, expected, high risk.
    cells = models.JSONField(default=list)
    cell_size = models.FloatField(default=125.0)
    #: Per neighbourhood: expected incidents per day-part and suggested patrol hours.
    advice = models.JSONField(default=list)
    total_hours = models.FloatField(default=0.0)
    events_used = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["base_team", "-created_at"])]

    def __str__(self) -> str:
        what = self.crime_types or "alle"
        return f"{self.base_team.code} {what} {self.start}..{self.end} ({self.status})"
