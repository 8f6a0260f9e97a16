"""Inbox: verify, deduplicate, then act. Unknown keys are fetched by the worker, not here.

A request is accepted only when its HTTP signature is valid for a key whose owner is the
activity's actor (and that actor is on the key's host); the digest is recomputed from the
body; the date is within `federation_date_window`. Activities are recorded by id once:
a replay changes nothing.
"""

import json
import logging
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.datastructures import Headers

from chaton.core.db import utcnow, writing
from chaton.federation import handlers
from chaton.federation.fetch import FetchError, parse_document
from chaton.federation.httpsig import SignatureError, parse_incoming
from chaton.federation.models import InboxActivity, RemoteActor

log = logging.getLogger(__name__)


class Refused(Exception):
    """The activity is refused; the message says why (sent back with a 4xx)."""

    def __init__(self, message, status=401):
        super().__init__(message)
        self.status = status


def _id_of(value):
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def receive(method, url, headers, body):
    """Handle a POST to an inbox; returns 'accepted' or 'waiting' (key fetched later)."""
    try:
        activity = parse_document(body)
    except ValueError:
        raise Refused("the body is not JSON (or holds a NUL character)", 400) from None
    if not isinstance(activity, dict) or not _id_of(activity) or not _id_of(activity.get("actor")):
        raise Refused("an activity needs an id and an actor", 400)
    window = current_app.config["CHATON"]["federation_date_window"]
    try:
        signature = parse_incoming(method, url, headers, body, window)
    except SignatureError as exc:
        raise Refused(str(exc)) from None
    if InboxActivity.get_or_none(InboxActivity.activity_id == activity["id"]) is not None:
        return "duplicate"
    remote = RemoteActor.get_or_none(RemoteActor.key_id == signature.key_id)
    if remote is None:
        _wait_for_key(activity, method, url, headers, body, signature.key_id)
        return "waiting"
    _verify_and_handle(activity, signature, remote)
    return "accepted"


def _verify_and_handle(activity, signature, remote):
    try:
        signature.verify(remote.public_pem)
    except SignatureError as exc:
        raise Refused(str(exc)) from None
    if remote.uri != _id_of(activity["actor"]):
        raise Refused("the signing key does not belong to the activity's actor")
    _record(activity, "verified", request={"activity": activity})
    _handle_later(activity["id"])


def _handle_later(activity_id):
    """What an activity does (files, mirrors, deliveries) is the worker's job, not the request's."""
    from chaton.federation.tasks import handle_verified

    handle_verified(activity_id)


def handle_verified(activity_id):
    """In the worker: act on a verified activity, once."""
    row = InboxActivity.get_or_none(InboxActivity.activity_id == activity_id)
    if row is None or row.status != "verified":
        return
    activity = row.request["activity"]
    remote = RemoteActor.get_or_none(RemoteActor.uri == _id_of(activity["actor"]))
    with writing():
        InboxActivity.update(status="done", request=None).where(InboxActivity.id == row.id).execute()
    if remote is not None:
        try:
            handlers.handle(activity, remote)
        except (ValueError, TypeError, KeyError) as exc:  # a malformed object from a peer
            log.warning("activity %s not handled: %s", activity_id, exc)


def _record(activity, status, request=None, error=""):
    with writing():
        InboxActivity.insert(activity_id=activity["id"], actor=_id_of(activity["actor"]),
                             type=str(activity.get("type", ""))[:64], status=status,
                             request=request, error=error, received_at=utcnow()) \
            .on_conflict_ignore().execute()


def _wait_for_key(activity, method, url, headers, body, key_id):
    from chaton.federation.tasks import fetch_key_and_process

    if urlsplit(key_id).netloc != urlsplit(_id_of(activity["actor"])).netloc:
        raise Refused("the key is not on the actor's host")
    request = {"method": method, "url": url, "headers": list(headers.items()),
               "body": body.decode("utf-8"), "key_id": key_id}
    _record(activity, "waiting_key", request=request)
    fetch_key_and_process(activity["id"])


def process_waiting(activity_id):
    """In the worker: fetch the unknown key, then verify and handle the stored activity."""
    from chaton.federation.remote import fetch_actor_for_key

    row = InboxActivity.get_or_none(InboxActivity.activity_id == activity_id)
    if row is None or row.status != "waiting_key":
        return
    req = row.request
    body = req["body"].encode("utf-8")
    activity = json.loads(body)
    try:
        remote = fetch_actor_for_key(req["key_id"])
        window = 10 ** 9  # the date was checked on arrival
        signature = parse_incoming(req["method"], req["url"], Headers(req["headers"]), body, window)
        signature.verify(remote.public_pem)
        if remote.uri != _id_of(activity["actor"]):
            raise Refused("the signing key does not belong to the activity's actor")
    except FetchError as exc:
        if exc.temporary:
            raise  # a passing network problem: huey tries again later
        return _reject(row, exc)
    except (Refused, SignatureError, ValueError, KeyError) as exc:
        return _reject(row, exc)
    with writing():
        InboxActivity.update(status="verified", request={"activity": activity}).where(
            InboxActivity.id == row.id).execute()
    handle_verified(activity_id)


def _reject(row, exc):
    log.warning("rejected %s: %s", row.activity_id, exc)
    with writing():
        InboxActivity.update(status="rejected", error=str(exc)[:500], request=None).where(
            InboxActivity.id == row.id).execute()
