"""Red flags and watch lists.

* :class:`Queue` and :class:`Rule` are data (``data/rules.json``, loaded and then editable on
  a screen): a rule's condition is evaluated by the pure :mod:`regie.alerts.evaluator` on
  every new registration; when it holds a :class:`Flag` is raised (once per rule and
  registration) in the rule's queue with the triggering facts.
* :class:`WatchList` / :class:`WatchEntry`: a watched person or good; a new registration
  involving it (or an object merged with it) gives a :class:`WatchHit` (once per entry,
  registration and role) and a :class:`Notification` for the list's owner and subscribers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.organisation.models import BaseTeam, Unit
from regie.registration.models import Good, Person, Registration


class QueueScope(models.TextChoices):
    #: Members see every flag of the queue (a national expertise centre).
    NATIONAL = "national", _("landelijk")
    #: Members see the flags of registrations within their own organisational scope.
    ORGANISATION = "organisation", _("eigen werkgebied")


class Queue(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("naam"), max_length=120)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    scope = models.CharField(_("bereik"), max_length=16, choices=QueueScope.choices)
    #: Role values whose holders are members (within ``scope``).
    member_roles = models.JSONField(_("leden (rollen)"), default=list)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class Rule(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("titel"), max_length=120)
    rationale = models.TextField(_("onderbouwing"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="rules")
    severity = models.CharField(_("ernst"), max_length=8)
    #: The condition as JSON (see :mod:`regie.alerts.evaluator`).
    condition = models.JSONField(_("voorwaarde"))
    active = models.BooleanField(_("actief"), default=True)
    #: Incremented on every change; a flag records the version that raised it.
    version = models.PositiveIntegerField(default=1)
    #: The version of ``data/rules.json`` it came from; 0 once changed on the screen (then a
    #: newer file leaves it alone).
    file_version = models.PositiveIntegerField(default=0)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class DefinitionLoad(models.Model):
    """Which version of ``data/rules.json`` was loaded, when."""

    version = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"rules.json v{self.version}"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("nieuw")
    ACKNOWLEDGED = "acknowledged", _("in behandeling genomen")
    ASSESSED = "assessed", _("beoordeeld")
    CLOSED = "closed", _("afgesloten")


class Flag(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="flags")
    rule_version = models.PositiveIntegerField()
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="flags")
    severity = models.CharField(_("ernst"), max_length=8)
    #: The triggering facts: offence codes, words found (field, position), persons, counts.
    facts = models.JSONField(_("feiten"))
    #: The base team of the registration (for the queues by organisational scope).
    base_team = models.ForeignKey(
        BaseTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confidentiality = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    raised_at = models.DateTimeField(_("gesignaleerd"), auto_now_add=True)
    #: "intake" (on registration) or "evaluate" (``regie alerts evaluate``).
    raised_by = models.CharField(max_length=12, default="intake")
    assessment = models.CharField(_("beoordeling"), max_length=500, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "registration"], name="alerts_flag_once")
        ]
        indexes = [models.Index(fields=["queue", "status"])]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.registration_id}"


class FlagEvent(models.Model):
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=FlagStatus.choices)
    reason = models.CharField(_("reden"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.flag_id} {self.action}"


class WatchKind(models.TextChoices):
    PERSON = "person", _("personen")
    GOOD = "good", _("goederen")


class WatchList(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("naam"), max_length=120)
    kind = models.CharField(_("soort"), max_length=8, choices=WatchKind.choices)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    #: The unit whose staff (holding the permission) may see the list; empty: national.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    subscribers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class WatchEntry(models.Model):
    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    good = models.ForeignKey(
        Good, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reden"), max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(_("vervalt op"))
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="alerts_watch_entry_one_object",
                condition=models.Q(person__isnull=False, good__isnull=True)
                | models.Q(person__isnull=True, good__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return str(self.person or self.good)

    @property
    def object_id(self) -> int:
        return int(self.person_id or self.good_id or 0)


class WatchHit(models.Model):
    entry = models.ForeignKey(WatchEntry, on_delete=models.CASCADE, related_name="hits")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("rol"), max_length=24)
    #: The object the registration involves (the watched one or one merged with it).
    object_id = models.BigIntegerField()
    via_merge = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "registration", "role"], name="alerts_watch_hit_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.registration_id} {self.role}"


class Notification(models.Model):
    """A message in a colleague's alerts inbox (a watch-list hit)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_notifications"
    )
    hit = models.ForeignKey(WatchHit, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("tekst"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text
