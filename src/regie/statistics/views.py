"""Crime statistics: both counting rules side by side, by level and period, with CBS-style
exports. Counts only, but of police data: within the user's scope, and audited."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.audit.models import Action, Outcome
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.organisation.roles import Perm
from regie.statistics import counting, dashboard, funnel, selectors, services
from regie.statistics.forms import (
    CLASS_CHOICES,
    LEVEL_CHOICES,
    CountsForm,
    DashboardForm,
    FunnelForm,
)

ROWS_PER_PAGE = 100


def _default_months(scope: selectors.Scope | None) -> tuple[dt.date, dt.date]:
    """From January of the last year with data up to its last month."""
    span = selectors.summary_period(scope)
    last = span[1] if span else dt.date.today().replace(day=1)
    return dt.date(last.year, 1, 1), last


def _form(request: HttpRequest, scope: selectors.Scope | None) -> CountsForm:
    start, end = _default_months(scope)
    initial = {
        "start": start,
        "end": end,
        "level": "national",
        "period": "month",
        "by_category": False,
    }
    return CountsForm(request.GET or None, initial=initial)


def _params(form: CountsForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound else {k: form.initial[k] for k in form.initial}
    return {**data, "region": (data.get("region") or "").strip()}


#: The statistics pages, in the order of the sub-navigation, with the permission each needs.
STATS_PAGES = [
    ("statistics:dashboard", gettext_lazy("Dashboard"), Perm.VIEW_STATISTICS),
    ("statistics:counts", gettext_lazy("Telregels"), Perm.VIEW_STATISTICS),
    ("statistics:funnel", gettext_lazy("Zaakstroom"), Perm.VIEW_STATISTICS),
    ("statistics:trend", gettext_lazy("Trend"), Perm.VIEW_STATISTICS),
    ("statistics:quality", gettext_lazy("Registratiekwaliteit"), Perm.REVIEW_QUALITY),
]


def _status(request: HttpRequest) -> dict[str, Any]:
    from regie.organisation.access import has_perm

    pages = [(name, label) for name, label, perm in STATS_PAGES if has_perm(request.user, perm)]
    return {"summary_status": services.status(), "stats_pages": pages}


@rule(Perm.VIEW_STATISTICS)
def counts(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_of(request.user)
    form = _form(request, scope)
    if form.is_bound and not form.is_valid():
        return render(
            request, "statistics/counts.html", {"form": form, **_status(request)}, status=400
        )
    p = _params(form)
    span = {"start": p["start"], "end": p["end"]}
    rows_in = selectors.offence_counts(
        scope, **span, level=p["level"], by_category=p["by_category"]
    )
    table = counting.counts_from_measures(
        rows_in, level=p["level"], period=p["period"], by_category=p["by_category"]
    )
    national = selectors.offence_counts(scope, **span, level="national", by_category=False)
    totals = counting.counts_from_measures(
        national, level="national", period=p["period"], by_category=False
    )
    titles = selectors.category_titles()
    names = selectors.region_names(p["level"])
    rows = table.to_dicts()
    for row in rows:
        row["region_name"] = names.get(row["region"], row["region"])
        if "category_code" in row:
            row["category"] = titles.get(row["category_code"], row["category_code"])
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="statistics.counts",
        object_id=p["level"],
        detail={k: str(v) for k, v in p.items()},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "statistics/counts.html",
        {
            "form": form,
            "page": page,
            "totals": totals.to_dicts(),
            "offences": int(national["per_offence"].sum() or 0),
            "registrations": int(national["heaviest"].sum() or 0),
            "p": p,
            "level_label": dict(LEVEL_CHOICES)[p["level"]],
            "querystring": query.urlencode(),
            **_status(request),
        },
    )


@rule(Perm.VIEW_STATISTICS)
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """``table``: ``counts`` (both rules, long form) or ``cbs-per-offence`` /
    ``cbs-heaviest`` (a CBS-style table for the national level or the chosen region)."""
    scope = selectors.scope_of(request.user)
    form = _form(request, scope)
    if (form.is_bound and not form.is_valid()) or fmt not in ("csv", "xlsx"):
        return render(
            request, "statistics/counts.html", {"form": form, **_status(request)}, status=400
        )
    p = _params(form)
    span = {"start": p["start"], "end": p["end"]}
    try:
        if table == "counts":
            df = counting.counts_from_measures(
                selectors.offence_counts(
                    scope, **span, level=p["level"], by_category=p["by_category"]
                ),
                level=p["level"],
                period=p["period"],
                by_category=p["by_category"],
            )
        elif table in ("cbs-per-offence", "cbs-heaviest"):
            if p["level"] != "national" and not p["region"]:
                raise ValueError(_("Geef de code van het gebied op voor een CBS-tabel."))
            if p["level"] in ("unit", "district", "base_team") and p["region"]:
                try:
                    covered = dashboard.in_scope(scope, dashboard.region(p["level"], p["region"]))
                except dashboard.OutOfScope:
                    covered = False
                if not covered:
                    # Never a table of zeros (or of the user's part only) under another name.
                    raise ValueError(_("Dit gebied valt buiten uw werkgebied of bestaat niet."))
            elif p["level"] == "national" and scope is not None and scope.column is not None:
                raise ValueError(_("Een landelijke tabel valt buiten uw werkgebied."))
            df = counting.cbs_table_from_measures(
                selectors.offence_counts(scope, **span, level=p["level"], by_category=True),
                rule="per_offence" if table == "cbs-per-offence" else "heaviest",
                period=p["period"],
                level=p["level"],
                region=p["region"] or None,
                titles=selectors.category_titles(),
            )
        else:
            return render(
                request, "statistics/counts.html", {"form": form, **_status(request)}, status=404
            )
    except ValueError as exc:
        form.add_error("region", str(exc))
        return render(
            request, "statistics/counts.html", {"form": form, **_status(request)}, status=400
        )
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="statistics.counts",
        object_id=table,
        detail={"format": fmt, "rows": df.height, **{k: str(v) for k, v in p.items()}},
    )
    return _file(df, f"regie-{table}-{p['start']:%Y-%m}-{p['end']:%Y-%m}.{fmt}", fmt)


def _file(df: pl.DataFrame, name: str, fmt: str) -> HttpResponse:
    tmp = Path(tempfile.mkdtemp(prefix="regie-export-")) / name
    if fmt == "csv":
        counting.to_csv(df, tmp)
        content_type = "text/csv; charset=utf-8"
    else:
        counting.to_xlsx(df, tmp, sheet=_("Tabel"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = tmp.read_bytes()
    tmp.unlink()
    tmp.parent.rmdir()
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


#: Dutch names of the funnel's stages, in funnel order.
STAGE_LABELS = {
    "registered": "Geregistreerd",
    "screened": "Gescreend",
    "rejected": "Afgewezen",
    "taken_up": "Opgepakt",
    "at_zsm": "Voorgelegd aan ZSM",
    "settled_zsm": "Afgedaan via ZSM",
    "terminated_early": "Vroegtijdig beëindigd",
    "under_investigation": "In onderzoek",
    "solved": "Opgelost met verdachte",
    "to_om": "Naar het OM",
    "om_decided": "OM-beslissing",
    "om_summons": "  waarvan dagvaarding",
    "om_strafbeschikking": "  waarvan strafbeschikking",
    "om_dismissal": "  waarvan sepot",
    "convicted": "Veroordeeld",
    "acquitted": "Vrijgesproken",
}


@rule(Perm.VIEW_STATISTICS)
def case_funnel(request: HttpRequest) -> HttpResponse:
    """The case funnel per period (and group), lead times, and the source's standing report
    on early terminations for the year of the end month against the year before."""
    scope = selectors.scope_of(request.user)
    _, last = _default_months(scope)
    form = FunnelForm(
        request.GET or None,
        initial={
            "start": dt.date(last.year - 1, 1, 1),
            "end": last,
            "level": "national",
            "period": "year",
            "by": "none",
        },
    )
    if form.is_bound and not form.is_valid():
        return render(
            request, "statistics/funnel.html", {"form": form, **_status(request)}, status=400
        )
    p = form.cleaned_data if form.is_bound else dict(form.initial)
    counts_in = selectors.case_counts(
        scope, start=p["start"], end=p["end"], level=p["level"], by=p["by"]
    )
    table = funnel.funnel_from_counts(counts_in, level=p["level"], period=p["period"], by=p["by"])
    times = funnel.lead_times_from_counts(
        counts_in, level=p["level"], period=p["period"], by=p["by"]
    )
    year = p["end"].year
    report_rows = selectors.case_counts(
        scope,
        start=dt.date(year - 1, 1, 1),
        end=dt.date(year, 12, 1),
        level="national",
        by="offence_class",
    )
    report = funnel.standing_report_from_counts(report_rows, year=year)
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="statistics.funnel",
        object_id=p["level"],
        detail={k: str(v) for k, v in p.items()},
    )
    group_cols = [
        c for c in ("period", "region", "category_code", "offence_class") if c in table.columns
    ]
    groups = table.select(group_cols).rows()
    rows = []
    for stage, label in STAGE_LABELS.items():
        cells = []
        for record in table.iter_rows(named=True):
            rate = record.get(f"{stage}_rate")
            cells.append((record[stage], rate))
        rows.append((label, cells))
    return render(
        request,
        "statistics/funnel.html",
        {
            "form": form,
            "groups": [" · ".join(str(v) for v in g) for g in groups],
            "rows": rows,
            "times": times.to_dicts(),
            "report": report,
            "cases": int(counts_in["registered"].sum() or 0),
            **_status(request),
        },
    )


# --------------------------------------------------------------------------------------------
# The dashboard


def _dashboard_request(
    request: HttpRequest,
) -> tuple[DashboardForm, selectors.Scope | None, dict[str, Any] | None]:
    scope = selectors.scope_of(request.user)
    span = selectors.summary_period(scope)
    last = span[1] if span else dt.date.today().replace(day=1)
    index = last.year * 12 + last.month - 1 - 11  # twelve months up to the last one
    first = dt.date(index // 12, index % 12 + 1, 1)
    initial = {
        "start": first,
        "end": last,
        "klasse": "",
        "niveau": scope.level if scope else "national",
        "code": scope.code if scope and scope.code else "",
    }
    form = DashboardForm(request.GET or None, initial=initial)
    if form.is_bound and not form.is_valid():
        return form, scope, None
    if not form.is_bound:
        return form, scope, initial
    data = {**initial, **{k: v for k, v in form.cleaned_data.items() if v}}
    if form.cleaned_data.get("niveau") and not form.cleaned_data.get("code"):
        data["code"] = ""  # another level than the user's own: its code comes with it
    if data["end"] < data["start"]:
        form.add_error("end", _("De eindmaand ligt vóór de beginmaand."))
        return form, scope, None
    return form, scope, data


def _refused(request: HttpRequest, object_type: str, p: dict[str, Any]) -> None:
    """A region outside the user's scope was asked for: refused, and on record."""
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type=object_type,
        object_id=f"{p.get('niveau')}:{p.get('code') or 'NL'}",
        outcome=Outcome.DENIED,
    )


@rule(Perm.VIEW_STATISTICS)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The funnel, trend, map drill-down, lead-time breaches, framework compliance and
    quality reviews of one region, with its peers; from the summary tables."""
    form, scope, p = _dashboard_request(request)
    if p is None:
        return render(
            request, "statistics/dashboard.html", {"form": form, **_status(request)}, status=400
        )
    try:
        r = dashboard.region(p["niveau"], p["code"] or None)
        query = {"start": f"{p['start']:%Y-%m}", "end": f"{p['end']:%Y-%m}"}
        if p["klasse"]:
            query["klasse"] = p["klasse"]
        d = dashboard.build(
            scope, r, start=p["start"], end=p["end"], offence_class=p["klasse"], query=query
        )
    except dashboard.OutOfScope:
        _refused(request, "statistics.dashboard", p)
        return render(
            request,
            "statistics/dashboard.html",
            {"form": form, "out_of_scope": True, **_status(request)},
            status=403,
        )
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="statistics.dashboard",
        object_id=f"{r.level}:{r.code or 'NL'}",
        detail={k: str(v) for k, v in p.items()},
    )
    export_query = request.GET.urlencode()
    return render(
        request,
        "statistics/dashboard.html",
        {
            "form": form,
            "d": d,
            "p": p,
            "level_label": dashboard.LEVEL_LABELS[r.level],
            "child_label": dashboard.LEVEL_LABELS.get(d.child_level or "", ""),
            "class_label": dict(CLASS_CHOICES).get(p["klasse"], "") if p["klasse"] else "",
            "export_query": export_query,
            **_status(request),
        },
    )


@rule(Perm.VIEW_STATISTICS)
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's table of child regions as CSV or XLSX (audited)."""
    form, scope, p = _dashboard_request(request)
    if p is None or fmt not in ("csv", "xlsx"):
        return render(
            request, "statistics/dashboard.html", {"form": form, **_status(request)}, status=400
        )
    try:
        r = dashboard.region(p["niveau"], p["code"] or None)
        d = dashboard.build(scope, r, start=p["start"], end=p["end"], offence_class=p["klasse"])
    except dashboard.OutOfScope:
        _refused(request, "statistics.dashboard", p)
        return render(
            request,
            "statistics/dashboard.html",
            {"form": form, "out_of_scope": True, **_status(request)},
            status=403,
        )
    df = dashboard.table(d)
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="statistics.dashboard",
        object_id=f"{r.level}:{r.code or 'NL'}",
        detail={"format": fmt, "rows": df.height, **{k: str(v) for k, v in p.items()}},
    )
    name = f"regie-dashboard-{r.code or 'NL'}-{p['start']:%Y-%m}-{p['end']:%Y-%m}.{fmt}"
    return _file(df, name, fmt)


# --------------------------------------------------------------------------------------------
# Registration quality: the review list of likely misclassified registrations

FLAGS_PER_PAGE = 25


@rule(Perm.REVIEW_QUALITY)
def registration_quality(request: HttpRequest) -> HttpResponse:
    """Open flags of the misclassification detector within the reviewer's scope, most
    suspicious first, with the words that drove each; POST records a judgment."""
    from regie.organisation.access import registrations_visible_to
    from regie.registration.models import Registration
    from regie.statistics.models import ClassificationFlag, FlagStatus, QualityCheck

    error = ""
    status = 200
    if request.method == "POST":
        try:
            flag_id = int(request.POST.get("flag", ""))
        except ValueError:
            error, status = _("Onbekende markering."), 400
        else:
            try:
                services.review_flag(
                    actor=request.user,
                    flag_id=flag_id,
                    status=request.POST.get("status", ""),
                    note=request.POST.get("note", ""),
                )
            except ValueError as exc:
                error, status = str(exc), 400
                audit_log(
                    actor=request.user,
                    action=Action.CHANGE,
                    object_type="statistics.classificationflag",
                    object_id=flag_id,
                    outcome=Outcome.DENIED,
                    detail={"reason": error},
                )
            else:
                messages.success(request, _("Uw beoordeling is vastgelegd."))
                return redirect(f"{request.path}?{request.GET.urlencode()}")
    show = request.GET.get("toon", "open")
    visible = registrations_visible_to(request.user, Registration.objects.all())
    flags = ClassificationFlag.objects.filter(registration__in=visible).select_related(
        "registration", "reviewer"
    )
    flags = (
        flags.filter(status=FlagStatus.OPEN)
        if show == "open"
        else flags.exclude(status=FlagStatus.OPEN).order_by("-reviewed_at")
    )
    page = Paginator(flags, FLAGS_PER_PAGE).get_page(request.GET.get("page"))
    titles = selectors.category_titles()
    rows: list[dict[str, Any]] = [
        {
            "flag": f,
            "registered": titles.get(f.registered_code, f.registered_code),
            "suggested": titles.get(f.suggested_code, f.suggested_code),
            "words": [
                name.split(":", 1)[1] for name, _weight in f.explanation if name[:6] == "woord:"
            ][:6],
            "features": [
                name.split(":", 1)[1] for name, _weight in f.explanation if name[:8] == "kenmerk:"
            ][:3],
        }
        for f in page
    ]
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="statistics.classificationflag",
        object_id=show,
        detail={"registrations": [r["flag"].registration_id for r in rows]},
    )
    return render(
        request,
        "statistics/registration_quality.html",
        {
            "rows": rows,
            "page": page,
            "show": show,
            "error": error,
            "last_check": QualityCheck.objects.first(),
            "open_count": ClassificationFlag.objects.filter(
                registration__in=visible, status=FlagStatus.OPEN
            ).count(),
            "statuses": [
                (FlagStatus.CONFIRMED, FlagStatus.CONFIRMED.label),
                (FlagStatus.DISMISSED, FlagStatus.DISMISSED.label),
            ],
            **_status(request),
        },
        status=status,
    )


@rule(Perm.VIEW_STATISTICS)
def trend_page(request: HttpRequest) -> HttpResponse:
    """The minister's reasoning on the region's own data: the published series, the exact
    effect of the July 2018 counting rule, the April 2017 online-channel break and recovery,
    and the underlying trend with its uncertainty."""
    from regie.statistics import trend

    form, scope, p = _dashboard_request(request)
    context: dict[str, Any] = {"form": form, **_status(request)}
    if p is None:
        return render(request, "statistics/trend.html", context, status=400)
    try:
        r = dashboard.region(p["niveau"], p["code"] or None)
        if scope is None or not dashboard.in_scope(scope, r):
            raise dashboard.OutOfScope(r.code)
    except dashboard.OutOfScope:
        _refused(request, "statistics.trend", p)
        context["out_of_scope"] = True
        return render(request, "statistics/trend.html", context, status=403)
    context["region"] = r
    try:
        series = dashboard.monthly_series(scope, r)
        d = trend.decompose(series) if series is not None else None
    except ValueError as exc:
        context["cannot"] = str(exc)
    else:
        if d is not None:
            context.update(
                {
                    "d": d,
                    "figure": dashboard.trend_figure(d),
                    "years": [
                        {
                            "year": y,
                            "published": d.published_yoy.get(y),
                            "rule": d.counting_rule_yoy.get(y),
                            "online": d.online_yoy.get(y),
                        }
                        for y in sorted(d.published_yoy)
                    ],
                }
            )
    audit_log(
        actor=request.user,
        action=Action.VIEW,
        object_type="statistics.trend",
        object_id=f"{r.level}:{r.code or 'NL'}",
    )
    return render(request, "statistics/trend.html", context)
