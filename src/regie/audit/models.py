"""Append-only, hash-chained audit log, and the retention mixin for records with personal data.

Every entry stores the SHA-256 of its own canonical content plus the previous entry's hash,
so editing, deleting or reordering any row breaks the chain (``regie audit verify``). The
application cannot update or delete entries (model and queryset refuse), and database
triggers refuse UPDATE and DELETE on both SQLite and PostgreSQL (migration 0002).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Purpose of processing under the Police Data Act (Wet politiegegevens)."""

    WPG8 = "wpg8", _("art. 8 Wpg: uitvoering dagelijkse politietaak")
    WPG9 = "wpg9", _("art. 9 Wpg: gericht onderzoek")
    WPG10 = "wpg10", _("art. 10 Wpg: analyse en thematische verwerking")
    WPG11 = "wpg11", _("art. 11 Wpg: informanten")
    WPG13 = "wpg13", _("art. 13 Wpg: ondersteunende taken (beheer, controle, verantwoording)")
    WPG17 = "wpg17", _("art. 17 Wpg: verstrekking aan buitenlandse autoriteiten")


class Action(models.TextChoices):
    VIEW = "view", _("inzien")
    CREATE = "create", _("aanmaken")
    CHANGE = "change", _("wijzigen")
    DELETE = "delete", _("verwijderen")
    ANONYMISE = "anonymise", _("anonimiseren")
    EXPORT = "export", _("exporteren")
    LOGIN = "login", _("inloggen")
    DENIED = "denied", _("geweigerd")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("gelukt")
    DENIED = "denied", _("geweigerd")
    FAILURE = "failure", _("mislukt")


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> NoReturn:
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(_("volgnummer"), unique=True)
    at = models.DateTimeField(_("tijdstip"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("gebruiker"), max_length=150, db_index=True)
    actor_role = models.CharField(_("rol"), max_length=32, blank=True)
    actor_base_team_code = models.CharField(max_length=16, blank=True)
    actor_unit_code = models.CharField(max_length=8, blank=True)
    action = models.CharField(_("handeling"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("objecttype"), max_length=64, db_index=True)
    object_id = models.CharField(_("object-id"), max_length=64, blank=True, db_index=True)
    purpose = models.CharField(_("doel"), max_length=8, choices=Purpose.choices)
    outcome = models.CharField(_("uitkomst"), max_length=8, choices=Outcome.choices)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("the audit log is append-only")


class AuditChainHead(models.Model):
    """One row holding the last sequence number and hash; locked while appending."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head #{self.seq}"


class Retained(models.Model):
    """Mixin for records with personal data: a purpose and a date after which the record is
    removed or anonymised by ``regie retention run`` (see :mod:`regie.audit.retention`)."""

    purpose = models.CharField(_("doel"), max_length=8, choices=Purpose.choices)
    retain_until = models.DateField(_("bewaren tot"), db_index=True)

    class Meta:
        abstract = True
