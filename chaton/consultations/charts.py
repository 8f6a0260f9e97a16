"""Server-rendered SVG charts of a consultation (readable without JavaScript).

Each chart comes with the figures it draws, which the page shows as a table too.
"""

from datetime import date, timedelta

from markupsafe import escape

from chaton.consultations import voting
from chaton.consultations.models import ActivityDay
from chaton.core.charts import WIDTH, bars, svg
from chaton.core.formats import colon, number, percent


def activity(consultation, label):
    """Bars of actions (votes, contributions, comments) per day, or per week over long spans."""
    rows = list(ActivityDay.select().where(ActivityDay.consultation == consultation)
                .order_by(ActivityDay.day))
    if not rows:
        return None, []
    first, last = rows[0].day, max(rows[-1].day, rows[0].day)
    step = 1 if (last - first).days < 90 else 7
    buckets = {}
    for row in rows:
        start = first + timedelta(days=(row.day - first).days // step * step)
        total = buckets.setdefault(start, [0, 0, 0, 0])
        for i, value in enumerate((row.participants, row.votes, row.contributions, row.comments)):
            total[i] += value
    series = sorted(buckets.items())
    return bars([(d, sum(v[1:])) for d, v in series], label), series


def votes(topics, labels, label):
    """One stacked bar per topic: the share of each choice."""
    voted = [t for t in topics if t.vote_type != "none"]
    if not voted:
        return None, []
    row_h, parts, table = 44, [], []
    for i, topic in enumerate(voted):
        results = voting.results(topic, labels)
        table.append((topic, results))
        y, x = i * row_h, 0.0
        parts.append(f'<text x="0" y="{y + 12}" class="chart-label">{escape(topic.title[:80])}</text>')
        for n, (key, text, count, share) in enumerate(results):
            w = WIDTH * share
            css = key if key in ("yes", "no", "abstain") else f"option{n % 6}"
            parts.append(f'<rect x="{x:.1f}" y="{y + 18}" width="{w:.1f}" height="18" '
                         f'class="choice-{css}"><title>{escape(colon(text))} {number(count)} '
                         f"({percent(share)})</title></rect>")
            x += w
    return svg(row_h * len(voted), label, parts), table


def contributions(topics, label):
    """One bar per topic: how many contributions it received."""
    if not topics:
        return None
    top = max(t.contribution_count for t in topics) or 1
    row_h, parts = 40, []
    for i, topic in enumerate(topics):
        y = i * row_h
        w = (WIDTH - 60) * topic.contribution_count / top
        parts.append(f'<text x="0" y="{y + 12}" class="chart-label">{escape(topic.title[:80])}</text>')
        parts.append(f'<rect x="0" y="{y + 18}" width="{w:.1f}" height="16">'
                     f"<title>{escape(colon(topic.title))} {number(topic.contribution_count)}"
                     "</title></rect>")
        parts.append(f'<text x="{w + 6:.1f}" y="{y + 31}" class="chart-label">'
                     f"{number(topic.contribution_count)}</text>")
    return svg(row_h * len(topics), label, parts)


def dashboard_charts(consultation, topics, labels):
    """Every chart of the dashboard, with its figures."""
    from flask_babel import gettext as _

    activity_svg, activity_rows = activity(consultation, _("Participation over time"))
    votes_svg, votes_table = votes(topics, labels, _("Votes per topic"))
    return {
        "activity": activity_svg, "activity_rows": activity_rows,
        "votes": votes_svg, "votes_table": votes_table,
        "contributions": contributions(topics, _("Contributions per topic")),
        "today": date.today(),
    }
