"""ActivityPub endpoints: WebFinger, NodeInfo, actors, inboxes, outboxes, followers, mirrors."""

import logging
from urllib.parse import quote

from flask import Blueprint, abort, current_app, jsonify, redirect, request

from chaton import __version__
from chaton.core.capability import content_kinds, kind_named, kind_of
from chaton.core.events import Event
from chaton.core.security import csrf, rate_limit
from chaton.core.source import source_url
from chaton.core.themes import render
from chaton.federation import actors, inbox
from chaton.federation.models import Follower, Mirror
from chaton.orgs.loading import load_association
from chaton.orgs.models import Association

log = logging.getLogger(__name__)
bp = Blueprint("federation", __name__)
PAGE_SIZE = 20


@bp.app_template_global()
def fediverse_handle(association):
    """`name@host` to follow an association from Mastodon, or None when federation is off."""
    return actors.handle(association) if current_app.config["CHATON"]["federation"] else None


@bp.before_request
def federation_enabled():
    if not current_app.config["CHATON"]["federation"]:
        abort(404)


@bp.route("/.well-known/webfinger")
def webfinger():
    """acct: handles on the instance's host and on each association's own domain, and actor
    addresses; the subject is the canonical handle (on the association's domain when it has
    one, so that Mastodon shows `@association@its.domain`)."""
    resource = request.args.get("resource", "")
    slug = _webfinger_target(resource)
    if slug == "instance":
        name, href = actors.host(), actors.actor_id("instance")
        subject = f"acct:{name}@{actors.host()}"
    else:
        association = Association.by_slug(slug) if slug else None
        if association is None:
            abort(404)
        if association.disabled:
            abort(410)  # suspended by the hoster
        href, subject = actors.actor_id(slug), f"acct:{actors.handle(association)}"
    document = {"subject": subject, "aliases": [href], "links": [
        {"rel": "self", "type": actors.ACTIVITY_JSON, "href": href},
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": href}]}
    response = jsonify(document)
    response.mimetype = "application/jrd+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _webfinger_target(resource):
    """'instance', an association slug, or None, for a WebFinger resource."""
    from chaton.hoster.domains import host_map

    if resource.startswith(("http://", "https://")):
        if resource == actors.actor_id("instance"):
            return "instance"
        prefix = actors.base() + "/"
        rest = resource[len(prefix):].strip("/") if resource.startswith(prefix) else ""
        return rest if rest and "/" not in rest else None
    if not resource.startswith("acct:"):
        return None
    name, _, domain = resource.removeprefix("acct:").lstrip("@").rpartition("@")
    domain = domain.lower()
    if domain == actors.host().lower():
        return "instance" if name == actors.host() else name
    return name if host_map().get(domain) == name else None


@bp.route("/.well-known/nodeinfo")
def nodeinfo_links():
    return jsonify({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                               "href": f"{actors.base()}/nodeinfo/2.1"}]})


@bp.route("/nodeinfo/2.1")
def nodeinfo():
    response = jsonify({
        "version": "2.1",
        "software": {"name": "chaton", "version": __version__,
                     "repository": source_url()},
        "protocols": ["activitypub"], "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": False,
        "usage": {"users": {"total": Association.visible().count()},
                  "localPosts": Event.select().count()},
        "metadata": {"nodeName": current_app.config["CHATON"]["instance_name"]},
    })
    response.mimetype = ('application/json; profile='
                         '"http://nodeinfo.diaspora.software/ns/schema/2.1#"')
    return response


@bp.route("/actor")
def instance_actor():
    return actors.as_activity_json(actors.instance_actor(), public=True)


@bp.route("/actor/outbox")
def instance_outbox():
    """The instance actor publishes nothing: it follows and reports on the instance's behalf."""
    return actors.as_activity_json({"@context": actors.CONTEXT, "type": "OrderedCollection",
                                    "id": f"{actors.base()}/actor/outbox", "totalItems": 0,
                                    "orderedItems": []})


def _read_inbox_body():
    request.max_content_length = current_app.config["CHATON"]["federation_max_body_kb"] * 1024
    return request.get_data(cache=False)


def _receive():
    body = _read_inbox_body()
    try:
        outcome = inbox.receive(request.method, request.url, request.headers, body)
    except inbox.Refused as exc:
        log.info("inbox refused (%s): %s", exc.status, exc)
        response = jsonify({"error": str(exc)})
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, exc.status
    return jsonify({"status": outcome}), 202


@bp.route("/inbox", methods=["POST"])
@csrf.exempt
@rate_limit("federation_inbox_rate_limit")
def shared_inbox():
    return _receive()


@bp.route("/<org>/inbox", methods=["POST"])
@csrf.exempt
@rate_limit("federation_inbox_rate_limit")
def association_inbox(org):
    load_association(org)
    return _receive()


@bp.route("/<org>/followers")
def followers(org):
    association = load_association(org)
    total = Follower.select().where(Follower.association == association.slug).count()
    return actors.as_activity_json({"@context": actors.CONTEXT, "type": "OrderedCollection",
                                    "id": f"{actors.actor_id(org)}followers",
                                    "totalItems": total})


@bp.route("/<org>/outbox")
def outbox(org):
    """The association's published activities, newest first, in pages."""
    from chaton.federation.publish import activity_for, published_events

    association = load_association(org)
    outbox_id = f"{actors.actor_id(org)}outbox"
    page = request.args.get("page", type=int)
    if page is None:  # the collection itself: no items, so no work beyond a count
        return actors.as_activity_json({
            "@context": actors.CONTEXT, "id": outbox_id, "type": "OrderedCollection",
            "totalItems": len(published_events(association.slug)),
            "first": f"{outbox_id}?page=1"})
    if not 1 <= page <= 25:  # 500 activities at most, newest first
        abort(404)
    events = published_events(association.slug, limit=page * PAGE_SIZE + 1)
    chunk = events[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    document = {"@context": actors.CONTEXT,
                "id": f"{outbox_id}?page={page}", "type": "OrderedCollectionPage",
                "partOf": outbox_id,
                "orderedItems": [activity_for(e, p) for e, p in chunk]}
    if len(events) > page * PAGE_SIZE:
        document["next"] = f"{outbox_id}?page={page + 1}"
    return actors.as_activity_json(document)


@bp.record
def event_routes(state):
    """The news Notes of every installed content kind, its name in the path
    (/<org>/petitions/<slug>/events/<id>): known when the blueprint is registered."""
    names = ", ".join(kind.name for kind in content_kinds())
    path = f"/<org>/<any({names}):kind>/<slug>/events/<int(max=1000000000):event_id>"
    state.add_url_rule(path, "event_object", event_object)
    state.add_url_rule(path + "/activity", "event_activity", event_activity)


def event_object(org, kind, slug, event_id):
    """A news Note: ActivityPub JSON for servers, the campaign's page for browsers."""
    event, campaign = _published_event(org, kind, slug, event_id)
    if actors.wants_activity_json():
        return actors.as_activity_json(actors.event_note(event, campaign))
    return redirect(actors.petition_url(campaign), code=303)


def event_activity(org, kind, slug, event_id):
    """The activity an outbox lists (its id), dereferenceable like every id Chaton publishes."""
    from chaton.federation.publish import activity_for

    event, campaign = _published_event(org, kind, slug, event_id)
    activity = activity_for(event, campaign)
    if activity is None:
        abort(404)
    if actors.wants_activity_json():
        return actors.as_activity_json(activity)
    return redirect(actors.petition_url(campaign), code=303)


def _published_event(org, kind, slug, event_id):
    """(event, campaign) when public; a Tombstone (410) when the campaign was removed."""
    from chaton.feeds.entries import SHOWN, visible_events

    load_association(org)
    query = Event.select().where((Event.id == event_id) & (Event.association == org)
                                 & (Event.campaign == slug))
    found = visible_events(query, limit=1, kinds=SHOWN + ("edited",))
    if found and kind_of(found[0][1]).name == kind:
        return found[0]
    tombstone(kind, org, slug)
    abort(404)


def tombstone(kind, org, slug):
    """Abort with a Tombstone (410) when a server asks for a campaign that was removed."""
    response = tombstone_response(kind, org, slug)
    if response is not None:
        abort(response)


def tombstone_response(kind, org, slug):
    """A Tombstone (410) when a server asks for a campaign that was removed, else None."""
    if not actors.wants_activity_json():
        return None
    found = kind_named(kind)  # the kind's own table (a kind without one has no Tombstone)
    model = found.function("model") if found is not None and found.model else None
    if not hasattr(model, "select"):
        return None
    gone = (model.select().join(Association)
            .where((Association.slug == org) & (model.slug == slug) & ~model.present).first())
    if gone is None:
        return None
    url = f"{actors.base()}/{org}/{kind}/{slug}"
    response = actors.as_activity_json({
        "@context": actors.CONTEXT, "id": url + request.path.split(slug, 1)[1],
        "type": "Tombstone", "formerType": "Note", "deleted": gone.indexed_at.isoformat()})
    response.status_code = 410
    return response


@bp.route("/<org>/follow")
def remote_follow(org):
    """Follow from one's own server, without JavaScript: the visitor names their server (or
    their whole handle) and is sent to its page for following a remote account (Mastodon's
    /authorize_interaction, which Akkoma, Pleroma and GoToSocial answer too)."""
    association = load_association(org)
    handle = actors.handle(association)
    typed = request.args.get("server", "")
    server, problem = _server_of(typed) if typed else (None, None)
    if server:
        return redirect(f"https://{server}/authorize_interaction?uri="
                        f"{quote('acct:' + handle, safe='@:')}", code=303)
    body = render("follow.html", association=association, handle=handle, typed=typed,
                  problem=problem)
    return body, 422 if problem else 200


def _server_of(typed):
    """(host name, None), or (None, why) for what a visitor typed: `mastodon.social`,
    `https://mastodon.social/`, `@me@mastodon.social`."""
    from flask_babel import gettext as _

    from chaton.hoster.domains import DomainError, normalize_host

    text = typed.strip().removeprefix("https://").removeprefix("http://").split("/")[0]
    text = text.rpartition("@")[2]
    try:
        return normalize_host(text), None
    except DomainError:
        return None, _("Write the address of your server, such as mastodon.social.")


@bp.route("/mirrors/")
def mirror_list():
    from chaton.federation.mirrors import visible_mirrors

    return render("mirrors.html", mirrors=visible_mirrors())


@bp.route("/mirrors/<int(max=1000000000):mirror_id>")
def mirror(mirror_id):
    found = Mirror.get_or_none((Mirror.id == mirror_id) & (Mirror.deleted == False))  # noqa: E712
    if found is None:
        abort(404)
    return render("mirror.html", mirror=found)


def negotiate_association(association):
    """Serve the association's actor to servers asking for ActivityPub JSON."""
    if current_app.config["CHATON"]["federation"] and actors.wants_activity_json():
        return actors.as_activity_json(actors.association_actor(association))
    return None


def negotiate_petition(petition):
    """The petition's Note for servers; a declared partner's server (a signed GET) also gets
    the secret its signatories are hashed with (dedup.py), in a response no cache keeps."""
    from chaton.federation import partners, signed_fetch

    if not (current_app.config["CHATON"]["federation"] and actors.wants_activity_json()):
        return None
    note = actors.petition_note(petition)
    secret = partners.secret_for(petition, signed_fetch.signer())
    if secret:
        note["chaton:dedupKey"] = secret
    response = actors.as_activity_json(note)
    if secret:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<org>/petitions/<slug>/signatories")
def signatories(org, slug):
    """A co-hosted copy's hashed signatories, in pages, for the origin's servers only."""
    from chaton.federation import cohost, signed_fetch
    from chaton.petitions.loading import load_petition

    petition = load_petition(org, slug)
    hashes = cohost.signatories(petition, signed_fetch.signer())
    if hashes is None:
        abort(404)
    url = f"{actors.petition_url(petition)}/signatories"
    page = request.args.get("page", type=int)
    size = 5000
    if page is None:
        document = {"@context": actors.CONTEXT, "id": url, "type": "OrderedCollection",
                    "totalItems": len(hashes), "first": f"{url}?page=1"}
    elif 1 <= page <= len(hashes) // size + 1:
        document = {"@context": actors.CONTEXT, "id": f"{url}?page={page}", "partOf": url,
                    "type": "OrderedCollectionPage",
                    "orderedItems": hashes[(page - 1) * size: page * size]}
        if page * size < len(hashes):
            document["next"] = f"{url}?page={page + 1}"
    else:
        abort(404)
    response = actors.as_activity_json(document)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def negotiate_consultation(consultation):
    if current_app.config["CHATON"]["federation"] and actors.wants_activity_json():
        return actors.as_activity_json(actors.consultation_note(consultation))
    return None


def removed_campaign(kind, org, slug):
    """Before a campaign page's 404: a Tombstone for servers when it existed and was removed."""
    if current_app.config["CHATON"]["federation"]:
        return tombstone_response(kind, org, slug)
    return None

