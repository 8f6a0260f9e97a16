"""Real components for end-to-end tests: `chaton serve` subprocesses and an SMTP server.

`ChatonServer` runs the installed `chaton` command (`init`, then `serve`) on a temporary
instance folder with its own copy of the demo content, on a free port of 127.0.0.1 only.
`SmtpSink` is an aiosmtpd server on 127.0.0.1 that keeps every message it receives.
Fixtures (import them into a test module to use them): `smtp_server`, `chaton_server`.

Every wait here is bounded in time; a server that does not come up fails with its log.
"""

import asyncio
import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import databases
import pytest
import requests
from helpers import DEMO_CONTENT, PETITION_URL

CHATON = Path(sys.executable).parent / "chaton"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
HOLD_LIMIT = 20.0  # seconds a held SMTP transaction waits at most


def free_port():
    """A TCP port nobody listens on right now (127.0.0.1 only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def clean_environ(**settings):
    """The environment for a chaton process: ours minus any CHATON_* setting, plus `settings`
    (given by setting name, e.g. sign_rate_limit="")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATON_")}
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in settings.items():
        env["CHATON_" + name.upper()] = str(value)
    return env


class ChatonServer:
    """One instance folder served by a real `chaton serve` process.

    The folder survives `kill()` / `stop()`, so `start()` again restarts on the same data
    (on a new port unless one is given)."""

    def __init__(self, root, smtp_port=None, **settings):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.instance = self.root / "instance"
        self.content = self.root / "content"
        self.log_path = self.root / "server.log"
        self.settings = {"sign_rate_limit": "", "content_scan_interval": 0.2,
                         "smtp_timeout": 5, "page_cache_entries": 0, **settings}
        if databases.POSTGRESQL and not self.settings.get("database_url"):
            self.settings["database_url"] = databases.new_database_url()
        if smtp_port is not None:
            self.settings.update(smtp_host=HOST, smtp_port=smtp_port)
        self.port = None
        self.proc = None
        self._log = None
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self):
        return f"http://{HOST}:{self.port}"

    def url(self, path=""):
        return self.base_url + path

    def env(self):
        """Its settings as CHATON_* variables (base_url its own address unless given, as
        behind a front server)."""
        settings = {"content_dir": self.content, "base_url": self.base_url, **self.settings}
        return clean_environ(**settings)

    def init(self):
        """Copy the demo content (once) and run `chaton --instance DIR init`."""
        if not self.content.exists():
            shutil.copytree(DEMO_CONTENT, self.content)
        if self.port is None:
            self.port = free_port()
        if not self.settings.get("database_url"):
            databases.sqlite_database_for(self.instance)  # migrated once per test process
        done = subprocess.run([str(CHATON), "--instance", str(self.instance), "init"],
                              env=self.env(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"chaton init failed:\n{done.stdout}\n{done.stderr}"
        return self

    def start(self, port=None):
        """Start `chaton serve` and wait (bounded) for the first 200."""
        assert self.proc is None, "already running"
        if not self.instance.exists():
            self.init()
        if port is not None:
            self.port = port
        elif self.port is None or self.starts:  # a restart takes a new port: no TIME_WAIT race
            self.port = free_port()
        self._log = self.log_path.open("ab")
        self._log.write(f"\n===== start #{self.starts + 1} on port {self.port} =====\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [str(CHATON), "--instance", str(self.instance), "serve", "--host", HOST,
             "--port", str(self.port)],
            env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.starts += 1
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"chaton serve exited with {self.proc.returncode}:\n"
                                     + self.log_tail())
            try:
                response = requests.get(self.url("/healthz"), timeout=2)
                if response.status_code == 200:
                    return
                last = response.status_code
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"chaton serve not ready after {START_TIMEOUT}s ({last}):\n"
                             + self.log_tail())

    def kill(self):
        """SIGKILL, like a power cut for the process (the OS keeps written pages)."""
        if self.proc is None:
            return
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close()

    def stop(self):
        """SIGTERM, then wait; SIGKILL if it does not stop in time."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close()

    def _close(self):
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def assert_no_tracebacks(self):
        """The server log shows no exception (a 500, a failed task)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        assert "Traceback" not in text, "the server logged an exception:\n" + self.log_tail(120)

    def log_tail(self, lines=60):
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- conveniences ------------------------------------------------------------------------

    @property
    def db_path(self):
        """The SQLite file (with PostgreSQL, `query` reaches the server's own database)."""
        return self.instance / "chaton.db"

    def query(self, sql, *args):
        """Rows of one SQL statement (`?` placeholders) on this server's database."""
        return databases.query(self.settings.get("database_url", ""), self.db_path, sql, *args)

    def database_contains(self, text):
        """Whether `text` is anywhere in the database: in the SQLite file's bytes and its
        write-ahead log (free pages included), or in any row of any table on PostgreSQL."""
        if not databases.POSTGRESQL:  # the file and its write-ahead log (not checkpointed yet)
            wal = self.db_path.with_name(self.db_path.name + "-wal")
            data = self.db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
            return text.encode("utf-8") in data
        tables = self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return any(self.query(f'SELECT 1 FROM "{t}" AS r WHERE r::text LIKE ? LIMIT 1', f"%{text}%")
                   for (t,) in tables)

    def add_member(self, org, email, password, role="editor", name="Membre"):
        """An account with a password and a role in the association, in the server's own
        database (for the browser tests that sign in through the form)."""
        from chaton import create_app
        from chaton.accounts import service
        from chaton.orgs.models import Association

        app = create_app(self.instance, {"content_dir": str(self.content),
                                         "database_url": self.settings.get("database_url", "")})
        with app.app_context():
            account = service.create_account(email, name=name, password=password)
            service.set_role(account, Association.get(Association.slug == org), role)

    def count(self, petition_url=PETITION_URL):
        """The online count of a petition, from its public JSON."""
        response = requests.get(self.url(petition_url + ".json"), timeout=10)
        response.raise_for_status()
        return response.json()["counts"]["online"]

    def reindex(self):
        """Make the server notice content files just written (it re-indexes during the first
        request after `content_scan_interval`), without waiting for a given outcome."""
        time.sleep(float(self.settings["content_scan_interval"]) + 0.1)
        requests.get(self.url("/healthz"), timeout=10).raise_for_status()

    def wait_for_page(self, path, timeout=10.0):
        """Wait until a page answers 200 (e.g. a content file just written)."""
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            status = requests.get(self.url(path), timeout=5).status_code
            if status == 200:
                return
            time.sleep(0.1)
        raise AssertionError(f"{path} still answers {status} after {timeout}s:\n"
                             + self.log_tail())


# -- HTTP helpers over a real server (requests) ------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(session, url):
    """GET a page with a form; return its CSRF token (the session keeps the cookie), or ''
    for the anonymous forms (signing, joining, mailed links)."""
    response = session.get(url, timeout=10)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    match = CSRF_RE.search(response.text)
    return match.group(1) if match else ""  # anonymous forms need none


def sign_over_http(server, session=None, petition_url=PETITION_URL, token=None, **fields):
    """POST the signing form of a real server like a browser (token fetched when not given)."""
    session = session or requests.Session()
    if token is None:
        token = form_token(session, server.url(petition_url))
    data = {"csrf_token": token, "name": "Ada Lovelace", "email": "ada@example.org",
            "postal_code": "75011", "comment": "", "website": ""}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return session.post(server.url(petition_url + "/sign"), data=data, allow_redirects=False,
                        timeout=10)


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


# -- mail ----------------------------------------------------------------------------------------

def body_of(message):
    return message.get_body(("plain",)).get_content()


def confirm_link(message):
    """The confirmation link of a confirmation mail (not the withdraw/unsubscribe ones)."""
    links = re.findall(r"https?://\S+", body_of(message))
    found = [link for link in links if "/s/" in link
             and not link.endswith(("/withdraw", "/unsubscribe"))]
    assert found, f"no confirmation link in:\n{body_of(message)}"
    return found[0]


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self.sink._holding.is_set():
            # keep the sender waiting for our answer, then refuse for now (never delivered)
            self.sink._hold_arrived(envelope.rcpt_tos)
            deadline = time.monotonic() + HOLD_LIMIT
            while self.sink._holding.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.sink._add(envelope.rcpt_tos, message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps the messages it receives."""

    def __init__(self):
        self.port = free_port()
        self.messages = []  # (recipients, EmailMessage)
        self.held = []  # recipients of transactions kept waiting by hold()
        self._cond = threading.Condition()
        self._holding = threading.Event()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(_Handler(self), hostname=HOST, port=self.port,
                                     ready_timeout=10)
        self.controller.start()
        return self

    def hold(self):
        """From now on, keep each sender waiting after DATA (the mail is in flight)."""
        self._holding.set()

    def release(self):
        """Answer the held transactions with a temporary failure; accept mail again."""
        self._holding.clear()

    def _hold_arrived(self, recipients):
        with self._cond:
            self.held.extend(r.lower() for r in recipients)
            self._cond.notify_all()

    def wait_held(self, address, timeout=15.0):
        """Wait until a transaction to `address` is being held."""
        address = address.lower()
        deadline = time.monotonic() + timeout
        with self._cond:
            while address not in self.held:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no SMTP transaction to {address} after {timeout}s")
                self._cond.wait(min(left, 0.5))

    def stop(self):
        self._holding.clear()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def _add(self, recipients, message):
        with self._cond:
            self.messages.append(([r.lower() for r in recipients], message))
            self._cond.notify_all()

    def to(self, address):
        address = address.lower()
        with self._cond:
            return [m for rcpts, m in self.messages if address in rcpts]

    def wait_for(self, address, count=1, timeout=15.0):
        """The `count`-th mail to `address`, waiting for it at most `timeout` seconds."""
        address = address.lower()
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for rcpts, m in self.messages if address in rcpts]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({r for rcpts, _m in self.messages for r in rcpts})
                    raise AssertionError(f"no mail #{count} to {address} after {timeout}s "
                                         f"(mail received for: {seen})")
                self._cond.wait(min(left, 0.5))


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(name="smtp_server")
def smtp_server_fixture():
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@contextmanager
def running_server(root, smtp=None, **settings):
    """An initialized, started server, stopped on exit."""
    server = ChatonServer(root, smtp_port=smtp.port if smtp else None, **settings)
    server.init().start()
    try:
        yield server
    finally:
        server.stop()
        print(f"--- {server.log_path} (end) ---\n{server.log_tail(40)}")  # shown on failure


@pytest.fixture(name="chaton_server")
def chaton_server_fixture(tmp_path, smtp_server):
    """A real `chaton serve` on a fresh instance, sending mail to `smtp_server`."""
    with running_server(tmp_path / "server", smtp=smtp_server) as server:
        yield server
