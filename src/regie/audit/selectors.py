from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.organisation.access import audit_entries_visible_to


def audit_search(user: Any, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    qs = audit_entries_visible_to(user, AuditEntry.objects.all())
    if filters.get("user"):
        qs = qs.filter(actor_username__iexact=filters["user"])
    for field in ("object_type", "object_id", "action", "purpose", "outcome"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        qs = qs.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tz))
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tz)
        qs = qs.filter(at__lt=end)
    return qs.order_by("-seq")
