"""Origins of remote addresses: what a remote server may speak for.

A server is trusted only for its own origin (scheme, host, port): an actor document, a key, an
activity or an object is believed only when its id lives on the origin it came from. Every
remote address is checked once here, at the boundary, before it is compared or stored.
"""

import re
from urllib.parse import urlsplit

MAX_URL = 500  # the length of the columns that store remote ids
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BAD_CHARACTERS = re.compile(r"[\x00-\x20\x7f<>\"\\`{}|^]")


class BadAddress(ValueError):
    """A remote value that is not an http(s) address we may store or follow."""


def web_address(value, what="address"):
    """An absolute http(s) URL with a host, short enough to store; raises BadAddress."""
    if not isinstance(value, str) or not value:
        raise BadAddress(f"{what}: an http(s) address is needed")
    if len(value) > MAX_URL or _BAD_CHARACTERS.search(value):
        raise BadAddress(f"{what}: too long or holds characters an address cannot hold")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        raise BadAddress(f"{what}: not an address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None:
        raise BadAddress(f"{what}: only http(s) addresses with a host are accepted")
    return value


def origin(url):
    """(scheme, host, port) of an address, host in lower case and the default port explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def same_origin(a, b):
    return origin(a) == origin(b)


def netloc(url):
    """host[:port] as Chaton names a remote host (partners, paused hosts), in lower case."""
    scheme, host, port = origin(url)
    host = f"[{host}]" if ":" in host else host
    return host if port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"


def address_on(value, owner, what="address"):
    """An http(s) address on the origin of `owner` (an actor id); raises BadAddress."""
    web_address(value, what)
    if not same_origin(value, owner):
        raise BadAddress(f"{what}: {value} is not on the origin of {owner}")
    return value


def id_of(value):
    """The id of an embedded object or a bare reference; '' when there is none."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""
