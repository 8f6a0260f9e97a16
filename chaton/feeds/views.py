"""Atom and RSS feeds of campaign events: for the instance, each association, each campaign.

Feeds are functions from a query of events to a document (feedgen). Entry ids are stable
(`tag:` URIs built from the event id), dates are timezone-aware, and responses answer
conditional requests (ETag, Last-Modified, 304).
"""

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import get_locale

from chaton.core.capability import kind_named
from chaton.core.events import Event
from chaton.feeds.entries import describe, event_date, event_url, visible_events
from chaton.feeds.stylesheet import as_page, with_stylesheet
from chaton.orgs.loading import load_association

bp = Blueprint("feeds", __name__)

MIME = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
DEFAULT_PORTS = {"http": 80, "https": 443}


@bp.route("/feed.<any(atom, rss):fmt>")
def instance_feed(fmt):
    title = current_app.config["CHATON"]["instance_name"]
    return feed_response(fmt, title, Event.select(), url_for("orgs.home", _external=True))


@bp.route("/<org>/feed.<any(atom, rss):fmt>")
def association_feed(org, fmt):
    association = load_association(org)
    query = Event.select().where(Event.association == association.slug)
    link = url_for("orgs.association_page", org=org, _external=True)
    return feed_response(fmt, association.name, query, link, org=org)


@bp.route("/<org>/petitions/<slug>/feed.<any(atom, rss):fmt>")
def petition_feed(org, slug, fmt):
    petition = kind_named("petitions").function("load")(org, slug)
    query = Event.select().where((Event.association == org) & (Event.campaign == slug))
    link = url_for("petitions.show", org=org, slug=slug, _external=True)
    return feed_response(fmt, petition.title, query, link, org=org)


def feed_response(fmt, title, query, link, org=None):
    """A feed document, or 304 when the reader already has it; its stylesheet (for browsers)
    is the association's `org`, else the instance's."""
    items = visible_events(query)
    latest = items[0][0] if items else None
    browser = _from_browser(fmt)
    response = Response(mimetype="text/html" if browser else MIME[fmt])
    response.vary.add("Accept")
    response.set_etag(f"{fmt}-{latest.id if latest else 0}-{len(items)}-{get_locale()}"
                      + ("-page" if browser else ""))
    if latest is not None:
        response.last_modified = latest.created_at
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    if request.if_none_match.contains(response.get_etag()[0]) or _not_modified(latest):
        response.status_code = 304
        return response
    document = with_stylesheet(_render(fmt, title, items, link), org)
    response.set_data(as_page(document, org) if browser else document)
    return response


def _from_browser(fmt):
    """Whether a browser opens the feed (it asks for HTML first; a feed reader asks for a feed,
    or for anything): browsers show an Atom or RSS type as raw text, and are dropping XSLT
    (Chromium warns it is being removed), so they get the stylesheet's page, made here."""
    return request.accept_mimetypes.best_match([MIME[fmt], "text/html"]) == "text/html"


def _not_modified(latest):
    since = request.if_modified_since
    return (since is not None and latest is not None and not request.if_none_match
            and latest.created_at.replace(microsecond=0) <= since)


def _tag(event):
    """tag:<host>,2026:event-<n>; on a port other than the scheme's own, the port is part of
    the name (a tag URI's authority is a bare host): two instances on one host never share ids,
    and those of an instance on the default port stay what they always were."""
    url = urlsplit(current_app.config["CHATON"]["base_url"])
    host = url.hostname or "localhost"
    port = url.port if url.port not in (None, DEFAULT_PORTS.get(url.scheme)) else None
    return f"tag:{host},2026:{port}/event-{event.id}" if port else f"tag:{host},2026:event-{event.id}"


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
    title, html = describe(event, petition)
    entry.id(_tag(event))
    entry.guid(_tag(event), permalink=False)
    entry.title(title)
    entry.link(href=event_url(event, petition))
    entry.published(event_date(event, petition))
    entry.updated(event_date(event, petition))
    entry.author(name=petition.association.name)
    if html:
        entry.content(html, type="html")
    entry.summary(getattr(petition, "summary", "") or petition.title)
