"""Crime statistics: both counting rules side by side, by level and period, with CBS-style
exports. Counts only, but of police data: within the user's scope, and audited."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from regie.audit.models import Action
from regie.audit.services import audit_log
from regie.core.access import rule
from regie.organisation.roles import Perm
from regie.statistics import counting, funnel, selectors
from regie.statistics.forms import LEVEL_CHOICES, CountsForm, FunnelForm

ROWS_PER_PAGE = 100
logger = logging.getLogger(__name__)


def _form(request: HttpRequest) -> CountsForm:
    period = selectors.data_period(request.user)
    last = period[1] if period else dt.date.today()
    initial = {
        "start": dt.date(last.year, 1, 1),
        "end": last,
        "level": "national",
        "period": "month",
        "by_category": False,
    }
    return CountsForm(request.GET or None, initial=initial)


def _params(form: CountsForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound else {k: form.initial[k] for k in form.initial}
    return {**data, "region": (data.get("region") or "").strip()}


@rule(Perm.VIEW_STATISTICS)
def counts(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "statistics/counts.html", {"form": form}, status=400)
    p = _params(form)
    offences = selectors.offence_frame(request.user, start=p["start"], end=p["end"])
    table = counting.both_counts(
        offences, level=p["level"], period=p["period"], by_category=p["by_category"]
    ).sort(["period", "region", *(["category_code"] if p["by_category"] else [])])
    totals = counting.both_counts(offences, level="national", period=p["period"], by_category=False)
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
            "totals": totals.sort("period").to_dicts(),
            "offences": offences.height,
            "registrations": offences["registration_id"].n_unique(),
            "p": p,
            "level_label": dict(LEVEL_CHOICES)[p["level"]],
            "querystring": query.urlencode(),
        },
    )


@rule(Perm.VIEW_STATISTICS)
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """``table``: ``counts`` (both rules, long form) or ``cbs-per-offence`` /
    ``cbs-heaviest`` (a CBS-style table for the national level or the chosen region)."""
    form = _form(request)
    if (form.is_bound and not form.is_valid()) or fmt not in ("csv", "xlsx"):
        return render(request, "statistics/counts.html", {"form": form}, status=400)
    p = _params(form)
    offences = selectors.offence_frame(request.user, start=p["start"], end=p["end"])
    try:
        if table == "counts":
            df = counting.both_counts(
                offences, level=p["level"], period=p["period"], by_category=p["by_category"]
            )
        elif table in ("cbs-per-offence", "cbs-heaviest"):
            df = counting.cbs_table(
                offences,
                rule="per_offence" if table == "cbs-per-offence" else "heaviest",
                period=p["period"],
                level=p["level"],
                region=p["region"] or None,
                titles=selectors.category_titles(),
            )
        else:
            return render(request, "statistics/counts.html", {"form": form}, status=404)
    except ValueError as exc:
        form.add_error("region", str(exc))
        return render(request, "statistics/counts.html", {"form": form}, status=400)
    audit_log(
        actor=request.user,
        action=Action.EXPORT,
        object_type="statistics.counts",
        object_id=table,
        detail={"format": fmt, "rows": df.height, **{k: str(v) for k, v in p.items()}},
    )
    return _file(df, f"regie-{table}-{p['start']}-{p['end']}.{fmt}", fmt)


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
    on early terminations for the year of the end date against the year before."""
    period = selectors.data_period(request.user)
    last = period[1] if period else dt.date.today()
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
        return render(request, "statistics/funnel.html", {"form": form}, status=400)
    p = form.cleaned_data if form.is_bound else dict(form.initial)
    cases, events = selectors.case_frames(request.user, start=p["start"], end=p["end"])
    try:
        table = funnel.funnel(cases, events, level=p["level"], period=p["period"], by=p["by"])
        times = funnel.lead_times(cases, events, level=p["level"], period=p["period"], by=p["by"])
        report = funnel.standing_report(cases, events, year=p["end"].year)
    except ValueError as exc:
        # The stored history breaks a rule of the flow: say so instead of counting wrongly.
        logger.exception("case funnel: inconsistent case history")
        return render(
            request,
            "statistics/funnel.html",
            {"form": form, "data_error": str(exc)},
            status=500,
        )
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
            "cases": cases.height,
        },
    )
