from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from regie.core.access import AUTHENTICATED, PUBLIC, rule
from regie.core.forms import LoginForm
from regie.organisation import selectors as org_selectors
from regie.organisation.access import position_of
from regie.organisation.services import record_login


@rule(PUBLIC)
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}
    ):
        next_url = ""
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid() and form.user is not None:
            login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
            if form.device is not None:
                otp_login(request, form.device)
            record_login(form.cleaned_data["username"], form.user, succeeded=True)
            return HttpResponseRedirect(next_url or reverse("core:home"))
        # The same normalisation as the form (stripped), so the lockout counts every attempt.
        record_login(
            request.POST.get("username", "").strip(),
            None,
            succeeded=False,
            reason=form.failure_reason or "invalid_form",
        )
    return render(
        request,
        "core/login.html",
        {"form": form, "next": next_url},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@rule(PUBLIC)
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:login")


@rule(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    position = position_of(request.user)
    summary = org_selectors.position_summary(position) if position else None
    return render(request, "core/home.html", {"summary": summary})


@rule(PUBLIC)
def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
