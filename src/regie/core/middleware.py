"""Makes every 4xx/5xx under /api/ a problem-details response, including Django's own
errors (unknown URL, CSRF failure, unhandled exception)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from regie.core.problems import PROBLEM_CONTENT_TYPE, is_api_request, problem

logger = logging.getLogger("regie.errors")


class RejectNullBytesMiddleware:
    """NUL characters in the path or query string are never valid input; PostgreSQL refuses
    them in text, so they would otherwise surface as a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in k or any("\x00" in v for v in request.GET.getlist(k)) for k in request.GET
        ):
            if is_api_request(request):
                return problem(
                    400,
                    detail="Ongeldig teken (NUL) in het adres.",
                    instance=request.path.replace("\x00", ""),
                )
            return HttpResponseBadRequest(
                "Ongeldig teken (NUL) in het adres.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class ProblemDetailsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api_request(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            return problem(response.status_code, instance=request.path)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api_request(request):
            from django.core.exceptions import PermissionDenied
            from django.http import Http404

            if isinstance(exception, Http404):
                return problem(404, instance=request.path)
            if isinstance(exception, PermissionDenied):
                return problem(403, instance=request.path)
            logger.exception("unhandled error on %s", request.path)
            return problem(500, detail="Interne fout; de fout is gelogd.", instance=request.path)
        return None
