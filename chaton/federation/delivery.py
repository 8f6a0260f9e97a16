"""Durable delivery: one row per activity and inbox, retried with backoff until it lands.

Retries back off exponentially with jitter (or as `Retry-After` says); a 410 removes the
follower; other 4xx are permanent; a host failing again and again is paused for a while.
`chaton federation status` shows all of it.
"""

import logging
import random
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from flask import current_app

from chaton.core.db import database, utcnow, writing
from chaton.federation.fetch import FetchError, post_activity
from chaton.federation.models import Delivery, Follower, RemoteHost

log = logging.getLogger(__name__)
PAUSE_AFTER = 8  # consecutive failures of a host
PAUSE_FOR = timedelta(hours=1)


def enqueue(activity, sender, inboxes):
    """Queue an activity for each distinct inbox; delivery starts once the transaction commits."""
    from chaton.federation.tasks import deliver

    ids = []
    with writing():
        for inbox in dict.fromkeys(i for i in inboxes if i):
            row = Delivery.create(activity=activity, sender=sender, inbox=inbox,
                                  host=urlsplit(inbox).netloc)
            ids.append(row.id)
        database.after_commit(lambda: [deliver(i) for i in ids])
    return ids


def backoff(tries, retry_after=None):
    """Seconds before the next try: Retry-After when given, else 30 s * 2^tries, +-25 %."""
    if retry_after:
        seconds = _parse_retry_after(retry_after)
        if seconds is not None:
            return min(max(seconds, 1), 86400)
    base = min(30 * 2 ** tries, 6 * 3600)
    return base * random.uniform(0.75, 1.25)


def _parse_retry_after(value):
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return (parsedate_to_datetime(value) - utcnow()).total_seconds()
    except (TypeError, ValueError):
        return None


def attempt(delivery_id):
    """Try one delivery now; returns the delay before the next try, or None when finished.

    Two attempts of one delivery may run side by side (its task and the sweep of overdue ones):
    the receiver ignores an activity it already has, and what is written back applies to a
    delivery still pending only, its tries counted in place."""
    row = Delivery.get_or_none(Delivery.id == delivery_id)
    if row is None or row.status != "pending":
        return None
    host = RemoteHost.get_or_none(RemoteHost.host == row.host)
    now = utcnow()
    if host and host.paused_until and host.paused_until > now:
        return _later(row, (host.paused_until - now).total_seconds(), "host paused", None)
    try:
        status = post_activity(row.inbox, row.activity, row.sender)
    except FetchError as exc:
        return _failed(row, exc)
    with writing():
        Delivery.update(status="done", tries=Delivery.tries + 1, last_status=status,
                        last_error="").where(_pending(row)).execute()
        RemoteHost.insert(host=row.host, failures=0).on_conflict(
            conflict_target=[RemoteHost.host],
            update={RemoteHost.failures: 0, RemoteHost.paused_until: None}).execute()
    return None


def _failed(row, exc):
    if exc.status == 410:  # gone: forget whoever used this inbox
        with writing():
            Follower.delete().where(Follower.inbox == row.inbox).execute()
        return _drop(row, exc)
    if not exc.temporary:  # refused by policy, or a 4xx that another try will not change
        return _drop(row, exc)
    _count_host_failure(row.host, str(exc))
    if row.tries + 1 >= current_app.config["CHATON"]["federation_max_tries"]:
        return _drop(row, exc)
    return _later(row, backoff(row.tries, exc.retry_after), str(exc), exc.status, tried=True)


def _pending(row):
    return (Delivery.id == row.id) & (Delivery.status == "pending")


def _drop(row, exc):
    log.warning("delivery %s to %s dropped: %s", row.id, row.inbox, exc)
    with writing():
        Delivery.update(status="dropped", tries=Delivery.tries + 1, last_status=exc.status,
                        last_error=str(exc)[:500]).where(_pending(row)).execute()
    return None


def _later(row, delay, error, status, tried=False):
    with writing():
        Delivery.update(next_try_at=utcnow() + timedelta(seconds=delay), last_error=error[:500],
                        last_status=status, tries=Delivery.tries + (1 if tried else 0)) \
            .where(_pending(row)).execute()
    return delay


def _count_host_failure(host, error):
    """One more failure of a host, counted in place; the failure that reaches PAUSE_AFTER while
    the host is not paused pauses it (one of several worker threads failing together)."""
    now = utcnow()
    with writing():
        RemoteHost.insert(host=host, failures=1, last_error=error[:500]).on_conflict(
            conflict_target=[RemoteHost.host],
            update={RemoteHost.failures: RemoteHost.failures + 1,
                    RemoteHost.last_error: error[:500]}).execute()
        paused = RemoteHost.update(paused_until=now + PAUSE_FOR).where(
            (RemoteHost.host == host) & (RemoteHost.failures >= PAUSE_AFTER)
            & (RemoteHost.paused_until.is_null() | (RemoteHost.paused_until <= now))).execute()
        if paused:
            failures = RemoteHost.get(RemoteHost.host == host).failures
            log.warning("federation: %s paused after %d failures", host, failures)


def overdue(grace=timedelta(minutes=2)):
    """Pending deliveries whose try is overdue (a lost task, a restart): the sweep retries them."""
    return [d.id for d in Delivery.select(Delivery.id).where(
        (Delivery.status == "pending") & (Delivery.next_try_at < utcnow() - grace)).limit(500)]
