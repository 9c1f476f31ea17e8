"""Screens of the Selectiviteitskader: the work queues, one case with its advice and moves,
bulk screening with confirmation, and the reporter's status page ("Mijn Onderzoek")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from regie.audit.models import Action as AuditAction
from regie.audit.services import audit_log
from regie.core.access import PUBLIC, deny, rule
from regie.organisation.access import has_perm, role_of
from regie.organisation.roles import Perm
from regie.organisation.roles import Role as StaffRole
from regie.selection import selectors, services
from regie.selection.flow import (
    CHOICE_FIELDS,
    STATE_LABELS,
    Action,
    State,
    TransitionError,
    actions_from,
)
from regie.selection.forms import (
    FIELD_LABELS,
    BulkForm,
    LeadsForm,
    StatusCodeForm,
    TransitionForm,
)
from regie.selection.leads import LEADS, RECORDED_LEADS
from regie.selection.models import Case
from regie.selection.steering import feedback_for

QUEUES = {
    "screening": (gettext_lazy("Eerste screening"), selectors.screening_queue),
    "dossier": (gettext_lazy("Dossiermanager"), selectors.dossier_queue),
    "zsm": (gettext_lazy("ZSM"), selectors.zsm_queue),
    "om": (gettext_lazy("Bij het OM"), selectors.om_queue),
    "investigation": (gettext_lazy("In onderzoek"), selectors.investigation_queue),
}
DEFAULT_QUEUE = {
    StaffRole.DOSSIER_MANAGER: "dossier",
    StaffRole.OM_LIAISON: "zsm",
    StaffRole.INVESTIGATOR: "investigation",
}


@rule(Perm.VIEW_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    name = request.GET.get("wachtrij") or DEFAULT_QUEUE.get(role, "screening")  # type: ignore[arg-type]
    if name not in QUEUES:
        raise Http404
    title, select = QUEUES[name]
    page = Paginator(select(request.user), 50).get_page(request.GET.get("page"))
    cases = list(page.object_list)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="selection.case",
        object_id="queue",
        detail={"queue": name, "ids": [c.pk for c in cases]},
    )
    can_bulk = (
        name == "screening"
        and has_perm(request.user, Perm.DECIDE_CASES)
        and bool(actions_from(State.REGISTERED, role.value if role else ""))
    )
    return render(
        request,
        "selection/queue.html",
        {
            "queues": [(k, v[0]) for k, v in QUEUES.items()],
            "current": name,
            "title": title,
            "page": page,
            "rows": [(c, selectors.overdue(c)) for c in cases],
            "can_bulk": can_bulk,
            "bulk_form": BulkForm(case_ids=[c.pk for c in cases]) if can_bulk else None,
            "feedback": feedback_for(request.user),
            "caseload": selectors.caseload(request.user)
            if name in ("dossier", "investigation")
            else [],
        },
    )


def _case_or_deny(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail(request.user, pk)
    if case is None:
        if Case.objects.filter(pk=pk).exists():
            deny(request, Perm.VIEW_CASES, "selection.case")
        raise Http404
    return case


def _forms(request: HttpRequest, case: Case, bound: TransitionForm | None = None) -> list[Any]:
    role = role_of(request.user)
    out: list[Any] = []
    for t in actions_from(State(case.state), role.value if role else ""):
        if bound is not None and bound.transition == t:
            out.append(bound)
            continue
        investigators = None
        if "investigator" in t.required:
            investigators = [
                (p.user_id, f"{p.display_name} ({p.caseload})")  # type: ignore[attr-defined]
                for p in selectors.investigators_for(case)
            ]
        out.append(TransitionForm(t, investigators=investigators))
    return out


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: TransitionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    audit_log(
        actor=request.user, action=AuditAction.VIEW, object_type="selection.case", object_id=case.pk
    )
    registration = case.registration
    leads = [
        (name, label, bool(getattr(case, name)), name in RECORDED_LEADS)
        for name, label in LEADS.items()
    ]
    events = [(e, _event_fields(e)) for e in case.events.all()]
    return render(
        request,
        "selection/case.html",
        {
            "case": case,
            "r": registration,
            "state_label": STATE_LABELS[State(case.state)],
            "overdue": selectors.overdue(case),
            "leads": leads,
            "leads_form": LeadsForm(initial={n: getattr(case, n) for n in RECORDED_LEADS}),
            "can_record_leads": case.state == State.REGISTERED
            and has_perm(request.user, Perm.DECIDE_CASES),
            "advice": case.advice_detail,
            "forms": _forms(request, case, bound)
            if has_perm(request.user, Perm.DECIDE_CASES)
            else [],
            "events": events,
            "error": error,
            "can_issue_code": has_perm(request.user, Perm.DECIDE_CASES),
        },
        status=status,
    )


def _event_fields(event: Any) -> dict[str, Any]:
    """The fields of a move as a reader wants them: Dutch labels, names instead of ids."""
    try:
        event.actor_role_label = StaffRole(event.actor_role).label
    except ValueError:
        event.actor_role_label = event.actor_role
    shown: dict[str, Any] = {}
    for key, value in event.fields.items():
        if key == "investigator":
            user = get_user_model().objects.filter(pk=value).first()
            value = user.get_full_name() if user else value
        shown[str(FIELD_LABELS.get(key, key))] = CHOICE_FIELDS.get(key, {}).get(str(value), value)
    return shown


@rule(Perm.VIEW_CASES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case_or_deny(request, pk))


@rule(Perm.DECIDE_CASES)
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_deny(request, pk)
    if request.method != "POST":
        return redirect("selection:case", pk=pk)
    try:
        action = Action(request.POST.get("action", ""))
    except ValueError:
        return _render_case(request, case, error=_("Onbekende actie."), status=422)
    role = role_of(request.user)
    t = next(
        (
            x
            for x in actions_from(State(case.state), role.value if role else "")
            if x.action is action
        ),
        None,
    )
    if t is None:
        if any(x.action is action for x in actions_from(State(case.state))):
            deny(request, Perm.DECIDE_CASES, "selection.case")  # the move exists, not for you
        return _render_case(
            request, case, error=_("Deze actie is vanuit deze stand niet mogelijk."), status=409
        )
    investigators = (
        [(p.user_id, p.display_name) for p in selectors.investigators_for(case)]
        if "investigator" in t.required
        else []
    )
    form = TransitionForm(t, request.POST, investigators=investigators)
    if not form.is_valid():
        return _render_case(request, case, bound=form, error=_("Vul de gegevens aan."), status=422)
    try:
        services.case_transition(case.pk, action, actor=request.user, fields=form.payload())
    except TransitionError as exc:
        services.audit_refused_move(request.user, case.pk, action.value, exc)
        if exc.status == 403:
            deny(request, Perm.DECIDE_CASES, "selection.case")
        for name, errs in exc.errors.items():
            if name in form.fields:
                for e in errs:
                    form.add_error(name, e)
        return _render_case(request, case, bound=form, error=exc.message, status=exc.status)
    messages.success(request, _("Vastgelegd: %(action)s.") % {"action": form.label})
    return redirect("selection:case", pk=pk)


@rule(Perm.DECIDE_CASES)
def case_leads(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_deny(request, pk)
    if request.method != "POST":
        return redirect("selection:case", pk=pk)
    form = LeadsForm(request.POST)
    form.is_valid()
    try:
        services.record_leads(case, actor=request.user, leads=form.cleaned_data)
    except TransitionError as exc:
        return _render_case(request, case, error=exc.message, status=exc.status)
    messages.success(request, _("Indicaties vastgelegd; het advies is bijgewerkt."))
    return redirect("selection:case", pk=pk)


@rule(Perm.DECIDE_CASES)
def case_status_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new status code for the reporter (shown once on this page)."""
    case = _case_or_deny(request, pk)
    if request.method != "POST":
        return redirect("selection:case", pk=pk)
    code = services.issue_status_code(case, actor=request.user)
    response = render(request, "selection/status_code_issued.html", {"case": case, "code": code})
    response["Cache-Control"] = "no-store"
    return response


@rule(Perm.DECIDE_CASES)
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk screening: the first POST shows what will happen; the second (confirm) does it,
    each case through the same gate as a single decision."""
    if request.method != "POST":
        return redirect("selection:queue")
    ids = [int(x) for x in request.POST.getlist("cases") if x.isascii() and x.isdigit()]
    visible = {c.pk: c for c in selectors.screening_queue(request.user).filter(pk__in=ids)}
    form = BulkForm(request.POST, case_ids=list(visible))
    if not form.is_valid():
        messages.error(request, _("Kies zaken en een actie."))
        return redirect("selection:queue")
    chosen = [visible[i] for i in form.cleaned_data["cases"]]
    action = form.cleaned_data["action"]
    override = form.cleaned_data["override_reason"]
    if request.POST.get("confirm") != "1":
        against = [c for c in chosen if c.advice and c.advice != "assess" and c.advice != action]
        return render(
            request,
            "selection/bulk_confirm.html",
            {
                "cases": chosen,
                "action": action,
                "form": form,
                "against": against,
                "override": override,
            },
        )
    done, failed = 0, []
    for case in chosen:
        fields = {"override_reason": override}
        if action == "reject":
            fields["reject_reason"] = "insufficient_leads"
        try:
            services.case_transition(case.pk, action, actor=request.user, fields=fields)
            done += 1
        except TransitionError as exc:
            details = " ".join(e for errs in exc.errors.values() for e in errs)
            failed.append(f"{case.registration.number}: {exc.message} {details}".strip())
    messages.success(request, _("%(n)d zaken verwerkt.") % {"n": done})
    for line in failed:
        messages.error(request, line)
    return redirect("selection:queue")


@never_cache
@csrf_protect
@rule(PUBLIC)
def victim_status(request: HttpRequest) -> HttpResponse:
    """The reporter's page: the stage of their case in plain Dutch, nothing about others.
    The code travels in a POST body, never in a URL (no logs, no referrers)."""
    form = StatusCodeForm(request.POST or None)
    case = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            case = services.case_for_status_code(form.cleaned_data["code"])
            if case is None:
                form.add_error(
                    "code", _("Deze code is onbekend. Controleer de code op uw bevestiging.")
                )
                status = 404
        else:
            status = 400
    context: dict[str, Any] = {"form": form, "case": case}
    if case is not None:
        audit_log(
            actor=None,
            action=AuditAction.VIEW,
            object_type="selection.case",
            object_id=case.pk,
            detail={"via": "status code"},
        )
        context.update(services.victim_view(case))
    response = render(request, "selection/victim_status.html", context, status=status)
    # No referrer to other sites; same-origin keeps the Origin header the CSRF check needs.
    response["Referrer-Policy"] = "same-origin"
    return response
