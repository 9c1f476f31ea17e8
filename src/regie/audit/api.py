from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from regie.audit.forms import AuditSearchForm
from regie.audit.models import Action, AuditEntry, Purpose
from regie.audit.selectors import audit_search
from regie.audit.services import audit_log
from regie.organisation.roles import Perm


class AuditEntryOut(serializers.ModelSerializer[AuditEntry]):
    seq = serializers.IntegerField(read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
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
            "prev_hash",
            "hash",
        ]


class AuditFilterIn(serializers.Serializer[Any]):
    user = serializers.CharField(required=False)
    object_type = serializers.CharField(required=False)
    object_id = serializers.CharField(required=False)
    action = serializers.ChoiceField(choices=Action.choices, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class AuditList(generics.ListAPIView[AuditEntry]):
    """Search the audit log (administrators; integrity officers within their scope)."""

    required_perm = Perm.VIEW_AUDIT
    serializer_class = AuditEntryOut

    @extend_schema(parameters=[AuditFilterIn])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = AuditFilterIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        form = AuditSearchForm(params.validated_data)
        form.is_valid()
        if form.errors:
            raise serializers.ValidationError(
                {k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        self._filters = {k: v for k, v in form.cleaned_data.items() if v}
        return audit_search(self.request.user, self._filters)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        audit_log(
            actor=self.request.user,
            action=Action.VIEW,
            object_type="audit.entry",
            object_id="api-search",
            purpose=Purpose.WPG13,
            detail={
                "filters": {k: str(v) for k, v in self._filters.items()},
                "seqs": [e.seq for e in (page or [])],
            },
        )
        return page
