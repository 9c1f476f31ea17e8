"""Plotly figures of the dashboard, as plain dicts (``{"data": [...], "layout": {...}}``).

Pure: no Django, no Plotly import (building the dicts directly keeps a page's server time
low); the browser draws them with the bundled ``plotly.min.js`` (offline). Dutch labels are
passed in by the caller (gettext lives on the Django side).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "CLASS_COLOURS",
    "Area",
    "bars",
    "choropleth",
    "classes",
    "funnel_chart",
    "trend_chart",
]

#: Five sequential classes, light to dark (colour-blind safe, ColorBrewer "Blues").
CLASS_COLOURS: Final = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA: Final = "#e2e8f0"
OWN: Final = "#c05621"
OTHERS: Final = "#2b6cb0"

_BASE_LAYOUT: Final[dict[str, Any]] = {
    "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "plot_bgcolor": "#ffffff",
    "paper_bgcolor": "#ffffff",
    "separators": ",.",  # Dutch: decimal comma, thousands dot
}


@dataclass(frozen=True)
class Area:
    """One region on the map: its exterior rings in RD metres and a label point."""

    code: str
    name: str
    rings: Sequence[tuple[Sequence[float], Sequence[float]]]
    label_x: float
    label_y: float


def _nl(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def classes(values: Sequence[float | None], n: int = 5) -> list[float]:
    """Upper bounds of ``n`` quantile classes of the known values (fewer when values
    repeat); empty when there are none."""
    known = sorted(v for v in values if v is not None and not math.isnan(v))
    if not known:
        return []
    bounds: list[float] = []
    for i in range(1, n + 1):
        idx = min(len(known) - 1, math.ceil(i * len(known) / n) - 1)
        if not bounds or known[idx] > bounds[-1]:
            bounds.append(known[idx])
    return bounds


def _class_of(value: float | None, bounds: Sequence[float]) -> int | None:
    if value is None or not bounds:
        return None
    for i, bound in enumerate(bounds):
        if value <= bound:
            return i
    return len(bounds) - 1


def choropleth(
    areas: Sequence[Area],
    values: Mapping[str, float | None],
    *,
    links: Mapping[str, str],
    value_label: str,
    no_data_label: str,
    decimals: int = 1,
    height: int = 480,
) -> dict[str, Any]:
    """Areas coloured in quantile classes of ``values`` (code -> value; None = no data),
    with a label point per area that shows the value on hover and carries its drill-down
    link (``customdata``, followed on click by ``dashboard.js``). RD axes, no tiles."""
    bounds = classes(list(values.values()))
    if bounds and decimals == 1 and bounds[-1] < 1:
        decimals = 3 if bounds[-1] < 0.1 else 2  # small rates stay distinguishable
    palette = CLASS_COLOURS[-len(bounds) :] if bounds else ()
    groups: dict[int | None, list[Area]] = {}
    for area in areas:
        groups.setdefault(_class_of(values.get(area.code), bounds), []).append(area)
    data: list[dict[str, Any]] = []
    order = [k for k in range(len(bounds)) if k in groups] + ([None] if None in groups else [])
    for k in order:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for area in groups[k]:
            for rx, ry in area.rings:
                xs += [*rx, None]
                ys += [*ry, None]
        if k is None:
            name, colour = no_data_label, NO_DATA
        else:
            low = bounds[k - 1] if k else min(v for v in values.values() if v is not None)
            name = f"{_nl(low, decimals)} – {_nl(bounds[k], decimals)}"
            colour = palette[k]
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": colour,
                "line": {"width": 0.8, "color": "#4a5568"},
                "name": name,
                "hoverinfo": "skip",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": [a.label_x for a in areas],
            "y": [a.label_y for a in areas],
            "marker": {"size": 9, "color": "#1a202c", "symbol": "circle-open"},
            "text": [
                f"{a.name}<br>{value_label}: "
                + (
                    no_data_label
                    if values.get(a.code) is None
                    else _nl(values[a.code] or 0.0, decimals)
                )
                for a in areas
            ],
            "customdata": [links.get(a.code, "") for a in areas],
            "hovertemplate": "%{text}<extra></extra>",
            "showlegend": False,
            "name": "",
        }
    )
    layout = {
        **_BASE_LAYOUT,
        "height": height,
        "margin": {"l": 5, "r": 5, "t": 5, "b": 5},
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": 1},
        "legend": {"title": {"text": value_label}},
        "hovermode": "closest",
    }
    return {"data": data, "layout": layout}


def trend_chart(
    months: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    share: Sequence[float | None] | None = None,
    share_label: str = "",
    y_label: str = "",
    height: int = 320,
) -> dict[str, Any]:
    """Monthly lines (name -> values), optionally a share (0..1) on a second axis."""
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "x": list(months), "y": list(v), "name": n}
        for n, v in series.items()
    ]
    layout: dict[str, Any] = {
        **_BASE_LAYOUT,
        "height": height,
        "margin": {"l": 60, "r": 70, "t": 40, "b": 60},
        "xaxis": {"type": "category", "tickangle": -45},
        "yaxis": {"title": {"text": y_label}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": 1.15},
    }
    if share is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "line": {"dash": "dot"},
                "x": list(months),
                "y": [None if s is None else round(100 * s, 1) for s in share],
                "name": share_label,
                "yaxis": "y2",
            }
        )
        layout["yaxis2"] = {
            "title": {"text": share_label},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "ticksuffix": "%",
        }
    return {"data": data, "layout": layout}


def funnel_chart(stages: Sequence[tuple[str, int]], *, height: int = 360) -> dict[str, Any]:
    """A funnel of (label, count) from the top stage down."""
    return {
        "data": [
            {
                "type": "funnel",
                "y": [label for label, _ in stages],
                "x": [count for _, count in stages],
                "texttemplate": "%{value:,d}<br>%{percentInitial:.0%}",
                "marker": {"color": OTHERS},
            }
        ],
        "layout": {
            **_BASE_LAYOUT,
            "height": height,
            "margin": {"l": 180, "r": 20, "t": 10, "b": 20},
        },
    }


def bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    own: Sequence[bool],
    x_label: str,
    percent: bool = False,
    height: int | None = None,
) -> dict[str, Any]:
    """Horizontal bars, the user's own region highlighted (peer comparison)."""
    shown = [None if v is None else (round(100 * v, 1) if percent else round(v, 1)) for v in values]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": list(labels),
                "x": shown,
                "marker": {"color": [OWN if o else OTHERS for o in own]},
                "hovertemplate": "%{y}: %{x}" + ("%" if percent else "") + "<extra></extra>",
            }
        ],
        "layout": {
            **_BASE_LAYOUT,
            "height": height or max(160, 28 * len(labels) + 60),
            "margin": {"l": 210, "r": 20, "t": 10, "b": 40},
            "xaxis": {"title": {"text": x_label}, "ticksuffix": "%" if percent else ""},
            "yaxis": {"autorange": "reversed"},
        },
    }
