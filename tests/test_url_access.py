"""Every URL and API operation x every role: access only within need-to-know.

The test enumerates the URL conf. A new URL fails here until its view declares an access rule
(``@rule(...)`` or ``required_perm``) and, if it takes arguments, gets sample arguments below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from regie.audit.models import AuditEntry
from regie.core.access import AUTHENTICATED, PUBLIC
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import PERMISSION_ROLES, Perm, Role

#: URLs whose successful use shows or exports personal data: each must write an audit entry.
PERSONAL_DATA = {
    "organisation:staff_list",
    "organisation:staff_detail",
    "api-staff",
    "api-staff-detail",
    "audit:search",
    "audit:export",
    "api-audit",
    "selection:queue",
    "selection:case",
    "selection:quality",
    "statistics:quality",
    "api-cases",
    "api-case",
    "legal_assistance:queue",
    "legal_assistance:detail",
    "legal_assistance:quarantine",
    "legal_assistance:quarantine_detail",
    "legal_assistance:notifications",
    "legal_assistance:management",
    "legal_assistance:management_export",
    "registration:review_queue",
    "registration:review",
    "search:open",
    "search:object",
    "alerts:queue",
    "alerts:flag",
    "alerts:watchlist",
    "alerts:notifications",
    "tips:desk",
    "tips:tip",
    "tips:attachment",
    "tips:inbox",
    "tips:received",
    "tips:billing",
    "tips:billing_csv",
    "intelligence:proposals",
    "intelligence:series",
    "intelligence:network",
    "intelligence:problem",
    "intelligence:picture",
    "intelligence:picture_pdf",
}
METHOD = {"core:logout": "post"}
LEGAL_MESSAGE = (
    '{"kind": "diffusion", "purpose": "locate", "channel": "interpol",'
    ' "references": {"interpol": "2019/12345"}, "issuing_country": "BE",'
    ' "received_at": "2019-11-04T09:30:00+01:00",'
    ' "subjects": [{"forename": "Aleksandr", "name": "Ivanov", "date_of_birth": "1980"}]}'
)


def iter_patterns(resolver: URLResolver | None = None, ns: str = "") -> Iterator[tuple[str, Any]]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from iter_patterns(p, sub_ns)
        elif isinstance(p, URLPattern):
            assert p.name, f"URL pattern {p.pattern} has no name"
            yield f"{ns}{p.name}", p


def access_rule(callback: Any) -> Any:
    if hasattr(callback, "regie_access"):
        return callback.regie_access
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return getattr(cls, "required_perm", None)


ALL_URLS = dict(iter_patterns())


def test_every_url_declares_an_access_rule() -> None:
    missing = [name for name, p in ALL_URLS.items() if access_rule(p.callback) is None]
    assert not missing, f"views without an access rule: {missing}"


def sample_kwargs(team: BaseTeam, staff: Position, registration: Any) -> dict[str, dict[str, Any]]:
    mun = team.neighbourhoods.first().municipality  # type: ignore[union-attr]
    from regie.selection.models import Case
    from regie.selection.services import open_cases

    person = registration.involvements.filter(person__isnull=False).first().person
    open_cases([registration.pk])
    case = {"pk": Case.objects.get(registration=registration).pk}
    from regie.legal_assistance.services import receive

    legal = {"pk": receive(LEGAL_MESSAGE, channel="test").pk}
    from regie.anticipation.models import PredictionRun, Status

    run = PredictionRun.objects.create(
        base_team=team,
        start=dt.date(2019, 6, 3),
        end=dt.date(2019, 6, 17),
        status=Status.PUBLISHED,
    )
    quarantined = {"pk": receive('{"kind": "red_notice"', channel="test").pk}
    from tests.alerts.helpers import url_access_samples

    alerts_samples = url_access_samples(team, registration)
    from tests.intelligence.helpers import url_access_samples as intelligence_samples

    intelligence = intelligence_samples(team, registration)
    from regie.registration.models import Involvement, PairReview, Person

    twin = Person.objects.create(
        first_names=person.first_names, surname=person.surname, retain_until=person.retain_until
    )
    Involvement.objects.create(registration=registration, role="witness", person=twin)
    review = PairReview.objects.create(
        object_type="person",
        id_a=person.pk,
        id_b=twin.pk,
        match_probability=0.8,
        reasons=["achternaam gelijk"],
    )
    tip, tip_attachment = tips_sample(team)
    return {
        "tips:tip": tip,
        "tips:rewrite": tip,
        "tips:forward": tip,
        "tips:not_concrete": tip,
        "tips:close": tip,
        "tips:ask": tip,
        "tips:attachment": tip_attachment,
        "tips:received": {"tip": tip["pk"]},
        "tips:received_attachment": {"tip": tip["pk"], "index": 0},
        "tips:acknowledge": {"tip": tip["pk"]},
        "tips:feedback": {"tip": tip["pk"]},
        "legal_assistance:detail": legal,
        "legal_assistance:assess": legal,
        "legal_assistance:confirm": legal,
        "legal_assistance:priority": legal,
        "legal_assistance:assign": legal,
        "legal_assistance:answer": legal,
        "legal_assistance:close": legal,
        "legal_assistance:quarantine_detail": quarantined,
        "anticipation:model_card": {"pk": run.pk},
        "anticipation:export": {"pk": run.pk, "fmt": "csv"},
        "statistics:export": {"table": "counts", "fmt": "csv"},
        "statistics:dashboard_export": {"fmt": "csv"},
        "selection:case": case,
        "selection:action": case,
        "selection:leads": case,
        "selection:status_code": case,
        "api-case": case,
        "api-case-transitions": case,
        "registration:detail": {"number": registration.number},
        "registration:person": {"pk": person.pk},
        "registration:review": {"pk": review.pk},
        "api-registration": {"number": registration.number},
        "organisation:unit": {"code": team.district.unit.code},
        "organisation:district": {"code": team.district.code},
        "organisation:base_team": {"code": team.code},
        "organisation:municipality": {"code": mun.code},
        "organisation:staff_detail": {"pk": staff.pk},
        "api-base-team": {"code": team.code},
        "api-municipality": {"code": mun.code},
        "api-staff-detail": {"pk": staff.pk},
        "search:open": {"kind": "registration", "pk": registration.pk},
        "search:object": {
            "kind": "good",
            "pk": registration.involvements.filter(good__isnull=False).first().good_id,
        },
        **alerts_samples,
        **intelligence,
    }


def tips_sample(team: BaseTeam) -> tuple[dict[str, int], dict[str, int]]:
    """A forwarded tip with an attachment, delivered to the recipients the matrix's users
    read for: the municipal recipient's municipality (GM0344), the team's unit, and a partner
    agency (the matrix's partner user becomes its member)."""
    import io
    import os
    import tempfile

    from PIL import Image

    from regie.organisation.models import Municipality
    from regie.tips import services as tips
    from regie.tips.models import RecipientKind

    os.environ.setdefault("TIPS_ATTACHMENT_DIR", tempfile.mkdtemp(prefix="regie-tips-"))
    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, "PNG")
    municipal = tips.create_recipient(
        name="Gemeente (matrix)",
        kind=RecipientKind.MUNICIPALITY,
        topics=["drugs"],
        passphrase="matrix-passphrase",
        municipality=Municipality.objects.get(code="GM0344"),
    )
    police = tips.create_recipient(
        name="Politie (matrix)",
        kind=RecipientKind.AGENCY,
        topics=["drugs"],
        passphrase="matrix-passphrase",
        unit=team.district.unit,
    )
    tip, _code = tips.submit_tip(
        answers={"what": "Handel."},
        topic="drugs",
        municipality_code="GM0344",
        uploads=[tips.Upload("x.png", image.getvalue())],
    )
    tips.save_rewrite(tip, "Handel in een woning.", None)
    tip.refresh_from_db()
    partner = tips.create_recipient(
        name="FIOD (matrix)",
        kind=RecipientKind.AGENCY,
        topics=["drugs"],
        passphrase="matrix-passphrase",
    )
    tips.forward(tip, [municipal.pk, police.pk, partner.pk], None)
    return {"pk": tip.pk}, {"pk": tip.attachments.get().pk}


def expected_allowed(rule: Any, role: Role | None) -> bool:
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    if rule == AUTHENTICATED:
        return True
    return role in PERMISSION_ROLES[Perm(rule)]


def call(client: Client, name: str, kwargs: dict[str, Any]) -> Any:
    url = reverse(name, kwargs=kwargs)
    if name == "organisation:locate" or name == "api-locate":
        url += "?x=136867&y=455892&crs=EPSG:28992"
    if name == "registration:person_suggest":
        url += "?prefix=person-0&person-0-surname=Berg"
    return getattr(client, METHOD.get(name, "get"))(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: "anonymous" if r is None else r.value)
def test_url_access_matrix(
    role: Role | None,
    client_for: Callable[..., Client],
    make_staff: Callable[..., Position],
    team: BaseTeam,
    registration: Any,
) -> None:
    subject = make_staff(Role.INVESTIGATOR, at=team)  # a colleague in the demo team
    kwargs_by_name = sample_kwargs(team, subject, registration)
    client = Client() if role is None else client_for(role)
    user = None if role is None else client.position.user  # type: ignore[attr-defined]
    if role == Role.AGENCY_RECIPIENT:
        from regie.tips.models import Recipient

        Recipient.objects.get(name="FIOD (matrix)").members.add(user)
    failures = []
    # Sign-out ends the session, so it goes last.
    order = sorted(ALL_URLS.items(), key=lambda item: item[0] == "core:logout")
    for name, pattern in order:
        if pattern.pattern.converters and name not in kwargs_by_name:
            failures.append(f"{name}: add sample kwargs to this test")
            continue
        rule = access_rule(pattern.callback)
        before = AuditEntry.objects.count()
        response = call(client, name, kwargs_by_name.get(name, {}))
        allowed = expected_allowed(rule, role)
        status = response.status_code
        is_api = name.startswith("api-")
        if allowed:
            if status >= 400:
                failures.append(f"{name}: expected access, got {status}")
        elif role is None and not is_api:
            if status != 302 or "/inloggen/" not in response["Location"]:
                failures.append(f"{name}: anonymous should be sent to login, got {status}")
        elif role is None:
            if status not in (401, 403):
                failures.append(f"{name}: anonymous API call should be 401/403, got {status}")
        elif status != 403:
            failures.append(f"{name}: role {role} should be refused (403), got {status}")
        if is_api and status >= 400:
            assert response["Content-Type"].startswith("application/problem+json"), name
        if user is not None and name in PERSONAL_DATA:
            new = AuditEntry.objects.order_by("-seq")[: AuditEntry.objects.count() - before]
            actions = {e.action for e in new if e.actor_id == user.pk}
            want = ("view", "export") if allowed else ("denied",)
            if not actions & set(want):
                failures.append(f"{name}: no audit entry {want} for {role} (got {actions})")
    assert not failures, "\n".join(failures)
