"""Deliveries to a real HTTP server on loopback: signatures, retries, Retry-After, 410, pauses."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers import make_app

from chaton.core.db import utcnow
from chaton.federation import delivery
from chaton.federation.models import Delivery, Follower, RemoteHost


class Inbox:
    """A scripted inbox: answers the statuses it is given, records what it receives."""

    def __init__(self):
        self.answers = []
        self.received = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                inbox.received.append((self.path, dict(self.headers), self.rfile.read(length)))
                status, headers = inbox.answers.pop(0) if inbox.answers else (202, {})
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/inbox"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def inbox():
    server = Inbox()
    yield server
    server.close()


@pytest.fixture
def app(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, federation_allow_private_addresses=True,
                   immediate_tasks=False)
    with app.app_context():
        yield app


def queue(inbox_url):
    row = Delivery.create(activity={"id": "http://localhost/a/1", "type": "Create"},
                          sender="quartiers-solidaires", inbox=inbox_url,
                          host=inbox_url.split("/")[2])
    return row.id


def test_delivery_is_signed_and_lands(app, inbox):
    row_id = queue(inbox.url)
    assert delivery.attempt(row_id) is None
    path, headers, body = inbox.received[0]
    assert path == "/inbox" and json.loads(body)["type"] == "Create"
    assert 'keyId="http://localhost/quartiers-solidaires/#main-key"' in headers["Signature"]
    assert headers["Digest"].startswith("SHA-256=")
    assert Delivery.get_by_id(row_id).status == "done"


def test_server_error_is_retried_later_with_backoff(app, inbox):
    inbox.answers = [(503, {})]
    row_id = queue(inbox.url)
    delay = delivery.attempt(row_id)
    row = Delivery.get_by_id(row_id)
    assert row.status == "pending" and row.tries == 1 and row.last_status == 503
    assert 20 <= delay <= 40 and row.next_try_at > utcnow()
    assert delivery.attempt(row_id) is None  # the next try lands
    assert Delivery.get_by_id(row_id).status == "done"


def test_retry_after_is_honoured(app, inbox):
    inbox.answers = [(429, {"Retry-After": "120"})]
    assert delivery.attempt(queue(inbox.url)) == 120


def test_backoff_grows_and_is_capped():
    delays = [delivery.backoff(n) for n in range(12)]
    assert delays[3] > delays[1] and max(delays) <= 6 * 3600 * 1.25


def test_gone_removes_the_follower(app, inbox):
    Follower.create(association="quartiers-solidaires", actor="http://x/users/a", inbox=inbox.url)
    inbox.answers = [(410, {})]
    row_id = queue(inbox.url)
    assert delivery.attempt(row_id) is None
    assert Delivery.get_by_id(row_id).status == "dropped"
    assert not Follower.select().exists()


def test_redirects_are_not_followed_on_post(app, inbox):
    inbox.answers = [(307, {"Location": "http://127.0.0.1:1/elsewhere"})]
    row_id = queue(inbox.url)
    assert delivery.attempt(row_id) is not None
    assert len(inbox.received) == 1 and Delivery.get_by_id(row_id).status == "pending"


def test_a_host_that_keeps_failing_is_paused(app, inbox):
    inbox.answers = [(500, {})] * delivery.PAUSE_AFTER
    for _ in range(delivery.PAUSE_AFTER):
        delivery.attempt(queue(inbox.url))
    host = RemoteHost.get()
    assert host.paused_until and host.paused_until > utcnow() + timedelta(minutes=50)
    received = len(inbox.received)
    assert delivery.attempt(queue(inbox.url)) > 0
    assert len(inbox.received) == received  # paused: not even tried


def test_gives_up_after_max_tries(app, inbox):
    inbox.answers = [(500, {})]
    row_id = queue(inbox.url)
    Delivery.update(tries=app.config["CHATON"]["federation_max_tries"] - 1).execute()
    assert delivery.attempt(row_id) is None
    assert Delivery.get_by_id(row_id).status == "dropped"
