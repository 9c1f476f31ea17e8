"""The search page, opening a result, the object page and the header box: access and audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.registration.models import Registration
from tests.search.helpers import bike_theft, person

pytestmark = pytest.mark.django_db
URL = "/zoeken/"


def entries(client: Client, **kw: Any) -> list[AuditEntry]:
    user = client.position.user  # type: ignore[attr-defined]
    return list(AuditEntry.objects.filter(actor_id=user.pk, **kw).order_by("seq"))


def test_search_page_shows_ranked_highlighted_results_and_audits_the_query(
    registration: Registration, client_for: Callable[..., Client], team: BaseTeam
) -> None:
    client = client_for(Role.INVESTIGATOR)
    response = client.get(
        URL, {"q": "fiets gestolen", "soort": ["registration", "good"], "gebied": f"t:{team.code}"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>fiets</mark>" in html.lower() or "<mark>Fiets</mark>" in html
    assert reverse("search:open", kwargs={"kind": "registration", "pk": registration.pk}) in html
    [entry] = entries(client, object_type="search.query")
    assert entry.action == "view"
    assert entry.detail["q"] == "fiets gestolen"
    assert entry.detail["filters"]["kinds"] == ["registration", "good"]
    assert entry.detail["filters"]["area"] == f"t:{team.code}"
    assert entry.detail["count"] == 1  # the good has no "gestolen"
    assert f"registration:{registration.pk}" in entry.detail["shown"]


def test_empty_page_and_empty_query_are_not_searches(client_for: Callable[..., Client]) -> None:
    client = client_for(Role.DESK_OFFICER)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"q": "  "}).status_code == 200
    assert entries(client, object_type="search.query") == []


def test_bad_filters_are_refused_with_a_message_and_nothing_searched(
    client_for: Callable[..., Client], other_team: BaseTeam
) -> None:
    client = client_for(Role.DESK_OFFICER)
    outside = client.get(URL, {"q": "fiets", "gebied": f"t:{other_team.code}"})
    assert outside.status_code == 400 and "errorlist" in outside.content.decode()
    dates = client.get(URL, {"q": "fiets", "van": "2020-02-01", "tot": "2020-01-01"})
    assert dates.status_code == 400
    assert "De einddatum ligt vóór de begindatum." in dates.content.decode()
    assert client.get(URL, {"q": "fiets", "soort": "legal_message"}).status_code == 400
    assert client.get(URL, {"q": "x" * 201}).status_code == 400
    assert entries(client, object_type="search.query") == []


def test_opening_a_result_is_audited_then_shows_the_detail_page(
    registration: Registration, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.DESK_OFFICER)
    p = registration.involvements.get(person__isnull=False).person
    response = client.get(
        reverse("search:open", kwargs={"kind": "person", "pk": p.pk}), {"q": "Jan Berg"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:person", kwargs={"pk": p.pk})
    [entry] = entries(client, object_type="search.open")
    assert entry.object_id == f"person:{p.pk}" and entry.detail == {"q": "Jan Berg"}
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Jan" in page.content.decode()
    reg_open = client.get(
        reverse("search:open", kwargs={"kind": "registration", "pk": registration.pk})
    )
    assert reg_open["Location"] == reverse(
        "registration:detail", kwargs={"number": registration.number}
    )


def test_opening_outside_need_to_know_is_refused_and_audited(
    registration: Registration, client_for: Callable[..., Client], other_team: BaseTeam
) -> None:
    client = client_for(Role.DESK_OFFICER, at=other_team)
    url = reverse("search:open", kwargs={"kind": "registration", "pk": registration.pk})
    assert client.get(url).status_code == 403
    assert [e.action for e in entries(client)] == ["denied"]
    assert (
        client.get(reverse("search:open", kwargs={"kind": "nonsense", "pk": 1})).status_code == 404
    )


def test_object_page_for_a_good_within_need_to_know(
    registration: Registration, client_for: Callable[..., Client], other_team: BaseTeam
) -> None:
    good_id = registration.involvements.get(good__isnull=False).good_id
    url = reverse("search:object", kwargs={"kind": "good", "pk": good_id})
    client = client_for(Role.INVESTIGATOR)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "GZ-123 456" in html or "GZ123456" in html
    assert registration.number in html
    [entry] = entries(client, object_type="registration.good")
    assert entry.detail["registrations"] == [registration.pk]
    outsider = client_for(Role.INVESTIGATOR, at=other_team)
    assert outsider.get(url).status_code == 403
    assert (
        client.get(reverse("search:object", kwargs={"kind": "person", "pk": 1})).status_code == 404
    )


def test_result_goes_through_the_open_redirect(
    team: BaseTeam, client_for: Callable[..., Client]
) -> None:
    reg = bike_theft(team, person("Sanne", "de Wit"), frame="SW 9988 77")
    client = client_for(Role.TEAM_CHIEF)
    html = client.get(URL, {"q": "SW998877"}).content.decode()
    good_id = reg.involvements.get(good__isnull=False).good_id
    assert reverse("search:open", kwargs={"kind": "good", "pk": good_id}) in html
    assert "kenmerk exact gevonden" in html


def test_header_box_only_for_users_who_may_search(client_for: Callable[..., Client]) -> None:
    searcher = client_for(Role.DESK_OFFICER)
    admin = client_for(Role.ADMINISTRATOR)
    assert 'id="header-search"' in searcher.get("/").content.decode()
    assert 'id="header-search"' not in admin.get("/").content.decode()
    assert admin.get(URL).status_code == 403
