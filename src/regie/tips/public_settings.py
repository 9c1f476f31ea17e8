"""Settings of the public intake process (Meld Misdaad Anoniem web form and follow-up).

Same database and apps as Regie, but: only the public URLs, no session, authentication,
CSRF cookie or messages middleware (no cookie for reporters; the single-use proof-of-work
token bound to each form stands in for a CSRF token), the anonymity middleware first, a
logging configuration with the scrub filter on every handler and no request/access logger,
and no error e-mails. See ``docs/adr/0015-anonymous-tip-line.md``.
"""

from __future__ import annotations

from regie.settings import *  # noqa: F403
from regie.settings import INSTALLED_APPS as _APPS

ROOT_URLCONF = "regie.tips.public_urls"
WSGI_APPLICATION = "regie.tips.public_wsgi.application"
INSTALLED_APPS = [a for a in _APPS if a not in ("django_htmx", "django.contrib.messages")]
MIDDLEWARE = [
    "regie.tips.anonymity.AnonymityMiddleware",
    "regie.core.middleware.RejectNullBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]
ADMINS: list[tuple[str, str]] = []
MANAGERS: list[tuple[str, str]] = []
# Upload limits (the attachments' own limits apply after this).
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
SECURE_REFERRER_POLICY = "no-referrer"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": True,
    "filters": {"scrub": {"()": "regie.tips.anonymity.ScrubFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Request loggers carry the request (and with it its headers): off.
        "django.request": {"handlers": [], "propagate": False},
        "django.server": {"handlers": [], "propagate": False},
        "django.security": {"handlers": [], "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
