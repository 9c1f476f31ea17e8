"""Screens for steering: the framework's rules, the solvability model and quality review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.audit.models import Action as AuditAction
from regie.audit.services import audit_log
from regie.core.access import deny, rule
from regie.organisation.access import base_team_filter, has_perm, position_of
from regie.organisation.models import BaseTeam, Unit
from regie.organisation.roles import Perm
from regie.organisation.roles import ScopeLevel as StaffScope
from regie.registration.models import OffenceCategory
from regie.selection import services, steering
from regie.selection.flow import ACTION_LABELS, CHOICE_FIELDS, TransitionError
from regie.selection.framework import DECISION_LABELS
from regie.selection.models import ScopeLevel, SolvabilityModel


class RuleForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Geldt voor"))
    category = forms.ModelChoiceField(
        label=gettext_lazy("Categorie (leeg: alle)"),
        queryset=OffenceCategory.objects.order_by("code"),
        required=False,
    )
    always_take_up = forms.BooleanField(label=gettext_lazy("Altijd oppakken"), required=False)
    take_up_at = forms.FloatField(
        label=gettext_lazy("Drempel oppakken (kans 0–1)"), required=False, min_value=0, max_value=1
    )
    reject_below = forms.FloatField(
        label=gettext_lazy("Drempel afwijzen (kans 0–1)"), required=False, min_value=0, max_value=1
    )
    damage_threshold = forms.DecimalField(
        label=gettext_lazy("Schadedrempel (euro)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    rationale = forms.CharField(
        label=gettext_lazy("Toelichting"), widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Geldig vanaf"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=gettext_lazy("Geldig tot (leeg: onbepaald)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        position = position_of(user)
        choices: list[tuple[str, str]] = []
        if position is not None:
            level = position.scope_level
            if level == StaffScope.NATIONAL:
                choices.append(("national:", str(_("Landelijk"))))
            if level in (StaffScope.NATIONAL, StaffScope.UNIT):
                units = Unit.objects.filter(is_national=False)
                if level == StaffScope.UNIT:
                    units = units.filter(pk=position.unit_id or 0)
                choices += [(f"unit:{u.code}", f"{_('Eenheid')} {u.name}") for u in units]
            team_q = base_team_filter(user)
            teams = BaseTeam.objects.order_by("name")
            if team_q is not None:
                teams = teams.filter(team_q)
            choices += [(f"base_team:{t.code}", f"{_('Basisteam')} {t.name}") for t in teams]
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]

    def scope_object(self) -> tuple[str, Any]:
        level, _sep, code = self.cleaned_data["scope"].partition(":")
        if level == ScopeLevel.UNIT:
            return level, Unit.objects.get(code=code)
        if level == ScopeLevel.BASE_TEAM:
            return level, BaseTeam.objects.get(code=code)
        return ScopeLevel.NATIONAL, None


@rule(Perm.VIEW_CASES)
def framework_rules(request: HttpRequest) -> HttpResponse:
    can_edit = has_perm(request.user, Perm.EDIT_FRAMEWORK)
    form = RuleForm(user=request.user) if can_edit else None
    return _render_rules(request, form)


def _render_rules(request: HttpRequest, form: RuleForm | None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "selection/framework.html",
        {"groups": steering.rules_by_key(steering.rules_visible_to(request.user)), "form": form},
        status=status,
    )


@rule(Perm.EDIT_FRAMEWORK)
def framework_rule_add(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("selection:framework")
    form = RuleForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_rules(request, form, status=422)
    level, scope = form.scope_object()
    data = form.cleaned_data
    try:
        rule_ = services.framework_rule_save(
            actor=request.user,
            scope_level=level,
            scope=scope,
            category=data["category"],
            always_take_up=data["always_take_up"],
            take_up_at=data["take_up_at"],
            reject_below=data["reject_below"],
            damage_threshold=data["damage_threshold"],
            rationale=data["rationale"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )
    except TransitionError as exc:
        for name, errs in exc.errors.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
        if not exc.errors:
            form.add_error(None, exc.message)
        return _render_rules(request, form, status=exc.status)
    if level == ScopeLevel.BASE_TEAM:
        services.readvise_open_cases(Q(pk=scope.pk))
    elif level == ScopeLevel.UNIT:
        services.readvise_open_cases(Q(district__unit=scope))
    else:
        services.readvise_open_cases()
    messages.success(
        request,
        _("Regel vastgelegd als versie %(v)d; het advies is bijgewerkt.") % {"v": rule_.version},
    )
    return redirect("selection:framework")


class SwitchForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("aan")), ("0", gettext_lazy("uit"))], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label=gettext_lazy("Reden"), max_length=500)


class FitForm(forms.Form):
    cutoff = forms.DateField(
        label=gettext_lazy("Achterhouden vanaf (leeg: laatste 30%)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@rule(Perm.VIEW_CASES)
def model_page(request: HttpRequest) -> HttpResponse:
    """The active model's card is open to everyone who works with cases: the screener may
    see what drives the advice."""
    models = list(SolvabilityModel.objects.all()[:20])
    active = next((m for m in models if m.active), None)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="selection.solvabilitymodel",
        object_id=active.pk if active else "none",
    )
    can_manage = _may_manage_model(request.user)
    return render(
        request,
        "selection/model.html",
        {
            "models": models,
            "active": active,
            "can_manage": can_manage,
            "switch_form": SwitchForm() if can_manage else None,
            "fit_form": FitForm() if can_manage else None,
        },
    )


def _may_manage_model(user: Any) -> bool:
    """The model is national: refitting it or switching it off needs a national scope."""
    position = position_of(user)
    return (
        has_perm(user, Perm.MANAGE_SOLVABILITY)
        and position is not None
        and position.scope_level == StaffScope.NATIONAL
    )


@rule(Perm.MANAGE_SOLVABILITY)
def model_switch(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("selection:model")
    if not _may_manage_model(request.user):
        deny(request, Perm.MANAGE_SOLVABILITY, "selection.solvabilitymodel")
    form = SwitchForm(request.POST)
    active = SolvabilityModel.objects.filter(active=True).first()
    if not form.is_valid() or active is None:
        messages.error(request, _("Geef een reden; er moet een actief model zijn."))
        return redirect("selection:model")
    services.model_switch(
        active,
        actor=request.user,
        enabled=form.cleaned_data["enabled"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request,
        _("Het model adviseert weer.")
        if form.cleaned_data["enabled"]
        else _("Het model staat uit; het kader adviseert zonder score."),
    )
    return redirect("selection:model")


@rule(Perm.MANAGE_SOLVABILITY)
def model_fit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("selection:model")
    if not _may_manage_model(request.user):
        deny(request, Perm.MANAGE_SOLVABILITY, "selection.solvabilitymodel")
    form = FitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ongeldige datum."))
        return redirect("selection:model")
    try:
        row = services.fit_solvability(actor=request.user, cutoff=form.cleaned_data["cutoff"])
    except TransitionError as exc:
        details = " ".join(e for errs in exc.errors.values() for e in errs)
        messages.error(request, f"{exc.message} {details}")
        return redirect("selection:model")
    if row.passed:
        messages.success(
            request,
            _("Nieuw model %(v)s voldoet aan de criteria en adviseert nu.") % {"v": row.version},
        )
    else:
        messages.error(
            request,
            _("Nieuw model %(v)s voldoet niet aan de criteria en adviseert niet.")
            % {"v": row.version},
        )
    return redirect("selection:model")


class ReviewForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    sample = forms.ChoiceField(
        choices=[("random", "random"), ("risk", "risk")], widget=forms.HiddenInput
    )
    correct = forms.TypedChoiceField(
        label=gettext_lazy("Kader juist toegepast?"),
        choices=[("1", gettext_lazy("ja")), ("0", gettext_lazy("nee"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=gettext_lazy("Terugkoppeling aan de beslisser"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@rule(Perm.REVIEW_QUALITY)
def quality(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                steering.review_record(
                    actor=request.user,
                    event_id=form.cleaned_data["event"],
                    sample=form.cleaned_data["sample"],
                    correct=form.cleaned_data["correct"],
                    feedback=form.cleaned_data["feedback"],
                )
                messages.success(request, _("Beoordeling vastgelegd."))
                return redirect("selection:quality")
            except TransitionError as exc:
                error, status = exc.message, exc.status
        else:
            error, status = _("Kies ja of nee."), 422
    sample = steering.review_sample(request.user)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="selection.case",
        object_id="quality-sample",
        detail={"events": [item.event.pk for item in sample]},
    )
    rows = [
        (
            item,
            ACTION_LABELS.get(item.event.action, item.event.action),  # type: ignore[call-overload]
            {k: CHOICE_FIELDS.get(k, {}).get(str(v), v) for k, v in item.event.fields.items()},
            DECISION_LABELS.get(item.event.advice, "—"),
            ReviewForm(initial={"event": item.event.pk, "sample": item.kind}),
        )
        for item in sample
    ]
    return render(
        request,
        "selection/quality.html",
        {"rows": rows, "rates": steering.review_rates(request.user), "error": error},
        status=status,
    )
