"""The committed OpenAPI document is what the code generates (regenerate: make openapi)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


@pytest.mark.django_db
def test_openapi_is_current_and_valid() -> None:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert COMMITTED.exists(), "docs/openapi.yaml missing: run make openapi"
    assert out.getvalue() == COMMITTED.read_text(), "docs/openapi.yaml is stale: make openapi"
