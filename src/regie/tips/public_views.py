"""The public intake: the questionnaire, the receipt, and the follow-up by receipt code.

Served by its own process (:mod:`regie.tips.public_settings`): no session, no cookie, no
client address or user agent anywhere. Every form carries a fresh single-use
proof-of-work challenge instead of a CSRF token. The receipt code is only ever shown in a
response body (never in a URL), and every response is ``no-store``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from regie.core.access import PUBLIC
from regie.tips import conf, services
from regie.tips.forms import AddInformationForm, ReceiptForm, TipForm
from regie.tips.models import Tip


def public[V: Callable[..., HttpResponse]](view: V) -> V:
    """The access rule of every view here: public, for anyone. (``regie.core.access.rule``
    reads ``request.user``; this process has no authentication at all.)"""
    view.regie_access = PUBLIC  # type: ignore[attr-defined]
    return view


def _challenge() -> str:
    return conf.proof_of_work().issue().token


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("difficulty", conf.proof_of_work().difficulty)
    return render(request, template, context, status=status)


def _work_done(form: Any) -> None:
    services.check_work(form.cleaned_data["pow_token"], form.cleaned_data.get("pow_nonce") or "")


@public
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@public
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """No icon (browsers ask for one; a 404 would be noise)."""
    return HttpResponse(status=204)


@public
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = TipForm(initial={"pow_token": _challenge()})
        return _render(request, "tips/public/intake.html", {"form": form})
    form = TipForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            _work_done(form)
            uploads = [
                services.Upload(f.name or "", f.read())
                for f in request.FILES.getlist("attachments")
            ]
            answers = {q: form.cleaned_data.get(q) or "" for q in services.QUESTIONS}
            _tip, code = services.submit_tip(
                answers=answers,
                topic=form.cleaned_data["topic"],
                municipality_code=form.cleaned_data.get("municipality") or "",
                uploads=uploads,
            )
        except services.TipError as exc:
            error = str(exc)
        else:
            assert code is not None
            return _render(request, "tips/public/receipt.html", {"code": code.display})
    # Nothing was stored: show the form again with a new challenge (attachments must be
    # chosen again; the browser does not keep them).
    data = request.POST.copy()
    data["pow_token"] = _challenge()
    data["pow_nonce"] = ""
    form = TipForm(data)
    form.is_valid()
    return _render(request, "tips/public/intake.html", {"form": form, "error": error}, 400)


def _conversation(tip: Tip, code_text: str, error: str = "") -> dict[str, Any]:
    add = AddInformationForm(initial={"pow_token": _challenge(), "code": code_text})
    return {
        "messages": services.follow_ups_of(tip),
        "add_form": add,
        "error": error,
        "status": tip.get_status_display(),
    }


@public
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ReceiptForm(initial={"pow_token": _challenge()})
        return _render(request, "tips/public/follow_up.html", {"form": form})
    form = ReceiptForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            _work_done(form)
            tip = services.tip_by_receipt(form.cleaned_data["code"])
        except services.TipError as exc:
            error = str(exc)
        else:
            context = _conversation(tip, form.cleaned_data["code"])
            return _render(request, "tips/public/conversation.html", context)
    form = ReceiptForm(initial={"pow_token": _challenge()})
    return _render(request, "tips/public/follow_up.html", {"form": form, "error": error}, 400)


@public
@require_http_methods(["POST"])
def add_information(request: HttpRequest) -> HttpResponse:
    form = AddInformationForm(request.POST)
    if not form.is_valid():
        reform = ReceiptForm(initial={"pow_token": _challenge()})
        msg = "Vul uw bonnummer en uw bericht in."
        return _render(request, "tips/public/follow_up.html", {"form": reform, "error": msg}, 400)
    try:
        _work_done(form)
        tip = services.tip_by_receipt(form.cleaned_data["code"])
    except services.TipError as exc:
        reform = ReceiptForm(initial={"pow_token": _challenge()})
        return _render(
            request, "tips/public/follow_up.html", {"form": reform, "error": str(exc)}, 400
        )
    error = ""
    added = False
    try:
        services.reporter_adds(tip, form.cleaned_data["text"])
        added = True
    except services.TipError as exc:
        error = str(exc)
    context = _conversation(tip, form.cleaned_data["code"], error)
    context["added"] = added
    return _render(request, "tips/public/conversation.html", context, 200 if added else 400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("Niet gevonden.", status=404, content_type="text/plain; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "Er ging iets mis. Er is niets opgeslagen; probeer het later opnieuw.",
        status=500,
        content_type="text/plain; charset=utf-8",
    )
