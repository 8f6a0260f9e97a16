"""Server-rendered SVG charts (readable without JavaScript)."""

from datetime import date, timedelta

from markupsafe import Markup, escape


def daily_bars(counts, days=30, today=None, width=640, height=160, label=""):
    """Bars of confirmed signatures per day over the last `days` days."""
    today = today or date.today()
    series = [(today - timedelta(days=days - 1 - i)) for i in range(days)]
    values = [counts.get(d, 0) for d in series]
    top = max(values) or 1
    bar_w = width / days
    bars = []
    for i, (day, value) in enumerate(zip(series, values, strict=True)):
        h = round(value / top * (height - 20))
        x, y = round(i * bar_w, 1), height - h
        bars.append(f'<rect x="{x}" y="{y}" width="{bar_w - 2:.1f}" height="{h}">'
                    f"<title>{day.isoformat()}: {value}</title></rect>")
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(bars) + "</svg>"
    )
