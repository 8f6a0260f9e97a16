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

from chaton.core.text import first_control
from chaton.federation.httpsig import sign_request
from chaton.federation.keys import INSTANCE, key_pair
from chaton.federation.origins import BadAddress, address_on

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


MAX_DEPTH = 32  # nesting of a JSON document: ActivityPub needs a handful of levels


def parse_document(body):
    """A JSON document from another server; ValueError when it is not JSON, when it nests
    deeper than MAX_DEPTH (the parser and everything that walks it would recurse without end),
    or when a string in it holds a control character (core/text.py: no activity needs one,
    PostgreSQL text cannot store NUL, feeds cannot hold any)."""
    try:
        document = json.loads(body)
    except RecursionError:
        raise ValueError(f"the document nests deeper than {MAX_DEPTH} levels") from None
    _check_shape(document)
    return document


def _check_shape(document):
    """Walk the document without recursion: depth and NUL characters."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if first_control(value):
                raise ValueError("a string holds a control character")
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ValueError(f"the document nests deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and first_control(key):
                    raise ValueError("a key holds a control character")
                stack.append((item, depth + 1))


def get_json(url, signer=INSTANCE, hops=3):
    """Fetch a JSON document (signed by the instance actor), following safe redirects."""
    return fetch_document(url, signer, hops)[0]


def fetch_document(url, signer=INSTANCE, hops=3):
    """(document, final address): the address answered after any redirects, which is the
    only origin the document may speak for."""
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
            return parse_document(body), url
        except ValueError as exc:
            raise FetchError(f"GET {url}: not a usable JSON document ({exc})") from None
    raise FetchError(f"GET {url}: too many redirects")


def get_object(url, signer=INSTANCE):
    """An ActivityPub object whose `id` is the address fetched.

    A server speaks only for its own origin: the document's id must be on the origin that
    answered (after redirects). When the id is another address of that origin (a profile
    page that answers with the actor, say), the id itself is fetched once and must answer
    with the same id. Anything else is refused, and nothing of it is stored."""
    document, final = fetch_document(url, signer)
    found = document.get("id") if isinstance(document, dict) else None
    if found in (url, final) and isinstance(found, str):
        _on_origin(found, final)
        return document
    _on_origin(found, final)
    document, final = fetch_document(found, signer, hops=0)
    if not isinstance(document, dict) or document.get("id") != found:
        raise FetchError(f"GET {url}: the document at its own id {found} is another one",
                         refused=True)
    return document


def _on_origin(found, final):
    try:
        address_on(found, final, "id")
    except BadAddress as exc:
        raise FetchError(f"GET {final}: the document's {exc}", refused=True) from None


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

