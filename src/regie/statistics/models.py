"""Summary tables of the dashboards, refreshed per partition (reporting month, base team).

The rows are sums of :func:`regie.statistics.counting.offence_measures` and
:func:`regie.statistics.funnel.case_measures` at the grains of
:mod:`regie.statistics.summary`; codes, not foreign keys, so a row never blocks a change to
the organisation. Written only by :mod:`regie.statistics.services` (ADR 0012).
"""

from __future__ import annotations

import uuid

from django.db import models

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
