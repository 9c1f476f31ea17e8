"""JSON API for cases: the queues, one case with its history and advice, and the moves."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.audit.models import Action as AuditAction
from regie.audit.services import audit_log
from regie.core.pagination import RegiePagination
from regie.core.problems import problem
from regie.organisation.access import has_perm, role_of
from regie.organisation.roles import Perm
from regie.selection import selectors
from regie.selection.flow import (
    ACTION_LABELS,
    CHOICE_FIELDS,
    STATE_LABELS,
    State,
    TransitionError,
    actions_from,
)
from regie.selection.leads import LEAD_NAMES
from regie.selection.models import Case
from regie.selection.services import audit_refused_move, case_transition

QUEUES = {
    "screening": selectors.screening_queue,
    "dossier": selectors.dossier_queue,
    "zsm": selectors.zsm_queue,
    "om": selectors.om_queue,
    "investigation": selectors.investigation_queue,
}


class EventOut(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    at = serializers.DateTimeField()
    actor_role = serializers.CharField()
    details = serializers.DictField(source="fields")
    advice = serializers.CharField()
    follows_advice = serializers.BooleanField(allow_null=True)


class CaseOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    registration = serializers.CharField(source="registration.number")
    state = serializers.CharField()
    state_label = serializers.SerializerMethodField()
    state_changed_at = serializers.DateTimeField()
    base_team = serializers.CharField(source="base_team.code", allow_null=True, default=None)
    category = serializers.CharField(source="category.code")
    offence_group = serializers.CharField()
    offence_class = serializers.CharField()
    reported_at = serializers.DateTimeField()
    screening_due = serializers.DateTimeField()
    zsm_due = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    leads = serializers.SerializerMethodField()
    advice = serializers.CharField()
    advice_score = serializers.FloatField(allow_null=True)
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    om_decision = serializers.CharField()
    court_outcome = serializers.CharField()

    def get_state_label(self, case: Case) -> str:
        return STATE_LABELS[State(case.state)]

    def get_overdue(self, case: Case) -> bool:
        return selectors.overdue(case)

    def get_leads(self, case: Case) -> dict[str, bool]:
        return {name: bool(getattr(case, name)) for name in LEAD_NAMES}


class AllowedActionOut(serializers.Serializer[Any]):
    action = serializers.CharField()
    title = serializers.CharField()
    target = serializers.CharField()
    required_fields = serializers.ListField(child=serializers.CharField())
    optional_fields = serializers.ListField(child=serializers.CharField())
    choices = serializers.DictField()


class CaseDetailOut(CaseOut):
    advice_detail = serializers.DictField()
    events = EventOut(many=True, source="events.all")


class TransitionIn(serializers.Serializer[Any]):
    """A move: the action and its fields (reason codes, decision, investigator id, note)."""

    action = serializers.CharField(max_length=32)
    payload = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000), default=dict
    )


def _allowed_actions(user: Any, case: Case) -> list[dict[str, Any]]:
    role = role_of(user)
    out = []
    for t in actions_from(State(case.state), role.value if role else ""):
        names = [*t.required, *t.optional]
        out.append(
            {
                "action": t.action.value,
                "title": ACTION_LABELS[t.action],
                "target": t.target.value,
                "required_fields": list(t.required),
                "optional_fields": list(t.optional),
                "choices": {n: CHOICE_FIELDS[n] for n in names if n in CHOICE_FIELDS},
            }
        )
    return out


def _denied(request: Request, pk: int) -> None:
    audit_log(
        actor=request.user,
        action=AuditAction.DENIED,
        object_type="selection.case",
        object_id=pk,
        outcome="denied",
    )


def _case_or_deny(request: Request, pk: int) -> Case:
    case = selectors.case_detail(request.user, pk)
    if case is None:
        if Case.objects.filter(pk=pk).exists():
            _denied(request, pk)
            raise PermissionDenied("Deze zaak valt buiten uw werkgebied.")
        raise NotFound("Onbekende zaak.")
    return case


class CaseQueue(APIView):
    """A work queue, oldest (or earliest due) first."""

    required_perm = Perm.VIEW_CASES

    @extend_schema(
        parameters=[
            OpenApiParameter("queue", str, enum=list(QUEUES), default="screening"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=CaseOut(many=True),
    )
    def get(self, request: Request) -> Response:
        name = request.query_params.get("queue", "screening")
        if name not in QUEUES:
            raise serializers.ValidationError({"queue": [f"Kies uit {', '.join(QUEUES)}."]})
        qs = QUEUES[name](request.user)
        paginator = RegiePagination()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        audit_log(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="selection.case",
            object_id="queue",
            detail={"queue": name, "ids": [c.pk for c in page]},
        )
        return paginator.get_paginated_response(CaseOut(page, many=True).data)


class CaseDetail(APIView):
    required_perm = Perm.VIEW_CASES

    @extend_schema(responses=CaseDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        case = _case_or_deny(request, pk)
        audit_log(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="selection.case",
            object_id=case.pk,
        )
        return Response(CaseDetailOut(case).data)


class CaseTransitions(APIView):
    """GET: the moves the user may make now. POST: make one (403 role or scope, 409 not
    from this state, 422 missing or invalid fields; the body says why)."""

    required_perm = Perm.VIEW_CASES

    @extend_schema(responses=AllowedActionOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        case = _case_or_deny(request, pk)
        return Response(AllowedActionOut(_allowed_actions(request.user, case), many=True).data)

    @extend_schema(
        request=TransitionIn,
        responses={
            200: CaseDetailOut,
            403: OpenApiResponse(description="role or scope"),
            409: OpenApiResponse(description="not from this state"),
            422: OpenApiResponse(description="missing or invalid fields"),
        },
    )
    def post(self, request: Request, pk: int) -> Response | JsonResponse:
        if not has_perm(request.user, Perm.DECIDE_CASES):
            _denied(request, pk)
            raise PermissionDenied("Uw rol neemt geen beslissingen over zaken.")
        case = _case_or_deny(request, pk)
        data = TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case_transition(
                case.pk,
                data.validated_data["action"],
                actor=request.user,
                fields=data.validated_data["payload"],
            )
        except TransitionError as exc:
            audit_refused_move(request.user, case.pk, data.validated_data["action"], exc)
            return problem(
                exc.status,
                detail=exc.message,
                errors=exc.errors or None,
                instance=request.path,
                type_="https://regie.example/problems/case-transition",
            )
        fresh = selectors.case_detail(request.user, case.pk)
        return Response(CaseDetailOut(fresh).data)
