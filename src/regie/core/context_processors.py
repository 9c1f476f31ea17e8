from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from regie.core.navigation import menu_for
from regie.organisation.access import position_of


def regie(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    position = position_of(user)
    return {
        "regie_demo_mode": settings.DEMO_MODE,
        "regie_otp_required": settings.REGIE_REQUIRE_OTP,
        "regie_position": position,
        "regie_menu": menu_for(user) if position is not None else [],
        "regie_version": settings.REGIE_VERSION,
    }
