"""Signed GETs ("authorized fetch"): who asks for an ActivityPub document.

Chaton signs its own GETs with the instance actor's key, so that servers in secure mode
(Mastodon's AUTHORIZED_FETCH) answer it. On its side, a GET of an ActivityPub document may
carry a draft-cavage or RFC 9421 signature; `signer()` tells whose it is, verified, or None.

With `federation_require_signed_fetch` on, every ActivityPub document but the instance actor
(which others need to verify our own signed fetches), WebFinger and NodeInfo answers 401 to
unsigned or unverifiable requests. A key not cached yet is then fetched during the request,
the one place Chaton waits on another server inside a request, because the asking server
waits for its answer: at most FETCHES_AT_ONCE such fetches at a time (others: 401 with
Retry-After), each bounded by `federation_timeout`, never for a host whose keys failed lately.
"""

import logging
import threading

from flask import abort, current_app, g, jsonify, request

from chaton.federation.fetch import FetchError
from chaton.federation.httpsig import SignatureError, parse_incoming
from chaton.federation.models import RemoteActor
from chaton.federation.origins import netloc

log = logging.getLogger(__name__)
FETCHES_AT_ONCE = 2
_fetching = threading.BoundedSemaphore(FETCHES_AT_ONCE)


def _required():
    return bool(current_app.config["CHATON"]["federation_require_signed_fetch"])


def signer():
    """The verified RemoteActor that signed this GET, or None (unsigned, unknown or bad)."""
    if "chaton_signer" not in g:
        g.chaton_signer = _verified_signer()
    return g.chaton_signer


def _verified_signer():
    if "Signature" not in request.headers:
        return None
    window = current_app.config["CHATON"]["federation_date_window"]
    try:
        signature = parse_incoming("GET", request.url, request.headers, b"", window)
    except SignatureError as exc:
        log.info("signed GET refused: %s", exc)
        return None
    remote = RemoteActor.get_or_none(RemoteActor.key_id == signature.key_id)
    if remote is None and _required():
        remote = _fetch_during_request(signature.key_id)
    if remote is None:
        return None
    try:
        signature.verify(remote.public_pem)
    except SignatureError:
        return None
    return remote


def _fetch_during_request(key_id):
    from chaton.federation.inbox import host_failing
    from chaton.federation.remote import fetch_actor_for_key

    try:
        if host_failing(netloc(key_id)):
            return None
    except ValueError:
        return None
    if not _fetching.acquire(blocking=False):
        return None
    try:
        return fetch_actor_for_key(key_id)
    except FetchError as exc:
        log.info("signed GET: key %s not usable: %s", key_id, exc)
        return None
    finally:
        _fetching.release()


def require():
    """In secure mode, refuse (401) an ActivityPub GET that no verified server signed."""
    if request.method in ("GET", "HEAD") and _required() and signer() is None:
        response = jsonify(error="sign this request (HTTP Signatures) with your server's key: "
                                 "this server requires signed fetches")
        response.status_code = 401
        response.headers["Retry-After"] = "30"
        abort(response)
