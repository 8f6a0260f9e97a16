"""Server-rendered SVG charts (readable without JavaScript; pages show the figures too)."""

from markupsafe import Markup, escape

from chaton.core.formats import colon, date, number

WIDTH = 640


def svg(height, label, parts, width=WIDTH):
    """An accessible SVG image (role img, labelled) made of the given elements."""
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
                  + "".join(parts) + "</svg>")


def bars(points, label, height=160, width=WIDTH):
    """One bar per (date, value) point, each with its figure as a tooltip."""
    top = max((v for _d, v in points), default=0) or 1
    bar_w = width / max(len(points), 1)
    parts = []
    for i, (day, value) in enumerate(points):
        h = round(value / top * (height - 20))
        parts.append(f'<rect x="{i * bar_w:.1f}" y="{height - h}" width="{max(bar_w - 2, 1):.1f}" '
                     f'height="{h}"><title>{escape(colon(date(day)))} {number(value)}</title></rect>')
    return svg(height, label, parts, width)
