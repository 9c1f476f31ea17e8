"""Every registered crime becomes a case: opened in the transaction that stored it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.dispatch import receiver

from regie.registration.signals import NewRegistration, registrations_created
from regie.selection.services import open_cases

#: Sources whose cases are opened elsewhere: the synthetic country opens its cases together
#: with their generated history (``regie synth``, step ``cases``).
OPENED_ELSEWHERE = frozenset({"synth"})


@receiver(registrations_created, dispatch_uid="selection-open-cases")
def open_cases_for_new_registrations(
    sender: Any,
    *,
    ids: list[int],
    actor: Any,
    source: str,
    new: Sequence[NewRegistration] | None = None,
    **kwargs: Any,
) -> None:
    if ids and source not in OPENED_ELSEWHERE:
        open_cases(ids, actor=actor, new=new)
