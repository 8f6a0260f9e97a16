"""Chaton's own cache of whole public responses, for a server with no cache in front of it (a
Raspberry Pi with waitress alone): a WSGI layer answered before routing, sessions, database
or templates.

It keeps what `core/caching.py` marks public (a 200, `Cache-Control: public, max-age=N`, no
cookie set) for N seconds, for requests that carry no cookie and no authorization, and only
when the response varies on nothing but what its key holds: the host and the address (with
the `lang` parameter), whether the client asks for HTML or ActivityPub JSON, and the language
its browser prefers. A conditional GET that names the kept ETag gets a 304. With a front cache
(nginx), it still spares the app the misses of several nginx workers at once.
"""

import threading
import time
from collections import OrderedDict

from werkzeug.datastructures import LanguageAccept, MIMEAccept, ResponseCacheControl
from werkzeug.http import (
    parse_accept_header,
    parse_cache_control_header,
    parse_etags,
    unquote_etag,
)

KEYED_VARY = {"accept", "accept-language", "cookie", "accept-encoding"}
LANGUAGES = ("fr", "en")
AP_TYPES = ("text/html", "application/activity+json", "application/ld+json")


class Entry:
    __slots__ = ("status", "headers", "body", "etag", "expires")

    def __init__(self, status, headers, body, etag, expires):
        self.status, self.headers, self.body = status, headers, body
        self.etag, self.expires = etag, expires


class ResponseCache:
    def __init__(self, app, max_entries=1024, max_body=1024 * 1024):
        self.app = app
        self.max_entries = max_entries
        self.max_body = max_body
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (method not in ("GET", "HEAD") or environ.get("HTTP_COOKIE")
                or environ.get("HTTP_AUTHORIZATION") or environ.get("HTTP_SIGNATURE")):
            return self.app(environ, start_response)
        key = self._key(environ)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and entry.expires > time.monotonic():
            return self._serve(entry, environ, start_response)
        if method == "HEAD":
            return self.app(environ, start_response)
        return self._fill(key, environ, start_response)

    @staticmethod
    def _key(environ):
        accept = MIMEAccept(parse_accept_header(environ.get("HTTP_ACCEPT", "")))
        language = LanguageAccept(parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE", "")))
        return (environ.get("HTTP_HOST", ""), environ.get("HTTP_X_FORWARDED_HOST", ""),
                environ.get("HTTP_X_FORWARDED_PROTO", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), accept.best_match(AP_TYPES) or "",
                language.best_match(LANGUAGES) or "")

    @staticmethod
    def _serve(entry, environ, start_response):
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and entry.etag and parse_etags(wanted).contains_weak(entry.etag):
            kept = [(k, v) for k, v in entry.headers
                    if k.lower() in ("cache-control", "etag", "vary", "content-location")]
            start_response("304 NOT MODIFIED", kept)
            return []
        start_response(entry.status, [*entry.headers, ("X-Chaton-Cache", "hit")])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    def _fill(self, key, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        lifetime = self._cacheable(captured.get("status", ""), captured.get("headers", []), body)
        if lifetime:
            headers = captured["headers"]
            etag = next((v for k, v in headers if k.lower() == "etag"), "")
            entry = Entry(captured["status"], headers, body,
                          unquote_etag(etag)[0] if etag else "", time.monotonic() + lifetime)
            with self._lock:
                self._entries[key] = entry
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return [body]

    def _cacheable(self, status, headers, body):
        """Seconds a response may be kept, or 0."""
        if not status.startswith("200") or len(body) > self.max_body:
            return 0
        names = {k.lower(): v for k, v in headers}
        if "set-cookie" in names:
            return 0
        vary = {v.strip().lower() for v in names.get("vary", "").split(",") if v.strip()}
        if not vary <= KEYED_VARY:
            return 0
        control = parse_cache_control_header(names.get("cache-control", ""),
                                             cls=ResponseCacheControl)
        if not control.public or control.private or control.no_store or not control.max_age:
            return 0
        return control.max_age
