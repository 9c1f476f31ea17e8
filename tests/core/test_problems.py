"""Bad input anywhere gets a specific message, never a 500; the API speaks RFC 7807."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from regie.core.middleware import ProblemDetailsMiddleware
from regie.organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_api_validation_error_lists_fields(client_for: Callable[..., Client]) -> None:
    c = client_for(Role.CASE_SCREENER)
    r = c.get(reverse("api-locate"), {"x": "abc", "crs": "EPSG:9999"})
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 400 and body["title"] == "Ongeldige invoer"
    assert set(body["errors"]) == {"x", "y", "crs"}


def test_api_unknown_url_and_object(client_for: Callable[..., Client]) -> None:
    c = client_for(Role.CASE_SCREENER)
    for url in ("/api/v1/does-not-exist/", reverse("api-base-team", args=["NOPE"])):
        r = c.get(url)
        assert r.status_code == 404
        assert r["Content-Type"] == "application/problem+json"
        assert r.json()["status"] == 404


def test_api_wrong_method(client_for: Callable[..., Client]) -> None:
    r = client_for(Role.CASE_SCREENER).post(reverse("api-units"), {})
    assert r.status_code == 405
    assert r.json()["title"] == "Method Not Allowed"


def test_unhandled_api_exception_becomes_problem() -> None:
    request = RequestFactory().get("/api/v1/units/")
    mw = ProblemDetailsMiddleware(lambda req: None)  # type: ignore[arg-type,return-value]
    response = mw.process_exception(request, RuntimeError("boom"))
    assert response is not None and response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert b"boom" not in response.content  # no internals leak


def test_locate_page_bad_input(client_for: Callable[..., Client]) -> None:
    c = client_for(Role.DESK_OFFICER)
    r = c.get(reverse("organisation:locate"), {"x": "4.9", "y": "52.37", "crs": "EPSG:28992"})
    assert r.status_code == 400
    assert "buiten Nederland" in r.content.decode()
    r = c.get(reverse("organisation:locate"), {"x": "nan", "y": "1", "crs": "EPSG:4326"})
    assert r.status_code == 400
    r = c.get(reverse("organisation:locate"), {"x": "", "y": "", "crs": "x"})
    assert r.status_code == 400
    assert "Dit veld is vereist." in r.content.decode()


def test_html_404_is_dutch(client_for: Callable[..., Client]) -> None:
    r = client_for(Role.DESK_OFFICER).get(reverse("organisation:base_team", args=["NOPE"]))
    assert r.status_code == 404
    assert "Niet gevonden" in r.content.decode()


def test_staff_search_bad_input(client_for: Callable[..., Client]) -> None:
    r = client_for(Role.TEAM_CHIEF).get(reverse("organisation:staff_list"), {"role": "king"})
    assert r.status_code == 400
    assert "Selecteer een geldige keuze" in r.content.decode()
