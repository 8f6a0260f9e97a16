"""What verified activities do: follows, undos, deletes, mirrors, partner counts.

The inbox has checked that the activity is the actor's, and that what it creates, updates,
deletes or undoes is on the actor's origin; each handler checks that the object is the
actor's own (a mirror of another actor, a follow of another actor: nothing happens), and
remote values go through `objects` before anything is stored. Anything else (Like, Announce,
replies...) is recorded in the inbox log and otherwise ignored: Chaton has no public replies.
"""

import hashlib
import logging

from chaton.core.db import writing
from chaton.federation import objects
from chaton.federation.actors import CONTEXT, actor_id, base
from chaton.federation.models import Follower, Following, RemoteActor
from chaton.federation.origins import id_of
from chaton.orgs.models import Association

log = logging.getLogger(__name__)


def _local_association(uri):
    """The association whose actor id is uri, or None."""
    prefix = base() + "/"
    if not uri.startswith(prefix):
        return None
    slug = uri[len(prefix):].strip("/")
    return Association.by_slug(slug) if slug and "/" not in slug else None


def handle(activity, remote):
    kind = activity.get("type")
    handler = HANDLERS.get(kind)
    if handler is None:
        log.info("inbox: %s from %s recorded, nothing to do", kind, remote.uri)
        return
    try:
        handler(activity, remote)
    except objects.Invalid as exc:
        log.warning("inbox: %s %s from %s changes nothing: %s", kind, activity.get("id"),
                    remote.uri, exc)


def on_follow(activity, remote):
    """Someone follows an association: remember them and accept (signed, via the queue)."""
    from chaton.federation.delivery import enqueue

    association = _local_association(id_of(activity.get("object")))
    if association is None:
        return
    with writing():
        Follower.insert(association=association.slug, actor=remote.uri,
                        inbox=remote.delivery_inbox).on_conflict(
            conflict_target=[Follower.association, Follower.actor],
            update={Follower.inbox: remote.delivery_inbox}).execute()
    me = actor_id(association.slug)
    accept = {"@context": CONTEXT,
              "id": f"{me}#accepts/{hashlib.sha256(activity['id'].encode()).hexdigest()[:20]}",
              "type": "Accept",
              "actor": me, "object": activity}
    enqueue(accept, association.slug, [remote.inbox])


def on_undo(activity, remote):
    inner = activity.get("object")
    if isinstance(inner, dict) and inner.get("type") == "Follow":
        if id_of(inner.get("actor")) != remote.uri:
            return
        association = _local_association(id_of(inner.get("object")))
        if association is not None:
            with writing():
                Follower.delete().where((Follower.association == association.slug)
                                        & (Follower.actor == remote.uri)).execute()


def on_delete(activity, remote):
    """A remote actor deleted (forget them), or one of their campaigns (unmirror it)."""
    from chaton.federation.mirrors import remove_mirror

    target = id_of(activity.get("object"))
    if target == remote.uri:
        with writing():
            Follower.delete().where(Follower.actor == remote.uri).execute()
            Following.delete().where(Following.actor == remote.uri).execute()
            RemoteActor.delete().where(RemoteActor.uri == remote.uri).execute()
        return
    remove_mirror(target, remote)  # only a mirror of this actor's own campaign


def on_accept(activity, remote):
    """Our follow (for mirroring) was accepted: import what they already published, once (the
    Accept that moves the follow from pending does; a second one, even side by side, does not)."""
    from chaton.federation.tasks import backfill

    follow = activity.get("object")
    follow_id = id_of(follow)
    with writing():
        changed = (Following.update(state="accepted")
                   .where((Following.actor == remote.uri) & (Following.follow_id == follow_id)
                          & (Following.state == "pending"))
                   .execute())
    if changed:
        backfill(remote.uri)


def on_create_or_update(activity, remote):
    from chaton.federation.mirrors import store_mirror, store_mirror_news
    from chaton.federation.partners import receive_count_report

    obj = activity.get("object")
    if not isinstance(obj, dict):
        return
    if obj.get("type") == "chaton:SignatureCount":
        receive_count_report(obj, remote)
    elif obj.get("chaton:kind") == "petition":
        store_mirror(obj, remote)
    elif obj.get("chaton:event"):
        store_mirror_news(obj, remote)


HANDLERS = {
    "Follow": on_follow,
    "Undo": on_undo,
    "Delete": on_delete,
    "Accept": on_accept,
    "Create": on_create_or_update,
    "Update": on_create_or_update,
}
