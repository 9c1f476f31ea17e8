"""Success criteria and the model card.

The system the issue replaces was switched off because nobody had said what success was.
Here every retrain is checked against stated criteria (:class:`CasCriteria`) on the most
recent backtest windows, and predictions that fail are not published: the Django layer
calls :func:`check_criteria` and shows :attr:`CriteriaCheck.message` for every failed check.

Checks (per crime type and area, as the caller runs one backtest per combination):

* ``min_windows``: at least ``min_windows`` of the last ``last_windows`` windows had events;
* ``min_events``: at least ``min_events`` events in those windows together, so a hit rate
  is more than a handful of coin flips;
* ``beats_baseline``: the main model's mean hit rate at ``coverage`` (3 %) over those
  windows is at least ``(1 + min_margin)`` times that of the best baseline over the same
  windows (the baseline picked with hindsight, which is the strict comparison);
* ``bias``: every bias report's largest ``|observed / predicted - 1|`` over its quantile
  groups is at most ``max_bias_gap``; without covariates this check is skipped (and says
  so) unless ``require_bias``.

:func:`model_card` renders the card / algorithm-register text (Dutch Markdown): purpose,
human decision step, data, method, results against the baselines, the criteria and their
outcome, the bias results, limitations and the off switch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from regie.core.criteria import CriteriaCheck, CriteriaResult

from .backtest import BacktestResult
from .bias import BiasReport, fmt_ratio
from .metrics import coverage_key, mean_over
from .models import MAIN_MODEL, BoostingInfo

__all__ = ["CasCriteria", "CriteriaCheck", "CriteriaResult", "check_criteria", "model_card"]


@dataclass(frozen=True)
class CasCriteria:
    main: str = MAIN_MODEL
    coverage: float = 3.0
    #: Relative margin over the best baseline's hit rate (0.05 = 5 % better).
    min_margin: float = 0.05
    last_windows: int = 6
    min_windows: int = 4
    min_events: int = 50
    max_bias_gap: float = 0.25
    require_bias: bool = False


def _pct(x: float | None, digits: int = 1) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{100 * x:.{digits}f} %".replace(".", ",")


def _num(x: float | None, digits: int = 2) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{x:.{digits}f}".replace(".", ",")


def check_criteria(
    result: BacktestResult,
    criteria: CasCriteria | None = None,
    bias: BiasReport | Sequence[BiasReport] | None = None,
) -> CriteriaResult:
    """Check a backtest against the criteria (module docstring)."""
    c = criteria or CasCriteria()
    checks: list[CriteriaCheck] = []
    if c.main not in result.methods:
        checks.append(
            CriteriaCheck(
                "main_model", None, None, False, f"Het hoofdmodel {c.main} zat niet in de backtest."
            )
        )
        return CriteriaResult(False, checks)
    if c.coverage not in result.coverages:
        checks.append(
            CriteriaCheck(
                "coverage",
                c.coverage,
                None,
                False,
                f"De backtest heeft geen dekking van {_num(c.coverage, 0)} %.",
            )
        )
        return CriteriaResult(False, checks)
    n = min(c.last_windows, result.windows)
    idx = list(range(result.windows - n, result.windows))
    main_rows = result.metrics[c.main]
    used = [i for i in idx if not main_rows[i].empty]
    ok = len(used) >= c.min_windows
    checks.append(
        CriteriaCheck(
            "min_windows",
            float(len(used)),
            float(c.min_windows),
            ok,
            f"{len(used)} van de laatste {n} vensters hadden incidenten "
            f"(minimaal {c.min_windows} nodig).",
        )
    )
    events = sum(main_rows[i].events for i in idx)
    ok = events >= c.min_events
    checks.append(
        CriteriaCheck(
            "min_events",
            float(events),
            float(c.min_events),
            ok,
            f"{events} incidenten in de laatste {n} vensters (minimaal {c.min_events} nodig).",
        )
    )

    def mean_hit(method: str) -> float | None:
        rows = result.metrics[method]
        return mean_over([rows[i].hit_rate[c.coverage] for i in used])

    main = mean_hit(c.main)
    baselines = [(mean_hit(m), m) for m in result.methods if m != c.main]
    defined = [(v, m) for v, m in baselines if v is not None]
    cov = _num(c.coverage, 0)
    if main is None or not defined:
        checks.append(
            CriteriaCheck(
                "beats_baseline",
                main,
                None,
                False,
                "Geen vergelijking met een basislijn mogelijk: geen vensters met incidenten "
                "of geen basislijn in de backtest.",
            )
        )
    else:
        best_v, best_m = max(defined, key=lambda t: t[0])
        need = best_v * (1 + c.min_margin)
        ok = main >= need and main > 0
        verdict = "voldoet" if ok else "voldoet niet"
        checks.append(
            CriteriaCheck(
                "beats_baseline",
                main,
                need,
                ok,
                f"Trefkans bij {cov} % dekking over de laatste {len(used)} vensters: "
                f"{_pct(main)} voor {c.main} tegen {_pct(best_v)} voor de beste basislijn "
                f"({best_m}); vereist is minstens {_pct(c.min_margin, 0)} beter "
                f"({_pct(need)}): {verdict}.",
            )
        )
    reports = [bias] if isinstance(bias, BiasReport) else list(bias or [])
    if not reports:
        checks.append(
            CriteriaCheck(
                "bias",
                None,
                c.max_bias_gap,
                not c.require_bias,
                "Geen biasrapport: er zijn geen covariaten (inkomen, bevolking) gekoppeld"
                + (", en dat is voor dit gebied verplicht." if c.require_bias else "."),
            )
        )
    for rep in reports:
        gap = rep.max_gap
        ok = gap is not None and gap <= c.max_bias_gap
        checks.append(
            CriteriaCheck(
                f"bias_{rep.variable}",
                gap,
                c.max_bias_gap,
                ok,
                (
                    f"Bias naar {rep.variable}: grootste afwijking waargenomen/voorspeld "
                    f"{_pct(gap, 0)} (maximaal {_pct(c.max_bias_gap, 0)})."
                    if gap is not None
                    else f"Bias naar {rep.variable}: geen groep groot genoeg om te beoordelen."
                ),
            )
        )
    return CriteriaResult(all(ch.passed for ch in checks), checks)


def model_card(
    result: BacktestResult,
    criteria_result: CriteriaResult,
    *,
    criteria: CasCriteria | None = None,
    bias: Sequence[BiasReport] = (),
    area: str = "",
    crime_types: Sequence[str] = (),
    data_source: str = "",
    info: BoostingInfo | None = None,
    generated: datetime | None = None,
) -> str:
    """The model card / algorithm-register text (Dutch Markdown)."""
    c = criteria or CasCriteria()
    status = "GESLAAGD" if criteria_result.passed else "NIET GESLAAGD"
    first, last = result.origins[0], result.origins[-1]
    end = result.horizon.add(last)
    horizon = (
        f"{result.horizon.n} maand(en)"
        if result.horizon.unit == "M"
        else f"{result.horizon.n} dagen"
    )
    out = [
        f"# Modelkaart criminaliteitsanticipatie{' — ' + area if area else ''}",
        "",
        (f"Opgesteld {generated.isoformat(timespec='minutes')}. " if generated else "")
        + f"Criteria: **{status}**"
        + ("." if criteria_result.passed else " — de voorspellingen worden niet gepubliceerd."),
        "",
        "## Doel en gebruik",
        "",
        f"Per cel van {result.grid.cell:g} x {result.grid.cell:g} m en per periode van {horizon} "
        "een risicoscore voor de komende periode, de cellen met het hoogste risico "
        f"(de bovenste {_num(c.coverage, 0)} %) en een advies over de verdeling van "
        "surveillance-uren over de wijken. Het advies ondersteunt de planning van het "
        "basisteam; het is geen beslissing.",
        "",
        "## Menselijke beslissing",
        "",
        "Een leidinggevende van het basisteam beoordeelt kaart en advies, kan ervan afwijken "
        "en legt de keuze en de reden vast. Het systeem stuurt geen eenheden aan en zegt "
        "niets over personen.",
        "",
        "## Niet bedoeld voor",
        "",
        "- uitspraken over personen, groepen of individuele adressen;",
        "- het beoordelen van medewerkers of teams;",
        "- gebieden of delicttypen waarvoor de criteria niet zijn gehaald.",
        "",
        "## Data",
        "",
        f"- Bron: {data_source or 'registraties in Regie'}"
        + (f"; delicttypen: {', '.join(crime_types)}" if crime_types else "")
        + ".",
        f"- Raster: {result.cells} cellen tellen mee (masker: {result.mask}), "
        f"CRS {result.grid.crs}.",
        f"- Backtest: {result.windows} vensters van {horizon}, van {first.isoformat()} tot "
        f"{end.isoformat()}; elk venster voorspeld met alleen gegevens van vóór het begin "
        f"({result.empty_windows} vensters zonder incidenten).",
        "- Kenmerken van het hoofdmodel: aantallen incidenten in de cel, de 8 buurcellen en "
        "een bredere ring over 1 tot 52 weken, near-repeat (recente incidenten in en rond de "
        "cel), seizoen en weekdag, en - indien gekoppeld - CBS-vierkantstatistieken en "
        "geaggregeerde afstand tot woonadressen van bekende daders (alleen als aantallen "
        "per gebied, nooit per adres).",
        "",
        "## Methode",
        "",
        f"Hoofdmodel {c.main}: gradient boosting (LightGBM, Poisson) bovenop een "
        "empirisch-Bayesiaanse basisintensiteit per cel, getraind op eerdere perioden en "
        "gekalibreerd (isotone regressie) op de meest recente afgesloten periode. "
        "Basislijnen: aantallen in de vorige 28 en 365 dagen, retrospectieve "
        "kernel-hotspots (quartic), prospectieve hotspots (Bowers, Johnson & Pease 2004) en "
        "een zelf-exciterend puntproces per cel (Mohler e.a. 2015).",
    ]
    if info is not None and info.importance:
        top = list(info.importance.items())[:8]
        out += [
            "",
            f"Laatste training: {info.origins} perioden, {info.rows} rijen, {info.rounds} "
            "bomen. Belangrijkste kenmerken (aandeel van de winst): "
            + ", ".join(f"{n} ({_pct(v, 0)})" for n, v in top)
            + ".",
        ]
    covs = result.coverages
    out += [
        "",
        "## Resultaten (gemiddelde over de vensters)",
        "",
        "| methode | "
        + " | ".join(f"trefkans {coverage_key(x)} %" for x in covs)
        + f" | PAI {coverage_key(c.coverage)} % | PEI {coverage_key(c.coverage)} % | Brier |",
        "|---|" + "---:|" * (len(covs) + 3),
    ]
    ref = c.coverage if c.coverage in covs else result.reference_coverage
    for m in result.methods:
        cells = [_pct(result.mean(m, "hit_rate", x)) for x in covs]
        out.append(
            f"| {m}{' (hoofdmodel)' if m == c.main else ''} | "
            + " | ".join(cells)
            + f" | {_num(result.mean(m, 'pai', ref))} | {_num(result.mean(m, 'pei', ref))} | "
            f"{_num(result.mean(m, 'brier'), 4)} |"
        )
    out += [
        "",
        "Trefkans: aandeel van de incidenten in de periode dat in de gemarkeerde cellen viel. "
        "PAI: trefkans gedeeld door het gemarkeerde oppervlak. PEI: trefkans gedeeld door de "
        "best mogelijke trefkans met evenveel cellen. Brier: gemiddelde kwadratische fout van "
        "de kans op minstens één incident per cel (lager is beter).",
        "",
        "## Criteria",
        "",
        f"- Het hoofdmodel moet over de laatste {c.last_windows} vensters bij "
        f"{_num(c.coverage, 0)} % dekking een trefkans halen die minstens "
        f"{_pct(c.min_margin, 0)} hoger is dan die van de beste basislijn.",
        f"- Minimaal {c.min_windows} vensters met incidenten en {c.min_events} incidenten.",
        f"- Bias: per inkomens- of bevolkingsgroep wijkt waargenomen/voorspeld niet meer dan "
        f"{_pct(c.max_bias_gap, 0)} af van 1.",
        "",
        "Uitkomst:",
        "",
    ]
    out += [f"- {'✔' if ch.passed else '✘'} {ch.message}" for ch in criteria_result.checks]
    out += ["", "## Bias", ""]
    if not bias:
        out.append(
            "Geen covariaten gekoppeld: de verdeling over inkomens- en bevolkingsgroepen is "
            "niet gemeten."
        )
    for rep in bias:
        out += [
            f"Naar {rep.variable} ({rep.method}, {rep.windows} vensters):",
            "",
            "| groep | cellen | voorspeld | waargenomen | verhouding | aandeel cellen | "
            "aandeel hoog-risico |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rep.rows:
            out.append(
                f"| {r.group} | {r.cells} | {_pct(r.predicted)} | {_pct(r.observed)} | "
                f"{fmt_ratio(r.ratio)} | {_pct(r.cell_share)} | {_pct(r.top_share)} |"
            )
        out.append("")
    out += [
        "",
        "## Beperkingen",
        "",
        "- Het model leert van geregistreerde incidenten: waar meer wordt gesurveilleerd of "
        "gemeld, wordt meer geregistreerd. Het biasrapport en de afhankelijkheid van het "
        "meldkanaal worden daarom bij elke hertraining gemeten.",
        "- Een trefkans zegt hoeveel incidenten in de gemarkeerde cellen vielen, niet of "
        "inzet daar iets voorkomt.",
        "",
        "## Uitschakelen",
        "",
        "Per gebied kan het systeem worden uitgezet; dan worden geen kaart en geen advies "
        "getoond. Voorspellingen die de criteria niet halen, worden niet gepubliceerd.",
        "",
    ]
    return "\n".join(out)
