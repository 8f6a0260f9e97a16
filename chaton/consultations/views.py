"""Public consultation pages: the consultation, topics, contributions, synthesis, dashboard,
moderation log and feeds. Actions (sign-in, vote, contribute...) are in participate.py."""

import time
import zlib
from datetime import date

from flask import Blueprint, abort, redirect, request, url_for

from chaton.consultations import contributions as service
from chaton.consultations import moderation, participants, voting
from chaton.consultations.indexing import cited_numbers
from chaton.consultations.loading import load_consultation, load_contribution, load_topic
from chaton.consultations.models import Comment, Contribution, Topic
from chaton.core.capability import alternate
from chaton.core.events import Event
from chaton.core.markup import plain_text
from chaton.core.themes import render

bp = Blueprint("consultations", __name__, url_prefix="/<org>/consultations")


@bp.app_template_filter("plain_text")
def plain_text_filter(text):
    """Visitor text as safe paragraphs (no Markdown, no HTML)."""
    return plain_text(text)


def topics_of(consultation):
    return list(Topic.select().where((Topic.consultation == consultation) & Topic.present)
                .order_by(Topic.position, Topic.title))


def context(consultation, participant=None, **extra):
    """What every consultation template receives."""
    today = date.today()
    schedule = consultation.schedule()
    can = {a: schedule.allows(a, today) and not consultation.archived
           for a in ("vote", "contribute", "comment", "support")}
    return dict(consultation=consultation, association=consultation.association,
                participant=participant, schedule=schedule, today_date=today,
                phase=schedule.current(today), next_phase=schedule.next(today), can=can,
                results_visible=schedule.results_visible(consultation.meta.get("results", "live"),
                                                          today), **extra)


def show_page(template, consultation, status=200, **extra):
    participant = extra.pop("participant", None) or participants.current(consultation)
    return render(template, **context(consultation, participant, **extra)), status


@bp.route("/<slug>")
def show(org, slug):
    removed = alternate("removed", "consultations", org, slug)  # a Tombstone, for servers
    if removed is not None:
        return removed
    consultation = load_consultation(org, slug)
    other = alternate("consultation", consultation)  # its Note, for servers
    if other is not None:
        return other
    top = list(Contribution.select().where((Contribution.consultation == consultation)
                                           & (Contribution.status == "published"))
               .order_by(Contribution.support_count.desc(), Contribution.number).limit(5))
    body, status = show_page("consultations/consultation.html", consultation,
                             topics=topics_of(consultation), top=top)
    return body, status, {"Vary": "Accept"}  # servers get the Note at the same address


def participant_form(form_class, participant):
    """A form for a signed-in participant only: making one makes a session-bound token, and
    an anonymous visitor's page must set no cookie (it is the same for everyone, cacheable)."""
    return form_class() if participant is not None else None


def visitor_seed(participant):
    """The seed of the random order: from the link; else, for a signed-in participant, their
    own (stable for them, different for each); else the hour's, shared by every anonymous
    visitor (their pages carry nothing of their own: cookie-free, any cache may keep them)."""
    seed = request.args.get("seed", type=int)
    if seed is None:
        seed = (zlib.crc32(f"{participant.id}-{participant.consultation_id}".encode())
                if participant is not None else int(time.time() // 3600))
    return seed % 1_000_000


def topic_page(consultation, topic_slug, status=200, vote_error=None, **forms):
    """A topic with its sheet, vote, contributions and comments (forms as filled, if any;
    `vote_error`: why the vote just posted was refused)."""
    from chaton.consultations.forms import CommentForm, ContributionForm

    topic = load_topic(consultation, topic_slug)
    participant = participants.current(consultation)
    order = request.args.get("order", "support")
    order = order if order in service.ORDERS else "support"
    stance = request.args.get("stance") if request.args.get("stance") in (
        "for", "against", "neutral", "proposal") else None
    page = max(1, min(request.args.get("page", 1, type=int), 10_000))
    seed = visitor_seed(participant) if order == "random" else 0
    items = service.listed(topic, order, stance, page, seed, participant)
    return show_page(
        "consultations/topic.html", consultation, status=status, participant=participant,
        topic=topic, items=items, order=order, stance=stance, page=page, seed=seed,
        has_more=len(items) == service.PAGE_SIZE, my_choice=voting.my_choice(participant, topic),
        vote_error=vote_error,
        results=voting.results(topic, choice_labels()),
        supported=service.supported_by(participant, items),
        thread=service.thread(topic, viewer=participant),
        contribution_form=forms.get("contribution_form") or participant_form(
            ContributionForm, participant),
        comment_form=forms.get("comment_form") or participant_form(CommentForm, participant))


@bp.route("/<slug>/topics/<topic>")
def topic(org, slug, topic):
    return topic_page(load_consultation(org, slug), topic)


def contribution_page(consultation, number, status=200, **forms):
    from chaton.consultations.forms import CommentForm, ReportForm

    contribution = load_contribution(consultation, number)
    participant = participants.current(consultation)
    if contribution.status == "pending" and not (
            participant and contribution.participant_id == participant.id):
        abort(404)
    topic = Topic.get_by_id(contribution.topic_id)
    return show_page(
        "consultations/contribution.html", consultation, status=status, participant=participant,
        topic=topic, item=contribution,
        supported=service.supported_by(participant, [contribution]),
        thread=service.thread(topic, contribution, viewer=participant),
        comment_form=forms.get("comment_form") or participant_form(CommentForm, participant),
        report_form=forms.get("report_form") or participant_form(ReportForm, participant))


@bp.route("/<slug>/contributions/<int(max=10000000):number>")
def contribution(org, slug, number):
    return contribution_page(load_consultation(org, slug), number)


@bp.route("/<slug>/comments/<int(max=2000000000):comment_id>")
def comment(org, slug, comment_id):
    """A comment's permalink: its place in the page it belongs to."""
    consultation = load_consultation(org, slug)
    found = Comment.get_or_none((Comment.id == comment_id) & (Comment.consultation == consultation))
    if found is None:
        abort(404)
    if found.contribution_id:
        number = Contribution.get_by_id(found.contribution_id).number
        target = url_for(".contribution", org=org, slug=slug, number=number)
    else:
        target = url_for(".topic", org=org, slug=slug, topic=Topic.get_by_id(found.topic_id).slug)
    return redirect(f"{target}#comment-{comment_id}", code=302)


@bp.route("/<slug>/synthesis")
def synthesis(org, slug):
    """The synthesis and the answer, with the contributions they cite and every result."""
    from chaton.consultations.exports import stance_counts

    consultation = load_consultation(org, slug)
    if consultation.synthesis is None and consultation.answer is None:
        abort(404)
    numbers = cited_numbers((consultation.synthesis or {}).get("html", ""))
    cited = {c.number: c for c in Contribution.select().where(
        (Contribution.consultation == consultation) & Contribution.number.in_(numbers or [0])
        & (Contribution.status != "pending"))}  # not yet moderated: not shown anywhere
    topics = topics_of(consultation)
    return show_page("consultations/synthesis.html", consultation, topics=topics,
                     cited=[cited[n] for n in numbers if n in cited],
                     stances=stance_counts(consultation),
                     topic_results={t.id: voting.results(t, choice_labels()) for t in topics})


@bp.route("/<slug>/moderation")
def moderation_log(org, slug):
    consultation = load_consultation(org, slug)
    return show_page("consultations/moderation.html", consultation,
                     entries=moderation.log(consultation))


@bp.route("/<slug>/dashboard")
def dashboard(org, slug):
    from chaton.consultations.charts import dashboard_charts

    consultation = load_consultation(org, slug)
    topics = topics_of(consultation)
    return show_page("consultations/dashboard.html", consultation, topics=topics,
                     charts=dashboard_charts(consultation, topics, choice_labels()))


@bp.route("/<slug>/feed.<any(atom, rss):fmt>")
def feed(org, slug, fmt):
    from chaton.feeds.views import feed_response

    consultation = load_consultation(org, slug)
    query = Event.select().where((Event.association == org) & (Event.campaign == slug))
    link = url_for(".show", org=org, slug=slug, _external=True)
    return feed_response(fmt, consultation.title, query, link, org=org)


def choice_labels():
    """Translated labels of the fixed choices (options keep their own text)."""
    from flask_babel import gettext as _

    return {"yes": _("Yes"), "no": _("No"), "abstain": _("Abstain")}
