"""ActivityPub endpoints: WebFinger, NodeInfo, actors, inboxes, outboxes, followers, mirrors."""

import logging

from flask import Blueprint, abort, current_app, jsonify, redirect, request, url_for

from chaton import __version__
from chaton.core.events import Event
from chaton.core.security import csrf
from chaton.core.themes import render
from chaton.federation import actors, inbox
from chaton.federation.models import Follower, Mirror
from chaton.orgs.models import Association
from chaton.orgs.views import load_association

log = logging.getLogger(__name__)
bp = Blueprint("federation", __name__)
PAGE_SIZE = 20


@bp.before_request
def federation_enabled():
    if not current_app.config["CHATON"]["federation"]:
        abort(404)


@bp.route("/.well-known/webfinger")
def webfinger():
    resource = request.args.get("resource", "")
    name, _, domain = resource.removeprefix("acct:").lstrip("@").partition("@")
    if not resource.startswith("acct:") or domain != actors.host():
        abort(404)
    if name == actors.host():
        href = actors.actor_id("instance")
    elif Association.by_slug(name) is not None:
        if Association.by_slug(name).disabled:
            abort(410)  # suspended by the hoster
        href = actors.actor_id(name)
    else:
        abort(404)
    document = {"subject": f"acct:{name}@{domain}", "aliases": [href], "links": [
        {"rel": "self", "type": actors.ACTIVITY_JSON, "href": href},
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": href}]}
    response = jsonify(document)
    response.mimetype = "application/jrd+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/.well-known/nodeinfo")
def nodeinfo_links():
    return jsonify({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                               "href": f"{actors.base()}/nodeinfo/2.1"}]})


@bp.route("/nodeinfo/2.1")
def nodeinfo():
    response = jsonify({
        "version": "2.1",
        "software": {"name": "chaton", "version": __version__,
                     "repository": "https://chaton.invalid/source"},
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
    return actors.as_activity_json(actors.instance_actor())


@bp.route("/actor/outbox")
def instance_outbox():
    """The instance actor publishes nothing: it follows and reports on the instance's behalf."""
    return actors.as_activity_json({"@context": actors.AS, "type": "OrderedCollection",
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
def shared_inbox():
    return _receive()


@bp.route("/<org>/inbox", methods=["POST"])
@csrf.exempt
def association_inbox(org):
    load_association(org)
    return _receive()


@bp.route("/<org>/followers")
def followers(org):
    association = load_association(org)
    total = Follower.select().where(Follower.association == association.slug).count()
    return actors.as_activity_json({"@context": actors.AS, "type": "OrderedCollection",
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
            "@context": actors.AS, "id": outbox_id, "type": "OrderedCollection",
            "totalItems": len(published_events(association.slug)),
            "first": f"{outbox_id}?page=1"})
    if not 1 <= page <= 25:  # 500 activities at most, newest first
        abort(404)
    events = published_events(association.slug, limit=page * PAGE_SIZE + 1)
    chunk = events[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    document = {"@context": [actors.AS, {"chaton": actors.NS}],
                "id": f"{outbox_id}?page={page}", "type": "OrderedCollectionPage",
                "partOf": outbox_id,
                "orderedItems": [activity_for(e, p) for e, p in chunk]}
    if len(events) > page * PAGE_SIZE:
        document["next"] = f"{outbox_id}?page={page + 1}"
    return actors.as_activity_json(document)


@bp.route("/<org>/petitions/<slug>/events/<int(max=1000000000):event_id>")
def event_object(org, slug, event_id):
    from chaton.petitions.views import load_petition

    petition = load_petition(org, slug)
    event = Event.get_or_none((Event.id == event_id) & (Event.association == org)
                              & (Event.campaign == slug))
    if event is None:
        abort(404)
    if actors.wants_activity_json():
        return actors.as_activity_json(actors.event_note(event, petition))
    return redirect(url_for("petitions.show", org=org, slug=slug), code=303)


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
    if current_app.config["CHATON"]["federation"] and actors.wants_activity_json():
        return actors.as_activity_json(actors.petition_note(petition))
    return None

