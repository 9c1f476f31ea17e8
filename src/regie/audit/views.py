from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from regie.audit.forms import AuditSearchForm
from regie.audit.models import Action, Purpose
from regie.audit.selectors import audit_search
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.organisation.roles import Perm

EXPORT_COLUMNS = [
    "seq",
    "at",
    "actor_username",
    "actor_role",
    "actor_base_team_code",
    "actor_unit_code",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "outcome",
    "detail",
    "hash",
]
EXPORT_LIMIT = 100_000


def _filters(form: AuditSearchForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}


@rule(Perm.VIEW_AUDIT)
def search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "audit/search.html", {"form": form, "page": None}, status=400)
    filters = _filters(form) if request.GET else {}
    page = Paginator(audit_search(request.user, filters), 50).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="audit.entry",
        object_id="search",
        purpose=Purpose.WPG13,
        detail={
            "filters": {k: str(v) for k, v in filters.items()},
            "seqs": [e.seq for e in page.object_list],
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/search.html", {"form": form, "page": page, "querystring": query.urlencode()}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@rule(Perm.EXPORT_AUDIT)
def export_csv(request: HttpRequest) -> HttpResponseBase:
    form = AuditSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "audit/search.html", {"form": form, "page": None}, status=400)
    filters = _filters(form) if request.GET else {}
    qs = audit_search(request.user, filters)
    total = qs.count()
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="audit.entry",
        object_id="csv",
        purpose=Purpose.WPG13,
        detail={
            "filters": {k: str(v) for k, v in filters.items()},
            "rows": min(total, EXPORT_LIMIT),
        },
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for e in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    e.at.isoformat(),
                    e.actor_username,
                    e.actor_role,
                    e.actor_base_team_code,
                    e.actor_unit_code,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.purpose,
                    e.outcome,
                    e.detail,
                    e.hash,
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="regie-audit-{stamp}.csv"'
    return response
