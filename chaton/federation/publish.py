"""Campaign events become activities delivered to the association's followers.

A petition opening is a Create of its Note; news (updates, milestones, threshold, answer)
are Creates of new Notes; edits and status changes are Updates of the petition's Note; a
petition removed is a Delete. One delivery per inbox (shared inboxes collapse followers).
"""

from chaton.core.capability import kind_named
from chaton.core.events import Event, event_handler
from chaton.federation.actors import (
    CONTEXT,
    PUBLIC,
    actor_id,
    event_note,
    has_note,
    petition_note,
    petition_url,
)
from chaton.federation.models import Follower
from chaton.feeds.entries import visible_events
from chaton.orgs.models import Association

NEWS = ("update", "milestone", "threshold", "answer")
REFRESH = ("edited", "closed", "won", "answered")


def activity_for(event, petition):
    """The activity an event calls for, or None."""
    me = actor_id(petition.association.slug)
    if not has_note(petition):  # consultations go out as news notes (no mirror data yet)
        kind, obj = ("Create", event_note(event, petition)) if event.kind != "removed" else (
            "Delete", {"id": petition_url(petition), "type": "Tombstone"})
    elif event.kind == "opened":
        kind, obj = "Create", petition_note(petition)
    elif event.kind in NEWS:
        kind, obj = "Create", event_note(event, petition)
    elif event.kind in REFRESH:
        kind, obj = "Update", petition_note(petition)
    elif event.kind == "removed":
        kind, obj = "Delete", {"id": petition_url(petition), "type": "Tombstone"}
    else:
        return None
    for key in ("@context",):
        obj.pop(key, None)
    return {"@context": CONTEXT,
            "id": f"{petition_url(petition)}/events/{event.id}/activity", "type": kind,
            "actor": me, "published": event.created_at.isoformat(), "to": [PUBLIC],
            "cc": [me + "followers"], "object": obj}


def published_events(association_slug, limit=500):
    """(event, petition) pairs of what the association published, newest first (its outbox)."""
    query = Event.select().where(Event.association == association_slug)
    return visible_events(query, limit=limit, kinds=("opened", *NEWS))


@event_handler("federation.publish")
def on_event(event):
    """Event handler (in the worker): deliver to every follower of the association."""
    from chaton.federation.delivery import enqueue

    inboxes = [f.inbox for f in Follower.select(Follower.inbox).where(
        Follower.association == event.association)]
    if not inboxes or not event.campaign:
        return
    if event.kind == "removed":  # no longer public: look it up directly, in its kind's table
        kind = kind_named(event.campaign_kind or "petitions")  # "": an older server's row
        model = kind.function("model") if kind is not None and kind.model else None
        campaign = None if model is None else (
            model.select().join(Association)
            .where((model.slug == event.campaign) & (Association.slug == event.association))
            .first())
    else:
        found = visible_events(Event.select().where(Event.id == event.id), limit=1,
                               kinds=(event.kind,))
        campaign = found[0][1] if found else None
    if campaign is None:
        return
    activity = activity_for(event, campaign)
    if activity is not None:
        enqueue(activity, event.association, inboxes)

