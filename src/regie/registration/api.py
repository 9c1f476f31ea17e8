"""JSON API for registrations: create (idempotent) and read, within need-to-know."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.organisation.access import (
    can_view_registration,
    clearance_of,
    registrations_visible_to,
)
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Perm
from regie.registration import selectors
from regie.registration.inputs import (
    AddressIn,
    GoodIn,
    InvolvementIn,
    OffenceIn,
    OrganisationIn,
    PersonIn,
    RegistrationIn,
)
from regie.registration.models import Involvement, Registration
from regie.registration.services import (
    IdempotencyConflict,
    RegistrationInvalid,
    registration_create,
)

# --- Input -------------------------------------------------------------------------------------


class PersonInS(serializers.Serializer[Any]):
    first_names = serializers.CharField(max_length=100, allow_blank=True, default="")
    particle = serializers.CharField(max_length=20, allow_blank=True, default="")
    surname = serializers.CharField(max_length=100, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    bsn = serializers.CharField(max_length=11, required=False, allow_null=True, default=None)
    nationality = serializers.CharField(max_length=3, allow_blank=True, default="")
    existing_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )


class OrganisationInS(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, allow_blank=True, default="")
    kvk_number = serializers.CharField(max_length=8, required=False, allow_null=True, default=None)
    existing_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )


class GoodInS(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=16)
    brand = serializers.CharField(max_length=100, allow_blank=True, default="")
    description = serializers.CharField(max_length=200, allow_blank=True, default="")
    frame_number = serializers.CharField(
        max_length=40, required=False, allow_null=True, default=None
    )
    plate = serializers.CharField(max_length=10, required=False, allow_null=True, default=None)
    imei = serializers.CharField(max_length=20, required=False, allow_null=True, default=None)
    serial_number = serializers.CharField(
        max_length=60, required=False, allow_null=True, default=None
    )
    existing_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )


class InvolvementInS(serializers.Serializer[Any]):
    role = serializers.CharField(max_length=24)
    person = PersonInS(required=False, allow_null=True, default=None)
    organisation = OrganisationInS(required=False, allow_null=True, default=None)
    good = GoodInS(required=False, allow_null=True, default=None)


class OffenceInS(serializers.Serializer[Any]):
    incident_code = serializers.CharField(max_length=8)
    attempt = serializers.BooleanField(default=False)
    category_code = serializers.CharField(
        max_length=8, required=False, allow_null=True, default=None
    )


class AddressInS(serializers.Serializer[Any]):
    street = serializers.CharField(max_length=100, allow_blank=True, default="")
    house_number = serializers.CharField(max_length=10, allow_blank=True, default="")
    house_number_suffix = serializers.CharField(max_length=10, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=7, allow_blank=True, default="")
    city = serializers.CharField(max_length=80, allow_blank=True, default="")


class RegistrationInS(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["melding", "aangifte", "aanhouding"])
    occurred_from = serializers.DateTimeField()
    occurred_to = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(
        choices=["desk", "phone", "video", "internet", "street", "chatbot", "tipline"]
    )
    offences = OffenceInS(many=True, default=list)
    involvements = InvolvementInS(many=True, default=list)
    narrative = serializers.CharField(allow_blank=True, default="", max_length=20_000)
    modus_operandi = serializers.CharField(allow_blank=True, default="", max_length=200)
    damage_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    x = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        help_text="RD New easting (EPSG:28992), metres",
    )
    y = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        help_text="RD New northing (EPSG:28992), metres",
    )
    address = AddressInS(required=False, allow_null=True, default=None)
    confidentiality = serializers.IntegerField(min_value=0, max_value=3, default=1)
    extra = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        default=dict,
        help_text="answers specific to the type of report (question -> answer), at most 50",
    )

    def validate_extra(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 50 or any(len(k) > 60 for k in value):
            raise serializers.ValidationError(
                "Hooguit 50 antwoorden, vragen van hooguit 60 tekens."
            )
        return value


def _to_input(d: dict[str, Any]) -> RegistrationIn:
    """The validated data of :class:`RegistrationInS` as the intake dataclass."""
    return RegistrationIn(
        kind=d["kind"],
        occurred_from=d["occurred_from"],
        occurred_to=d["occurred_to"],
        reported_at=d["reported_at"],
        channel=d["channel"],
        offences=tuple(OffenceIn(**o) for o in d["offences"]),
        involvements=tuple(
            InvolvementIn(
                role=i["role"],
                person=PersonIn(**i["person"]) if i.get("person") else None,
                organisation=OrganisationIn(**i["organisation"]) if i.get("organisation") else None,
                good=GoodIn(**i["good"]) if i.get("good") else None,
            )
            for i in d["involvements"]
        ),
        narrative=d["narrative"],
        modus_operandi=d["modus_operandi"],
        damage_amount=d["damage_amount"],
        x=d["x"],
        y=d["y"],
        address=AddressIn(**d["address"]) if d.get("address") else None,
        confidentiality=d["confidentiality"],
        extra=dict(d.get("extra") or {}),
    )


_input_lock = threading.Lock()
_input: list[RegistrationInS] = []


def _bind_all(field: serializers.Field[Any, Any, Any, Any]) -> None:
    if isinstance(field, serializers.ListSerializer):
        _bind_all(field.child)  # type: ignore[arg-type]
    elif isinstance(field, serializers.Serializer):
        for child in field.fields.values():
            _bind_all(child)


def input_serializer() -> RegistrationInS:
    """The request serializer, built once per process. Validating is stateless
    (``run_validation`` returns the data or raises the same ``ValidationError`` as
    ``is_valid``), while building DRF's nested field tree (deep copies of every declared
    field) for each request cost more than the validation itself."""
    if not _input:
        with _input_lock:
            if not _input:
                serializer = RegistrationInS()
                _bind_all(serializer)
                _input.append(serializer)
    return _input[0]


# --- Output ------------------------------------------------------------------------------------


class OffenceOut(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    incident_code = serializers.CharField(source="incident_code.code")
    incident_title = serializers.CharField(source="incident_code.title")
    category_code = serializers.CharField(source="category.code")
    attempt = serializers.BooleanField()
    status = serializers.CharField()


class InvolvementOut(serializers.Serializer[Any]):
    role = serializers.CharField()
    object_type = serializers.SerializerMethodField()
    object_id = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    match_score = serializers.FloatField(allow_null=True)
    identifiers_entered = serializers.SerializerMethodField(
        help_text="identifiers entered here that another good holds (kept, not linked)"
    )

    def _obj(self, inv: Involvement) -> Any:
        return inv.person or inv.organisation or inv.good or inv.location

    def get_object_type(self, inv: Involvement) -> str:
        return next(
            n
            for n in ("person", "organisation", "good", "location")
            if getattr(inv, f"{n}_id") is not None
        )

    def _hidden(self, inv: Involvement) -> bool:
        clearance = self.context.get("clearance")
        return clearance is not None and self._obj(inv).confidentiality > clearance

    def get_object_id(self, inv: Involvement) -> int | None:
        return None if self._hidden(inv) else int(self._obj(inv).pk)

    @extend_schema_field(serializers.DictField(child=serializers.CharField(), allow_null=True))
    def get_identifiers_entered(self, inv: Involvement) -> dict[str, str] | None:
        return None if self._hidden(inv) else inv.identifiers_entered

    def get_label(self, inv: Involvement) -> str:
        if self._hidden(inv):
            return "(afgeschermd)"
        return str(self._obj(inv))


class RegistrationOut(serializers.Serializer[Any]):
    number = serializers.CharField()
    kind = serializers.CharField()
    occurred_from = serializers.DateTimeField()
    occurred_to = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    channel = serializers.CharField()
    narrative = serializers.CharField()
    modus_operandi = serializers.CharField()
    damage_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    x = serializers.FloatField(allow_null=True)
    y = serializers.FloatField(allow_null=True)
    neighbourhood = serializers.CharField(
        source="neighbourhood.code", allow_null=True, default=None
    )
    municipality = serializers.CharField(source="municipality.code", allow_null=True, default=None)
    base_team = serializers.CharField(source="base_team.code", allow_null=True, default=None)
    confidentiality = serializers.IntegerField()
    extra = serializers.DictField(child=serializers.CharField(), allow_null=True)
    offences = OffenceOut(many=True)
    involvements = InvolvementOut(many=True)


class RegistrationCreatedOut(serializers.Serializer[Any]):
    """What a create (or its idempotent replay) returns; the full record is at ``Location``."""

    number = serializers.CharField()
    kind = serializers.CharField()
    reported_at = serializers.DateTimeField()
    base_team = serializers.SerializerMethodField()
    offences = serializers.SerializerMethodField()

    def get_base_team(self, reg: Registration) -> str | None:
        return None if reg.base_team_id is None else team_code(reg.base_team_id)

    def get_offences(self, reg: Registration) -> list[str]:
        known = self.context.get("offences")
        if known is not None:
            return list(known)
        return list(reg.offences.order_by("seq").values_list("incident_code__code", flat=True))


_team_codes: dict[int, str] = {}


def team_code(pk: int) -> str | None:
    """The code of a base team, remembered per process: a team keeps its code (a structure
    import updates teams by code and gives new teams new ids)."""
    code = _team_codes.get(pk)
    if code is None:
        code = BaseTeam.objects.filter(pk=pk).values_list("code", flat=True).first()
        if code is not None:
            _team_codes[pk] = code
    return code


class RegistrationSummaryOut(serializers.Serializer[Any]):
    number = serializers.CharField()
    kind = serializers.CharField()
    reported_at = serializers.DateTimeField()
    channel = serializers.CharField()
    base_team = serializers.CharField(source="base_team.code", allow_null=True, default=None)
    offences = serializers.SerializerMethodField()

    def get_offences(self, reg: Registration) -> list[str]:
        return [o.incident_code.code for o in reg.offences.all()]


class Conflict(APIException):
    status_code = 409
    default_detail = "Conflict"
    default_code = "conflict"


# --- Views -------------------------------------------------------------------------------------


def _full(qs: Any) -> Any:
    return qs.select_related("neighbourhood", "municipality", "base_team").prefetch_related(
        Prefetch("offences", queryset=selectors.offences_qs()),
        Prefetch("involvements", queryset=selectors.involvements_qs()),
    )


class RegistrationCollection(APIView):
    """List registrations within need-to-know (GET) or register one (POST).

    POST takes an ``Idempotency-Key`` header: a retried request with the same key and body
    returns the stored registration (200, ``Idempotent-Replayed: true``) instead of a second
    one; the same key with another body is a 409.
    """

    def get_permissions(self) -> Any:
        self.required_perm = (
            Perm.CREATE_REGISTRATION if self.request.method == "POST" else Perm.VIEW_REGISTRATION
        )
        return super().get_permissions()

    required_perm = Perm.VIEW_REGISTRATION

    @extend_schema(
        parameters=[OpenApiParameter("base_team", str), OpenApiParameter("kind", str)],
        responses=RegistrationSummaryOut(many=True),
    )
    def get(self, request: Request) -> Response:
        from regie.core.pagination import RegiePagination

        qs = (
            registrations_visible_to(request.user, Registration.objects.all())
            .select_related("base_team")
            .prefetch_related(Prefetch("offences", queryset=selectors.offences_qs()))
            .order_by("-reported_at", "-pk")
        )
        if team := request.query_params.get("base_team"):
            qs = qs.filter(base_team__code=team)
        if kind := request.query_params.get("kind"):
            qs = qs.filter(kind=kind)
        paginator = RegiePagination()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="registration.registration",
            object_id="api-list",
            detail={"ids": [r.pk for r in page]},
        )
        return paginator.get_paginated_response(RegistrationSummaryOut(page, many=True).data)

    @extend_schema(
        request=RegistrationInS,
        responses={201: RegistrationCreatedOut, 200: RegistrationCreatedOut},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                location=OpenApiParameter.HEADER,
                description="client-chosen key, max. 64 characters",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and not (1 <= len(key) <= 64 and key.isprintable()):
            raise serializers.ValidationError(
                {"Idempotency-Key": ["Gebruik 1 tot 64 leesbare tekens."]}
            )
        reg = _to_input(input_serializer().run_validation(request.data))
        # Keys are per client: another client's key can never replay or block this one.
        scoped = (
            f"api:{request.user.pk}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"
            if key is not None
            else None
        )
        try:
            registration, created = registration_create(
                reg, actor=request.user, source="api", idempotency_key=scoped
            )
        except RegistrationInvalid as exc:
            raise serializers.ValidationError(exc.errors) from exc
        except IdempotencyConflict as exc:
            raise Conflict(str(exc)) from exc
        # A new registration's offences are the request's, in order; a replay reads them.
        offences = [o.incident_code for o in reg.offences] if created else None
        body = RegistrationCreatedOut(registration, context={"offences": offences}).data
        response = Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        if not created:
            response["Idempotent-Replayed"] = "true"
        response["Location"] = f"/api/v1/registrations/{registration.number}/"
        return response


class RegistrationDetail(APIView):
    required_perm = Perm.VIEW_REGISTRATION

    @extend_schema(responses=RegistrationOut)
    def get(self, request: Request, number: str) -> Response:
        registration = get_object_or_404(_full(Registration.objects.all()), number=number)
        if not can_view_registration(request.user, registration):
            audit_log(
                actor=request.user,
                action=Action.DENIED,
                object_type="registration.registration",
                object_id=registration.pk,
                outcome="denied",
            )
            raise PermissionDenied("Deze registratie valt buiten uw bevoegdheid.")
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="registration.registration",
            object_id=registration.pk,
        )
        context = {"clearance": int(clearance_of(request.user))}
        return Response(RegistrationOut(registration, context=context).data)
