"""Access rules for views: every page declares one, so no page is reachable by accident.

``@rule(Perm.X)`` requires a signed-in (and, where required, second-factor verified) user
whose role holds ``Perm.X``; ``@rule(AUTHENTICATED)`` any signed-in staff member with a
position; ``@rule(PUBLIC)`` anyone (login page, health check). The URL test enumerates the
URL conf and fails for a view without a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Final, NoReturn

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from regie.audit.models import Action, Outcome
from regie.audit.services import audit_log
from regie.organisation.access import has_perm, position_of
from regie.organisation.roles import Perm

PUBLIC: Final = "public"
AUTHENTICATED: Final = "authenticated"

AccessRule = Perm | str


def is_fully_authenticated(user: Any, *, token_auth: bool = False) -> bool:
    """Signed in, active, with a position, and second factor verified where required."""
    if not getattr(user, "is_authenticated", False) or position_of(user) is None:
        return False
    if not settings.REGIE_REQUIRE_OTP:
        return True
    # Token authentication is for systems (API clients): it has no second factor.
    return token_auth or bool(getattr(user, "is_verified", lambda: False)())


def allowed(user: Any, access: AccessRule, *, token_auth: bool = False) -> bool:
    if access == PUBLIC:
        return True
    if not is_fully_authenticated(user, token_auth=token_auth):
        return False
    if access == AUTHENTICATED:
        return True
    return has_perm(user, Perm(access))


def deny(request: HttpRequest, access: AccessRule, what: str) -> NoReturn:
    audit_log(
        actor=request.user,
        action=Action.DENIED,
        object_type=what,
        object_id=request.path[:64],
        outcome=Outcome.DENIED,
        detail={"rule": str(access)},
    )
    raise PermissionDenied


def rule(
    access: AccessRule,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if access != PUBLIC and not is_fully_authenticated(request.user):
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, access):
                deny(request, access, "page")
            return view(request, *args, **kwargs)

        wrapped.regie_access = access  # type: ignore[attr-defined]
        return wrapped

    return decorator


class RegiePermission(BasePermission):
    """DRF permission: the view's ``required_perm`` decides; a view without one is denied."""

    def has_permission(self, request: Request, view: Any) -> bool:
        access = getattr(view, "required_perm", None)
        if access is None:
            return False
        if access == PUBLIC:
            return True
        user = request.user
        token_auth = getattr(request, "auth", None) is not None
        if not allowed(user, access, token_auth=token_auth):
            if getattr(user, "is_authenticated", False):
                audit_log(
                    actor=user,
                    action=Action.DENIED,
                    object_type="api",
                    object_id=request.path[:64],
                    outcome=Outcome.DENIED,
                    detail={"rule": str(access)},
                )
            return False
        return True
