"""The entries of the feeds, also what federation posts: the latest events of public campaigns
with their campaign, and how each reads (each campaign kind describes its own events). A public
module of the feeds capability: federation uses it without importing the feed views."""

from chaton.consultations import feeds as consultation_feeds
from chaton.core.events import Event
from chaton.orgs.models import Association
from chaton.petitions import feeds as petition_feeds
from chaton.petitions.models import Petition, PetitionUpdate

LIMIT = 50
SHOWN = ("opened", "update", "milestone", "threshold", "answer", "closed", "won", "answered",
         "phase", "synthesis")


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


def describe(event, campaign):
    """The title and HTML body that tell an event (shared by feeds and federation)."""
    if getattr(campaign, "campaign_type", "") == "consultation":
        return consultation_feeds.describe(event, campaign)
    return petition_feeds.describe(event, campaign)
