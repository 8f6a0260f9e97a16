"""Local ActivityPub documents: actors, campaign notes, outbox and followers collections.

Actors: the instance (`/actor`, used to sign fetches and to follow other instances) and one
per association, whose id is the association page itself (`/<org>/`), served as JSON to
servers that ask for `application/activity+json` (content negotiation, `Vary: Accept`).
Campaigns are published by their association as `Note` objects whose id is the petition page.
"""

from urllib.parse import urlsplit

from flask import current_app, request
from markupsafe import escape

from chaton.core.capability import kind_of
from chaton.federation.keys import INSTANCE, key_pair

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = AS + "#Public"
NS = "urn:chaton:ns#"
# every term Chaton writes is defined here, so that JSON-LD processors keep them: the
# ActivityStreams and security vocabularies, the extensions Mastodon reads, and chaton:*
CONTEXT = [AS, "https://w3id.org/security/v1", {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "chaton": NS,
}]
ACTIVITY_JSON = "application/activity+json"
LD_JSON = "application/ld+json"


def base():
    return current_app.config["CHATON"]["base_url"]


def host():
    return urlsplit(base()).netloc


def handle(association):
    """The association's canonical handle (without '@' in front): on its own domain when it
    has one (its first), else on the instance's host."""
    from chaton.hoster.models import AssociationDomain

    domain = (AssociationDomain.select(AssociationDomain.host)
              .where(AssociationDomain.association == association.id)
              .order_by(AssociationDomain.id).scalar())
    return f"{association.slug}@{domain or host()}"


def actor_id(owner):
    """The id of a local actor: the instance or an association."""
    return f"{base()}/actor" if owner == INSTANCE else f"{base()}/{owner}/"


def wants_activity_json():
    """True when the client prefers ActivityPub JSON over HTML."""
    best = request.accept_mimetypes.best_match(["text/html", ACTIVITY_JSON, LD_JSON])
    return best in (ACTIVITY_JSON, LD_JSON)


def as_activity_json(document, public=False):
    """A JSON response for servers (negotiated: it varies on Accept). Unless `public` (the
    instance actor, which others need to verify our own fetches), secure mode refuses it to
    requests no server signed (signed_fetch)."""
    from chaton.federation import signed_fetch

    if not public:
        signed_fetch.require()
    response = current_app.response_class(
        current_app.json.dumps(document), mimetype=ACTIVITY_JSON)
    response.vary.add("Accept")
    return response


def _public_key(owner):
    key = key_pair(owner)
    return {"id": actor_id(owner) + "#main-key", "owner": actor_id(owner),
            "publicKeyPem": key.public_pem}


def instance_actor():
    me = actor_id(INSTANCE)
    return {
        "@context": CONTEXT, "id": me, "type": "Application", "preferredUsername": host(),
        "name": current_app.config["CHATON"]["instance_name"],
        "inbox": f"{base()}/inbox", "outbox": f"{base()}/actor/outbox",
        "url": base() + "/", "manuallyApprovesFollowers": True,
        "endpoints": {"sharedInbox": f"{base()}/inbox"}, "publicKey": _public_key(INSTANCE),
    }


def association_actor(association):
    me = actor_id(association.slug)
    document = {
        "@context": CONTEXT, "id": me, "type": "Group", "preferredUsername": association.slug,
        "name": association.name, "summary": association.description_html,
        "url": me, "inbox": f"{me}inbox", "outbox": f"{me}outbox",
        "followers": f"{me}followers", "manuallyApprovesFollowers": False,
        "discoverable": True, "endpoints": {"sharedInbox": f"{base()}/inbox"},
        "publicKey": _public_key(association.slug),
    }
    document.update(_pictures(association))
    website = association.contact.get("website")
    if website:  # a profile field, shown (and verified with rel="me") by Mastodon
        link = escape(website)
        label = "Site web" if association.language == "fr" else "Website"
        document["attachment"] = [{"type": "PropertyValue", "name": label,
                                   "value": f'<a href="{link}" rel="me nofollow noopener">'
                                            f"{link}</a>"}]
    return document


def _pictures(association):
    """The actor's icon (its logo) and header (its banner, else the picture of its newest open
    petition), as PNG or JPEG: Mastodon shows no SVG."""
    from chaton.orgs.renditions import shareable_url
    from chaton.petitions.models import Petition

    found = {}
    icon = shareable_url(association.slug, association.logo)
    if icon:
        found["icon"] = {"type": "Image", "mediaType": _image_type(icon), "url": icon}
    banner = association.meta.get("banner")
    if not banner:
        newest = (Petition.select(Petition.meta).where(
            (Petition.association == association.id) & Petition.present
            & (Petition.status == "open") & ~Petition.archived)
            .order_by(Petition.id.desc()).limit(20))
        banner = next((p.meta["image"] for p in newest if p.meta.get("image")), None)
    header = shareable_url(association.slug, banner)
    if header:
        found["image"] = {"type": "Image", "mediaType": _image_type(header), "url": header}
    return found


def petition_url(campaign):
    """The page (and object id) of a campaign of any kind: /<association>/<kind>/<slug>."""
    return f"{base()}/{campaign.association.slug}/{kind_of(campaign).name}/{campaign.slug}"


def has_note(campaign):
    """Whether the campaign itself is an ActivityPub Note that events create and update
    (petitions, which partners mirror and co-host); other kinds' events go out as news."""
    return kind_of(campaign).name == "petitions"


def petition_note(petition):
    """A petition as a Note that Mastodon shows well, plus what a mirror needs (chaton:*)."""
    from chaton.orgs.renditions import shareable_url

    url = petition_url(petition)
    association = petition.association
    target = petition.target.get("name", "")
    content = (f"<p><strong>{escape(petition.title)}</strong></p>"
               + (f"<p>{escape(petition.summary)}</p>" if petition.summary else "")
               + f"<p>{escape(target)} : {escape(petition.meta.get('demand', ''))}</p>"
               + f'<p><a href="{url}">{url}</a></p>')
    note = {
        "@context": CONTEXT, "id": url, "type": "Note", "url": url,
        "attributedTo": actor_id(association.slug), "content": content,
        "published": petition.indexed_at.isoformat(), "to": [PUBLIC],
        "cc": [actor_id(association.slug) + "followers"],
        "chaton:kind": "petition", "chaton:title": petition.title,
        "chaton:summary": petition.summary, "chaton:target": target,
        "chaton:demand": petition.meta.get("demand", ""), "chaton:goal": petition.goal,
        "chaton:count": petition.total_count, "chaton:status": petition.status,
        "chaton:deadline": petition.closes_on.isoformat() if petition.closes_on else None,
        "chaton:source": petition.meta.get("story", ""), "chaton:association": association.name,
        "chaton:language": petition.language or association.language,
        "chaton:partners": petition.meta.get("partners") or [],
        "chaton:askPostalCode": bool(petition.meta.get("ask_postal_code")),
    }
    if petition.meta.get("partners"):
        from chaton.federation.partners import partner_counts

        note["chaton:partnerCounts"], _removed = partner_counts(petition)
        note["chaton:partnerDuplicates"] = partner_counts(petition, duplicates=True)
    image = shareable_url(association.slug, petition.meta.get("image"))
    if image:  # as PNG or JPEG, with its description for people who do not see it
        note["attachment"] = [{"type": "Document", "mediaType": _image_type(image),
                               "url": image, "name": petition.meta.get("image_alt") or ""}]
    return note


def consultation_note(consultation):
    """A consultation as a Note: its title, summary and question, and a link to take part."""
    url = petition_url(consultation)
    association = consultation.association
    content = (f"<p><strong>{escape(consultation.title)}</strong></p>"
               + (f"<p>{escape(consultation.summary)}</p>" if consultation.summary else "")
               + (f"<p>{escape(consultation.question)}</p>" if consultation.question else "")
               + f'<p><a href="{url}">{url}</a></p>')
    return {
        "@context": CONTEXT, "id": url, "type": "Note", "url": url,
        "attributedTo": actor_id(association.slug), "content": content,
        "published": consultation.indexed_at.isoformat(), "to": [PUBLIC],
        "cc": [actor_id(association.slug) + "followers"], "chaton:kind": "consultation",
        "chaton:title": consultation.title, "chaton:summary": consultation.summary,
        "chaton:language": consultation.language or association.language,
    }


def _image_type(url):
    """The media type of a shareable picture: a JPEG, else a PNG (renditions are PNG)."""
    return "image/jpeg" if url.lower().endswith((".jpg", ".jpeg")) else "image/png"


def event_note(event, petition):
    """A news Note for an event (update, milestone, answer...) of a petition."""
    from chaton.feeds.entries import describe

    title, html = describe(event, petition)
    url = petition_url(petition)
    return {
        "@context": CONTEXT, "id": f"{url}/events/{event.id}", "type": "Note",
        "url": url + (f"#update-{event.key}" if event.kind == "update" else ""),
        "attributedTo": actor_id(petition.association.slug),
        "content": f"<p><strong>{escape(title)}</strong></p>{html}"
                   f'<p><a href="{url}">{url}</a></p>',
        "published": event.created_at.isoformat(), "to": [PUBLIC],
        "cc": [actor_id(petition.association.slug) + "followers"],
        "inReplyTo": None, "chaton:event": event.kind, "chaton:campaign": url,
    }
