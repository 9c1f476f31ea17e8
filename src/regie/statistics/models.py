"""Summary tables of the dashboards, refreshed per partition (reporting month, base team).

The rows are sums of :func:`regie.statistics.counting.offence_measures` and
:func:`regie.statistics.funnel.case_measures` at the grains of
:mod:`regie.statistics.summary`; codes, not foreign keys, so a row never blocks a change to
the organisation. Written only by :mod:`regie.statistics.services` (ADR 0012).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.registration.models import Registration
from regie.statistics.counting import OFFENCE_MEASURES
from regie.statistics.funnel import CASE_MEASURES, DURATION_MEASURES


class _SummaryRow(models.Model):
    grain = models.CharField(max_length=8)
    month = models.DateField()
    confidentiality = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=16, blank=True)
    district = models.CharField(max_length=16, blank=True)
    base_team = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain} {self.month:%Y-%m} {self.base_team or '-'}"


class OffenceCount(_SummaryRow):
    """Offences (both counting rules, and online) per grain, month and clearance level."""

    municipality = models.CharField(max_length=16, blank=True)
    neighbourhood = models.CharField(max_length=16, blank=True)
    category_code = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "month"], name="offencecount_grain_month"),
            models.Index(fields=["base_team", "month"], name="offencecount_team_month"),
        ]


class CaseCount(_SummaryRow):
    """Cases (the funnel, lead times, compliance) per grain, month and clearance level."""

    category_code = models.CharField(max_length=16, blank=True)
    offence_class = models.CharField(max_length=12, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "month"], name="casecount_grain_month"),
            models.Index(fields=["base_team", "month"], name="casecount_team_month"),
        ]


for _name in OFFENCE_MEASURES:
    OffenceCount.add_to_class(_name, models.PositiveIntegerField(default=0))
for _name in CASE_MEASURES:
    CaseCount.add_to_class(
        _name,
        models.FloatField(default=0.0)
        if _name in DURATION_MEASURES
        else models.PositiveIntegerField(default=0),
    )


class DirtyPartition(models.Model):
    """A partition whose source rows changed since its summary rows were computed. Marked in
    the transaction that changed them (nothing committed is missed); the refresh removes a
    mark only if its ``token`` is still the one it read (a change during the refresh keeps
    it for the next run)."""

    month = models.DateField()
    base_team = models.CharField(max_length=16, blank=True)  # "" = not placed
    token = models.UUIDField(default=uuid.uuid4)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "base_team"], name="one_mark_per_partition")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.base_team or '-'}"


class SummaryRefresh(models.Model):
    """One refresh run: when, how many partitions, how long."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    partitions = models.PositiveIntegerField()
    offence_rows = models.PositiveIntegerField()
    case_rows = models.PositiveIntegerField()
    full = models.BooleanField(default=False)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"refresh {self.finished_at:%Y-%m-%d %H:%M} ({self.partitions})"


class QualityCheck(models.Model):
    """One run of the misclassification detector over the registrations of a period."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    period_start = models.DateField()
    period_end = models.DateField()
    registrations = models.PositiveIntegerField()
    flagged = models.PositiveIntegerField()
    folds = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"quality check {self.finished_at:%Y-%m-%d} ({self.flagged} flagged)"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Te beoordelen")
    CONFIRMED = "confirmed", _("Terecht: verkeerd geclassificeerd")
    DISMISSED = "dismissed", _("Onterecht: classificatie klopt")


class ClassificationFlag(models.Model):
    """A registration whose main offence the detector thinks is misclassified. A reviewer
    confirms (the registering team corrects the code) or dismisses it; the detector never
    changes a registration. Goes with its registration (retention)."""

    check_run = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="flags")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="classification_flags"
    )
    registered_code = models.CharField(max_length=16)
    suggested_code = models.CharField(max_length=16)
    p_registered = models.FloatField()
    p_suggested = models.FloatField()
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "-p_suggested"]
        indexes = [models.Index(fields=["status", "registration"], name="flag_status_reg")]

    def __str__(self) -> str:
        return f"flag {self.registration_id} {self.registered_code}->{self.suggested_code}"

    @property
    def suspicion(self) -> float:
        return self.p_suggested - self.p_registered
