"""JSON API of the organisation (read-only). One class per operation."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import AUTHENTICATED
from regie.organisation import selectors
from regie.organisation.access import can_view_staff_member, position_of, staff_visible_to
from regie.organisation.geodata import RD, WGS84
from regie.organisation.models import BaseTeam, District, Municipality, Position, Unit
from regie.organisation.roles import Perm


class UnitOut(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["code", "name", "is_national"]


class DistrictOut(serializers.ModelSerializer[District]):
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = District
        fields = ["code", "name", "unit", "generated"]


# Integer outputs are declared explicitly: otherwise their documented ranges come from the
# database backend and the OpenAPI document would differ between SQLite and PostgreSQL.
class BaseTeamOut(serializers.ModelSerializer[BaseTeam]):
    population = serializers.IntegerField(read_only=True, help_text="estimated inhabitants")
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    unit = serializers.CharField(source="district.unit.code", read_only=True)

    class Meta:
        model = BaseTeam
        fields = ["code", "name", "district", "unit", "population", "generated"]


class MunicipalityOut(serializers.ModelSerializer[Municipality]):
    population = serializers.IntegerField(read_only=True)
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    base_team: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="null when the municipality is split over several base teams",
    )

    class Meta:
        model = Municipality
        fields = ["code", "name", "population", "unit", "base_team"]


class MunicipalityDetailOut(MunicipalityOut):
    base_teams = serializers.SerializerMethodField()

    class Meta(MunicipalityOut.Meta):
        fields = [*MunicipalityOut.Meta.fields, "base_teams", "geometry"]

    def get_base_teams(self, obj: Municipality) -> list[str]:
        return sorted(set(obj.neighbourhoods.values_list("base_team__code", flat=True)))


class UnitList(generics.ListAPIView[Unit]):
    required_perm = Perm.VIEW_ORGANISATION
    serializer_class = UnitOut
    queryset = Unit.objects.order_by("code")
    pagination_class = None


class DistrictList(generics.ListAPIView[District]):
    required_perm = Perm.VIEW_ORGANISATION
    serializer_class = DistrictOut
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("unit", str, description="unit code, e.g. RE06")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        qs = District.objects.select_related("unit").order_by("code")
        if unit := self.request.query_params.get("unit"):
            qs = qs.filter(unit__code=unit)
        return qs


class BaseTeamList(generics.ListAPIView[BaseTeam]):
    required_perm = Perm.VIEW_ORGANISATION
    serializer_class = BaseTeamOut
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, description="unit code"),
            OpenApiParameter("district", str, description="district code"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        qs = BaseTeam.objects.select_related("district__unit").order_by("code")
        if unit := self.request.query_params.get("unit"):
            qs = qs.filter(district__unit__code=unit)
        if district := self.request.query_params.get("district"):
            qs = qs.filter(district__code=district)
        return qs


class BaseTeamDetail(generics.RetrieveAPIView[BaseTeam]):
    required_perm = Perm.VIEW_ORGANISATION
    serializer_class = BaseTeamOut
    lookup_field = "code"
    queryset = BaseTeam.objects.select_related("district__unit")


class MunicipalityList(generics.ListAPIView[Municipality]):
    required_perm = Perm.VIEW_ORGANISATION
    serializer_class = MunicipalityOut
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("unit", str, description="unit code")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        qs = Municipality.objects.select_related("unit", "base_team").order_by("code")
        if unit := self.request.query_params.get("unit"):
            qs = qs.filter(unit__code=unit)
        return qs


class MunicipalityDetail(generics.RetrieveAPIView[Municipality]):
    required_perm = Perm.VIEW_ORGANISATION
    serializer_class = MunicipalityDetailOut
    lookup_field = "code"
    queryset = Municipality.objects.select_related("unit", "base_team")


class LocateIn(serializers.Serializer[Any]):
    x = serializers.FloatField(help_text="easting (RD metres) or longitude (WGS84)")
    y = serializers.FloatField(help_text="northing (RD metres) or latitude (WGS84)")
    crs = serializers.ChoiceField(choices=[RD, WGS84], default=RD)


class LocateOut(serializers.Serializer[Any]):
    found = serializers.BooleanField()
    neighbourhood = serializers.CharField(allow_null=True)
    municipality = serializers.CharField(allow_null=True)
    base_team = serializers.CharField(allow_null=True)
    district = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_null=True)


class Locate(APIView):
    """Map a coordinate to neighbourhood, municipality, base team, district and unit."""

    required_perm = Perm.LOCATE

    @extend_schema(parameters=[LocateIn], responses=LocateOut)
    def get(self, request: Request) -> Response:
        data = LocateIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        try:
            p = selectors.locate(
                data.validated_data["x"], data.validated_data["y"], data.validated_data["crs"]
            )
        except ValueError as exc:
            raise serializers.ValidationError({"non_field_errors": [str(exc)]}) from exc
        body: dict[str, Any] = {
            "found": p is not None,
            "neighbourhood": None,
            "municipality": None,
            "base_team": None,
            "district": None,
            "unit": None,
        }
        if p is not None:
            body.update(
                neighbourhood=p.neighbourhood.code if p.neighbourhood else None,
                municipality=p.municipality.code,
                base_team=p.base_team.code if p.base_team else None,
                district=p.district.code if p.district else None,
                unit=p.unit.code,
            )
        return Response(LocateOut(body).data)


class StaffOut(serializers.ModelSerializer[Position]):
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    username = serializers.CharField(source="user.username")
    base_team: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    municipality: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Position
        fields = [
            "id",
            "username",
            "first_name",
            "name_particle",
            "last_name",
            "employee_number",
            "job_title",
            "role",
            "scope_level",
            "unit",
            "district",
            "base_team",
            "municipality",
        ]


class StaffList(generics.ListAPIView[Position]):
    """Staff within the caller's need-to-know scope. Every call is audited."""

    required_perm = Perm.VIEW_STAFF
    serializer_class = StaffOut

    @extend_schema(
        parameters=[
            OpenApiParameter("base_team", str, description="base team code"),
            OpenApiParameter("role", str, description="role"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        qs = (
            staff_visible_to(self.request.user)
            .select_related("user", "base_team", "district", "unit", "municipality")
            .order_by("pk")
        )
        if team := self.request.query_params.get("base_team"):
            qs = qs.filter(base_team__code=team)
        if role := self.request.query_params.get("role"):
            qs = qs.filter(role=role)
        return qs

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        audit_log(
            actor=self.request.user,
            action=Action.VIEW,
            object_type="organisation.position",
            object_id="api-list",
            detail={"ids": [p.pk for p in (page or [])]},
        )
        return page


class StaffDetail(APIView):
    required_perm = Perm.VIEW_STAFF

    @extend_schema(responses=StaffOut)
    def get(self, request: Request, pk: int) -> Response:
        staff = get_object_or_404(Position.objects.select_related("user"), pk=pk)
        if not can_view_staff_member(request.user, staff):
            audit_log(
                actor=request.user,
                action=Action.DENIED,
                object_type="organisation.position",
                object_id=pk,
                outcome="denied",
            )
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("Deze medewerker valt buiten uw bevoegdheid.")
        audit_log(
            actor=request.user,
            action=Action.VIEW,
            object_type="organisation.position",
            object_id=staff.pk,
        )
        return Response(StaffOut(staff).data)


class MeOut(serializers.Serializer[Any]):
    username = serializers.CharField()
    role = serializers.CharField()
    scope_level = serializers.CharField()
    scope = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())


class Me(APIView):
    """The caller's own position and permissions."""

    required_perm = AUTHENTICATED

    @extend_schema(responses=MeOut)
    def get(self, request: Request) -> Response:
        from regie.organisation.access import has_perm

        position = position_of(request.user)
        assert position is not None
        return Response(
            MeOut(
                {
                    "username": request.user.get_username(),
                    "role": position.role,
                    "scope_level": position.scope_level,
                    "scope": position.scope_label,
                    "permissions": [p.value for p in Perm if has_perm(request.user, p)],
                }
            ).data
        )
