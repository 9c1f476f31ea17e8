"""Keeps the index current: new registrations, merges and splits of core objects, deletions
(retention), legal-assistance messages, a new organisation structure. Each receiver runs in
the transaction of the change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from regie.legal_assistance.models import LegalMessage
from regie.organisation.signals import structure_changed
from regie.registration.models import (
    Good,
    Location,
    MergeEvent,
    Organisation,
    Person,
    Registration,
)
from regie.registration.signals import (
    NewRegistration,
    core_objects_changed,
    registrations_created,
)
from regie.search import services
from regie.search.providers import team_places


@receiver(registrations_created, dispatch_uid="search-index-registrations")
def index_registrations(
    sender: Any, *, ids: list[int], new: Sequence[NewRegistration] | None = None, **kwargs: Any
) -> None:
    # ``new`` lacks the text: the registrations are read back once per batch; its
    # involvements save reading those back.
    if ids:
        services.index_new_registrations(ids, new)


@receiver(core_objects_changed, dispatch_uid="search-core-objects-changed")
def reindex_changed_objects(sender: Any, *, kind: str, ids: list[int], **kwargs: Any) -> None:
    # E.g. a BSN added to an automatically linked person: searchable at once.
    services.index_objects(kind, ids)


@receiver(post_save, sender=MergeEvent, dispatch_uid="search-merge")
def reindex_after_merge(sender: Any, instance: MergeEvent, **kwargs: Any) -> None:
    # A merge (created) and a split (undone_at set) both change two documents.
    services.index_objects(instance.object_type, [instance.survivor_id, instance.merged_id])


@receiver(post_save, sender=Registration, dispatch_uid="search-registration-changed")
def registration_changed(sender: Any, instance: Registration, created: bool, **kwargs: Any) -> None:
    # New registrations come through ``registrations_created`` (with their involvements).
    if not created:
        services.registration_changed(instance.pk)


@receiver(post_delete, sender=Registration, dispatch_uid="search-registration-deleted")
def registration_deleted(sender: Any, instance: Registration, **kwargs: Any) -> None:
    services.registration_removed(instance.pk)


_KINDS = {Person: "person", Organisation: "organisation", Good: "good", Location: "location"}


def _core_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.remove_objects(_KINDS[sender], [instance.pk])


for _model in _KINDS:
    post_delete.connect(_core_deleted, sender=_model, dispatch_uid=f"search-{_model.__name__}")


@receiver(post_save, sender=LegalMessage, dispatch_uid="search-legal-message")
def legal_message_saved(sender: Any, instance: LegalMessage, **kwargs: Any) -> None:
    services.index_objects("legal_message", [instance.pk])


@receiver(post_delete, sender=LegalMessage, dispatch_uid="search-legal-message-deleted")
def legal_message_deleted(sender: Any, instance: LegalMessage, **kwargs: Any) -> None:
    services.remove_objects("legal_message", [instance.pk])


@receiver(structure_changed, dispatch_uid="search-structure")
def structure_changed_forget_places(sender: Any, **kwargs: Any) -> None:
    # Documents keep the district and unit of their base team: move them with the team.
    from regie.search.models import SearchDocument, SearchGrant

    team_places.cache_clear()
    for team_id, (district_id, unit_id) in team_places().items():
        for model in (SearchDocument, SearchGrant):
            model.objects.filter(base_team_id=team_id).exclude(
                district_id=district_id, unit_id=unit_id
            ).update(district_id=district_id, unit_id=unit_id)
