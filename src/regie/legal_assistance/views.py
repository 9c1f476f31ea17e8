"""Screens of the LIRC work queue: the queue, one message with its triage, duplicates and
register hits and the actions on it, the quarantine, notifications for colleagues whose
open case a message concerns, and management information. National scope: LIRC officers
see every message; every view of personal data is audited."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.audit.models import Action as AuditAction
from regie.audit.services import audit_log
from regie.core.access import AUTHENTICATED, rule
from regie.legal_assistance import classifier, reporting, services
from regie.legal_assistance.forms import (
    AnswerForm,
    AssignForm,
    CloseForm,
    PriorityForm,
    QueueFilterForm,
    ResubmitForm,
)
from regie.legal_assistance.models import (
    OPEN_STATUSES,
    LegalMessage,
    MessageLink,
    Notification,
    QuarantinedMessage,
)
from regie.legal_assistance.services import ANSWER_TEMPLATES, LegalAssistanceError
from regie.organisation.roles import Perm

PAGE_SIZE = 50


def _audit_view(request: HttpRequest, object_type: str, object_id: Any, **detail: Any) -> None:
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type=object_type,
        object_id=object_id,
        purpose="wpg17",
        detail=detail,
    )


@rule(Perm.VIEW_LEGAL_ASSISTANCE)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = LegalMessage.objects.select_related("assignee", "case")
    status = filters.get("status") or "open"
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "alle":
        qs = qs.filter(status=status)
    if filters.get("soort"):
        qs = qs.filter(kind=filters["soort"])
    if filters.get("prioriteit"):
        qs = qs.filter(priority=filters["prioriteit"])
    if filters.get("mijn"):
        qs = qs.filter(assignee_id=request.user.pk)
    # The order of ``triage.queue_key``: score high first, then deadline, then receipt.
    qs = qs.order_by("-score", "triage_deadline", "received_at", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    now = timezone.now()
    _audit_view(request, services.OBJECT_MESSAGE, "queue", ids=[m.pk for m in rows], status=status)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "legal_assistance/queue.html",
        {
            "form": form,
            "page": page,
            "rows": [(m, m.is_open and m.triage_deadline < now) for m in rows],
            "query": params.urlencode(),
            "quarantined": QuarantinedMessage.objects.filter(resolved=False).count(),
        },
    )


def _message(pk: int) -> LegalMessage:
    msg = (
        LegalMessage.objects.select_related("assignee", "triaged_by", "confirmed_by", "case")
        .filter(pk=pk)
        .first()
    )
    if msg is None:
        raise Http404
    return msg


def _render_detail(
    request: HttpRequest,
    msg: LegalMessage,
    *,
    error: str = "",
    status: int = 200,
    answer_form: AnswerForm | None = None,
    priority_form: PriorityForm | None = None,
) -> HttpResponse:
    _audit_view(request, services.OBJECT_MESSAGE, msg.pk)
    now = timezone.now()
    hits = list(msg.hits.select_related("person", "selection_case__registration"))
    links = list(
        MessageLink.objects.filter(Q(message=msg) | Q(other=msg)).select_related("message", "other")
    )
    case_messages = list(msg.case.messages.exclude(pk=msg.pk).order_by("received_at", "pk"))
    template = request.GET.get("sjabloon", "")
    if answer_form is None:
        initial: dict[str, str] = {}
        if template in ANSWER_TEMPLATES:
            initial = {"template": template, "text": services.answer_text(msg, template)}
        answer_form = AnswerForm(initial=initial)
    officers = services.lirc_officers()
    subjects = []
    for i, s in enumerate(msg.subjects):
        subjects.append((i, s, [h for h in hits if h.subject_index == i]))
    return render(
        request,
        "legal_assistance/detail.html",
        {
            "m": msg,
            "error": error,
            "overdue": msg.is_open and msg.triage_deadline < now,
            "subjects": subjects,
            "hits": hits,
            "links": [
                (link.other if link.message_id == msg.pk else link.message, link) for link in links
            ],
            "case_messages": case_messages,
            "answers": list(msg.answers.select_related("sent_by")),
            "events": list(msg.events.select_related("actor")),
            "templates": list(ANSWER_TEMPLATES.values()),
            "answer_form": answer_form,
            "priority_form": priority_form or PriorityForm(initial={"priority": msg.priority}),
            "assign_form": AssignForm(
                officers=officers, initial={"assignee": msg.assignee_id or request.user.pk}
            ),
            "close_form": CloseForm(),
            "can_assess": msg.is_open and msg.triaged_by_id is None,
            "can_confirm": msg.is_open and msg.awaiting_confirmation and msg.triaged_by_id,
            "may_act": msg.is_open and not msg.awaiting_confirmation,
            "warrants": [w for s in msg.subjects for w in s.get("arrest_warrants", [])],
            "data": msg.data,
            # Only a proposal: computed for display, never stored, never changes the triage.
            "classification": classifier.propose(msg),
        },
        status=status,
    )


@rule(Perm.VIEW_LEGAL_ASSISTANCE)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _message(pk))


def _action(
    request: HttpRequest, pk: int, name: str, run: Any, done: str, **render_kwargs: Any
) -> HttpResponse:
    msg = _message(pk)
    if request.method != "POST":
        return redirect("legal_assistance:detail", pk=pk)
    try:
        run(msg)
    except LegalAssistanceError as exc:
        services.audit_refusal(request.user, pk, name, exc)
        return _render_detail(
            request, _message(pk), error=exc.message, status=exc.status, **render_kwargs
        )
    messages.success(request, done)
    return redirect("legal_assistance:detail", pk=pk)


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        "assess",
        lambda m: services.assess(m.pk, actor=request.user),
        _("Beoordeling vastgelegd."),
    )


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        "confirm",
        lambda m: services.confirm(m.pk, actor=request.user),
        _("Spoedbeoordeling bevestigd."),
    )


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def priority(request: HttpRequest, pk: int) -> HttpResponse:
    form = PriorityForm(request.POST or None)

    def run(m: LegalMessage) -> None:
        if not form.is_valid():
            raise LegalAssistanceError(_("Vul een prioriteit en een reden in."), status=422)
        services.change_priority(
            m.pk,
            priority=form.cleaned_data["priority"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )

    return _action(request, pk, "priority", run, _("Prioriteit gewijzigd."), priority_form=form)


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    form = AssignForm(request.POST or None, officers=services.lirc_officers())

    def run(m: LegalMessage) -> None:
        if not form.is_valid():
            raise LegalAssistanceError(_("Kies een medewerker van het LIRC."), status=422)
        services.assign(m.pk, assignee_id=form.cleaned_data["assignee"], actor=request.user)

    return _action(request, pk, "assign", run, _("Bericht toegewezen."))


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    form = AnswerForm(request.POST or None)

    def run(m: LegalMessage) -> None:
        if not form.is_valid():
            raise LegalAssistanceError(_("Kies een sjabloon en vul de tekst in."), status=422)
        services.answer(
            m.pk,
            template=form.cleaned_data["template"],
            text=form.cleaned_data["text"],
            actor=request.user,
        )

    return _action(request, pk, "answer", run, _("Antwoord verzonden."), answer_form=form)


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST or None)

    def run(m: LegalMessage) -> None:
        reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
        services.close(m.pk, reason=reason, actor=request.user)

    return _action(request, pk, "close", run, _("Bericht afgesloten."))


# --------------------------------------------------------------------------------------------
# Quarantine
# --------------------------------------------------------------------------------------------


@rule(Perm.VIEW_LEGAL_ASSISTANCE)
def quarantine_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("alle") == "1"
    qs = QuarantinedMessage.objects.order_by("-received_at", "-pk")
    if not show_all:
        qs = qs.filter(resolved=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _audit_view(request, services.OBJECT_QUARANTINE, "list", ids=[q.pk for q in rows])
    return render(
        request,
        "legal_assistance/quarantine.html",
        {"page": page, "rows": rows, "show_all": show_all},
    )


@rule(Perm.HANDLE_LEGAL_ASSISTANCE)
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    q = QuarantinedMessage.objects.filter(pk=pk).first()
    if q is None:
        raise Http404
    error, errors, status = "", q.errors, 200
    form = ResubmitForm(request.POST or None, initial={"payload": q.payload})
    if request.method == "POST":
        if form.is_valid():
            try:
                msg = services.resubmit(
                    pk, payload=form.cleaned_data["payload"], actor=request.user
                )
            except LegalAssistanceError as exc:
                audit_log(
                    actor=request.user,
                    action=AuditAction.CHANGE,
                    object_type=services.OBJECT_QUARANTINE,
                    object_id=pk,
                    purpose="wpg17",
                    outcome="failure",
                    detail={"action": "resubmit", "error": exc.message},
                )
                error, status = exc.message, exc.status
                errors = exc.errors or errors
            else:
                messages.success(request, _("Bericht opgenomen in de werkvoorraad."))
                return redirect("legal_assistance:detail", pk=msg.pk)
        else:
            error, status = _("Vul het gecorrigeerde bericht in."), 422
    _audit_view(request, services.OBJECT_QUARANTINE, q.pk)
    return render(
        request,
        "legal_assistance/quarantine_detail.html",
        {"q": q, "form": form, "error": error, "errors": errors},
        status=status,
    )


# --------------------------------------------------------------------------------------------
# Notifications (for the owners of matching open cases)
# --------------------------------------------------------------------------------------------


@rule(AUTHENTICATED)
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_notifications_read(request.user)
        return redirect("legal_assistance:notifications")
    rows = list(Notification.objects.filter(recipient_id=request.user.pk)[:200])
    _audit_view(request, "legal_assistance.notification", "list", ids=[n.pk for n in rows])
    return render(
        request,
        "legal_assistance/notifications.html",
        {"rows": rows, "unread": sum(1 for n in rows if n.read_at is None)},
    )


# --------------------------------------------------------------------------------------------
# Management information
# --------------------------------------------------------------------------------------------


@rule(Perm.VIEW_LEGAL_ASSISTANCE)
def management(request: HttpRequest) -> HttpResponse:
    r = reporting.report(timezone.localtime())
    _audit_view(request, "legal_assistance.report", "management")
    return render(
        request,
        "legal_assistance/management.html",
        {
            "r": r,
            "figure": r.figure(),
            "pnr_figure": r.pnr_figure(),
            "open": services.open_messages().count(),
        },
    )


@rule(Perm.VIEW_LEGAL_ASSISTANCE)
def management_export(request: HttpRequest) -> HttpResponse:
    r = reporting.report(timezone.localtime())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(reporting.csv_rows(r))
    audit_log(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="legal_assistance.report",
        object_id="management",
        purpose="wpg17",
        detail={"format": "csv"},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lirc-stuurinformatie.csv"'
    return response
