"""WSGI entry of the public intake: strips the environ before Django sees it.

Serve with ``regie tips serve-public`` (gunicorn without an access log)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regie.tips.public_settings")

from django.core.wsgi import get_wsgi_application

from regie.tips.anonymity import scrub_environ

_django = get_wsgi_application()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    scrub_environ(environ)
    return _django(environ, start_response)
