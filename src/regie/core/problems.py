"""RFC 7807 problem details: the one error format of the API (application/problem+json)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler

logger = logging.getLogger("regie.errors")

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    status: int,
    *,
    detail: str = "",
    title: str | None = None,
    type_: str = "about:blank",
    instance: str = "",
    errors: Any = None,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> JsonResponse | None:
    response = exception_handler(exc, context)
    request = context.get("request")
    instance = request.path if request is not None else ""
    if response is None:
        # Not an API exception: let the middleware turn it into a 500 problem.
        return None
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            response.status_code,
            title="Ongeldige invoer",
            detail="Een of meer velden zijn ongeldig.",
            instance=instance,
            errors=_flatten(exc.detail),
            type_="https://regie.example/problems/validation",
        )
    detail = _flatten(getattr(exc, "detail", "")) or ""
    resp = problem(response.status_code, detail=str(detail), instance=instance)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            resp[header] = response[header]
    return resp


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")
