"""Server-side SVG (pure: no Django, no JavaScript) for the intelligence pages: the same
drawing in the browser and in the PDF, offline. Every text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from regie.intelligence.linking.network import PlacedNode

#: Colour-blind safe (Okabe-Ito).
KIND_COLOURS = {
    "registration": "#0072B2",
    "person": "#D55E00",
    "organisation": "#CC79A7",
    "good": "#009E73",
    "location": "#E69F00",
}
SERIES_COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def _f(value: float) -> str:
    return f"{value:.1f}"


def map_svg(
    outlines: Sequence[tuple[Sequence[float], Sequence[float]]],
    points: Sequence[tuple[float, float, int, str]],
    *,
    title: str,
    width: int = 640,
    height: int = 440,
) -> str:
    """Area outlines (RD rings) and points (x, y, group, label); group 0 = not in a series
    (grey), others coloured per series."""
    xs = [x for rx, _ in outlines for x in rx] + [p[0] for p in points]
    ys = [y for _, ry in outlines for y in ry] + [p[1] for p in points]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="intel-map">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#f7fafc"/>',
    ]
    if xs and ys:
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        span = max(x1 - x0, y1 - y0, 1.0)
        pad = 12
        scale = min((width - 2 * pad) / max(x1 - x0, 1.0), (height - 2 * pad) / max(y1 - y0, 1.0))
        scale = scale if span else 1.0

        def px(x: float) -> float:
            return pad + (x - x0) * scale

        def py(y: float) -> float:
            return height - pad - (y - y0) * scale

        for rx, ry in outlines:
            d = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in zip(rx, ry, strict=True))
            parts.append(
                f'<polygon points="{d}" fill="#edf2f7" stroke="#718096" stroke-width="0.6"/>'
            )
        for x, y, group, label in sorted(points, key=lambda p: p[2]):
            colour = "#a0aec0" if group == 0 else SERIES_COLOURS[(group - 1) % len(SERIES_COLOURS)]
            r = 2.5 if group == 0 else 5
            parts.append(
                f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="{r}" fill="{colour}" '
                f'stroke="#1a202c" stroke-width="{0 if group == 0 else 0.8}">'
                f"<title>{escape(label)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


KIND_LABELS = {
    "registration": "registratie",
    "person": "persoon",
    "organisation": "organisatie",
    "good": "goed",
    "location": "locatie",
}


def network_svg(
    nodes: Sequence[PlacedNode],
    edges: Sequence[tuple[str, str]],
    *,
    title: str,
    links: Sequence[tuple[str, str]] = (),
    labelled: set[str] | None = None,
    width: int = 760,
    height: int = 560,
) -> str:
    """Registrations as squares, core objects as circles (size by degree); ``links``
    (registration to registration, the series' links) dashed; texts only for ``labelled``
    nodes (all when None), every node has its text as a tooltip."""
    pad = 40
    where = {n.key: (pad + n.x * (width - 2 * pad), pad + n.y * (height - 2 * pad)) for n in nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="intel-network">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for a, b in links:
        (xa, ya), (xb, yb) = where[a], where[b]
        parts.append(
            f'<line x1="{_f(xa)}" y1="{_f(ya)}" x2="{_f(xb)}" y2="{_f(yb)}" '
            'stroke="#0072B2" stroke-width="1.2" stroke-dasharray="4 3"/>'
        )
    for a, b in edges:
        (xa, ya), (xb, yb) = where[a], where[b]
        parts.append(
            f'<line x1="{_f(xa)}" y1="{_f(ya)}" x2="{_f(xb)}" y2="{_f(yb)}" '
            'stroke="#a0aec0" stroke-width="1"/>'
        )
    for n in sorted(nodes, key=lambda n: n.degree):
        x, y = where[n.key]
        colour = KIND_COLOURS.get(n.kind, "#718096")
        r = 5 + min(n.degree, 6) if n.kind == "registration" or n.degree > 1 else 3.5
        shape = (
            f'<rect x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(2 * r)}" height="{_f(2 * r)}" '
            f'fill="{colour}"/>'
            if n.kind == "registration"
            else f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{colour}" '
            'stroke="#1a202c" stroke-width="0.5"/>'
        )
        text = ""
        if labelled is None or n.key in labelled:
            text = (
                f'<text x="{_f(x)}" y="{_f(y + r + 10)}" font-size="9" text-anchor="middle" '
                f'fill="#1a202c">{escape(n.label[:30])}</text>'
            )
        parts.append(
            f'<g class="node node-{escape(n.kind)}" data-key="{escape(n.key)}">{shape}{text}'
            f"<title>{escape(KIND_LABELS.get(n.kind, n.kind))}: {escape(n.label)}</title></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(
    values: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 640,
    height: int = 200,
) -> str:
    """Counts per period as bars with their numbers."""
    pad_bottom, pad_top = 28, 16
    n = max(len(values), 1)
    top = max([v for _, v in values] or [1]) or 1
    bar = (width - 20) / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="intel-bars">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(values):
        h = (height - pad_bottom - pad_top) * value / top
        x = 10 + i * bar
        y = height - pad_bottom - h
        parts.append(
            f'<rect x="{_f(x + 2)}" y="{_f(y)}" width="{_f(bar - 4)}" height="{_f(h)}" '
            'fill="#0072B2"/>'
            f'<text x="{_f(x + bar / 2)}" y="{_f(y - 3)}" font-size="10" '
            f'text-anchor="middle">{value}</text>'
            f'<text x="{_f(x + bar / 2)}" y="{height - 10}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
