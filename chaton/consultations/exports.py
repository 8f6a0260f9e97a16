"""Open data: CSV and JSON exports of a consultation, without personal data, with the licence.

No e-mail address, no display name, no vote of any one person: topics with their vote
counts, contributions with their supports, comments. Hidden items keep their place and the
moderation reason, not their text.
"""


from flask import Response, url_for
from peewee import fn

from chaton.consultations.loading import load_consultation
from chaton.consultations.models import Comment, Contribution, Topic, VoteCount
from chaton.consultations.views import bp, show_page, topics_of
from chaton.core.csvexport import stream_csv
from chaton.core.db import utcnow

LICENCE_URLS = {
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
TABLES = ("topics", "contributions", "comments")


def stance_counts(consultation):
    """{topic_id: {stance: count}} of the contributions shown."""
    found = {}
    rows = (Contribution.select(Contribution.topic, Contribution.stance, fn.COUNT(Contribution.id))
            .where((Contribution.consultation == consultation) & (Contribution.status != "pending"))
            .group_by(Contribution.topic, Contribution.stance).tuples())
    for topic_id, stance, count in rows:
        found.setdefault(topic_id, {})[stance] = count
    return found


def _iso(value):
    return value.isoformat() if value else None


def _results_visible(consultation):
    from datetime import date

    return consultation.schedule().results_visible(consultation.meta.get("results", "live"),
                                                   date.today())


def _topics_with_rows(consultation):
    """(topic, row) of every topic: its counts; results per answer only once the organisers
    show them."""
    topics = topics_of(consultation)
    visible = _results_visible(consultation)
    counts = {}
    for row in VoteCount.select().where(VoteCount.topic.in_([t.id for t in topics] or [0])):
        counts.setdefault(row.topic_id, {})[row.choice] = row.count
    for t in topics:
        results = ({key: counts.get(t.id, {}).get(key, 0) for key, _label in t.choices()}
                   if visible else None)
        yield t, {"slug": t.slug, "title": t.title, "question": t.question or t.title,
                  "vote_type": t.vote_type,
                  "options": t.options, "votes": t.vote_count, "results": results,
                  "contributions": t.contribution_count, "comments": t.comment_count}


def topic_rows(consultation):
    """Topics with their counts (the JSON: results per answer as {choice key: count})."""
    for _topic, row in _topics_with_rows(consultation):
        yield row


TOPIC_COLUMNS = ("slug", "title", "question", "vote_type", "options", "votes", "contributions",
                 "comments")


def _choice_columns(topic):
    """{choice key: CSV column} of a topic: the choice's label (yes, no, abstain, or the
    option's text; one written twice in a topic, or named as another column, gets its key)."""
    columns = {}
    for key, label in topic.choices():
        taken = label in columns.values() or label in TOPIC_COLUMNS
        columns[key] = f"{label} ({key})" if taken else label
    return columns


def topic_csv(consultation):
    """(columns, rows) of the topics CSV: results spread over one column per choice, headed by
    its label, between the total of votes and the counts of contributions; a topic's row
    leaves the other topics' choices empty, and every choice empty until results are shown."""
    pairs = list(_topics_with_rows(consultation))
    choices = [_choice_columns(topic) for topic, _row in pairs]
    spread = list(dict.fromkeys(column for columns in choices for column in columns.values()))
    names = [*TOPIC_COLUMNS[:6], *spread, *TOPIC_COLUMNS[6:]]
    rows = []
    for (_topic, row), columns in zip(pairs, choices, strict=True):
        results = row.pop("results") or {}
        row.update({columns[key]: count for key, count in results.items()})
        rows.append(row)
    return names, rows


def contribution_rows(consultation):
    query = (Contribution.select(Contribution, Topic.slug.alias("topic_slug")).join(Topic)
             .where((Contribution.consultation == consultation) & (Contribution.status != "pending"))
             .order_by(Contribution.number))
    for c in query.objects().iterator():
        hidden = c.status == "hidden"
        yield {"number": c.number, "topic": c.topic_slug, "kind": c.kind, "stance": c.stance,
               "title": None if hidden else c.title, "text": None if hidden else c.body,
               "status": c.status, "moderation_reason": c.moderation_reason or None,
               "supports": c.support_count, "comments": c.comment_count,
               "created_at": _iso(c.created_at), "workshop": c.workshop}


def comment_rows(consultation):
    numbers = dict(Contribution.select(Contribution.id, Contribution.number)
                   .where(Contribution.consultation == consultation).tuples())
    query = (Comment.select(Comment, Topic.slug.alias("topic_slug")).join(Topic)
             .where((Comment.consultation == consultation) & (Comment.status != "pending"))
             .order_by(Comment.id))
    for c in query.objects().iterator():
        hidden = c.status == "hidden"
        yield {"id": c.id, "topic": c.topic_slug,
               "contribution": numbers.get(c.contribution_id), "reply_to": c.parent_id,
               "text": None if hidden else c.body, "status": c.status,
               "moderation_reason": c.moderation_reason or None, "created_at": _iso(c.created_at)}


def _licence(consultation):
    return {"name": consultation.licence, "url": LICENCE_URLS.get(consultation.licence)}


@bp.route("/<slug>/data")
def data(org, slug):
    consultation = load_consultation(org, slug)
    return show_page("consultations/data.html", consultation, tables=TABLES,
                     licence=_licence(consultation))


@bp.route("/<slug>/export.json")
def export_json(org, slug):
    consultation = load_consultation(org, slug)
    return {
        "type": "consultation",
        "id": f"{org}/{slug}",
        "url": url_for(".show", org=org, slug=slug, _external=True),
        "title": consultation.title,
        "question": consultation.question,
        "licence": _licence(consultation),
        "generated_at": utcnow().isoformat(),
        "phases": consultation.meta.get("phases"),
        "counts": {"participants": consultation.participant_count,
                   "votes": consultation.vote_count,
                   "contributions": consultation.contribution_count,
                   "comments": consultation.comment_count},
        "topics": list(topic_rows(consultation)),
        "contributions": list(contribution_rows(consultation)),
        "comments": list(comment_rows(consultation)),
        "synthesis": consultation.synthesis,
        "answer": consultation.answer,
    }


@bp.route("/<slug>/export/<any(topics, contributions, comments):table>.csv")
def export_csv(org, slug, table):
    consultation = load_consultation(org, slug)
    names = None
    if table == "topics":
        names, rows = topic_csv(consultation)
    else:
        rows = {"contributions": contribution_rows, "comments": comment_rows}[table](consultation)

    licence = _licence(consultation)
    name = f"{org}-{slug}-{table}.csv"
    return Response(stream_csv(rows, names), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Link": f'<{licence["url"]}>; rel="license"', "X-License": licence["name"]})
