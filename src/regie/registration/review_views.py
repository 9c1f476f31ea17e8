"""The review queue of possible duplicate core objects (``/registraties/dubbelen/``).

Only for who may merge core objects (intelligence officers, dossier managers), and only
pairs whose two objects the user may both see. Every view of the objects and every decision
is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import deny, rule
from regie.organisation.roles import Perm
from regie.registration import resolution, selectors
from regie.registration.models import MatchModel, ObjectType, PairReview, PairStatus


def _facts(obj: Any) -> list[tuple[str, Any]]:
    """(label, value) of what the resolution compared, plus when it was registered."""
    if obj is None:
        return []
    kind = resolution.KINDS[type(obj).__name__.lower()]
    out = []
    for name in kind.fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, f"get_{name}_display")() if field.choices else getattr(obj, name)
        out.append((str(field.verbose_name), value))
    if kind.registry_field and kind.registry_field not in kind.fields:
        field = obj._meta.get_field(kind.registry_field)
        out.append((str(field.verbose_name), getattr(obj, kind.registry_field)))
    out.append((_("Geregistreerd"), obj.created_at.date()))
    return out


@rule(Perm.MERGE_CORE_OBJECTS)
def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", PairStatus.OPEN)
    if status not in PairStatus.values:
        status = PairStatus.OPEN
    kind = request.GET.get("soort", ObjectType.PERSON)
    if kind not in resolution.KINDS:
        kind = ObjectType.PERSON
    qs = selectors.pair_reviews_visible_to(
        request.user, PairReview.objects.filter(status=status, object_type=kind)
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(r, *resolution.review_objects(r)) for r in page.object_list]
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="registration.pairreview",
        object_id="list",
        detail={
            "kind": kind,
            "status": status,
            "ids": sorted({i for r in page.object_list for i in (r.id_a, r.id_b)}),
        },
    )
    return render(
        request,
        "registration/review_queue.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "kind": kind,
            "statuses": PairStatus.choices,
            "kinds": [(k, ObjectType(k).label) for k in resolution.KINDS],
            "likely": resolution.LIKELY_THRESHOLD,
            "model": MatchModel.objects.filter(object_type=kind, active=True).first(),
        },
    )


@rule(Perm.MERGE_CORE_OBJECTS)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = (
        selectors.pair_reviews_visible_to(request.user, PairReview.objects.filter(pk=pk))
        .select_related("decided_by")
        .first()
    )
    if review is None:
        deny(request, Perm.MERGE_CORE_OBJECTS, "registration.pairreview")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "undo":
                resolution.undo_pair(review.pk, actor=request.user, reason=reason)
                messages.success(request, _("De samenvoeging is ongedaan gemaakt."))
            else:
                survivor = request.POST.get("survivor", "")
                resolution.decide_pair(
                    review.pk,
                    actor=request.user,
                    decision=action,
                    reason=reason,
                    survivor_id=int(survivor) if survivor.isdigit() else None,
                )
                messages.success(
                    request,
                    _("Samengevoegd.") if action == "merge" else _("Vastgelegd: verschillend."),
                )
            return redirect("registration:review", pk=review.pk)
        except resolution.ResolutionError as error:
            messages.error(request, str(error))
            status = 400
    sides = []
    for obj in resolution.review_objects(review):
        registrations = (
            list(selectors.object_registrations(request.user, obj)[:20]) if obj is not None else []
        )
        sides.append({"obj": obj, "facts": _facts(obj), "registrations": registrations})
        if obj is not None:
            audit_log(
                actor=request.user,
                action=Action.VIEW,
                object_type=f"registration.{review.object_type}",
                object_id=obj.pk,
                detail={"review": review.pk, "registrations": [r.pk for r in registrations]},
            )
    return render(
        request,
        "registration/review_detail.html",
        {
            "review": review,
            "sides": sides,
            "likely": resolution.LIKELY_THRESHOLD,
            "is_person": review.object_type == ObjectType.PERSON,
        },
        status=status,
    )
