"""Trend decomposition of registered crime (pure: numpy + statsmodels, no Django).

Reproduces the minister's reasoning in the 2019 half-year letter ("Stijging geregistreerde
criminaliteit"): registered crime fell ~6 % a year from 2012 and rose again from 2018 Q3. Two
causes are split off before the underlying trend is judged:

1. **Counting rule (July 2018).** Before the switch a registration with several offences counted
   once (its heaviest offence); since then every offence counts. Both counts exist for the whole
   period, so the effect is *exact arithmetic*: ``per_offence - heaviest`` from the switch on,
   zero before (:func:`counting_rule_effect`).
2. **Online channel (April 2017).** DigiD 2 authentication caused a trend break in internet
   reports: a drop in the online share and a gradual recovery. An intervention model on the
   online share estimates the drop, the recovery speed and the counterfactual share, and turns
   that into missed registrations per month with a confidence interval (:func:`online_effect`).

:func:`decompose` subtracts both from the published series (heaviest count before the switch,
per-offence count after it), fits a log-linear trend with month dummies to the corrected series
and reports the annual change with a 95 % interval and a Dutch summary.
:func:`simulate_series` makes monthly series with *known* injected effects to validate all this.

Conventions: months are ``date`` objects on the first of the month; the counting-rule effect is
positive (extra counts caused by the new rule); the online effect is the effect of the break on
registered crime, so it is *negative* (missed registrations); corrected = published - rule
effect - online effect, on the heaviest-offence basis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm
from scipy import stats

FloatArray = npt.NDArray[np.float64]
Recovery = Literal["linear", "exponential"]

COUNTING_RULE_SWITCH = date(2018, 7, 1)
"""Since July 2018 every offence is counted (before: one per registration, the heaviest)."""

ONLINE_BREAK = date(2017, 4, 1)
"""DigiD 2 authentication required for internet reports from April 2017 (trend break)."""

SLIGHT = 0.03
"""An annual change up to 3 % is called "licht" (slight) in the summary."""

_SHAPE_NL: dict[str, str] = {"linear": "lineair", "exponential": "exponentieel"}

ONLINE_ASSUMPTION = (
    "Aanname (zoals in de brief van de minister): internetaangiften die door de trendbreuk niet "
    "zijn gedaan, zijn misdrijven die anders wel geregistreerd waren; elke gemiste "
    "internetaangifte telt als één registratie (één delict volgens de zwaarste-delicttelling), "
    "en de aangiften via andere kanalen zijn door de trendbreuk niet veranderd."
)


# --------------------------------------------------------------------------- helpers


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _months_between(a: date, b: date) -> int:
    """Whole months from *a* to *b* (both first of month)."""
    return _month_index(b) - _month_index(a)


def _add_months(month: date, n: int) -> date:
    idx = _month_index(month) + n
    return date(idx // 12, idx % 12 + 1, 1)


def _nl(x: float, decimals: int = 1) -> str:
    """Dutch number format: decimal comma, dot as thousands separator."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _nl_int(x: float) -> str:
    return _nl(round(x), 0)


def _month_dummies(months: Sequence[date]) -> FloatArray:
    """Eleven month-of-year dummies (January is the reference), zero-sum coded is not needed."""
    out = np.zeros((len(months), 11))
    for i, m in enumerate(months):
        if m.month > 1:
            out[i, m.month - 2] = 1.0
    return out


def _hac_lags(n: int) -> int:
    """Newey-West rule of thumb for the HAC bandwidth."""
    return max(1, int(4 * (n / 100) ** (2 / 9)))


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class MonthlySeries:
    """Monthly registered-crime counts.

    ``per_offence``: offences counted under the current rule (every offence);
    ``heaviest``: the same offences under the pre-July-2018 rule (one per registration);
    ``online``: registrations made via the internet channel;
    ``total_registrations``: all registrations (the denominator of the online share; one
    heaviest-counted crime each, so normally equal to ``heaviest``).
    """

    months: list[date]
    per_offence: Sequence[float]
    heaviest: Sequence[float]
    online: Sequence[float]
    total_registrations: Sequence[float]

    def __post_init__(self) -> None:
        n = len(self.months)
        if n == 0:
            raise ValueError("MonthlySeries: at least one month is required.")
        for name in ("per_offence", "heaviest", "online", "total_registrations"):
            values = getattr(self, name)
            if len(values) != n:
                raise ValueError(
                    f"MonthlySeries: {name} has {len(values)} values, months has {n}; "
                    "all series must have the same length."
                )
            arr = np.asarray(values, dtype=float)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"MonthlySeries: {name} contains a missing or infinite value.")
            if np.any(arr < 0):
                i = int(np.argmax(arr < 0))
                raise ValueError(
                    f"MonthlySeries: {name} is negative in {self.months[i]:%Y-%m} ({arr[i]:g})."
                )
        for i, m in enumerate(self.months):
            if not isinstance(m, date) or m.day != 1:
                raise ValueError(f"MonthlySeries: month {m!r} is not the first day of a month.")
            if i and _months_between(self.months[i - 1], m) != 1:
                raise ValueError(
                    f"MonthlySeries: months must be consecutive and increasing; "
                    f"{self.months[i - 1]:%Y-%m} is followed by {m:%Y-%m}."
                )
        per, heavy = self.per_offence_array, self.heaviest_array
        if np.any(per < heavy):
            i = int(np.argmax(per < heavy))
            raise ValueError(
                f"MonthlySeries: per_offence ({per[i]:g}) is below heaviest ({heavy[i]:g}) in "
                f"{self.months[i]:%Y-%m}; counting every offence can never give fewer."
            )
        online, total = self.online_array, self.total_array
        if np.any(online > total):
            i = int(np.argmax(online > total))
            raise ValueError(
                f"MonthlySeries: online ({online[i]:g}) exceeds total_registrations "
                f"({total[i]:g}) in {self.months[i]:%Y-%m}."
            )
        if np.any(total <= 0):
            i = int(np.argmax(total <= 0))
            raise ValueError(
                f"MonthlySeries: total_registrations is zero in {self.months[i]:%Y-%m}; "
                "the online share is undefined."
            )

    @property
    def per_offence_array(self) -> FloatArray:
        return np.asarray(self.per_offence, dtype=float)

    @property
    def heaviest_array(self) -> FloatArray:
        return np.asarray(self.heaviest, dtype=float)

    @property
    def online_array(self) -> FloatArray:
        return np.asarray(self.online, dtype=float)

    @property
    def total_array(self) -> FloatArray:
        return np.asarray(self.total_registrations, dtype=float)

    @property
    def online_share(self) -> FloatArray:
        return self.online_array / self.total_array

    def published(self, switch: date = COUNTING_RULE_SWITCH) -> FloatArray:
        """The published series: heaviest count before *switch*, per-offence count from it."""
        after = self._after(switch)
        return np.where(after, self.per_offence_array, self.heaviest_array)

    def _after(self, month: date) -> npt.NDArray[np.bool_]:
        return np.array([_months_between(month, m) >= 0 for m in self.months])

    def window(self, start: date, end: date) -> npt.NDArray[np.bool_]:
        """Boolean mask of the months in ``[start, end]`` (inclusive)."""
        return np.array([start <= m <= end for m in self.months])


# --------------------------------------------------------------------------- counting rule


@dataclass(frozen=True)
class CountingRuleEffect:
    """Extra counts caused by the per-offence rule (exact; zero before the switch).

    ``share``: the effect as a fraction of the published series per month.
    """

    months: list[date]
    switch: date
    effect: FloatArray
    share: FloatArray

    def total(self, start: date, end: date) -> float:
        mask = np.array([start <= m <= end for m in self.months])
        return float(self.effect[mask].sum())


def counting_rule_effect(
    series: MonthlySeries, switch: date = COUNTING_RULE_SWITCH
) -> CountingRuleEffect:
    """The counting-rule effect: ``per_offence - heaviest`` from *switch* on, zero before.

    Before the switch the published series *is* the heaviest count, so there is no effect; after
    it the published series is the per-offence count and the difference with the heaviest count
    of the same offences is exactly what the new rule adds.
    """
    if switch.day != 1:
        raise ValueError(f"switch {switch} is not the first day of a month.")
    after = series._after(switch)
    effect = np.where(after, series.per_offence_array - series.heaviest_array, 0.0)
    published = series.published(switch)
    share = np.divide(effect, published, out=np.zeros_like(effect), where=published > 0)
    return CountingRuleEffect(list(series.months), switch, effect, share)


# --------------------------------------------------------------------------- online channel


def recovery_gap(k: npt.NDArray[np.int_] | FloatArray, param: float, shape: Recovery) -> FloatArray:
    """Fraction of the drop still missing *k* months after the break (1 at the break, 0 before).

    ``linear``: a linear ramp back, fully recovered after *param* months;
    ``exponential``: ``exp(-k / param)`` (time constant *param* months).
    """
    k = np.asarray(k, dtype=float)
    if shape == "linear":
        gap = np.clip(1.0 - k / param, 0.0, 1.0)
    elif shape == "exponential":
        gap = np.exp(-np.maximum(k, 0.0) / param)
    else:  # pragma: no cover - guarded by Literal
        raise ValueError(f"unknown recovery shape {shape!r}")
    return np.where(k >= 0, gap, 0.0)


@dataclass(frozen=True)
class _Candidate:
    """One recovery parameter inside the profile-likelihood set, with its drop interval."""

    param: float
    gap: FloatArray
    drop: float
    drop_lo: float
    drop_hi: float


@dataclass(frozen=True)
class OnlineEffect:
    """Effect of the online-channel trend break on registered crime.

    ``drop``: share points lost at the break (positive = a drop), with ``drop_ci``;
    ``recovery``: the fitted recovery parameter (months; see :func:`recovery_gap`), with
    ``recovery_range`` the 95 % profile-likelihood set; ``share`` the observed and
    ``counterfactual_share`` the share without the break; ``effect`` per month (negative =
    missed registrations), with ``effect_lower``/``effect_upper`` a pointwise 95 % interval.
    """

    months: list[date]
    break_month: date
    shape: Recovery
    drop: float
    drop_ci: tuple[float, float]
    recovery: float
    recovery_range: tuple[float, float]
    share: FloatArray
    counterfactual_share: FloatArray
    effect: FloatArray
    effect_lower: FloatArray
    effect_upper: FloatArray
    level: float
    assumption: str = ONLINE_ASSUMPTION
    _offline: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    _online: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    _share: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    _candidates: tuple[_Candidate, ...] = field(default=(), repr=False)

    @property
    def missed(self) -> FloatArray:
        """Missed registrations per month (``-effect``)."""
        return -self.effect

    def total(self, start: date, end: date) -> tuple[float, float, float]:
        """Total effect over ``[start, end]``: (estimate, lower, upper) of the 95 % interval.

        The interval is the union over the recovery parameters in the profile set of the
        intervals for the drop (given that parameter); the total is monotone in the drop.
        """
        mask = np.array([start <= m <= end for m in self.months])
        est = float(self.effect[mask].sum())
        lows, highs = [est], [est]
        for c in self._candidates:
            for d in (c.drop_lo, c.drop_hi):
                eff = _effect_for(self._offline, self._online, self._share, d * c.gap)
                total = float(eff[mask].sum())
                lows.append(total)
                highs.append(total)
        return est, min(lows), max(highs)


def _effect_for(
    offline: FloatArray, online: FloatArray, share: FloatArray, lost: FloatArray
) -> FloatArray:
    """Effect on registrations when *lost* share points were lost (the rest observed).

    Counterfactual share ``s0 = share + lost``; offline reports unchanged, so the counterfactual
    online count is ``offline * s0 / (1 - s0)``; the effect is observed minus counterfactual.
    """
    s0 = np.clip(share + lost, 0.0, 0.999)
    counterfactual_online = offline * s0 / (1.0 - s0)
    return np.where(lost != 0.0, online - counterfactual_online, 0.0)


def online_effect(
    series: MonthlySeries,
    break_month: date = ONLINE_BREAK,
    *,
    shape: Recovery = "linear",
    max_recovery_months: int = 72,
    seasonal: bool = True,
    level: float = 0.95,
) -> OnlineEffect:
    """Intervention model for the online-channel trend break, converted to missed crime.

    Model on the online share ``y_t = online_t / total_registrations_t``::

        y_t = a + b * t + month dummies - D * gap(t - break; R) + e_t

    a linear pre-existing trend (the counterfactual), a level drop ``D`` at *break_month* that
    recovers along :func:`recovery_gap` with parameter ``R`` (months). ``R`` is found on a grid
    by least squares (profile likelihood); given ``R`` the model is OLS with Newey-West (HAC)
    standard errors, so autocorrelated errors are allowed. The 95 % set of ``R`` is the set with
    ``n * log(SSR_R / SSR_min) <= chi2_1(0.95)``; intervals of the effect are the union over
    that set, which takes the uncertainty of the recovery speed into account.

    Conversion to registered crime (the assumption the minister made, see
    :data:`ONLINE_ASSUMPTION`): reports via other channels are unaffected, so with the offline
    count ``F_t`` and the counterfactual share ``s0_t = y_t + D * gap_t`` the counterfactual
    online count is ``F_t * s0_t / (1 - s0_t)``; the missed online reports are crimes that
    otherwise would have been registered, one heaviest-counted crime each. The effect per month
    is observed minus counterfactual (negative), zero before the break.
    """
    if break_month.day != 1:
        raise ValueError(f"break_month {break_month} is not the first day of a month.")
    months = list(series.months)
    n = len(months)
    k = np.array([_months_between(break_month, m) for m in months])
    n_before, n_after = int((k < 0).sum()), int((k >= 0).sum())
    if n_before < 12 or n_after < 6:
        raise ValueError(
            f"online_effect: need at least 12 months before and 6 from the break "
            f"{break_month:%Y-%m}; the series has {n_before} before and {n_after} from it."
        )
    share = series.online_share
    online = series.online_array
    offline = series.total_array - online
    t = np.arange(n, dtype=float) / 12.0
    base = [np.ones(n), t]
    if seasonal:
        base.append(_month_dummies(months))
    x_base = np.column_stack(base)

    grid_max = min(max_recovery_months, n_after + 12 if shape == "exponential" else n_after)
    grid = np.arange(1, grid_max + 1, dtype=float)
    ssr = np.empty(len(grid))
    gaps = []
    for i, r in enumerate(grid):
        gap = recovery_gap(k, float(r), shape)
        gaps.append(gap)
        x = np.column_stack([x_base, -gap])
        beta, *_ = np.linalg.lstsq(x, share, rcond=None)
        resid = share - x @ beta
        ssr[i] = float(resid @ resid)
    best = int(np.argmin(ssr))
    ssr_min = max(ssr[best], 1e-300)
    lr = n * np.log(np.maximum(ssr, 1e-300) / ssr_min)
    in_set = np.flatnonzero(lr <= stats.chi2.ppf(level, 1))

    lags = _hac_lags(n)
    candidates: list[_Candidate] = []
    for j in in_set.tolist():
        x = np.column_stack([x_base, -gaps[j]])
        fit = sm.OLS(share, x).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
        )
        lo, hi = fit.conf_int(alpha=1 - level)[-1]
        candidates.append(
            _Candidate(float(grid[j]), gaps[j], float(fit.params[-1]), float(lo), float(hi))
        )
    chosen = next(c for c in candidates if c.param == grid[best])

    effect = _effect_for(offline, online, share, chosen.drop * chosen.gap)
    lower = effect.copy()
    upper = effect.copy()
    for c in candidates:
        for d in (c.drop_lo, c.drop_hi):
            eff = _effect_for(offline, online, share, d * c.gap)
            lower = np.minimum(lower, eff)
            upper = np.maximum(upper, eff)
    set_params = [c.param for c in candidates]
    return OnlineEffect(
        months=months,
        break_month=break_month,
        shape=shape,
        drop=chosen.drop,
        drop_ci=(min(c.drop_lo for c in candidates), max(c.drop_hi for c in candidates)),
        recovery=chosen.param,
        recovery_range=(min(set_params), max(set_params)),
        share=share,
        counterfactual_share=share + chosen.drop * chosen.gap,
        effect=effect,
        effect_lower=lower,
        effect_upper=upper,
        level=level,
        _offline=offline,
        _online=online,
        _share=share,
        _candidates=tuple(candidates),
    )


# --------------------------------------------------------------------------- decomposition


@dataclass(frozen=True)
class _TrendFit:
    annual_change: float
    annual_change_ci: tuple[float, float]
    trend: FloatArray
    trend_lower: FloatArray
    trend_upper: FloatArray
    fitted: FloatArray


def _fit_trend(months: list[date], values: FloatArray, level: float) -> _TrendFit:
    """Log-linear trend with month dummies, OLS with HAC errors."""
    if np.any(values <= 0):
        raise ValueError("the corrected series must be positive to fit a log-linear trend.")
    n = len(months)
    t = np.arange(n, dtype=float) / 12.0
    seasonal = n >= 24
    cols = [np.ones(n), t]
    if seasonal:
        cols.append(_month_dummies(months))
    x = np.column_stack(cols)
    fit = sm.OLS(np.log(values), x).fit(
        cov_type="HAC", cov_kwds={"maxlags": _hac_lags(n), "use_correction": True}, use_t=True
    )
    params = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params())
    lo, hi = np.asarray(fit.conf_int(alpha=1 - level))[1]
    # Deseasonalised trend: the month dummies averaged over the year.
    z = np.zeros((n, x.shape[1]))
    z[:, 0] = 1.0
    z[:, 1] = t
    if seasonal:
        z[:, 2:] = 1.0 / 12.0
    eta = z @ params
    se = np.sqrt(np.einsum("ij,jk,ik->i", z, cov, z))
    q = float(stats.t.ppf(0.5 + level / 2, fit.df_resid))
    return _TrendFit(
        annual_change=math.expm1(float(params[1])),
        annual_change_ci=(math.expm1(float(lo)), math.expm1(float(hi))),
        trend=np.exp(eta),
        trend_lower=np.exp(eta - q * se),
        trend_upper=np.exp(eta + q * se),
        fitted=np.exp(x @ params),
    )


@dataclass(frozen=True)
class Decomposition:
    """All components, aligned to ``months``.

    ``published`` = ``corrected`` + ``counting_rule.effect`` + ``online.effect``;
    ``trend`` (deseasonalised) with a 95 % band ``trend_lower``/``trend_upper``; ``fitted``
    the trend with seasonality; ``annual_change`` of the underlying trend (fraction a year) with
    ``annual_change_ci`` (including the uncertainty of the online effect);
    ``annual_change_ci_model`` the interval of the trend fit alone.
    """

    months: list[date]
    published: FloatArray
    counting_rule: CountingRuleEffect
    online: OnlineEffect
    corrected: FloatArray
    trend: FloatArray
    trend_lower: FloatArray
    trend_upper: FloatArray
    fitted: FloatArray
    annual_change: float
    annual_change_ci: tuple[float, float]
    annual_change_ci_model: tuple[float, float]
    published_yoy: dict[int, float]
    counting_rule_yoy: dict[int, float]
    online_yoy: dict[int, float]
    summary: str


def _yearly(months: list[date], values: FloatArray) -> dict[int, float]:
    """Totals of complete calendar years."""
    out: dict[int, float] = {}
    for year in sorted({m.year for m in months}):
        mask = np.array([m.year == year for m in months])
        if mask.sum() == 12:
            out[year] = float(values[mask].sum())
    return out


def _yoy(component: dict[int, float], published: dict[int, float]) -> dict[int, float]:
    """Change of *component* from the previous year as a fraction of the published total."""
    return {
        y: (component[y] - component[y - 1]) / published[y - 1]
        for y in component
        if y - 1 in component and published.get(y - 1)
    }


def decompose(
    series: MonthlySeries,
    *,
    switch: date = COUNTING_RULE_SWITCH,
    break_month: date = ONLINE_BREAK,
    shape: Recovery = "linear",
    level: float = 0.95,
) -> Decomposition:
    """Split the published series into counting-rule effect, online effect and the underlying
    (corrected) series, and fit the underlying trend.

    corrected = published - counting-rule effect - online effect (the online effect is negative,
    so the missed registrations are added back). The underlying trend is log-linear with month
    dummies (OLS, HAC errors); its annual change interval combines the fit's interval with the
    fits of the series corrected by the lower and upper bounds of the online effect.
    """
    months = list(series.months)
    published = series.published(switch)
    rule = counting_rule_effect(series, switch)
    online = online_effect(series, break_month, shape=shape, level=level)
    corrected = published - rule.effect - online.effect
    fit = _fit_trend(months, corrected, level)
    lows, highs = [fit.annual_change_ci[0]], [fit.annual_change_ci[1]]
    for bound in (online.effect_lower, online.effect_upper):
        alt = _fit_trend(months, published - rule.effect - bound, level)
        lows.append(alt.annual_change_ci[0])
        highs.append(alt.annual_change_ci[1])
    ci = (min(lows), max(highs))

    pub_y = _yearly(months, published)
    rule_yoy = _yoy(_yearly(months, rule.effect), pub_y)
    online_yoy = _yoy(_yearly(months, online.effect), pub_y)
    published_yoy = {y: pub_y[y] / pub_y[y - 1] - 1 for y in pub_y if y - 1 in pub_y}
    summary = _summary(
        months=months,
        published=published,
        rule=rule,
        online=online,
        annual_change=fit.annual_change,
        ci=ci,
        published_yoy=published_yoy,
        rule_yoy=rule_yoy,
        online_yoy=online_yoy,
    )
    return Decomposition(
        months=months,
        published=published,
        counting_rule=rule,
        online=online,
        corrected=corrected,
        trend=fit.trend,
        trend_lower=fit.trend_lower,
        trend_upper=fit.trend_upper,
        fitted=fit.fitted,
        annual_change=fit.annual_change,
        annual_change_ci=ci,
        annual_change_ci_model=fit.annual_change_ci,
        published_yoy=published_yoy,
        counting_rule_yoy=rule_yoy,
        online_yoy=online_yoy,
        summary=summary,
    )


def _pct(x: float, decimals: int = 1) -> str:
    return f"{_nl(100 * x, decimals)}%"


def _summary(
    *,
    months: list[date],
    published: FloatArray,
    rule: CountingRuleEffect,
    online: OnlineEffect,
    annual_change: float,
    ci: tuple[float, float],
    published_yoy: dict[int, float],
    rule_yoy: dict[int, float],
    online_yoy: dict[int, float],
) -> str:
    first, last = months[0], months[-1]
    lines = [
        f"Geregistreerde criminaliteit {first:%m-%Y} t/m {last:%m-%Y} "
        f"(gepubliceerde reeks: zwaarste-delicttelling vóór {rule.switch:%m-%Y}, "
        "daarna telling per delict)."
    ]
    if published_yoy:
        changes = ", ".join(f"{y}: {_pct(v)}" for y, v in sorted(published_yoy.items()))
        lines.append(
            f"Verandering van de gepubliceerde reeks ten opzichte van het jaar ervoor: {changes}."
        )
    after = rule.effect > 0
    if after.any():
        mean_effect = float(rule.effect[after].mean())
        mean_share = float(rule.effect[after].sum() / published[after].sum())
        lines.append(
            f"Telwijze (vanaf {rule.switch:%m-%Y}): het tellen van elk delict afzonderlijk voegt "
            f"gemiddeld {_nl_int(mean_effect)} delicten per maand toe ({_pct(mean_share)} van de "
            "gepubliceerde reeks); dit is exact gemeten, want beide tellingen bestaan."
        )
    else:
        lines.append("Telwijze: in deze periode geen effect van de nieuwe telwijze.")
    lo_r, hi_r = online.recovery_range
    start = online.break_month
    end = months[-1]
    total, t_lo, t_hi = online.total(start, end)
    lines.append(
        f"Internetaangifte (trendbreuk {online.break_month:%m-%Y}): het aandeel "
        f"internetaangiften daalde met {_nl(100 * online.drop)} procentpunt (95%-BI "
        f"{_nl(100 * online.drop_ci[0])} tot {_nl(100 * online.drop_ci[1])}), met "
        f"{_SHAPE_NL[online.shape]} herstel in circa {online.recovery:.0f} maanden "
        f"(95%-bereik {lo_r:.0f}–{hi_r:.0f}); "
        f"gemist t/m {end:%m-%Y}: circa {_nl_int(-total)} registraties (95%-BI "
        f"{_nl_int(-t_hi)} tot {_nl_int(-t_lo)})."
    )
    for year, value in sorted(online_yoy.items()):
        if year >= online.break_month.year + 1 and abs(value) >= 0.0005:
            word = "toename" if value > 0 else "afname"
            lines.append(
                f"Het {'herstel' if value > 0 else 'effect'} van internetaangifte veroorzaakt in "
                f"{year} ten opzichte van {year - 1} een {word} van {_pct(abs(value))} van de "
                "geregistreerde criminaliteit."
            )
    for year, value in sorted(rule_yoy.items()):
        if value > 0.0005:
            lines.append(
                f"De nieuwe telwijze verklaart in {year} ten opzichte van {year - 1} een "
                f"toename van {_pct(value)}."
            )
    lo, hi = ci
    band = f"(95%-BI {_pct(lo)} tot {_pct(hi)} per jaar)"
    if hi < 0:
        word = "lichte daling" if annual_change >= -SLIGHT else "daling"
        verdict = f"resteert een {word} van {_pct(-annual_change)} per jaar {band}"
    elif lo > 0:
        word = "lichte stijging" if annual_change <= SLIGHT else "stijging"
        verdict = f"resteert een {word} van {_pct(annual_change)} per jaar {band}"
    else:
        verdict = (
            f"resteert geen aantoonbare verandering ({_pct(annual_change)} per jaar, {band[1:-1]})"
        )
    lines.append(f"Gecorrigeerd voor beide effecten {verdict}.")
    lines.append(online.assumption)
    return "\n".join(lines)


# --------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class SimulationTruth:
    """The effects injected by :func:`simulate_series`, aligned to the months.

    ``counting_rule_effect``: extra counts from the per-offence rule (zero before the switch);
    ``online_effect``: effect of the online break on registrations (negative, zero before);
    ``underlying``: the realised underlying crime (heaviest basis, no break);
    ``underlying_annual_change``: the true annual change of the underlying level (fraction);
    ``counterfactual_share``: the online share without the break.
    """

    months: list[date]
    counting_rule_effect: FloatArray
    online_effect: FloatArray
    underlying: FloatArray
    underlying_annual_change: float
    counterfactual_share: FloatArray
    online_drop: float
    recovery_months: float
    switch: date
    online_break: date

    def online_total(self, start: date, end: date) -> float:
        mask = np.array([start <= m <= end for m in self.months])
        return float(self.online_effect[mask].sum())


def simulate_series(
    *,
    start: date = date(2012, 1, 1),
    end: date = date(2019, 12, 1),
    base_level: float = 80_000.0,
    annual_decline: float = 0.06,
    switch: date | None = COUNTING_RULE_SWITCH,
    multi_offence_share: float = 0.03,
    online_break: date | None = ONLINE_BREAK,
    online_drop: float = 0.05,
    recovery_months: float = 24.0,
    seasonality: float = 0.06,
    noise: float = 0.02,
    seed: int = 0,
    online_base: float = 0.22,
    online_slope: float = 0.015,
    online_noise: float = 0.004,
    recovery_shape: Recovery = "linear",
    extra_offences_mean: float = 0.4,
) -> tuple[MonthlySeries, SimulationTruth]:
    """Monthly series with known injected effects.

    Underlying crime (heaviest basis) ``U_t = base_level * (1 - annual_decline) ** years *
    (1 + seasonality * cos(2 pi (month - 1) / 12)) * lognormal(noise)``. The counterfactual
    online share rises linearly from ``online_base`` at the start by ``online_slope`` a year; from
    *online_break* it is ``online_drop`` share points lower, recovering along
    :func:`recovery_gap` (*recovery_shape*, *recovery_months*), plus AR(1) noise
    (``online_noise``). Offline reports ``F_t = U_t * (1 - s0_t)`` are unaffected; online
    reports are Poisson with mean ``F_t * s_t / (1 - s_t)``; ``heaviest = total_registrations =
    F + online``. A share *multi_offence_share* of the registrations has ``1 +
    Poisson(extra_offences_mean)`` extra offences (``per_offence``). ``switch=None`` or
    ``online_break=None`` make a series without that effect (the truth is then zero).

    The true online effect is ``F_t * s_t / (1 - s_t) - F_t * s0_t / (1 - s0_t)`` (expected
    online counts with and without the break, given the realised offline counts).
    """
    if start.day != 1 or end.day != 1 or end < start:
        raise ValueError("start and end must be first days of months with start <= end.")
    if not 0 <= annual_decline < 1:
        raise ValueError("annual_decline must be in [0, 1) (0.06 = -6 % a year).")
    rng = np.random.default_rng(seed)
    n = _months_between(start, end) + 1
    months = [_add_months(start, i) for i in range(n)]
    years = np.arange(n) / 12.0
    month_no = np.array([m.month for m in months])
    season = 1.0 + seasonality * np.cos(2 * np.pi * (month_no - 1) / 12.0)
    level = base_level * (1.0 - annual_decline) ** years * season
    underlying = level * np.exp(rng.normal(0.0, noise, n) - noise**2 / 2)

    s0 = online_base + online_slope * years
    if online_break is not None and online_drop:
        k = np.array([_months_between(online_break, m) for m in months])
        lost = online_drop * recovery_gap(k, recovery_months, recovery_shape)
    else:
        lost = np.zeros(n)
    eps = np.zeros(n)
    shocks = rng.normal(0.0, online_noise * math.sqrt(1 - 0.3**2), n)
    for i in range(n):
        eps[i] = (0.3 * eps[i - 1] if i else 0.0) + shocks[i]
    s0_noisy = np.clip(s0 + eps, 0.01, 0.95)
    s = np.clip(s0_noisy - lost, 0.005, 0.95)

    offline = np.round(underlying * (1.0 - s0_noisy))
    online = rng.poisson(offline * s / (1.0 - s)).astype(float)
    total = offline + online
    multi = rng.binomial(total.astype(np.int64), multi_offence_share)
    extra = multi + rng.poisson(extra_offences_mean * multi)
    per_offence = total + extra

    true_online = offline * s / (1.0 - s) - offline * s0_noisy / (1.0 - s0_noisy)
    true_online = np.where(lost != 0.0, true_online, 0.0)
    if switch is not None:
        after = np.array([m >= switch for m in months])
        true_rule = np.where(after, per_offence - total, 0.0)
        eff_switch = switch
    else:
        true_rule = np.zeros(n)
        eff_switch = _add_months(end, 1)
    series = MonthlySeries(
        months=months,
        per_offence=per_offence.tolist(),
        heaviest=total.tolist(),
        online=online.tolist(),
        total_registrations=total.tolist(),
    )
    truth = SimulationTruth(
        months=months,
        counting_rule_effect=true_rule.astype(float),
        online_effect=true_online,
        underlying=offline / (1.0 - s0_noisy),
        underlying_annual_change=-annual_decline,
        counterfactual_share=s0_noisy,
        online_drop=online_drop if online_break is not None else 0.0,
        recovery_months=recovery_months,
        switch=eff_switch,
        online_break=online_break or _add_months(end, 1),
    )
    return series, truth
