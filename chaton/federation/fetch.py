"""Outbound HTTP for federation: signed, with timeouts and size caps, and an SSRF guard.

Every URL a remote server gives us (key ids, actor ids, inboxes) is attacker-controlled: we
refuse other schemes than http(s), and addresses that resolve to private, loopback or
link-local networks unless `federation_allow_private_addresses` is set (tests, private
networks). Redirects are followed by hand for GET (each hop checked) and never for POST.
"""

import ipaddress
import json
import socket
import threading
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

from flask import current_app

from chaton.federation.httpsig import sign_request
from chaton.federation.keys import INSTANCE, key_pair

ACTIVITY_JSON = "application/activity+json"
ACCEPT = f'{ACTIVITY_JSON}, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_FETCH_BYTES = 1024 * 1024
_create_connection = None  # urllib3's own, kept when our check is installed
USER_AGENT = "Chaton (+https://chaton.invalid)"


class FetchError(Exception):
    """A remote resource could not be fetched safely."""

    def __init__(self, message, status=None, retry_after=None, refused=False):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.refused = refused  # refused by policy (scheme, private address): never retried

    @property
    def temporary(self):
        """A network problem or a server error that may pass: worth another try."""
        status = self.status
        return not self.refused and (status is None or not 400 <= status < 500
                                     or status in (408, 429))


def _settings():
    return current_app.config["CHATON"]


def check_url(url):
    """Refuse URLs we must not contact; return the host (with port) to log and pause."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused URL {url!r}: only http(s) addresses", refused=True)
    if _settings()["federation_allow_private_addresses"]:
        return parts.netloc
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"cannot resolve {parts.hostname}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise FetchError(f"refused address {address} for {parts.hostname} (private network)",
                             refused=True)
    return parts.netloc


_guard = threading.local()


def _connect_checked(address, *args, **kwargs):
    """urllib3's connection factory, checking the address actually connected to: a name that
    resolves to a public address when checked and to a private one when used (DNS rebinding)
    is refused before anything is sent."""
    sock = _create_connection(address, *args, **kwargs)
    if getattr(_guard, "active", False):
        peer = ipaddress.ip_address(sock.getpeername()[0])
        if not peer.is_global or peer.is_multicast:
            sock.close()
            raise FetchError(f"refused address {peer} (private network)", refused=True)
    return sock


def _install_connection_check():
    """Wrap urllib3's connection factory once (imported late: most processes never need it)."""
    global _create_connection
    import urllib3.util.connection as urllib3_connection

    if _create_connection is None:
        _create_connection = urllib3_connection.create_connection
        urllib3_connection.create_connection = _connect_checked  # only active in _guarded()


@contextmanager
def _guarded():
    _install_connection_check()
    _guard.active = not _settings()["federation_allow_private_addresses"]
    try:
        yield
    finally:
        _guard.active = False


def _key_id(owner):
    from chaton.federation.actors import actor_id

    return actor_id(owner) + "#main-key"


def _read_capped(response, limit):
    body = b""
    for chunk in response.iter_content(16384):
        body += chunk
        if len(body) > limit:
            raise FetchError(f"response larger than {limit} bytes")
    return body


def parse_document(body):
    """A JSON document from another server; ValueError when not JSON or when a string in it
    holds a NUL character (no activity needs one, and PostgreSQL text cannot store it)."""
    document = json.loads(body)
    if _holds_nul(document):
        raise ValueError("a string holds a NUL character")
    return document


def _holds_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def get_json(url, signer=INSTANCE, hops=3):
    """Fetch an ActivityPub document (signed by the instance actor), following safe redirects."""
    import requests

    for _ in range(hops + 1):
        check_url(url)
        key = key_pair(signer)
        headers = sign_request("GET", url, None, _key_id(signer), key.private_pem)
        headers.update({"Accept": ACCEPT, "User-Agent": USER_AGENT})
        timeout = _settings()["federation_timeout"]
        try:
            with _guarded(), requests.get(url, headers=headers, timeout=timeout, stream=True,
                                          allow_redirects=False) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise FetchError(f"GET {url}: HTTP {response.status_code}",
                                     status=response.status_code)
                body = _read_capped(response, MAX_FETCH_BYTES)
        except requests.RequestException as exc:
            raise FetchError(f"GET {url}: {exc.__class__.__name__}") from None
        try:
            return parse_document(body)
        except ValueError:
            raise FetchError(f"GET {url}: not JSON, or holds a NUL character") from None
    raise FetchError(f"GET {url}: too many redirects")


def post_activity(inbox, activity, signer):
    """POST a signed activity to an inbox; never follows redirects. Returns the status code."""
    import requests

    check_url(inbox)
    body = json.dumps(activity, ensure_ascii=False).encode()
    key = key_pair(signer)
    headers = sign_request("POST", inbox, body, _key_id(signer), key.private_pem,
                           content_type=ACTIVITY_JSON)
    headers["User-Agent"] = USER_AGENT
    try:
        with _guarded(), requests.post(inbox, data=body, headers=headers, allow_redirects=False,
                                       stream=True,
                                       timeout=_settings()["federation_timeout"]) as response:
            _read_capped(response, 65536)
            if response.status_code >= 300:
                raise FetchError(f"POST {inbox}: HTTP {response.status_code}",
                                 status=response.status_code,
                                 retry_after=response.headers.get("Retry-After"))
            return response.status_code
    except requests.RequestException as exc:
        raise FetchError(f"POST {inbox}: {exc.__class__.__name__}") from None

