"""Campaign events: one record feeds the page, the feeds, federation and the mails.

Capabilities declare what they do with events (`@event_handler("petitions.news")`). The worker
runs each pair (event, handler) as a task of its own (`core/tasks.py`): a handler that fails is
retried alone, and the others, done already, are not run again (news queued twice, an activity
delivered twice). The name is what the queue stores: renaming a handler orphans the work
queued under its old name.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

import peewee

from chaton.core.db import BaseModel, JSONField, UTCDateTimeField, database, utcnow

log = logging.getLogger(__name__)

# name -> function(event), called by the worker for each new event
HANDLERS = {}
# true while events are recorded as settled: known, shown, handed to no handler
_settled = ContextVar("settled_events", default=False)


def event_handler(name):
    """Declare a handler of campaign events under a stable name."""
    def decorator(fn):
        assert HANDLERS.get(name, fn) is fn, f"two event handlers named {name!r}"
        HANDLERS[name] = fn
        return fn

    return decorator


class Event(BaseModel):
    association = peewee.CharField(max_length=64)
    campaign = peewee.CharField(max_length=100, default="")
    # the campaign's content kind ("petitions", "consultations"), declared when recorded; ""
    # only for rows a server of an older release wrote during an upgrade
    campaign_kind = peewee.CharField(max_length=32, default="")
    kind = peewee.CharField(max_length=32)  # opened, update, milestone, threshold, answer, closed
    key = peewee.CharField(max_length=200)  # what makes the event unique within its campaign
    data = JSONField(default=dict)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "event"
        indexes = (
            (("association", "campaign", "kind", "key"), True),
            (("association", "created_at"), False),
        )


def already_recorded(association, campaign, kind, key):
    """Whether this event was recorded (a publication that would record it again tells
    nobody anything new: a corrected text is not mailed twice)."""
    return Event.select().where(
        (Event.association == association) & (Event.campaign == campaign)
        & (Event.kind == kind) & (Event.key == str(key))).exists()


def record_event(association, campaign, kind, key, *, campaign_kind, **data):
    """Record an event once (by its key); return it when new, None when already known.

    `campaign_kind` is the content kind of the campaign ("petitions"), so that readers never
    guess it. Once the transaction commits, the worker hands the event to every handler (mails
    to followers, and later feeds and federation)."""
    query = Event.insert(
        association=association, campaign=campaign, campaign_kind=campaign_kind, kind=kind,
        key=str(key), data=data
    ).on_conflict_ignore()
    if database.execute(query).rowcount != 1:  # rowcount, not lastrowid: the latter lingers
        return None
    event = Event.get_or_none(
        (Event.association == association) & (Event.campaign == campaign)
        & (Event.kind == kind) & (Event.key == str(key))
    )
    if event is not None and not _settled.get():
        from chaton.core.tasks import handle_event

        database.after_commit(lambda: handle_event(event.id))
    return event


@contextmanager
def settled():
    """Record events as things of the past: they are known (a milestone is not recorded again)
    and shown in the feeds, but no handler runs (no mail, no post). For example data that
    describes a campaign's history, such as the demo's signatures: its milestones were never
    news to anyone."""
    token = _settled.set(True)
    try:
        yield
    finally:
        _settled.reset(token)


def run_handler(event_id, name):
    """Run one handler on an event (inside the worker, as a task of its own)."""
    handler = HANDLERS.get(name)
    if handler is None:
        log.warning("no event handler named %r (event %s): skipped", name, event_id)
        return
    event = Event.get_or_none(Event.id == event_id)
    if event is not None:
        handler(event)
