"""Cases of the Selectiviteitskader: one per registered crime, its history of moves, the
framework's rules as versioned data, the fitted solvability models and quality reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import BaseTeam, Neighbourhood, Unit
from regie.registration.models import OffenceCategory, Registration
from regie.selection.flow import ACTION_LABELS, STATE_LABELS, Action, State
from regie.selection.leads import OFFENCE_GROUPS


class OffenceClass(models.TextChoices):
    HIGH_IMPACT = "hic", _("Hoog-impactcriminaliteit")
    UNDERMINING = "undermining", _("Ondermijning")
    HIGH_VOLUME = "vvc", _("Veelvoorkomende criminaliteit")
    OTHER = "other", _("Overig")


class Advice(models.TextChoices):
    TAKE_UP = "take_up", _("Oppakken")
    REJECT = "reject", _("Afwijzen")
    ASSESS = "assess", _("Nader beoordelen")


class Case(models.Model):
    """One registered crime in the flow. The state changes only through
    :func:`regie.selection.services.case_transition`, which writes a :class:`CaseEvent`."""

    #: A case lives as long as its registration: the registration's retention period
    #: (Police Data Act) removes the case, its history and its reviews with it.
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="case")
    state = models.CharField(
        _("status"),
        max_length=20,
        choices=[(s.value, STATE_LABELS[s]) for s in State],
        default=State.REGISTERED.value,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("status sinds"))
    base_team = models.ForeignKey(
        BaseTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(OffenceCategory, on_delete=models.PROTECT, related_name="+")
    offence_group = models.CharField(
        max_length=16, choices=[(k, v) for k, v in OFFENCE_GROUPS.items()]
    )
    offence_class = models.CharField(max_length=12, choices=OffenceClass.choices)
    reported_at = models.DateTimeField(_("gemeld op"), db_index=True)

    # Investigative leads (opsporingsindicaties); see regie.selection.leads.
    known_suspect = models.BooleanField(default=False)
    caught_in_act = models.BooleanField(default=False)
    camera_footage = models.BooleanField(default=False)
    forensic_traces = models.BooleanField(default=False)
    witness = models.BooleanField(default=False)
    traceable_good = models.BooleanField(default=False)
    linked_case = models.BooleanField(default=False)
    damage_above_threshold = models.BooleanField(default=False)
    vulnerable_victim = models.BooleanField(default=False)

    advice = models.CharField(_("advies"), max_length=8, choices=Advice.choices, blank=True)
    advice_score = models.FloatField(_("kans op oplossing"), null=True, blank=True)
    advice_detail = models.JSONField(default=dict, blank=True)
    advised_at = models.DateTimeField(null=True, blank=True)

    screening_due = models.DateTimeField(_("screenen vóór"), db_index=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    zsm_due = models.DateTimeField(_("ZSM-beslissing vóór"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("rechercheur"),
    )
    om_decision = models.CharField(max_length=16, blank=True)
    court_outcome = models.CharField(max_length=16, blank=True)
    #: SHA-256 of the victim's status code ("Mijn Onderzoek"); the code itself is shown once.
    status_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("zaak")
        verbose_name_plural = _("zaken")
        indexes = [
            models.Index(fields=["base_team", "state", "reported_at"]),
            models.Index(fields=["state", "zsm_due"]),
            models.Index(fields=["assignee", "state"]),
        ]

    def __str__(self) -> str:
        return f"zaak {self.registration_id} ({self.state})"


class CaseEvent(models.Model):
    """One move in a case's history (append-only): who, when, what, why, and what the
    framework advised at that moment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=[(a.value, ACTION_LABELS[a]) for a in Action])
    from_state = models.CharField(
        max_length=20, choices=[(s.value, STATE_LABELS[s]) for s in State]
    )
    to_state = models.CharField(max_length=20, choices=[(s.value, STATE_LABELS[s]) for s in State])
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_role = models.CharField(max_length=24)
    actor_team = models.ForeignKey(
        BaseTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The validated fields of the move (reason codes, decision, investigator id, note).
    fields = models.JSONField(default=dict, blank=True)
    #: The reason code of the move, whichever list it is from (for counting).
    reason = models.CharField(max_length=24, blank=True, db_index=True)
    advice = models.CharField(max_length=8, blank=True)
    follows_advice = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")
        ]
        indexes = [models.Index(fields=["action", "at"])]
        ordering = ["case", "seq"]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class ScopeLevel(models.TextChoices):
    NATIONAL = "national", _("Landelijk")
    UNIT = "unit", _("Eenheid")
    BASE_TEAM = "base_team", _("Basisteam")


class FrameworkRule(models.Model):
    """One version of one rule of the framework. A rule is identified by ``key`` (scope and
    category); editing adds a version, nothing is overwritten (see
    :func:`regie.selection.framework.effective_rules`)."""

    key = models.CharField(max_length=64, db_index=True)
    version = models.PositiveIntegerField()
    scope_level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    base_team = models.ForeignKey(BaseTeam, on_delete=models.PROTECT, null=True, blank=True)
    category = models.ForeignKey(
        OffenceCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offence_class = models.CharField(max_length=12, choices=OffenceClass.choices, blank=True)
    always_take_up = models.BooleanField(_("altijd oppakken"), default=False)
    take_up_at = models.FloatField(_("drempel oppakken"), null=True, blank=True)
    reject_below = models.FloatField(_("drempel afwijzen"), null=True, blank=True)
    damage_threshold = models.DecimalField(
        _("schadedrempel"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rationale = models.TextField(_("toelichting"))
    valid_from = models.DateField(_("geldig vanaf"))
    valid_to = models.DateField(_("geldig tot"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="framework_rule_version")
        ]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class SolvabilityModel(models.Model):
    """A fitted solvability model with its evaluation and model card. At most one is active;
    ``enabled`` on the active one is the off switch."""

    version = models.CharField(max_length=32, unique=True)
    fitted_at = models.DateTimeField()
    fitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    parameters = models.JSONField()
    evaluation = models.JSONField(default=dict)
    criteria = models.JSONField(default=dict)
    passed = models.BooleanField(default=False)
    model_card = models.TextField(blank=True)
    training_from = models.DateField()
    training_to = models.DateField()
    test_from = models.DateField()
    test_to = models.DateField()
    active = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["-fitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True),
                name="one_active_solvability_model",
            )
        ]

    def __str__(self) -> str:
        return f"model {self.version}"


class QualityReview(models.Model):
    """A quality officer's review of one screening or dossier decision."""

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    sample = models.CharField(max_length=8)  # random | risk
    correct = models.BooleanField(_("kader juist toegepast"))
    feedback = models.TextField(_("terugkoppeling"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "reviewer"], name="one_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"review {self.event_id}"
