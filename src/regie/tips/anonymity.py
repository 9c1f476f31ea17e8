"""What keeps the public intake anonymous: nothing about the reporter's connection or
browser reaches Django, the logs or the database.

* :func:`scrub_environ` keeps only an allow-list of WSGI/CGI variables: the client address
  (``REMOTE_ADDR``, ``REMOTE_PORT``, ``REMOTE_HOST``), ``User-Agent``, ``X-Forwarded-For``,
  ``Forwarded``, ``X-Real-IP``, ``Referer``, ``Cookie``, client hints and every other header
  not on the list are dropped. It runs twice: in the WSGI wrapper
  (:mod:`regie.tips.public_wsgi`, before Django) and as the first middleware.
* :class:`AnonymityMiddleware` also sets ``Cache-Control: no-store``,
  ``Referrer-Policy: no-referrer``, a strict content security policy and removes any
  ``Set-Cookie`` - the reporter never gets a cookie.
* :class:`ScrubFilter` is a logging filter: drops the request from log records and blanks
  anything that looks like an IP address in a message.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, MutableMapping
from typing import Any

from django.http import HttpRequest, HttpResponse

#: WSGI/CGI variables the public intake may see; everything else is removed.
ALLOWED_ENVIRON = frozenset(
    {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
        "RAW_URI",
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_CONTENT_TYPE",
        "HTTP_CONTENT_LENGTH",
        "HTTP_CONNECTION",
        "HTTP_ORIGIN",
        "HTTP_SEC_FETCH_SITE",
        "HTTP_HX_REQUEST",
        "wsgi.input",
        "wsgi.errors",
        "wsgi.version",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
        "wsgi.url_scheme",
        "wsgi.file_wrapper",
        "wsgi.input_terminated",
    }
)
#: Django needs a value; a fixed one carries no information.
PLACEHOLDER_ADDR = "0.0.0.0"  # noqa: S104 - an address value, not a bind

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def scrub_environ(environ: MutableMapping[str, Any]) -> None:
    for key in [k for k in environ if k not in ALLOWED_ENVIRON]:
        del environ[key]
    environ["REMOTE_ADDR"] = PLACEHOLDER_ADDR


class AnonymityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scrub_environ(request.META)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies.clear()
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        response["Referrer-Policy"] = "no-referrer"
        response["Content-Security-Policy"] = CSP
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Frame-Options"] = "DENY"
        response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response


_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")


def _ipv6(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:
        return match.group(0)
    return "[adres]"


class ScrubFilter(logging.Filter):
    """Removes the request and IP-like text from every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        for attr in ("request", "client_addr", "remote_addr"):
            if hasattr(record, attr):
                setattr(record, attr, None)
        message = record.getMessage()
        cleaned = _IPV6_CANDIDATE.sub(_ipv6, _IPV4.sub("[adres]", message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
