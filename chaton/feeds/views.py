"""Atom and RSS feeds of campaign events: for the instance, each association, each campaign.

Feeds are functions from a query of events to a document (feedgen). Entry ids are stable
(`tag:` URIs built from the event id), dates are timezone-aware, and responses answer
conditional requests (ETag, Last-Modified, 304).
"""

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from chaton.consultations import feeds as consultation_feeds
from chaton.core.events import Event
from chaton.orgs.models import Association
from chaton.orgs.views import load_association
from chaton.petitions.models import Petition, PetitionUpdate

bp = Blueprint("feeds", __name__)

LIMIT = 50
SHOWN = ("opened", "update", "milestone", "threshold", "answer", "closed", "won", "answered",
         "phase", "synthesis")
MIME = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@bp.route("/feed.<any(atom, rss):fmt>")
def instance_feed(fmt):
    title = current_app.config["CHATON"]["instance_name"]
    return feed_response(fmt, title, Event.select(), url_for("orgs.home", _external=True))


@bp.route("/<org>/feed.<any(atom, rss):fmt>")
def association_feed(org, fmt):
    association = load_association(org)
    query = Event.select().where(Event.association == association.slug)
    link = url_for("orgs.association_page", org=org, _external=True)
    return feed_response(fmt, association.name, query, link)


@bp.route("/<org>/petitions/<slug>/feed.<any(atom, rss):fmt>")
def petition_feed(org, slug, fmt):
    from chaton.petitions.views import load_petition

    petition = load_petition(org, slug)
    query = Event.select().where((Event.association == org) & (Event.campaign == slug))
    link = url_for("petitions.show", org=org, slug=slug, _external=True)
    return feed_response(fmt, petition.title, query, link)


def visible_events(query, limit=LIMIT, kinds=SHOWN):
    """The latest events of public campaigns, each with its petition (drafts stay private)."""
    events = list(query.where(Event.kind.in_(kinds)).order_by(Event.id.desc()).limit(limit * 2))
    keys = {(e.association, e.campaign) for e in events}
    petitions = {}
    if keys:
        rows = (Petition.select(Petition, Association).join(Association)
                .where(Petition.present & (Petition.status != "draft") & ~Petition.archived
                       & Association.is_public()
                       & Petition.slug.in_([k[1] for k in keys])))
        petitions = {(p.association.slug, p.slug): p for p in rows}
        petitions.update(consultation_feeds.campaigns(keys))  # slugs never collide (content check)
    pairs = [(e, petitions[(e.association, e.campaign)]) for e in events
             if (e.association, e.campaign) in petitions][:limit]
    _preload_updates(pairs)
    return pairs


def _preload_updates(pairs):
    """Attach each update event's PetitionUpdate, in one query (not one per feed entry)."""
    wanted = [(e, p) for e, p in pairs if e.kind == "update"
              and getattr(p, "campaign_type", "") != "consultation"]
    if not wanted:
        return
    rows = PetitionUpdate.select().where(PetitionUpdate.petition.in_({p.id for _e, p in wanted})
                                         & PetitionUpdate.slug.in_({e.key for e, _p in wanted}))
    found = {(r.petition_id, r.slug): r for r in rows}
    for event, petition in wanted:
        event.preloaded_update = found.get((petition.id, event.key))


def feed_response(fmt, title, query, link):
    """A feed document, or 304 when the reader already has it."""
    items = visible_events(query)
    latest = items[0][0] if items else None
    response = Response(mimetype=MIME[fmt])
    response.set_etag(f"{fmt}-{latest.id if latest else 0}-{len(items)}-{get_locale()}")
    if latest is not None:
        response.last_modified = latest.created_at
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    if request.if_none_match.contains(response.get_etag()[0]) or _not_modified(latest):
        response.status_code = 304
        return response
    response.set_data(_render(fmt, title, items, link))
    return response


def _not_modified(latest):
    since = request.if_modified_since
    return (since is not None and latest is not None and not request.if_none_match
            and latest.created_at.replace(microsecond=0) <= since)


def _tag(event):
    host = urlsplit(current_app.config["CHATON"]["base_url"]).hostname or "localhost"
    return f"tag:{host},2026:event-{event.id}"


def _render(fmt, title, items, link):
    from feedgen.feed import FeedGenerator  # lxml is heavy: loaded on the first feed request

    fg = FeedGenerator()
    fg.id(link)
    fg.title(title)
    fg.link(href=link, rel="alternate")
    fg.link(href=request.base_url, rel="self")
    fg.description(title)
    fg.language(str(get_locale()))
    fg.generator("Chaton")
    if items:
        fg.updated(items[0][0].created_at)
    for event, petition in items:
        _add_entry(fg.add_entry(order="append"), event, petition)
    return fg.atom_str(pretty=False) if fmt == "atom" else fg.rss_str(pretty=False)


def _add_entry(entry, event, petition):
    if getattr(petition, "campaign_type", "") == "consultation":
        url = consultation_feeds.url_of(event, petition)
    else:
        url = url_for("petitions.show", org=event.association, slug=event.campaign, _external=True)
    title, html = describe(event, petition)
    entry.id(_tag(event))
    entry.guid(_tag(event), permalink=False)
    entry.title(title)
    entry.link(href=url + (f"#update-{event.key}" if event.kind == "update" else ""))
    entry.published(event.created_at)
    entry.updated(event.created_at)
    entry.author(name=petition.association.name)
    if html:
        entry.content(html, type="html")
    entry.summary(petition.summary or petition.title)


def describe(event, petition):
    """The title and HTML body that tell an event (shared by feeds and federation)."""
    if getattr(petition, "campaign_type", "") == "consultation":
        return consultation_feeds.describe(event, petition)
    n = event.data.get("value")
    if event.kind == "opened":
        return _("New petition: %(title)s", title=petition.title), petition.story_html
    if event.kind == "update":
        update = (event.preloaded_update if hasattr(event, "preloaded_update") else
                  PetitionUpdate.get_or_none((PetitionUpdate.petition == petition)
                                             & (PetitionUpdate.slug == event.key)))
        title = update.title if update else event.data.get("title", "")
        return f"{petition.title}: {title}", update.html if update else ""
    if event.kind == "milestone":
        return _("%(title)s: %(n)s signatures reached", title=petition.title, n=n), ""
    if event.kind == "threshold":
        return _("%(title)s: %(n)s signatures, %(target)s is asked to answer",
                 title=petition.title, n=n, target=petition.target.get("name", "")), ""
    if event.kind == "answer":
        answer = petition.answer or {}
        return (_("%(author)s answered: %(title)s", author=answer.get("author", ""),
                  title=petition.title), answer.get("html", ""))
    if event.kind in ("closed", "won", "answered"):
        labels = {"closed": _("Closed"), "won": _("Won"), "answered": _("Answered")}
        return f"{petition.title}: {labels[event.kind]}", ""
    abort(500)
