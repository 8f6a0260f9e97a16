"""Remote actors: fetched (by the worker), checked, cached with their key."""

import ipaddress
import socket
from urllib.parse import quote, urlsplit

from flask import current_app

from chaton.core.db import utcnow, writing
from chaton.federation.fetch import FetchError, get_json
from chaton.federation.models import RemoteActor


def _store(document):
    """Validate an actor document and cache it; returns the RemoteActor."""
    uri = document.get("id")
    key = document.get("publicKey") or {}
    if isinstance(key, list):
        key = key[0] if key else {}
    if not isinstance(uri, str) or not isinstance(key, dict) or not document.get("inbox"):
        raise FetchError("not an actor document (id, inbox and publicKey are needed)")
    if key.get("owner") != uri:
        raise FetchError("the key's owner is not the actor")
    if urlsplit(str(key.get("id", ""))).netloc != urlsplit(uri).netloc:
        raise FetchError("the key is not on the actor's host")
    if urlsplit(document["inbox"]).netloc != urlsplit(uri).netloc:
        raise FetchError("the actor's inbox is on another host")
    endpoints = document.get("endpoints") or {}
    shared = str(endpoints.get("sharedInbox") or "")
    if shared and urlsplit(shared).netloc != urlsplit(uri).netloc:
        shared = ""  # our signed deliveries go nowhere but the actor's own host
    fields = {
        "key_id": key["id"], "public_pem": key.get("publicKeyPem", ""),
        "inbox": document["inbox"], "shared_inbox": shared,
        "username": str(document.get("preferredUsername") or "")[:200],
        "name": str(document.get("name") or "")[:300], "host": urlsplit(uri).netloc,
        "fetched_at": utcnow(),
    }
    with writing():
        RemoteActor.insert(uri=uri, **fields).on_conflict(
            conflict_target=[RemoteActor.uri], update=fields).execute()
    return RemoteActor.get(RemoteActor.uri == uri)


def fetch_actor(uri):
    """Fetch and cache an actor by its id."""
    return _store(get_json(uri))


def fetch_actor_for_key(key_id):
    """Fetch the document holding a key (the actor itself, or a key whose owner is fetched)."""
    document = get_json(key_id.split("#")[0])
    if document.get("type") in (None, "Key", "CryptographicKey") and document.get("owner"):
        if urlsplit(document["owner"]).netloc != urlsplit(key_id).netloc:
            raise FetchError("the key's owner is on another host")
        document = get_json(document["owner"])
    remote = _store(document)
    if remote.key_id != key_id:
        raise FetchError("the actor does not publish this key")
    return remote


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
