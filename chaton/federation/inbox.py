"""Inbox: check at the door, verify, deduplicate among verified activities, then act.

In this order, each step refusing with a 4xx and leaving no trace:

1. the body is a JSON object of bounded size and depth, with an `id` and an `actor` that are
   http(s) addresses, the `id` on the actor's origin (and, for Create, Update, Delete and Undo,
   the object too: a server speaks only for its own objects);
2. the request was sent to this server (the signed host is ours), its HTTP signature covers
   what makes it mean something, its date or `created` is within `federation_date_window` and
   it has not expired, its body matches its digest, and its key id is an address on the
   actor's origin;
3. with the key known: the signature is verified, the key must belong to the actor, and only
   then is the activity id recorded (a replay is a no-op) and handed to the worker;
4. with the key unknown: the request waits, trusted for nothing, in `fed_inbox_waiting` (at
   most MAX_WAITING_PER_HOST per host), and the worker's federation queue fetches the key from
   its owner, then goes back to step 3. A host whose keys cannot be fetched is answered 503
   for a while instead of costing another fetch per request.

Nothing here contacts another server: that is the worker's job.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.datastructures import Headers

from chaton.core.db import database, utcnow, writing
from chaton.federation import handlers
from chaton.federation.fetch import FetchError, parse_document
from chaton.federation.httpsig import SignatureError, parse_incoming
from chaton.federation.models import InboxActivity, InboxWaiting, RemoteActor, RemoteHost
from chaton.federation.origins import BadAddress, address_on, id_of, netloc, origin, web_address

log = logging.getLogger(__name__)
MAX_WAITING_PER_HOST = 50  # requests waiting for a key of one host
REFETCH_AFTER = timedelta(minutes=10)  # a cached key that fails may have been rotated
FETCH_BACKOFF = timedelta(minutes=5)  # after a host failed to give a key
GIVE_UP_AFTER = timedelta(minutes=30)  # a request whose key could not be had by then
OWNED = ("Create", "Update", "Delete", "Undo")  # activities about the actor's own objects


class Refused(Exception):
    """The activity is refused; the message says why (sent back with a 4xx or 503)."""

    def __init__(self, message, status=401, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def receive(method, url, headers, body):
    """Handle a POST to an inbox: 'accepted', 'duplicate' or 'waiting' (key fetched later)."""
    activity = _activity(body)
    _check_sent_here(url, headers)
    window = current_app.config["CHATON"]["federation_date_window"]
    try:
        signature = parse_incoming(method, url, headers, body, window)
    except SignatureError as exc:
        raise Refused(str(exc)) from None
    actor = activity["actor"]
    try:
        address_on(signature.key_id, actor, "key id")
    except BadAddress as exc:
        raise Refused(str(exc)) from None
    remote = RemoteActor.get_or_none(RemoteActor.key_id == signature.key_id)
    if remote is not None:
        try:
            signature.verify(remote.public_pem)
        except SignatureError as exc:
            if utcnow() - remote.fetched_at < REFETCH_AFTER:
                raise Refused(str(exc)) from None
            remote = None  # perhaps a new key under the same id: fetch it again, then verify
    if remote is None:
        _wait_for_key(activity, method, url, headers, body, signature.key_id)
        return "waiting"
    if remote.uri != actor:
        raise Refused("the signing key does not belong to the activity's actor")
    return "accepted" if _record_verified(activity) else "duplicate"


def _check_sent_here(url, headers):
    """A request signed for another server (its Host, RFC 9421's @authority) is not ours to
    act on: a server that received it could otherwise replay it here."""
    from chaton.federation.actors import base
    from chaton.hoster.domains import host_map

    scheme = origin(base())[0]
    ours = {origin(base())} | {origin(f"{scheme}://{host}") for host in host_map()}
    for host in (urlsplit(url).netloc, headers.get("Host", "")):
        if host and origin(f"{scheme}://{host}") not in ours:
            raise Refused(f"this request was signed for {host}, not for this server")


def _activity(body):
    """The activity, checked for what needs no key (see step 1); Refused (400) otherwise."""
    try:
        activity = parse_document(body)
    except ValueError as exc:
        raise Refused(f"the body is not a usable JSON document: {exc}", 400) from None
    if not isinstance(activity, dict):
        raise Refused("an activity is a JSON object", 400)
    try:
        actor = web_address(id_of(activity.get("actor")), "actor")
        address_on(activity.get("id"), actor, "activity id")
        if activity.get("type") in OWNED:
            address_on(id_of(activity.get("object")), actor, "object id")
    except BadAddress as exc:
        raise Refused(str(exc), 400) from None
    inner = activity.get("object")
    if activity.get("type") == "Undo" and isinstance(inner, dict) and id_of(inner.get("actor")) \
            not in ("", actor):
        raise Refused("an actor can only undo its own activities", 400)
    activity["actor"] = actor  # an embedded actor object stands for its id, nothing more
    return activity


def _record_verified(activity):
    """Reserve the activity's id (verified activities only) and queue it; False if known."""
    with writing():
        query = InboxActivity.insert(
            activity_id=activity["id"], actor=activity["actor"],
            type=str(activity.get("type", ""))[:64], status="verified",
            request={"activity": activity}, received_at=utcnow()).on_conflict_ignore()
        if database.execute(query).rowcount != 1:
            return False
        database.after_commit(lambda: _handle_later(activity["id"]))
    return True


def _handle_later(activity_id):
    """What an activity does (files, mirrors, deliveries) is the worker's job, not the request's."""
    from chaton.federation.tasks import handle_verified

    handle_verified(activity_id)


def handle_verified(activity_id):
    """In the worker: act on a verified activity, once: two tasks of one activity (a retry, a
    second worker thread) may run side by side, only the one that marks it done acts."""
    row = InboxActivity.get_or_none(InboxActivity.activity_id == activity_id)
    if row is None or row.status != "verified":
        return
    activity = row.request["activity"]
    remote = RemoteActor.get_or_none(RemoteActor.uri == activity["actor"])
    with writing():
        taken = InboxActivity.update(status="done", request=None).where(
            (InboxActivity.id == row.id) & (InboxActivity.status == "verified")).execute()
    if not taken:
        return
    if remote is not None:
        try:
            handlers.handle(activity, remote)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a malformed object
            log.warning("activity %s not handled: %s", activity_id, exc)


def _wait_for_key(activity, method, url, headers, body, key_id):
    """Keep the request (trusted for nothing) until the worker has fetched its key."""
    from chaton.federation.tasks import fetch_key

    host = netloc(key_id)
    failing = RemoteHost.get_or_none(RemoteHost.host == host)
    now = utcnow()
    if failing and failing.fetch_failed_until and failing.fetch_failed_until > now:
        seconds = int((failing.fetch_failed_until - now).total_seconds()) + 1
        raise Refused(f"keys of {host} cannot be fetched for now: try again later", 503, seconds)
    waiting = InboxWaiting.select().where((InboxWaiting.host == host)
                                          & (InboxWaiting.status == "waiting"))
    if waiting.count() >= MAX_WAITING_PER_HOST:
        raise Refused(f"too many requests of {host} wait for a key: try again later", 429, 60)
    request = {"method": method, "url": url, "headers": list(headers.items()),
               "body": body.decode("utf-8")}
    with writing():
        InboxWaiting.create(activity_id=activity["id"], actor=activity["actor"], key_id=key_id,
                            host=host, request=request)
        database.after_commit(lambda: fetch_key(key_id))


def process_waiting(key_id):
    """In the worker: fetch a key from its owner, then verify every request waiting for it.
    Returns the seconds after which to try again (the host failed for now), or None."""
    from chaton.federation.remote import fetch_actor_for_key

    rows = list(InboxWaiting.select().where((InboxWaiting.key_id == key_id)
                                            & (InboxWaiting.status == "waiting")))
    if not rows:
        return None  # another task already did the work
    remote = RemoteActor.get_or_none(RemoteActor.key_id == key_id)
    if remote is None or utcnow() - remote.fetched_at > timedelta(minutes=1):
        host = rows[0].host
        if host_failing(host):  # one fetch per host and back-off period, not one per request
            return _later_or_reject(rows, f"keys of {host} could not be fetched lately")
        try:
            remote = fetch_actor_for_key(key_id)
        except FetchError as exc:
            if not exc.temporary:
                return _reject(rows, exc)
            _host_failed(host, exc)
            return _later_or_reject(rows, exc)
    for row in rows:
        _verify_waiting(row, remote)
    return None


def _verify_waiting(row, remote):
    req = row.request
    body = req["body"].encode("utf-8")
    try:
        window = 10 ** 9  # the dates were checked on arrival
        signature = parse_incoming(req["method"], req["url"], Headers(req["headers"]), body, window)
        signature.verify(remote.public_pem)
        if remote.uri != row.actor:
            raise SignatureError("the signing key does not belong to the activity's actor")
    except SignatureError as exc:
        return _reject([row], exc)
    with writing():  # two workers may verify the same request: the one that removes it goes on
        taken = InboxWaiting.delete().where((InboxWaiting.id == row.id)
                                            & (InboxWaiting.status == "waiting")).execute()
    if taken:
        _record_verified(_activity(body))
    return None


def host_failing(host):
    row = RemoteHost.get_or_none(RemoteHost.host == host)
    return bool(row and row.fetch_failed_until and row.fetch_failed_until > utcnow())


def _host_failed(host, exc):
    """Requests needing a key of this host are answered 503 for a while (no fetch each)."""
    with writing():
        until = utcnow() + FETCH_BACKOFF
        RemoteHost.insert(host=host, fetch_failed_until=until, last_error=str(exc)[:500]) \
            .on_conflict(conflict_target=[RemoteHost.host],
                         update={RemoteHost.fetch_failed_until: until,
                                 RemoteHost.last_error: str(exc)[:500]}).execute()


def _later_or_reject(rows, why):
    """Try again in a while, unless these requests have waited long enough."""
    if utcnow() - min(r.received_at for r in rows) > GIVE_UP_AFTER:
        return _reject(rows, why)
    return FETCH_BACKOFF.total_seconds()


def _reject(rows, why):
    for row in rows:
        log.warning("rejected %s (key %s): %s", row.activity_id, row.key_id, why)
    with writing():
        InboxWaiting.update(status="rejected", error=str(why)[:500], request=None).where(
            InboxWaiting.id.in_([r.id for r in rows])).execute()


def prune(now=None):
    """Forget what no longer serves: handled activities past any replay window (the date check
    refuses older ones), rejected requests after a week, requests that never got their key."""
    now = now or utcnow()
    with writing():
        InboxActivity.delete().where((InboxActivity.status == "done")
                                     & (InboxActivity.received_at < now - timedelta(days=7))
                                     ).execute()
        InboxWaiting.delete().where(
            ((InboxWaiting.status == "rejected") & (InboxWaiting.received_at < now - timedelta(days=7)))
            | (InboxWaiting.received_at < now - 2 * GIVE_UP_AFTER)).execute()

