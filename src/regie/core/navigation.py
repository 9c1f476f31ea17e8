"""The navigation menu, by role: an item shows only when its page's rule allows the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from regie.core.access import AUTHENTICATED, AccessRule, allowed
from regie.organisation.roles import Perm


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    access: AccessRule


MENU: tuple[MenuItem, ...] = (
    MenuItem(_("Overzicht"), "core:home", AUTHENTICATED),
    MenuItem(_("Zoeken"), "search:search", Perm.SEARCH),
    MenuItem(_("Mijn team"), "organisation:my_team", Perm.VIEW_ORGANISATION),
    MenuItem(_("Registraties"), "registration:list", Perm.VIEW_REGISTRATION),
    MenuItem(_("Dubbelen"), "registration:review_queue", Perm.MERGE_CORE_OBJECTS),
    MenuItem(_("Zaken"), "selection:queue", Perm.VIEW_CASES),
    MenuItem(_("Kwaliteitstoets"), "selection:quality", Perm.REVIEW_QUALITY),
    MenuItem(_("Statistiek"), "statistics:dashboard", Perm.VIEW_STATISTICS),
    MenuItem(_("Anticipatie"), "anticipation:team", Perm.VIEW_ANTICIPATION),
    MenuItem(_("Rechtshulp"), "legal_assistance:queue", Perm.VIEW_LEGAL_ASSISTANCE),
    MenuItem(_("Informatiebeeld"), "intelligence:picture", Perm.VIEW_INTELLIGENCE),
    MenuItem(_("Koppelingen"), "intelligence:proposals", Perm.VIEW_INTELLIGENCE),
    MenuItem(_("Signalen"), "alerts:queues", Perm.VIEW_ALERTS),
    MenuItem(_("Volglijsten"), "alerts:watchlists", Perm.VIEW_WATCHLISTS),
    MenuItem(_("Signaalregels"), "alerts:rules", Perm.MANAGE_ALERT_RULES),
    MenuItem(_("Meld Misdaad Anoniem"), "tips:desk", Perm.HANDLE_TIPS),
    MenuItem(_("Anonieme meldingen"), "tips:inbox", Perm.RECEIVE_TIPS),
    MenuItem(_("Organisatie"), "organisation:units", Perm.VIEW_ORGANISATION),
    MenuItem(_("Locatie opzoeken"), "organisation:locate", Perm.LOCATE),
    MenuItem(_("Medewerkers"), "organisation:staff_list", Perm.VIEW_STAFF),
    MenuItem(_("Auditlog"), "audit:search", Perm.VIEW_AUDIT),
)


def menu_for(user: Any) -> list[dict[str, str]]:
    return [
        {"label": str(item.label), "url": reverse(item.url_name)}
        for item in MENU
        if allowed(user, item.access)
    ]
