"""API token authentication that reads the user's position (role and scope) with the token:
every API request needs it (access rules, audit), so one query instead of several."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

#: The position and the organisation units the access rules and the audit entries read.
POSITION_PATHS = (
    "user__position__base_team__district__unit",
    "user__position__district__unit",
    "user__position__unit",
    "user__position__municipality__unit",
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        try:
            token = Token.objects.select_related("user", *POSITION_PATHS).get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
