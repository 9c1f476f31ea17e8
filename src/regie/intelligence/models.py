"""Case linking: proposed links between registrations (with their reasons and the decision),
the series they form, and *problems* (phenomena grouping incidents across teams: a burglary
series, mobile banditry, a motorcycle gang's activities) that an owner unit works on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import Unit
from regie.registration.models import Registration


class LinkStatus(models.TextChoices):
    PROPOSED = "proposed", _("voorgesteld")
    ACCEPTED = "accepted", _("geaccepteerd")
    REJECTED = "rejected", _("afgewezen")


class Series(models.Model):
    """A connected group of linked registrations (proposed or accepted links; rejected
    links do not connect). Rebuilt by every detection run and decision."""

    key = models.CharField(max_length=40, unique=True)
    phenomenon = models.CharField(_("fenomeen"), max_length=8, blank=True)
    registrations = models.ManyToManyField(Registration, related_name="series")
    size = models.PositiveIntegerField(default=0)
    accepted_links = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(null=True)
    last_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-size", "key"]
        verbose_name = _("serie")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.key


class LinkProposal(models.Model):
    """Two registrations that look like the work of the same offender(s): ``a`` has the
    lower id. ``reasons``: list of {code, weight, detail} from the detector."""

    a = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("redenen"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.PROPOSED
    )
    detected_at = models.DateTimeField(_("gevonden op"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reden"), max_length=500, blank=True)
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="link_pair_once"),
            models.CheckConstraint(
                name="link_pair_ordered", condition=models.Q(a__lt=models.F("b"))
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"])]
        verbose_name = _("koppelvoorstel")
        verbose_name_plural = _("koppelvoorstellen")

    def __str__(self) -> str:
        return f"{self.a_id}-{self.b_id} ({self.score:.2f})"


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("afgesloten")


class Problem(models.Model):
    """A phenomenon worked on across teams (probleemgerichte opsporing)."""

    title = models.CharField(_("titel"), max_length=120)
    description = models.TextField(_("omschrijving"), blank=True)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("eigenaar (eenheid)")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    registrations = models.ManyToManyField(
        Registration, through="ProblemMember", related_name="problems"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("probleem")
        verbose_name_plural = _("problemen")

    def __str__(self) -> str:
        return self.title


class ProblemMember(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="members")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reden"), max_length=300, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "registration"], name="problem_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.registration_id}"
