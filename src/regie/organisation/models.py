"""The police organisation: units, districts, base teams, municipalities, neighbourhoods, staff.

Geometry is stored as GeoJSON text in WGS84 (simplified outlines); computations convert to
RD New (EPSG:28992) with pyproj. Districts and base teams may be *generated* stand-ins (no
public list exists); ``regie org import-structure`` replaces them with the real structure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.audit.models import Retained
from regie.organisation.roles import Confidentiality, Role, ScopeLevel


class Unit(models.Model):
    """A police unit (eenheid): ten regional units plus the national unit (LE)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    is_national = models.BooleanField(_("landelijk"), default=False)
    geometry = models.JSONField(_("grens (GeoJSON, WGS84)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("eenheid")
        verbose_name_plural = _("eenheden")

    def __str__(self) -> str:
        return f"Eenheid {self.name}"


class District(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="districts")
    generated = models.BooleanField(
        _("gegenereerd"), default=False, help_text=_("Plausibele vervanging, geen echte indeling")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districten")

    def __str__(self) -> str:
        return self.name


class BaseTeam(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="base_teams")
    generated = models.BooleanField(_("gegenereerd"), default=False)
    population = models.PositiveIntegerField(_("inwoners"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("basisteam")
        verbose_name_plural = _("basisteams")

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> Unit:
        return self.district.unit


class Municipality(models.Model):
    """A municipality (gemeente) of 2020 with its CBS code (GMxxxx)."""

    code = models.CharField(_("CBS-code"), max_length=6, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="municipalities")
    population = models.PositiveIntegerField(_("inwoners"))
    geometry = models.JSONField(_("grens (GeoJSON, WGS84)"))
    # Null when the municipality is split over several base teams (big cities): then the
    # neighbourhoods carry the base team.
    base_team = models.ForeignKey(
        BaseTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="municipalities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A neighbourhood (wijk, WKxxxxxx) of 2020; the finest level the lookup resolves."""

    code = models.CharField(_("CBS-code"), max_length=10, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="neighbourhoods"
    )
    base_team = models.ForeignKey(BaseTeam, on_delete=models.PROTECT, related_name="neighbourhoods")
    population = models.PositiveIntegerField(_("inwoners"))
    population_estimated = models.BooleanField(
        _("inwoners geschat"),
        default=True,
        help_text=_("De bron geeft geen inwoners per wijk; verdeeld uit de gemeente"),
    )
    geometry = models.JSONField(_("grens (GeoJSON, WGS84)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality.name})"


class Position(models.Model):
    """A staff member's place in the organisation: one role at one organisational scope.

    The scope is national (no FK set), a unit, a district, a base team, or - for a
    municipality's recipient of anonymous tips - a municipality.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="position"
    )
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices)
    scope_level = models.CharField(_("niveau"), max_length=16, choices=ScopeLevel.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)
    base_team = models.ForeignKey(
        BaseTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True)
    name_particle = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    employee_number = models.CharField(_("personeelsnummer"), max_length=16, unique=True)
    job_title = models.CharField(_("functie"), max_length=100, blank=True)
    clearance = models.PositiveSmallIntegerField(
        _("rubricering (maximaal)"),
        choices=Confidentiality.choices,
        null=True,
        blank=True,
        help_text=_("Leeg: de standaard van de rol"),
    )
    synthetic = models.BooleanField(_("synthetisch"), default=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("positie")
        verbose_name_plural = _("posities")
        constraints = [
            models.CheckConstraint(
                name="position_scope_matches_level",
                condition=(
                    models.Q(
                        scope_level="national",
                        unit__isnull=True,
                        district__isnull=True,
                        base_team__isnull=True,
                        municipality__isnull=True,
                    )
                    | models.Q(
                        scope_level="unit",
                        unit__isnull=False,
                        district__isnull=True,
                        base_team__isnull=True,
                        municipality__isnull=True,
                    )
                    | models.Q(
                        scope_level="district",
                        unit__isnull=True,
                        district__isnull=False,
                        base_team__isnull=True,
                        municipality__isnull=True,
                    )
                    | models.Q(
                        scope_level="base_team",
                        unit__isnull=True,
                        district__isnull=True,
                        base_team__isnull=False,
                        municipality__isnull=True,
                    )
                    | models.Q(
                        scope_level="municipality",
                        unit__isnull=True,
                        district__isnull=True,
                        base_team__isnull=True,
                        municipality__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        parts = [self.user.first_name, self.name_particle, self.user.last_name]
        return " ".join(p for p in parts if p)

    @property
    def scope_label(self) -> str:
        target: Any = {
            ScopeLevel.NATIONAL: None,
            ScopeLevel.UNIT: self.unit,
            ScopeLevel.DISTRICT: self.district,
            ScopeLevel.BASE_TEAM: self.base_team,
            ScopeLevel.MUNICIPALITY: self.municipality,
        }.get(ScopeLevel(self.scope_level))
        return str(target) if target is not None else str(_("Landelijk"))


class LoginEvent(Retained):
    """Security log of sign-in attempts (personal data: kept one year, then deleted)."""

    username = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    succeeded = models.BooleanField()
    reason = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]
