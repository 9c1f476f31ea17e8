"""Retention under the Police Data Act: expired personal data is removed or anonymised.

Models holding personal data inherit :class:`regie.audit.models.Retained` (a purpose and a
``retain_until`` date) and register a :class:`RetentionPolicy` here, usually in their app's
``ready()``. ``regie retention run [--dry-run]`` applies every policy; each removed or
anonymised record is written to the audit log (without the personal data itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models, transaction
from django.utils import timezone

from regie.audit.models import Action, Retained
from regie.audit.services import audit_log


@dataclass(frozen=True)
class RetentionPolicy:
    model: type[Retained]
    action: Literal["delete", "anonymise"]
    #: For "anonymise": clears the personal fields of one instance (it is saved afterwards).
    anonymise: Callable[[Any], None] | None = None
    #: Extra filter, e.g. to skip records under a legal hold.
    extra_filter: Callable[[models.QuerySet[Any]], models.QuerySet[Any]] | None = None
    description: str = ""

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass
class RetentionReport:
    today: dt.date
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)


_REGISTRY: dict[str, RetentionPolicy] = {}


def register(policy: RetentionPolicy) -> None:
    if policy.action == "anonymise" and policy.anonymise is None:
        raise ValueError(f"{policy.label}: an anonymise policy needs an anonymise function")
    _REGISTRY[policy.label] = policy


def policies() -> list[RetentionPolicy]:
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def expired(policy: RetentionPolicy, today: dt.date) -> models.QuerySet[Any]:
    qs = policy.model._default_manager.filter(retain_until__lt=today)
    if policy.action == "anonymise":
        qs = qs.exclude(retain_until=dt.date.max)
    if policy.extra_filter is not None:
        qs = policy.extra_filter(qs)
    return qs


def run_retention(*, dry_run: bool, today: dt.date | None = None) -> RetentionReport:
    today = today or timezone.localdate()
    report = RetentionReport(today=today, dry_run=dry_run)
    for policy in policies():
        qs = expired(policy, today).order_by("pk")
        if dry_run:
            report.counts[policy.label] = qs.count()
            continue
        done = 0
        for obj in qs.iterator(chunk_size=1000):
            with transaction.atomic():
                pk, was_until = obj.pk, obj.retain_until
                if policy.action == "delete":
                    obj.delete()
                    action = Action.DELETE
                else:
                    assert policy.anonymise is not None
                    policy.anonymise(obj)
                    # Anonymised records stay, without personal data, and are not retried.
                    obj.retain_until = dt.date.max
                    obj.save()
                    action = Action.ANONYMISE
                audit_log(
                    actor=None,
                    action=action,
                    object_type=policy.label,
                    object_id=pk,
                    purpose="wpg13",
                    detail={"reason": "retention term expired", "retain_until": str(was_until)},
                )
            done += 1
        report.counts[policy.label] = done
    return report
