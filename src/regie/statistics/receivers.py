"""Marks the summary partitions a change touches, in the transaction of the change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from regie.organisation.signals import structure_changed
from regie.registration.models import Registration
from regie.registration.signals import NewRegistration, registrations_created
from regie.selection.signals import cases_changed
from regie.statistics.services import mark, mark_all, mark_cases, mark_registrations, month_of


@receiver(registrations_created, dispatch_uid="statistics-mark-registrations")
def mark_new_registrations(
    sender: Any, *, ids: list[int], new: Sequence[NewRegistration] | None = None, **kwargs: Any
) -> None:
    if new is not None:
        mark((month_of(n.reported_at), n.base_team_code or "") for n in new)
    elif ids:
        mark_registrations(ids)


@receiver(cases_changed, dispatch_uid="statistics-mark-cases")
def mark_changed_cases(sender: Any, *, ids: list[int], **kwargs: Any) -> None:
    if ids:
        mark_cases(ids)


@receiver(pre_delete, sender=Registration, dispatch_uid="statistics-mark-deleted")
def mark_deleted_registration(sender: Any, instance: Registration, **kwargs: Any) -> None:
    # Retention deletes registrations one by one (their cases go with them).
    mark_registrations([instance.pk])


@receiver(structure_changed, dispatch_uid="statistics-mark-structure")
def mark_everything_after_a_new_structure(sender: Any, **kwargs: Any) -> None:
    # Summary rows carry the district and unit of each base team at refresh time.
    mark_all()
