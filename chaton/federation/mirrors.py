"""Mirrors: campaigns of associations on other instances, followed and shown here.

`chaton federation follow @association@host` sends a Follow from this instance's actor; once
accepted, the remote outbox is imported and later Create/Update/Delete keep the mirror in step.
A mirror is rendered from the Markdown source with this instance's own sanitizer, and links
to its origin as the canonical page. Remote images are not shown (no third-party requests).
"""

import logging
import secrets

from chaton.core.db import utcnow, writing
from chaton.core.markup import render_markdown
from chaton.federation import objects
from chaton.federation.actors import CONTEXT, actor_id
from chaton.federation.fetch import FetchError, get_object
from chaton.federation.keys import INSTANCE
from chaton.federation.models import Following, Mirror
from chaton.federation.origins import id_of
from chaton.federation.remote import fetch_actor, resolve_handle

log = logging.getLogger(__name__)
MAX_PAGES = 5


def follow(handle):
    """Follow a remote association (queued); returns the Following row."""
    from chaton.federation.delivery import enqueue

    uri = resolve_handle(handle)
    remote = fetch_actor(uri)
    me = actor_id(INSTANCE)
    follow_id = f"{me}#follows/{secrets.token_hex(8)}"
    with writing():
        Following.insert(actor=remote.uri, handle=handle, follow_id=follow_id,
                         state="pending").on_conflict(
            conflict_target=[Following.actor],
            update={Following.follow_id: follow_id, Following.state: "pending"}).execute()
    activity = {"@context": CONTEXT, "id": follow_id, "type": "Follow", "actor": me,
                "object": remote.uri}
    enqueue(activity, INSTANCE, [remote.inbox])
    return Following.get(Following.actor == remote.uri)


def _followed(remote):
    return Following.select().where((Following.actor == remote.uri)
                                    & (Following.state == "accepted")).exists()


def _owner_of(object_id):
    found = Mirror.get_or_none(Mirror.object_id == object_id)
    return found.actor if found else None


def store_mirror(obj, remote):
    """Create or refresh the mirror of a remote campaign (only from actors we follow, and only
    the actor's own campaigns: checked by `objects.campaign`).

    Writes to one mirror take turns (`writing("mirror", id)`): its owner is checked and its
    news kept in the transaction that replaces it, so neither a news item stored meanwhile
    nor another actor claiming the same id slips in between."""
    from chaton.federation.cohost import sync_cohosted

    campaign = objects.campaign(obj, remote.uri)
    if _owner_of(campaign["id"]) not in (None, remote.uri):
        raise objects.Invalid(f"{campaign['id']} is mirrored from another actor")
    sync_cohosted(campaign)
    if not _followed(remote):
        return
    fields = {
        "actor": remote.uri, "association_name": campaign["association"],
        "title": campaign["title"], "html": render_markdown(campaign["source"]), "deleted": False,
    }
    with writing("mirror", campaign["id"]):
        if _owner_of(campaign["id"]) not in (None, remote.uri):
            raise objects.Invalid(f"{campaign['id']} is mirrored from another actor")
        fields |= {"data": campaign | {"news": _known_news(campaign["id"])}, "updated_at": utcnow()}
        Mirror.insert(object_id=campaign["id"], **fields).on_conflict(
            conflict_target=[Mirror.object_id], update=fields).execute()


def store_mirror_news(obj, remote):
    """News of a mirrored campaign (update, milestone, answer), newest first, at most 20: the
    mirror's list is read and written back under its key (see store_mirror)."""
    item = objects.news(obj, remote.uri)
    with writing("mirror", item["campaign"]):
        mirror = Mirror.get_or_none((Mirror.object_id == item["campaign"])
                                    & (Mirror.actor == remote.uri))
        if mirror is None:
            return
        news = [n for n in mirror.data.get("news", []) if n["id"] != item["id"]]
        news.insert(0, {"id": item["id"], "html": item["html"], "published": item["published"]})
        data = dict(mirror.data, news=news[:20])
        Mirror.update(data=data, updated_at=utcnow()).where(Mirror.id == mirror.id).execute()


def _known_news(object_id):
    found = Mirror.get_or_none(Mirror.object_id == object_id)
    return found.data.get("news", []) if found else []


def remove_mirror(object_id, remote):
    with writing():
        Mirror.update(deleted=True, updated_at=utcnow()).where(
            (Mirror.object_id == object_id) & (Mirror.actor == remote.uri)).execute()


def import_outbox(actor_uri):
    """Import the campaigns a followed association already published."""
    remote = fetch_actor(actor_uri)
    outbox_url = get_object(actor_uri).get("outbox")
    outbox = get_object(outbox_url) if isinstance(outbox_url, str) else {}
    page_url, pages = id_of(outbox.get("first")), 0
    while page_url and pages < MAX_PAGES:
        page = get_object(page_url)
        items = page.get("orderedItems")
        for item in items if isinstance(items, list) else []:
            obj = item.get("object") if isinstance(item, dict) else None
            if isinstance(obj, dict) and obj.get("chaton:kind") == "petition":
                try:
                    store_mirror(obj, remote)
                except (FetchError, objects.Invalid) as exc:
                    log.warning("backfill of %s: %s", obj.get("id"), exc)
        page_url, pages = id_of(page.get("next")), pages + 1


def visible_mirrors():
    return list(Mirror.select().where(Mirror.deleted == False).order_by(  # noqa: E712
        Mirror.updated_at.desc()))


def home_context(association):
    """For the instance home: how many campaigns of partner instances are mirrored here."""
    return {"mirrors": Mirror.select().where(Mirror.deleted == False).count()}  # noqa: E712
