"""Every new registration is evaluated against the red-flag rules and the watch lists, in
the transaction that stores it; a merge of persons or goods re-checks the watch lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from regie.alerts.services import evaluate_registrations, hits_after_merge
from regie.registration.models import MergeEvent
from regie.registration.signals import NewRegistration, registrations_created


@receiver(registrations_created, dispatch_uid="alerts-evaluate-registrations")
def evaluate_new_registrations(
    sender: Any,
    *,
    ids: list[int],
    actor: Any = None,
    new: Sequence[NewRegistration] | None = None,
    **kwargs: Any,
) -> None:
    if ids:
        evaluate_registrations(ids, new=new, actor=actor)


@receiver(post_save, sender=MergeEvent, dispatch_uid="alerts-watch-after-merge")
def watch_after_merge(sender: Any, instance: MergeEvent, created: bool, **kwargs: Any) -> None:
    if created:
        hits_after_merge(instance.object_type, instance.survivor_id, instance.merged_id)
