"""Remote actors: fetched (by the worker), checked, cached with their key."""

import ipaddress
import socket
from urllib.parse import quote, urlsplit

from flask import current_app

from chaton.core.db import utcnow, writing
from chaton.federation.fetch import FetchError, get_json, get_object
from chaton.federation.keys import load_public
from chaton.federation.models import RemoteActor
from chaton.federation.origins import (
    BadAddress,
    address_on,
    netloc,
    origin,
    same_origin,
    web_address,
)


def _keys_of(document):
    """The public keys an actor document lists (Mastodon: one object; some servers: a list)."""
    keys = document.get("publicKey")
    keys = keys if isinstance(keys, list) else [keys]
    return [k for k in keys if isinstance(k, dict)]


def _checked_actor(document, key_id=None):
    """The fields to cache for an actor document already known to come from its own origin,
    with the key `key_id` (or its first key); FetchError when anything does not hold."""
    try:
        uri = web_address(document.get("id"), "actor id")
        inbox = address_on(document.get("inbox"), uri, "inbox")
    except BadAddress as exc:
        raise FetchError(f"not a usable actor document: {exc}", refused=True) from None
    keys = [k for k in _keys_of(document) if key_id is None or k.get("id") == key_id]
    if not keys:
        raise FetchError(f"the actor {uri} does not list the key {key_id}", refused=True)
    key = keys[0]
    try:
        address_on(key.get("id"), uri, "key id")
    except BadAddress as exc:
        raise FetchError(str(exc), refused=True) from None
    if key.get("owner") != uri:
        raise FetchError("the key's owner is not the actor", refused=True)
    pem = key.get("publicKeyPem")
    try:
        load_public(pem if isinstance(pem, str) else "")
    except (ValueError, TypeError):
        raise FetchError(f"the key {key['id']} is not a public key", refused=True) from None
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    try:  # our signed deliveries go nowhere but the actor's own origin
        shared = address_on(endpoints.get("sharedInbox"), uri, "shared inbox")
    except BadAddress:
        shared = ""
    return uri, {
        "key_id": key["id"], "public_pem": pem, "inbox": inbox, "shared_inbox": shared,
        "username": _text(document.get("preferredUsername"), 200),
        "name": _text(document.get("name"), 300), "host": netloc(uri), "fetched_at": utcnow(),
    }


def _text(value, limit):
    return value[:limit] if isinstance(value, str) else ""


def _store(uri, fields):
    """Cache a checked actor (a key rotated on the same origin replaces the old one).

    Two fetches of one actor or one key (two requests signed with it, two worker threads) may
    end together: stores of one origin take turns, since the unique key id and actor id are
    both on it and an upsert settles a conflict on one of them only."""
    with writing("remote-actor", *origin(uri)):
        RemoteActor.delete().where((RemoteActor.key_id == fields["key_id"])
                                   & (RemoteActor.uri != uri)).execute()
        RemoteActor.insert(uri=uri, **fields).on_conflict(
            conflict_target=[RemoteActor.uri], update=fields).execute()
    return RemoteActor.get(RemoteActor.uri == uri)


def fetch_actor(uri):
    """Fetch an actor by its id, check it, cache it."""
    document = get_object(uri)
    if document.get("id") != uri:
        raise FetchError(f"{uri} answers with another actor ({document.get('id')})", refused=True)
    return _store(*_checked_actor(document))


def fetch_actor_for_key(key_id):
    """Fetch the actor that owns a key, from the owner's own origin, and cache it only if it
    lists that very key.

    The key id is either a fragment of the actor's address (Mastodon's `<actor>#main-key`) or
    an address of its own answering with a key document whose `owner` is on the same origin.
    Either way the key is believed only as listed by its owner's actor document."""
    try:
        web_address(key_id, "key id")
    except BadAddress as exc:
        raise FetchError(str(exc), refused=True) from None
    document = get_object(key_id.split("#")[0])
    if document.get("id") == key_id.split("#")[0] and document.get("inbox"):
        actor = document  # the key is a fragment of the actor document
    elif document.get("id") == key_id and isinstance(document.get("owner"), str):
        owner = document["owner"]
        if not same_origin(owner, key_id):
            raise FetchError("the key's owner is on another origin", refused=True)
        actor = get_object(owner)
        if actor.get("id") != owner:
            raise FetchError("the key's owner answers with another actor", refused=True)
    else:
        raise FetchError(f"{key_id} is neither a key nor an actor", refused=True)
    return _store(*_checked_actor(actor, key_id))


def resolve_handle(handle):
    """`@name@host` (WebFinger) or an actor URL -> the actor's id."""
    if handle.startswith(("http://", "https://")):
        return handle
    name, _, domain = handle.lstrip("@").partition("@")
    if not name or not domain:
        raise FetchError("expected @association@host or an actor address")
    scheme = "http" if _plain_http_allowed(domain) else "https"
    resource = quote(f"acct:{name}@{domain}")
    document = get_json(f"{scheme}://{domain}/.well-known/webfinger?resource={resource}")
    for link in document.get("links", []):
        if link.get("rel") == "self" and "activity+json" in str(link.get("type", "")):
            return link["href"]
    raise FetchError(f"{handle}: no ActivityPub actor in its WebFinger document")


def _plain_http_allowed(domain):
    """Plain http only for private or loopback hosts, and only when the setting allows them."""
    if not current_app.config["CHATON"]["federation_allow_private_addresses"]:
        return False
    hostname = urlsplit(f"//{domain}").hostname
    try:
        address = ipaddress.ip_address(socket.gethostbyname(hostname))
    except (OSError, ValueError):
        return False
    return not address.is_global
