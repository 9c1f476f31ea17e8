"""Roles, organisational scope levels, confidentiality levels and what each role may do.

This is data, read by the access functions in :mod:`regie.organisation.access`. Permissions
are coarse ("may view staff"); the access functions add the organisational scope and the
record's confidentiality.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", _("Baliemedewerker")
    CASE_SCREENER = "case_screener", _("Screener")
    DOSSIER_MANAGER = "dossier_manager", _("Dossiermanager")
    INVESTIGATOR = "investigator", _("Rechercheur")
    TEAM_CHIEF = "team_chief", _("Teamchef")
    ANALYST = "analyst", _("Analist")
    OM_LIAISON = "om_liaison", _("OM-medewerker ZSM")
    QUALITY_OFFICER = "quality_officer", _("Kwaliteitshulpofficier")
    INTELLIGENCE_OFFICER = "intelligence_officer", _("Informatierechercheur")
    TIPLINE_OPERATOR = "tipline_operator", _("Medewerker Meld Misdaad Anoniem")
    MUNICIPALITY_RECIPIENT = "municipality_recipient", _("Ontvanger gemeente")
    AGENCY_RECIPIENT = "agency_recipient", _("Ontvanger partnerorganisatie")
    LIRC_OFFICER = "lirc_officer", _("Medewerker LIRC")
    INTEGRITY_OFFICER = "integrity_officer", _("Medewerker integriteit")
    ADMINISTRATOR = "administrator", _("Beheerder")


class ScopeLevel(models.TextChoices):
    NATIONAL = "national", _("Landelijk")
    UNIT = "unit", _("Eenheid")
    DISTRICT = "district", _("District")
    BASE_TEAM = "base_team", _("Basisteam")
    MUNICIPALITY = "municipality", _("Gemeente")


class Confidentiality(models.IntegerChoices):
    """Confidentiality of a record; a user sees records up to their clearance."""

    PUBLIC = 0, _("Openbaar")
    INTERNAL = 1, _("Intern")
    CONFIDENTIAL = 2, _("Vertrouwelijk")
    SECRET = 3, _("Geheim")


class Perm(StrEnum):
    """Coarse permissions. Views and API operations each declare exactly one."""

    VIEW_ORGANISATION = "view_organisation"
    LOCATE = "locate"
    VIEW_STAFF = "view_staff"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    VIEW_REGISTRATION = "view_registration"
    CREATE_REGISTRATION = "create_registration"
    MERGE_CORE_OBJECTS = "merge_core_objects"
    VIEW_CASES = "view_cases"
    DECIDE_CASES = "decide_cases"
    EDIT_FRAMEWORK = "edit_framework"
    MANAGE_SOLVABILITY = "manage_solvability"
    REVIEW_QUALITY = "review_quality"
    VIEW_STATISTICS = "view_statistics"
    VIEW_ANTICIPATION = "view_anticipation"
    MANAGE_ANTICIPATION = "manage_anticipation"
    VIEW_LEGAL_ASSISTANCE = "view_legal_assistance"
    HANDLE_LEGAL_ASSISTANCE = "handle_legal_assistance"
    HANDLE_TIPS = "handle_tips"
    RECEIVE_TIPS = "receive_tips"
    MANAGE_TIP_BILLING = "manage_tip_billing"
    VIEW_TIP_STATISTICS = "view_tip_statistics"
    SEARCH = "search"
    VIEW_INTELLIGENCE = "view_intelligence"
    DECIDE_LINKS = "decide_links"
    MANAGE_PROBLEMS = "manage_problems"
    VIEW_ALERTS = "view_alerts"
    HANDLE_ALERTS = "handle_alerts"
    MANAGE_ALERT_RULES = "manage_alert_rules"
    VIEW_WATCHLISTS = "view_watchlists"
    MANAGE_WATCHLISTS = "manage_watchlists"


_POLICE = {
    Role.DESK_OFFICER,
    Role.CASE_SCREENER,
    Role.DOSSIER_MANAGER,
    Role.INVESTIGATOR,
    Role.TEAM_CHIEF,
    Role.ANALYST,
    Role.OM_LIAISON,
    Role.QUALITY_OFFICER,
    Role.INTELLIGENCE_OFFICER,
    Role.LIRC_OFFICER,
    Role.INTEGRITY_OFFICER,
    Role.ADMINISTRATOR,
}

#: Which roles hold which permission. Anything not listed is denied.
PERMISSION_ROLES: dict[Perm, frozenset[Role]] = {
    # The structure of the organisation is not personal data, but it is internal: police
    # staff and the tip line (which routes tips by area) see it; external recipients do not.
    Perm.VIEW_ORGANISATION: frozenset(_POLICE | {Role.TIPLINE_OPERATOR}),
    Perm.LOCATE: frozenset(_POLICE | {Role.TIPLINE_OPERATOR}),
    # Staff records are personal data: the team chief for their own team, integrity staff
    # within their scope, administrators everywhere.
    Perm.VIEW_STAFF: frozenset({Role.TEAM_CHIEF, Role.INTEGRITY_OFFICER, Role.ADMINISTRATOR}),
    Perm.VIEW_AUDIT: frozenset({Role.INTEGRITY_OFFICER, Role.ADMINISTRATOR}),
    # Registrations hold police data (art. 8 Wpg): the police roles that work with cases,
    # within their scope; not the functional administrator, not the tip line, not external
    # recipients. LIRC looks up registers nationally.
    Perm.VIEW_REGISTRATION: frozenset(
        {
            Role.DESK_OFFICER,
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.TEAM_CHIEF,
            Role.ANALYST,
            Role.OM_LIAISON,
            Role.QUALITY_OFFICER,
            Role.INTELLIGENCE_OFFICER,
            Role.LIRC_OFFICER,
        }
    ),
    Perm.CREATE_REGISTRATION: frozenset(
        {
            Role.DESK_OFFICER,
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.TEAM_CHIEF,
        }
    ),
    # Merging two persons changes what everyone sees: intelligence officers and dossier
    # managers, who check identities.
    Perm.MERGE_CORE_OBJECTS: frozenset({Role.INTELLIGENCE_OFFICER, Role.DOSSIER_MANAGER}),
    Perm.EXPORT_AUDIT: frozenset({Role.INTEGRITY_OFFICER, Role.ADMINISTRATOR}),
    # Cases of the Selectiviteitskader: the roles in the flow, the team chief who steers,
    # the quality officer who reviews, the analyst who studies the funnel.
    Perm.VIEW_CASES: frozenset(
        {
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.TEAM_CHIEF,
            Role.OM_LIAISON,
            Role.QUALITY_OFFICER,
            Role.ANALYST,
        }
    ),
    # Moving a case; which move each role may make is in regie.selection.flow.TRANSITIONS.
    Perm.DECIDE_CASES: frozenset(
        {
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.TEAM_CHIEF,
            Role.OM_LIAISON,
        }
    ),
    # Local priorities and national rules (national rules only at national scope).
    Perm.EDIT_FRAMEWORK: frozenset({Role.TEAM_CHIEF}),
    # Refit, inspect and switch off the solvability model.
    Perm.MANAGE_SOLVABILITY: frozenset({Role.ANALYST, Role.QUALITY_OFFICER}),
    Perm.REVIEW_QUALITY: frozenset({Role.QUALITY_OFFICER}),
    # Crime statistics and the quality dashboard: counts within the user's scope, for those
    # who steer and analyse.
    Perm.VIEW_STATISTICS: frozenset(
        {Role.ANALYST, Role.TEAM_CHIEF, Role.QUALITY_OFFICER, Role.INTELLIGENCE_OFFICER}
    ),
    # International legal assistance (LIRC): the work queue of incoming notices, diffusions,
    # SIRENE and Europol messages and requests, nationally, for the LIRC only (art. 17 Wpg).
    Perm.VIEW_LEGAL_ASSISTANCE: frozenset({Role.LIRC_OFFICER}),
    Perm.HANDLE_LEGAL_ASSISTANCE: frozenset({Role.LIRC_OFFICER}),
    # Crime anticipation (CAS): predictions per 125 m cell and capacity advice, aggregates
    # without personal data; the team chief who decides on patrols, the analysts and
    # intelligence staff who judge them. Analysts run, review and switch them off.
    Perm.VIEW_ANTICIPATION: frozenset(
        {Role.TEAM_CHIEF, Role.ANALYST, Role.INTELLIGENCE_OFFICER, Role.QUALITY_OFFICER}
    ),
    Perm.MANAGE_ANTICIPATION: frozenset({Role.ANALYST}),
    # Anonymous tip line (Meld Misdaad Anoniem): the desk reads originals and forwards;
    # recipients read only what was sealed for them - public-order staff of a connected
    # municipality, and the intelligence staff of a police unit that is a recipient.
    Perm.HANDLE_TIPS: frozenset({Role.TIPLINE_OPERATOR}),
    Perm.RECEIVE_TIPS: frozenset(
        {Role.MUNICIPALITY_RECIPIENT, Role.AGENCY_RECIPIENT, Role.INTELLIGENCE_OFFICER}
    ),
    Perm.MANAGE_TIP_BILLING: frozenset({Role.TIPLINE_OPERATOR}),
    Perm.VIEW_TIP_STATISTICS: frozenset({Role.TIPLINE_OPERATOR}),
    # One search ("Blue View"): the roles that see registrations; what each finds is limited
    # by scope, clearance and the kinds its role may see (regie.search.selectors).
    Perm.SEARCH: frozenset(
        {
            Role.DESK_OFFICER,
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.TEAM_CHIEF,
            Role.ANALYST,
            Role.OM_LIAISON,
            Role.QUALITY_OFFICER,
            Role.INTELLIGENCE_OFFICER,
            Role.LIRC_OFFICER,
        }
    ),
    # Case linking and intelligence pictures (probleemgerichte opsporing): series proposals,
    # problems, the network of linked cases and the current-intelligence picture hold
    # personal data of suspects; for intelligence staff, analysts and the team chief who
    # steers, within their scope and clearance. Analysts and intelligence officers decide on
    # proposed links; they and team chiefs keep the problems.
    Perm.VIEW_INTELLIGENCE: frozenset({Role.INTELLIGENCE_OFFICER, Role.ANALYST, Role.TEAM_CHIEF}),
    Perm.DECIDE_LINKS: frozenset({Role.INTELLIGENCE_OFFICER, Role.ANALYST}),
    Perm.MANAGE_PROBLEMS: frozenset({Role.INTELLIGENCE_OFFICER, Role.ANALYST, Role.TEAM_CHIEF}),
    # Red flags (regie.alerts): the roles that can be members of a flag queue; membership
    # (the queue's roles, national or within one's own scope) decides which queue and flag.
    Perm.VIEW_ALERTS: frozenset(
        {
            Role.TEAM_CHIEF,
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.INTELLIGENCE_OFFICER,
        }
    ),
    Perm.HANDLE_ALERTS: frozenset(
        {
            Role.TEAM_CHIEF,
            Role.CASE_SCREENER,
            Role.DOSSIER_MANAGER,
            Role.INVESTIGATOR,
            Role.INTELLIGENCE_OFFICER,
        }
    ),
    # The red-flag rules hold no personal data: the functional administrator and the
    # intelligence officers who own the signals.
    Perm.MANAGE_ALERT_RULES: frozenset({Role.ADMINISTRATOR, Role.INTELLIGENCE_OFFICER}),
    # Watch lists (Amazone veelplegers, stolen goods): personal data of watched persons.
    Perm.VIEW_WATCHLISTS: frozenset(
        {Role.INTELLIGENCE_OFFICER, Role.TEAM_CHIEF, Role.INVESTIGATOR, Role.DOSSIER_MANAGER}
    ),
    Perm.MANAGE_WATCHLISTS: frozenset({Role.INTELLIGENCE_OFFICER, Role.TEAM_CHIEF}),
}

#: The highest confidentiality a role may see unless the position sets another clearance.
ROLE_CLEARANCE: dict[Role, Confidentiality] = {
    Role.DESK_OFFICER: Confidentiality.INTERNAL,
    Role.CASE_SCREENER: Confidentiality.INTERNAL,
    Role.DOSSIER_MANAGER: Confidentiality.CONFIDENTIAL,
    Role.INVESTIGATOR: Confidentiality.CONFIDENTIAL,
    Role.TEAM_CHIEF: Confidentiality.CONFIDENTIAL,
    Role.ANALYST: Confidentiality.CONFIDENTIAL,
    Role.OM_LIAISON: Confidentiality.CONFIDENTIAL,
    Role.QUALITY_OFFICER: Confidentiality.INTERNAL,
    Role.INTELLIGENCE_OFFICER: Confidentiality.SECRET,
    Role.TIPLINE_OPERATOR: Confidentiality.CONFIDENTIAL,
    Role.MUNICIPALITY_RECIPIENT: Confidentiality.PUBLIC,
    Role.AGENCY_RECIPIENT: Confidentiality.PUBLIC,
    Role.LIRC_OFFICER: Confidentiality.CONFIDENTIAL,
    Role.INTEGRITY_OFFICER: Confidentiality.SECRET,
    Role.ADMINISTRATOR: Confidentiality.INTERNAL,
}

#: The usual scope of a role (used by the demo world and the staff generator).
ROLE_DEFAULT_SCOPE: dict[Role, ScopeLevel] = {
    Role.DESK_OFFICER: ScopeLevel.BASE_TEAM,
    Role.CASE_SCREENER: ScopeLevel.BASE_TEAM,
    Role.DOSSIER_MANAGER: ScopeLevel.BASE_TEAM,
    Role.INVESTIGATOR: ScopeLevel.BASE_TEAM,
    Role.TEAM_CHIEF: ScopeLevel.BASE_TEAM,
    Role.ANALYST: ScopeLevel.DISTRICT,
    Role.OM_LIAISON: ScopeLevel.DISTRICT,
    Role.QUALITY_OFFICER: ScopeLevel.DISTRICT,
    Role.INTELLIGENCE_OFFICER: ScopeLevel.UNIT,
    Role.TIPLINE_OPERATOR: ScopeLevel.NATIONAL,
    Role.MUNICIPALITY_RECIPIENT: ScopeLevel.MUNICIPALITY,
    # A partner's staff (FIOD, KMar, Rijksrecherche, inspectorates, insurers) hold no police
    # scope: they read only the recipient they are a member of (tips.Recipient.members).
    Role.AGENCY_RECIPIENT: ScopeLevel.NATIONAL,
    Role.LIRC_OFFICER: ScopeLevel.NATIONAL,
    Role.INTEGRITY_OFFICER: ScopeLevel.UNIT,
    Role.ADMINISTRATOR: ScopeLevel.NATIONAL,
}

#: Purpose of processing under the Police Data Act (Wet politiegegevens) recorded with each
#: audit entry; the default follows from the role.
ROLE_PURPOSE: dict[Role, str] = {
    Role.DESK_OFFICER: "wpg8",
    Role.CASE_SCREENER: "wpg8",
    Role.DOSSIER_MANAGER: "wpg8",
    Role.INVESTIGATOR: "wpg9",
    Role.TEAM_CHIEF: "wpg8",
    Role.ANALYST: "wpg10",
    Role.OM_LIAISON: "wpg8",
    Role.QUALITY_OFFICER: "wpg13",
    Role.INTELLIGENCE_OFFICER: "wpg10",
    Role.TIPLINE_OPERATOR: "wpg8",
    Role.MUNICIPALITY_RECIPIENT: "wpg8",
    Role.AGENCY_RECIPIENT: "wpg8",
    Role.LIRC_OFFICER: "wpg17",
    Role.INTEGRITY_OFFICER: "wpg13",
    Role.ADMINISTRATOR: "wpg13",
}
