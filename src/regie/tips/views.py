"""Screens of the tip line for staff: the desk (assess, rewrite with the checker, decide,
forward), the phone intake, the recipients' inbox (unlock the key, read, acknowledge,
feedback), billing and statistics. Every view of a tip or delivery is audited."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import nacl.exceptions
import nacl.secret
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.organisation.models import Municipality
from regie.organisation.roles import Perm
from regie.tips import billing, rewrite, selectors, services
from regie.tips.forms import (
    FeedbackForm,
    PhoneTipForm,
    QuestionForm,
    RewriteForm,
    UnlockForm,
)
from regie.tips.models import Attachment, Channel, Delivery, Invoice, Recipient, Status, Tip, Topic

KEY_COOKIE = "regie_tips_key"
KEY_SESSION = "tips_wrapped_key"
KEY_MAX_AGE = 3600


def _audit(request: HttpRequest, object_type: str, object_id: Any, **detail: Any) -> None:
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def highlight(text: str, places: frozenset[frozenset[str]] = frozenset()) -> SafeString:
    """``text`` with its identifying details marked (escaped HTML)."""
    out: list[str] = []
    pos = 0
    for span in rewrite.find_details(text, places):
        out.append(escape(text[pos : span.start]))
        out.append(
            f'<mark class="detail detail-{span.kind}" title="{escape(span.label)}">'
            f"{escape(text[span.start : span.end])}</mark>"
        )
        pos = span.end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out).replace("\n", "<br>"))  # noqa: S308 - every part escaped


# --------------------------------------------------------------------------------------------
# Desk
# --------------------------------------------------------------------------------------------


@rule(Perm.HANDLE_TIPS)
def desk(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Status.NEW)
    qs = Tip.objects.all()
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    tips = list(qs.order_by("-received_at", "-pk")[:200])
    names = dict(Municipality.objects.values_list("code", "name"))
    rows = [(t, names.get(t.municipality_code, "")) for t in tips]
    _audit(request, "tips.tip", "desk", ids=[t.pk for t in tips], status=status)
    return render(
        request,
        "tips/desk.html",
        {"rows": rows, "status": status, "statuses": Status.choices},
    )


@rule(Perm.HANDLE_TIPS)
def phone_intake(request: HttpRequest) -> HttpResponse:
    form = PhoneTipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = {q: form.cleaned_data.get(q) or "" for q in services.QUESTIONS}
        try:
            tip, code = services.submit_tip(
                answers=answers,
                topic=form.cleaned_data["topic"],
                municipality_code=form.cleaned_data.get("municipality") or "",
                channel=Channel.PHONE,
                operator=request.user,
            )
        except services.TipError as exc:
            form.add_error(None, str(exc))
        else:
            assert code is not None
            return render(request, "tips/phone_done.html", {"tip": tip, "code": code.display})
    return render(request, "tips/phone.html", {"form": form}, status=400 if form.errors else 200)


def _tip_context(
    request: HttpRequest, tip: Tip, rewrite_form: RewriteForm | None = None
) -> dict[str, Any]:
    answers = services.original_of(tip)
    current = services.rewrite_of(tip)
    places = services.place_names()
    report = (
        rewrite.check_rewrite(services.original_text(answers), current, places) if current else None
    )
    names = dict(Municipality.objects.values_list("code", "name"))
    labels = {
        "what": _("Wat"),
        "who": _("Wie"),
        "where": _("Waar"),
        "when": _("Wanneer"),
        "how": _("Hoe"),
    }
    return {
        "tip": tip,
        "municipality": names.get(tip.municipality_code, ""),
        "answers": [(labels[q], highlight(answers.get(q, ""), places)) for q in services.QUESTIONS],
        "details": [
            s for q in services.QUESTIONS for s in rewrite.find_details(answers.get(q, ""), places)
        ],
        "rewrite_form": rewrite_form or RewriteForm(initial={"rewrite": current}),
        "report": report,
        "rewrite_highlight": highlight(current, places) if current else "",
        "proposed": services.proposed_recipients(tip),
        "proposed_ids": {r.pk for r, _reason in services.proposed_recipients(tip)},
        "recipients": Recipient.objects.filter(active=True),
        "deliveries": tip.deliveries.select_related("recipient"),
        "follow_ups": services.follow_ups_of(tip),
        "question_form": QuestionForm(),
        "attachments": tip.attachments.order_by("pk"),
        "editable": tip.status == Status.NEW,
    }


@rule(Perm.HANDLE_TIPS)
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_object_or_404(Tip, pk=pk)
    _audit(request, "tips.tip", tip.pk)
    return render(request, "tips/tip.html", _tip_context(request, tip))


def _post_action(request: HttpRequest, pk: int) -> Tip | HttpResponse:
    if request.method != "POST":
        return redirect("tips:tip", pk=pk)
    return get_object_or_404(Tip, pk=pk)


@rule(Perm.HANDLE_TIPS)
def tip_rewrite(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _post_action(request, pk)
    if isinstance(tip, HttpResponse):
        return tip
    form = RewriteForm(request.POST)
    if form.is_valid():
        try:
            report = services.save_rewrite(tip, form.cleaned_data["rewrite"], request.user)
        except services.TipError as exc:
            messages.error(request, str(exc))
        else:
            if report.ok:
                messages.success(
                    request, _("Herschreven tekst opgeslagen; geen herleidbare gegevens gevonden.")
                )
            else:
                messages.warning(
                    request,
                    _("Herschreven tekst opgeslagen, maar er staan nog herleidbare gegevens in."),
                )
            return redirect("tips:tip", pk=tip.pk)
    _audit(request, "tips.tip", tip.pk)
    return render(request, "tips/tip.html", _tip_context(request, tip, form), status=400)


@rule(Perm.HANDLE_TIPS)
def tip_forward(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _post_action(request, pk)
    if isinstance(tip, HttpResponse):
        return tip
    try:
        ids = [int(x) for x in request.POST.getlist("recipients")]
        deliveries = services.forward(
            tip, ids, request.user, with_attachments=request.POST.get("with_attachments") == "1"
        )
    except ValueError as exc:
        messages.error(
            request, str(exc) if isinstance(exc, services.TipError) else _("Ongeldige ontvanger.")
        )
    else:
        messages.success(
            request,
            _("Doorgezet naar %(names)s.")
            % {"names": ", ".join(d.recipient.name for d in deliveries)},
        )
    return redirect("tips:tip", pk=tip.pk)


@rule(Perm.HANDLE_TIPS)
def tip_not_concrete(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _post_action(request, pk)
    if isinstance(tip, HttpResponse):
        return tip
    try:
        services.set_not_concrete(tip, request.user)
        messages.success(
            request, _("Beoordeeld als niet concreet; de melding wordt niet doorgezet.")
        )
    except services.TipError as exc:
        messages.error(request, str(exc))
    return redirect("tips:tip", pk=tip.pk)


@rule(Perm.HANDLE_TIPS)
def tip_close(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _post_action(request, pk)
    if isinstance(tip, HttpResponse):
        return tip
    try:
        services.close(tip, request.user)
        messages.success(request, _("Melding afgesloten."))
    except services.TipError as exc:
        messages.error(request, str(exc))
    return redirect("tips:tip", pk=tip.pk)


@rule(Perm.HANDLE_TIPS)
def tip_ask(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _post_action(request, pk)
    if isinstance(tip, HttpResponse):
        return tip
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.desk_asks(tip, form.cleaned_data["question"], request.user)
            messages.success(request, _("Vraag geplaatst; de melder leest hem met het bonnummer."))
        except services.TipError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("De vraag is leeg of te lang."))
    return redirect("tips:tip", pk=tip.pk)


@rule(Perm.HANDLE_TIPS)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Attachment, pk=pk)
    content = services.attachment_content(item)
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="tips.attachment",
        object_id=item.pk,
        detail={"tip": item.tip_id},
    )
    response = HttpResponse(content.data, content_type=content.content_type)
    response["Content-Disposition"] = f'attachment; filename="{content.name}"'
    response["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------------------------
# Recipients
# --------------------------------------------------------------------------------------------


def _session_key(request: HttpRequest, recipient: Recipient) -> bytes | None:
    """The unlocked private key: wrapped in the session, the wrapping key in a cookie, so
    neither the session store nor the browser alone holds it."""
    stored = request.session.get(KEY_SESSION)
    wrap = request.COOKIES.get(KEY_COOKIE)
    if not stored or not wrap or stored.get("recipient") != recipient.pk:
        return None
    try:
        box = nacl.secret.SecretBox(base64.urlsafe_b64decode(wrap))
        return bytes(box.decrypt(base64.urlsafe_b64decode(stored["key"])))
    except (ValueError, TypeError, nacl.exceptions.CryptoError):
        return None


def _my_recipient(request: HttpRequest) -> Recipient | None:
    return selectors.recipient_for(request.user)


@rule(Perm.RECEIVE_TIPS)
def inbox(request: HttpRequest) -> HttpResponse:
    recipient = _my_recipient(request)
    deliveries = list(selectors.inbox(recipient)) if recipient else []
    _audit(request, "tips.delivery", "inbox", ids=[d.pk for d in deliveries])
    return render(
        request,
        "tips/inbox.html",
        {
            "recipient": recipient,
            "deliveries": deliveries,
            "unlocked": recipient is not None and _session_key(request, recipient) is not None,
            "unlock_form": UnlockForm(),
        },
    )


@rule(Perm.RECEIVE_TIPS)
def unlock(request: HttpRequest) -> HttpResponse:
    recipient = _my_recipient(request)
    if request.method != "POST" or recipient is None:
        return redirect("tips:inbox")
    form = UnlockForm(request.POST)
    next_url = request.POST.get("next", "")
    target = next_url if next_url.startswith("/tips/ontvangen/") else None
    if not form.is_valid():
        messages.error(request, _("Vul het wachtwoord van de sleutel in."))
        return redirect(target or "tips:inbox")
    try:
        key = services.unlock_key(recipient, form.cleaned_data["passphrase"], request.user)
    except services.TipError as exc:
        messages.error(request, str(exc))
        return redirect(target or "tips:inbox")
    wrap = secrets.token_bytes(nacl.secret.SecretBox.KEY_SIZE)
    request.session[KEY_SESSION] = {
        "recipient": recipient.pk,
        "key": base64.urlsafe_b64encode(bytes(nacl.secret.SecretBox(wrap).encrypt(key))).decode(),
    }
    messages.success(request, _("Sleutel ontgrendeld voor deze sessie (een uur)."))
    response = redirect(target or "tips:inbox")
    response.set_cookie(
        KEY_COOKIE,
        base64.urlsafe_b64encode(wrap).decode(),
        max_age=KEY_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/tips/",
    )
    return response


@rule(Perm.RECEIVE_TIPS)
def lock(request: HttpRequest) -> HttpResponse:
    request.session.pop(KEY_SESSION, None)
    response = redirect("tips:inbox")
    response.delete_cookie(KEY_COOKIE, path="/tips/")
    return response


def _my_delivery(request: HttpRequest, tip_pk: int) -> tuple[Recipient, Delivery]:
    recipient = _my_recipient(request)
    delivery = (
        Delivery.objects.filter(tip_id=tip_pk, recipient=recipient).select_related("tip").first()
        if recipient
        else None
    )
    if recipient is None or delivery is None:
        audit_log(
            actor=request.user,
            action=Action.DENIED,
            object_type="tips.delivery",
            object_id=f"tip:{tip_pk}",
            outcome="denied",
        )
        raise Http404
    return recipient, delivery


@rule(Perm.RECEIVE_TIPS)
def received(request: HttpRequest, tip: int) -> HttpResponse:
    recipient, delivery = _my_delivery(request, tip)
    key = _session_key(request, recipient)
    package = None
    error = ""
    if key is not None:
        try:
            package = services.open_delivery(delivery, key, request.user)
        except services.TipError as exc:
            error = str(exc)
    else:
        _audit(request, "tips.delivery", delivery.pk, opened=False)
    return render(
        request,
        "tips/received.html",
        {
            "recipient": recipient,
            "delivery": delivery,
            "package": package,
            "error": error,
            "unlock_form": UnlockForm(),
            "feedback_form": FeedbackForm(initial={"feedback": delivery.feedback}),
        },
    )


@rule(Perm.RECEIVE_TIPS)
def received_attachment(request: HttpRequest, tip: int, index: int) -> HttpResponse:
    recipient, delivery = _my_delivery(request, tip)
    key = _session_key(request, recipient)
    if key is None:
        messages.error(request, _("Ontgrendel eerst uw sleutel."))
        return redirect("tips:received", tip=tip)
    try:
        package = services.open_delivery(delivery, key, request.user)
        item = package.attachments[index]
    except (services.TipError, IndexError):
        raise Http404 from None
    response = HttpResponse(item.data, content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.name}"'
    response["Cache-Control"] = "no-store"
    return response


@rule(Perm.RECEIVE_TIPS)
def acknowledge(request: HttpRequest, tip: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("tips:received", tip=tip)
    _recipient, delivery = _my_delivery(request, tip)
    try:
        services.acknowledge(delivery, request.user)
        messages.success(request, _("Ontvangst bevestigd."))
    except services.TipError as exc:
        messages.error(request, str(exc))
    return redirect("tips:received", tip=tip)


@rule(Perm.RECEIVE_TIPS)
def feedback(request: HttpRequest, tip: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("tips:received", tip=tip)
    _recipient, delivery = _my_delivery(request, tip)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.record_feedback(delivery, form.cleaned_data["feedback"], request.user)
            messages.success(request, _("Terugkoppeling vastgelegd."))
        except services.TipError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Beschrijf wat er met de melding is gedaan."))
    return redirect("tips:received", tip=tip)


# --------------------------------------------------------------------------------------------
# Billing and statistics
# --------------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("jaar") or request.POST.get("jaar") or timezone.now().year)
    except ValueError:
        year = timezone.now().year
    return min(max(year, 2000), 2100)


@rule(Perm.MANAGE_TIP_BILLING)
def billing_overview(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if request.method == "POST":
        try:
            made = services.issue_invoices(year, request.user)
            messages.success(
                request, _("%(n)s facturen over %(year)s gemaakt.") % {"n": made, "year": year}
            )
        except services.TipError as exc:
            messages.error(request, str(exc))
        return redirect(f"{request.path}?jaar={year}")
    rows = services.comparison(year)
    invoices = list(Invoice.objects.filter(year=year).select_related("recipient"))
    _audit(request, "tips.invoice", year)
    return render(
        request,
        "tips/billing.html",
        {
            "year": year,
            "rows": rows,
            "invoices": invoices,
            "total_2020": billing.total([]) + sum((r.total_2020 for r in rows), billing.total([])),
            "total_old": sum((r.total_old for r in rows), billing.total([])),
            "classes": billing.load_size_classes(),
        },
    )


@rule(Perm.MANAGE_TIP_BILLING)
def billing_csv(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = services.comparison(year)
    audit_log(actor=request.user, action=Action.EXPORT, object_type="tips.invoice", object_id=year)
    response = HttpResponse(billing.comparison_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mma-facturatie-{year}.csv"'
    return response


@rule(Perm.VIEW_TIP_STATISTICS)
def statistics(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("periode", "month")
    if period not in ("month", "quarter", "year"):
        period = "month"
    stats = selectors.statistics(period)  # type: ignore[arg-type]
    labels = dict(Topic.choices)
    _audit(request, "tips.statistics", period)
    return render(
        request,
        "tips/statistics.html",
        {
            "stats": stats,
            "period": period,
            "by_period": [(p, stats.received[p], stats.forwarded[p]) for p in stats.periods],
            "by_topic": [
                (labels.get(t, t), stats.received_by_topic[t], stats.forwarded_by_topic[t])
                for t in sorted(set(stats.received_by_topic) | set(stats.forwarded_by_topic))
            ],
        },
    )
