"""The entries of the feeds, also what federation posts: the latest events of public campaigns
with their campaign, and how each reads. Each installed content kind finds its own public
campaigns and describes its own events (core/capability.py `ContentKind`): this module names
none. A public module of the feeds capability: federation uses it without the feed views."""

from datetime import UTC, datetime, time

from flask import url_for

from chaton.core.capability import content_kinds, kind_of
from chaton.core.events import Event

LIMIT = 50
SHOWN = ("opened", "update", "milestone", "threshold", "answer", "closed", "won", "answered",
         "handover", "phase", "synthesis")


def visible_events(query, limit=LIMIT, kinds=SHOWN):
    """The latest events of public campaigns, each with its campaign (drafts stay private)."""
    events = list(query.where(Event.kind.in_(kinds)).order_by(Event.id.desc()).limit(limit * 2))
    found, fed = {}, [kind for kind in content_kinds() if kind.campaigns]
    for kind in fed:  # each kind is asked for its own campaigns ("": an older server's row)
        keys = {(e.association, e.campaign) for e in events if e.campaign_kind in (kind.name, "")}
        found.update(kind.function("campaigns")(keys) if keys else {})
    pairs = [(e, found[(e.association, e.campaign)]) for e in events
             if (e.association, e.campaign) in found][:limit]
    for kind in fed:
        if kind.prepare:
            kind.function("prepare")([(e, c) for e, c in pairs if kind_of(c) is kind])
    return pairs


def describe(event, campaign):
    """The title and HTML body that tell an event (shared by feeds and federation)."""
    return kind_of(campaign).function("describe")(event, campaign)


def event_date(event, campaign):
    """When an event happened: when it was recorded, unless its campaign's kind knows an
    earlier day of its own (an update written on its date and indexed later, by an install or
    an upgrade): then that day, at noon UTC."""
    kind = kind_of(campaign)
    day = kind.function("event_day")(event, campaign) if kind.event_day else None
    if day is None or day >= event.created_at.date():
        return event.created_at
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def event_url(event, campaign):
    """The page an event points to."""
    kind = kind_of(campaign)
    if kind.event_url:
        return kind.function("event_url")(event, campaign)
    page = url_for("orgs.association_page", org=event.association, _external=True)
    return f"{page}{kind.name}/{event.campaign}"
