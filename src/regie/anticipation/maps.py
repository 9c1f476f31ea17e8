"""The prediction map of a base team as a Plotly figure dict (pure: no Django, no Plotly
import). Cells on their 125 m grid as a heat map of the expected number of incidents, the
high-risk cells outlined, the neighbourhoods as outlines; RD metres, no tiles (offline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Light to dark (ColorBrewer "OrRd"), colour-blind safe.
SCALE = [[0.0, "#fff7ec"], [0.35, "#fdbb84"], [0.7, "#ef6548"], [1.0, "#990000"]]


def prediction_map(
    cells: Sequence[Mapping[str, Any]],
    cell_size: float,
    outlines: Mapping[str, Sequence[tuple[Sequence[float], Sequence[float]]]],
    names: Mapping[str, str],
    *,
    expected_label: str,
    high_risk_label: str,
    height: int = 560,
) -> dict[str, Any]:
    """``cells``: dicts with x, y (lower left), expected, high_risk; ``outlines``: area code
    -> exterior rings in RD metres."""
    data: list[dict[str, Any]] = []
    if cells:
        xs = sorted({c["x"] for c in cells})
        ys = sorted({c["y"] for c in cells})
        x0, y0 = xs[0], ys[0]
        nx = round((xs[-1] - x0) / cell_size) + 1
        ny = round((ys[-1] - y0) / cell_size) + 1
        z: list[list[float | None]] = [[None] * nx for _ in range(ny)]
        for c in cells:
            z[round((c["y"] - y0) / cell_size)][round((c["x"] - x0) / cell_size)] = c["expected"]
        data.append(
            {
                "type": "heatmap",
                "x": [x0 + cell_size * (i + 0.5) for i in range(nx)],
                "y": [y0 + cell_size * (j + 0.5) for j in range(ny)],
                "z": z,
                "colorscale": SCALE,
                "hoverongaps": False,
                "colorbar": {"title": {"text": expected_label}},
                "hovertemplate": f"{expected_label}: %{{z:.2f}}<extra></extra>",
                "name": expected_label,
            }
        )
        hx: list[float | None] = []
        hy: list[float | None] = []
        for c in cells:
            if c.get("high_risk"):
                x, y, s = c["x"], c["y"], cell_size
                hx += [x, x + s, x + s, x, x, None]
                hy += [y, y, y + s, y + s, y, None]
        if hx:
            data.append(
                {
                    "type": "scatter",
                    "x": hx,
                    "y": hy,
                    "mode": "lines",
                    "line": {"color": "#1a202c", "width": 2},
                    "name": high_risk_label,
                    "hoverinfo": "skip",
                }
            )
    for code in sorted(outlines):
        for rx, ry in outlines[code]:
            data.append(
                {
                    "type": "scatter",
                    "x": list(rx),
                    "y": list(ry),
                    "mode": "lines",
                    "line": {"color": "#4a5568", "width": 1},
                    "name": names.get(code, code),
                    "showlegend": False,
                    "hovertemplate": f"{names.get(code, code)}<extra></extra>",
                }
            )
    return {
        "data": data,
        "layout": {
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": 1},
            "plot_bgcolor": "#f7fafc",
            "legend": {"orientation": "h"},
            "separators": ",.",
        },
    }


def cells_geojson(
    cells: Sequence[Mapping[str, Any]], cell_size: float, to_lonlat: Any
) -> dict[str, Any]:
    """The cells as a GeoJSON FeatureCollection in WGS84 (RFC 7946); ``to_lonlat`` maps
    (xs, ys) in RD to (lons, lats)."""
    features = []
    for c in cells:
        x, y, s = c["x"], c["y"], cell_size
        lons, lats = to_lonlat([x, x + s, x + s, x, x], [y, y, y + s, y + s, y])
        ring = [[round(lo, 7), round(la, 7)] for lo, la in zip(lons, lats, strict=True)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "cel": f"{int(x)}_{int(y)}",
                    "wijk": c.get("area", ""),
                    "verwacht": c["expected"],
                    "score": c["score"],
                    "hoog_risico": bool(c.get("high_risk")),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
