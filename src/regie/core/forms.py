from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.organisation.access import position_of


class LoginForm(forms.Form):
    """Password plus TOTP second factor (the token may stay empty only in demo mode for a
    user without a confirmed device)."""

    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
    password = forms.CharField(label=_("Wachtwoord"), widget=forms.PasswordInput, strip=False)
    otp_token = forms.CharField(
        label=_("Code uit de authenticator-app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None
        self.device: Any = None
        self.failure_reason = ""

    def clean(self) -> dict[str, Any]:
        try:
            return self._clean()
        finally:
            if self.user is None:
                # A wrong or used code is never shown again.
                self.data = {**{k: v for k, v in self.data.items()}, "otp_token": ""}

    def _clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        from regie.organisation.services import login_locked

        if login_locked(username):
            self.failure_reason = "locked"
            raise forms.ValidationError(
                _("Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."),
                code="locked",
            )
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            self.failure_reason = "bad_credentials"
            raise forms.ValidationError(
                _("Gebruikersnaam of wachtwoord onjuist."), code="invalid_login"
            )
        if position_of(user) is None:
            self.failure_reason = "no_position"
            raise forms.ValidationError(
                _(
                    "Dit account heeft geen positie in de organisatie; neem contact op met de "
                    "beheerder."
                ),
                code="no_position",
            )
        token = (data.get("otp_token") or "").strip()
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if has_device:
            if not token:
                self.failure_reason = "otp_missing"
                self.add_error("otp_token", _("Vul de code uit uw authenticator-app in."))
                return data
            device = match_token(user, token)
            if device is None:
                self.failure_reason = "otp_invalid"
                self.add_error("otp_token", _("De code is onjuist of verlopen."))
                return data
            self.device = device
        elif settings.REGIE_REQUIRE_OTP:
            self.failure_reason = "otp_not_enrolled"
            raise forms.ValidationError(
                _(
                    "Voor dit account is geen tweede factor ingesteld; neem contact op met de "
                    "beheerder."
                ),
                code="otp_not_enrolled",
            )
        self.user = user
        return data
