"""Screens of the red flags (queues, a flag with its facts and the officers' actions), the
rules, the watch lists and the watch-list inbox. Every view of personal data is audited;
queue membership and the watch lists' reach decide beyond the permission (selectors)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from regie.alerts import selectors, services
from regie.alerts.evaluator import SEVERITIES
from regie.alerts.models import (
    Flag,
    FlagStatus,
    Notification,
    Queue,
    Rule,
    WatchEntry,
    WatchHit,
    WatchKind,
    WatchList,
)
from regie.alerts.services import AlertsError
from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import AUTHENTICATED, deny, rule
from regie.organisation.access import (
    can_view_registration,
    has_perm,
    persons_visible_to,
    registrations_visible_to,
)
from regie.organisation.models import Unit
from regie.organisation.roles import Perm
from regie.registration.models import Good, Person, Registration
from regie.registration.models import Role as InvolvementRole


def _audit_view(request: HttpRequest, object_type: str, object_id: Any, **detail: Any) -> None:
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


# --------------------------------------------------------------------------------------------
# Queues and flags
# --------------------------------------------------------------------------------------------


@rule(Perm.VIEW_ALERTS)
def queues(request: HttpRequest) -> HttpResponse:
    mine = selectors.member_queues(request.user)
    visible = selectors.flags_visible_to(request.user)
    rows = []
    for q in mine:
        flags = visible.filter(queue=q)
        rows.append(
            (
                q,
                flags.filter(status=FlagStatus.OPEN).count(),
                flags.exclude(status="closed").count(),
            )
        )
    return render(request, "alerts/queues.html", {"rows": rows})


@rule(Perm.VIEW_ALERTS)
def queue(request: HttpRequest, code: str) -> HttpResponse:
    q = get_object_or_404(Queue, code=code)
    if not selectors.is_member(request.user, q):
        deny(request, Perm.VIEW_ALERTS, services.OBJECT_QUEUE)
    status = request.GET.get("status", "actief")
    flags = selectors.flags_visible_to(request.user).filter(queue=q)
    if status == "actief":
        flags = flags.exclude(status=FlagStatus.CLOSED)
    elif status in FlagStatus.values:
        flags = flags.filter(status=status)
    rows = list(flags.select_related("rule", "registration__base_team")[:200])
    _audit_view(request, services.OBJECT_FLAG, f"queue:{q.code}", ids=[f.pk for f in rows])
    return render(
        request,
        "alerts/queue.html",
        {"queue": q, "rows": rows, "status": status, "statuses": FlagStatus.choices},
    )


def _flag_for(request: HttpRequest, pk: int) -> Flag:
    flag = (
        selectors.flags_visible_to(request.user)
        .select_related("rule", "queue", "registration__base_team")
        .filter(pk=pk)
        .first()
    )
    if flag is None:
        if Flag.objects.filter(pk=pk).exists():
            deny(request, Perm.VIEW_ALERTS, services.OBJECT_FLAG)
        raise Http404
    return flag


@rule(Perm.VIEW_ALERTS)
def flag_detail(
    request: HttpRequest, pk: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    flag = _flag_for(request, pk)
    _audit_view(request, services.OBJECT_FLAG, flag.pk, registration=flag.registration_id)
    reg = flag.registration
    text = {"narrative": reg.narrative, "modus_operandi": reg.modus_operandi}
    labels = {"narrative": _("relaas"), "modus_operandi": _("modus operandi")}
    facts = []
    for f in flag.facts:
        row = dict(f)
        if "positie" in f and f.get("veld") in text:
            start, end = f["positie"]
            body = text[f["veld"]]
            row["context"] = (
                body[max(0, start - 40) : start],
                body[start:end],
                body[end : end + 40],
            )
            row["veldnaam"] = labels[f["veld"]]
        facts.append(row)
    return render(
        request,
        "alerts/flag.html",
        {
            "flag": flag,
            "facts": facts,
            "events": list(flag.events.select_related("actor")),
            "may_open_registration": can_view_registration(request.user, reg),
            "actions": [
                (a, FlagStatus(a).label)
                for a, allowed_from in services.TRANSITIONS.items()
                if flag.status in allowed_from
            ],
            "may_handle": has_perm(request.user, Perm.HANDLE_ALERTS),
            "error": error,
        },
        status=status,
    )


@rule(Perm.HANDLE_ALERTS)
def flag_action(request: HttpRequest, pk: int) -> HttpResponse:
    flag = _flag_for(request, pk)
    if request.method != "POST":
        return redirect("alerts:flag", pk=flag.pk)
    try:
        services.flag_act(
            flag.pk,
            request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except AlertsError as e:
        return flag_detail.__wrapped__(request, pk, error=str(e), status=400)  # type: ignore[attr-defined]
    messages.success(request, _("Signaal bijgewerkt."))
    return redirect("alerts:flag", pk=flag.pk)


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@rule(Perm.MANAGE_ALERT_RULES)
def rules(request: HttpRequest) -> HttpResponse:
    rows = list(Rule.objects.select_related("queue", "edited_by"))
    return render(request, "alerts/rules.html", {"rows": rows})


@rule(Perm.MANAGE_ALERT_RULES)
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    r = get_object_or_404(Rule.objects.select_related("queue"), code=code)
    error = ""
    values = {
        "title": r.title,
        "rationale": r.rationale,
        "queue": r.queue.code,
        "severity": r.severity,
        "condition": json.dumps(r.condition, ensure_ascii=False, indent=2),
        "active": r.active,
    }
    if request.method == "POST":
        values = {
            "title": request.POST.get("title", ""),
            "rationale": request.POST.get("rationale", ""),
            "queue": request.POST.get("queue", ""),
            "severity": request.POST.get("severity", ""),
            "condition": request.POST.get("condition", ""),
            "active": request.POST.get("active") == "on",
        }
        try:
            services.rule_update(code, actor=request.user, **values)  # type: ignore[arg-type]
        except AlertsError as e:
            error = str(e)
        else:
            messages.success(request, _("Regel opgeslagen."))
            return redirect("alerts:rules")
    return render(
        request,
        "alerts/rule_edit.html",
        {
            "rule": r,
            "values": values,
            "queues": list(Queue.objects.all()),
            "severities": SEVERITIES,
            "error": error,
        },
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------------------------
# Watch lists
# --------------------------------------------------------------------------------------------


@rule(Perm.VIEW_WATCHLISTS)
def watchlists(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        if not has_perm(request.user, Perm.MANAGE_WATCHLISTS):
            deny(request, Perm.MANAGE_WATCHLISTS, services.OBJECT_WATCHLIST)
        unit = None
        try:
            if request.POST.get("unit_only") == "on":
                # A list "only for my unit" needs a unit: without one (a national position)
                # it would silently become a national list, visible to every holder of the
                # permission. Refuse; a national list must be chosen explicitly.
                unit_id = selectors.unit_of(request.user)[1]
                unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
                if unit is None:
                    raise AlertsError(
                        _(
                            "U bent niet aan een eenheid verbonden, dus een lijst alleen voor "
                            "uw eenheid kan niet. Haal het vinkje weg om een landelijke lijst "
                            "aan te maken."
                        )
                    )
            wl = services.watchlist_create(
                code=request.POST.get("code", ""),
                title=request.POST.get("title", ""),
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", ""),
                unit=unit,
                actor=request.user,
            )
        except AlertsError as e:
            error = str(e)
        else:
            return redirect("alerts:watchlist", pk=wl.pk)
    rows = list(selectors.watchlists_visible_to(request.user).select_related("unit", "owner"))
    return render(
        request,
        "alerts/watchlists.html",
        {
            "rows": rows,
            "error": error,
            "kinds": WatchKind.choices,
            "may_manage": has_perm(request.user, Perm.MANAGE_WATCHLISTS),
            "unread": services.unread_count(request.user),
        },
        status=400 if error else 200,
    )


def _watchlist_for(request: HttpRequest, pk: int) -> WatchList:
    wl = selectors.watchlists_visible_to(request.user).filter(pk=pk).first()
    if wl is None:
        if WatchList.objects.filter(pk=pk).exists():
            deny(request, Perm.VIEW_WATCHLISTS, services.OBJECT_WATCHLIST)
        raise Http404
    return wl


def _render_watchlist(
    request: HttpRequest, wl: WatchList, *, error: str = "", status: int = 200
) -> HttpResponse:
    entries = list(
        wl.entries.filter(removed_at__isnull=True).select_related("person", "good", "added_by")
    )
    # Need-to-know: only hits in registrations the user may see (scope and clearance);
    # seeing the list does not reveal in which other registrations its objects turn up.
    hits = list(
        WatchHit.objects.filter(
            entry__watch_list=wl,
            registration__in=registrations_visible_to(request.user, Registration.objects.all()),
        ).select_related("entry__person", "entry__good", "registration")[:100]
    )
    roles = dict(InvolvementRole.choices)
    for h in hits:
        h.role_label = roles.get(h.role, h.role)  # type: ignore[attr-defined]
    _audit_view(
        request,
        services.OBJECT_WATCHLIST,
        wl.pk,
        entries=[e.pk for e in entries],
        hits=[h.pk for h in hits],
    )
    return render(
        request,
        "alerts/watchlist.html",
        {
            "wl": wl,
            "entries": entries,
            "hits": hits,
            "may_manage": selectors.can_manage_watchlist(request.user, wl),
            "subscribed": wl.subscribers.filter(pk=int(request.user.pk or 0)).exists(),
            "default_expiry": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
            "error": error,
        },
        status=status,
    )


@rule(Perm.VIEW_WATCHLISTS)
def watchlist(request: HttpRequest, pk: int) -> HttpResponse:
    wl = _watchlist_for(request, pk)
    if request.method == "POST":
        services.watch_subscribe(wl, actor=request.user, on=request.POST.get("subscribe") == "1")
        return redirect("alerts:watchlist", pk=wl.pk)
    return _render_watchlist(request, wl)


@rule(Perm.MANAGE_WATCHLISTS)
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    wl = _watchlist_for(request, pk)
    if request.method != "POST":
        return redirect("alerts:watchlist", pk=wl.pk)
    if not selectors.can_manage_watchlist(request.user, wl):
        deny(request, Perm.MANAGE_WATCHLISTS, services.OBJECT_WATCHLIST)
    try:
        try:
            object_id = int(request.POST.get("object_id", ""))
        except ValueError:
            raise AlertsError(_("Geef het nummer van de persoon of het goed.")) from None
        try:
            expires = dt.date.fromisoformat(request.POST.get("expires_on", ""))
        except ValueError:
            raise AlertsError(_("Geef een vervaldatum (JJJJ-MM-DD).")) from None
        visible = (
            persons_visible_to(request.user, Person.objects.all())
            if wl.kind == WatchKind.PERSON
            else Good.objects.filter(
                involvements__registration__in=registrations_visible_to(
                    request.user, Registration.objects.all()
                )
            )
        )
        services.watch_entry_add(
            wl,
            object_id=object_id,
            reason=request.POST.get("reason", ""),
            expires_on=expires,
            actor=request.user,
            visible_objects=visible,
        )
    except AlertsError as e:
        return _render_watchlist(request, wl, error=str(e), status=400)
    messages.success(request, _("Toegevoegd aan de volglijst."))
    return redirect("alerts:watchlist", pk=wl.pk)


@rule(Perm.MANAGE_WATCHLISTS)
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WatchEntry, pk=pk)
    wl = _watchlist_for(request, entry.watch_list_id)
    if request.method != "POST":
        return redirect("alerts:watchlist", pk=wl.pk)
    if not selectors.can_manage_watchlist(request.user, wl):
        deny(request, Perm.MANAGE_WATCHLISTS, services.OBJECT_WATCHLIST)
    try:
        services.watch_entry_remove(
            entry.pk, reason=request.POST.get("reason", ""), actor=request.user
        )
    except AlertsError as e:
        return _render_watchlist(request, wl, error=str(e), status=400)
    messages.success(request, _("Vermelding beëindigd."))
    return redirect("alerts:watchlist", pk=wl.pk)


@rule(AUTHENTICATED)
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_notifications_read(request.user)
        return redirect("alerts:notifications")
    rows = list(
        Notification.objects.filter(recipient_id=int(request.user.pk or 0)).select_related(
            "hit__registration", "hit__entry__watch_list"
        )[:200]
    )
    # Need-to-know at render time too: a notification was only written for recipients who
    # could see the registration, but scope or clearance may have changed since (or the
    # registration may have become more confidential). Then only a neutral line, no link.
    visible = set(
        registrations_visible_to(
            request.user, Registration.objects.filter(pk__in={n.hit.registration_id for n in rows})
        ).values_list("pk", flat=True)
    )
    for n in rows:
        n.may_open = n.hit.registration_id in visible  # type: ignore[attr-defined]
        if not n.may_open:  # type: ignore[attr-defined]
            n.text = _("Nieuwe treffer op volglijst %(title)s") % {
                "title": n.hit.entry.watch_list.title
            }
    _audit_view(request, "alerts.notification", "list", ids=[n.pk for n in rows])
    return render(
        request,
        "alerts/notifications.html",
        {"rows": rows, "unread": sum(1 for n in rows if n.read_at is None)},
    )
