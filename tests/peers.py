"""A scriptable ActivityPub peer on loopback, for hostile (and honest) servers in the tests.

`StubPeer` is a real HTTP server (a thread, 127.0.0.1 only) that answers whatever documents the
test put at each path (`peer.serve(path, document)`, or a redirect, a delay, a status), records
what it was asked, and signs POSTs to another server with keys of its own (draft-cavage, as
Mastodon does) or with a key it does not own. Its documents say whatever the attacker wants:
that is the point. It is not an ActivityPub implementation: the honest peer of the interop
tests is a real one from PyPI (tests/test_federation_peer.py).
"""

import json
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import requests
from servers import HOST, free_port

from chaton.federation.httpsig import sign_request
from chaton.federation.keys import _new_pair

ACTIVITY_JSON = "application/activity+json"


class StubPeer:
    def __init__(self):
        self.port = free_port()
        self.routes = {}  # path -> (status, headers, body bytes, delay seconds)
        self.requests = []  # (method, path, headers, body)
        self.keys = {}  # name -> (private, public)
        self._server = None

    @property
    def base(self):
        return f"http://{HOST}:{self.port}"

    @property
    def host(self):
        return f"{HOST}:{self.port}"

    def url(self, path):
        return self.base + path

    # -- what it serves ----------------------------------------------------------------------

    def serve(self, path, document, status=200, delay=0.0, content_type=ACTIVITY_JSON):
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.routes[path] = (status, {"Content-Type": content_type}, body, delay)

    def redirect(self, path, location):
        self.routes[path] = (302, {"Location": location}, b"", 0.0)

    def key(self, name="main"):
        """(private PEM, public PEM) of one of this peer's keys, made on first use."""
        if name not in self.keys:
            self.keys[name] = _new_pair()
        return self.keys[name]

    def actor(self, name, key="main", **overrides):
        """Serve an honest actor document at /users/<name> with its key; returns its id."""
        uri = self.url(f"/users/{name}")
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri, "type": "Person", "preferredUsername": name, "inbox": uri + "/inbox",
            "publicKey": {"id": uri + "#main-key", "owner": uri,
                          "publicKeyPem": self.key(key)[1]},
        }
        document.update(overrides)
        self.serve(f"/users/{name}", document)
        return uri

    def asked(self, path):
        """How many times a path was requested."""
        return sum(1 for r in self.requests if urlsplit(r[1]).path == path)

    # -- what it sends -----------------------------------------------------------------------

    def post(self, inbox_url, activity, key_id, key="main", body=None, headers=None,
             timeout=10):
        """POST an activity signed draft-cavage with one of our keys, under any key id."""
        body = body if body is not None else json.dumps(activity).encode()
        signed = sign_request("POST", inbox_url, body, key_id, self.key(key)[0],
                              content_type=ACTIVITY_JSON)
        signed.update(headers or {})
        return requests.post(inbox_url, data=body, headers=signed, timeout=timeout)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self):
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                peer.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, payload, delay = peer.routes.get(
                    urlsplit(self.path).path, (404, {}, b"{}", 0.0))
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Date", format_datetime(datetime.now(UTC), usegmt=True))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
