from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_carry_strict_headers() -> None:
    r = Client().get("/inloggen/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]
