"""Error pages: HTML for people, problem details for /api/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regie.core.problems import is_api_request, problem


def _page(request: HttpRequest, status: int, template: str) -> HttpResponse:
    if is_api_request(request):
        return problem(status, instance=request.path)
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return problem(500, detail="Interne fout; de fout is gelogd.", instance=request.path)
    return render(request, "500.html", status=500)
