"""A real server killed with SIGKILL in the middle of a burst of signatures.

Every submission the server acknowledged (303) must be in the database exactly once after a
restart, the database must be intact, and the counters must stay exact when some of them are
confirmed afterwards (concurrently, and twice for one of them).
"""

import itertools
import threading
import time

import databases
import pytest
import requests
from helpers import PETITION_URL, Outbox
from servers import (  # noqa: F401  (smtp_server_fixture registers the smtp_server fixture)
    ChatonServer,
    confirm_link,
    form_token,
    path_of,
    sign_over_http,
    smtp_server_fixture,
)

pytestmark = pytest.mark.slow

THREADS = 8
MAX_REQUESTS = 600
BURST_SECONDS = 8.0
KILL_AFTER_ACKS = 150  # or after KILL_AFTER_SECONDS, whichever comes first
KILL_AFTER_SECONDS = 2.5
CONFIRMED = 6


def burst(server):
    """Sign from THREADS threads; kill -9 the server while requests are in flight.

    Returns (acknowledged e-mails, every e-mail tried, other statuses)."""
    url = server.url(PETITION_URL)
    numbers = itertools.count()
    lock = threading.Lock()
    acked, tried, statuses = [], [], []
    killed = threading.Event()
    deadline = time.monotonic() + BURST_SECONDS
    ready = threading.Barrier(THREADS + 1, timeout=30)

    def signer():
        session = requests.Session()
        token = form_token(session, url)
        ready.wait()
        while time.monotonic() < deadline:
            i = next(numbers)
            if i >= MAX_REQUESTS:
                return
            email = f"burst{i}@example.org"
            with lock:
                tried.append(email)
            try:
                response = sign_over_http(server, session, token=token, email=email,
                                          name=f"Burst {i}", postal_code="75011")
            except requests.RequestException:
                if killed.is_set():
                    return
                raise
            with lock:
                if response.status_code == 303:
                    acked.append(email)
                else:
                    statuses.append(response.status_code)

    threads = [threading.Thread(target=signer, name=f"signer-{n}") for n in range(THREADS)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.monotonic()
    while (time.monotonic() - started < KILL_AFTER_SECONDS and len(acked) < KILL_AFTER_ACKS
           and any(t.is_alive() for t in threads)):
        time.sleep(0.01)
    killed.set()
    server.kill()  # SIGKILL: no cleanup, requests in flight are cut
    for thread in threads:
        thread.join(timeout=BURST_SECONDS + 15)
    assert not any(t.is_alive() for t in threads), "a signer thread hangs"
    return acked, tried, statuses


def first_with_mail(outbox, addresses, count, timeout=15.0):
    """The first `count` addresses (in order) that received their mail, waiting if needed."""
    deadline = time.monotonic() + timeout
    while True:
        received = {m["To"] for m in outbox.messages()}
        found = [a for a in addresses if a in received][:count]
        if len(found) == count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_sigkill_during_a_burst_loses_no_acknowledged_signature(tmp_path):
    server = ChatonServer(tmp_path / "crash")  # no SMTP: mails go to instance/outbox
    server.init().start()
    try:
        acked, tried, statuses = burst(server)
        assert statuses == [], f"unexpected answers during the burst: {set(statuses)}"
        assert len(acked) >= 20, f"only {len(acked)} signatures acknowledged before the kill"
        assert len(tried) > len(acked), "the kill cut no request: it was not mid-burst"
        assert server.proc is None

        server.start()  # same instance folder, after the crash
        query = server.query
        if not databases.POSTGRESQL:  # PostgreSQL checks its own constraints at each commit
            assert query("PRAGMA integrity_check") == [("ok",)]
            assert query("PRAGMA foreign_key_check") == []
            assert databases.query("", server.instance / "queue.db",
                                   "PRAGMA integrity_check") == [("ok",)]

        rows = dict(query("SELECT email, COUNT(*) FROM signature GROUP BY email"))
        lost = [email for email in acked if email not in rows]
        assert lost == [], f"{len(lost)} acknowledged signatures lost: {lost[:10]}"
        assert all(count == 1 for count in rows.values()), "an e-mail stored twice"
        assert set(rows) <= set(tried), "rows nobody sent"
        duplicates = query("SELECT petition_id, email_key, COUNT(*) FROM signature "
                           "GROUP BY petition_id, email_key HAVING COUNT(*) > 1")
        assert duplicates == []
        assert query("SELECT DISTINCT status FROM signature") == [("pending",)]
        print(f"\n{len(tried)} sent, {len(acked)} acknowledged, {len(rows)} stored "
              f"({len(rows) - len(acked)} committed but cut before the answer)")

        # confirm some of them after the restart, concurrently, one of them twice at once
        outbox = Outbox(server.instance / "outbox")
        chosen = first_with_mail(outbox, acked, CONFIRMED)
        assert len(chosen) == CONFIRMED, f"confirmation mails for only {chosen}"
        links = [server.url(path_of(confirm_link(outbox.last_to(a)))) for a in chosen]
        # every form is fetched first (the GET of a confirmed link redirects to the thanks
        # page), then all the buttons are pressed at once, the first link from two browsers
        prepared = []
        for link in links + links[:1]:
            session = requests.Session()
            prepared.append((session, link, form_token(session, link)))
        results, start = [], threading.Barrier(len(prepared), timeout=30)

        def confirm(session, link, token):
            start.wait()
            try:
                response = session.post(link, data={"csrf_token": token},
                                        allow_redirects=False, timeout=10)
                results.append(response.status_code)
            except Exception as exc:  # reported below, not lost in the thread
                results.append(repr(exc))

        workers = [threading.Thread(target=confirm, args=args) for args in prepared]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert results == [303] * len(prepared)

        petition_id, counter = query("SELECT id, signature_count FROM petition WHERE slug = ?",
                                     "ecole-sans-amiante")[0]
        (confirmed,), = query("SELECT COUNT(*) FROM signature WHERE petition_id = ? "
                              "AND status = 'confirmed'", petition_id)
        assert confirmed == CONFIRMED
        assert counter == confirmed, "petition.signature_count drifted from the confirmed rows"
        (daily,), = query("SELECT COALESCE(SUM(count), 0) FROM daily_count "
                          "WHERE petition_id = ?", petition_id)
        (by_area,), = query("SELECT COALESCE(SUM(count), 0) FROM area_count "
                            "WHERE petition_id = ?", petition_id)
        assert daily == by_area == confirmed
        assert server.count() == confirmed
        server.assert_no_tracebacks()
    finally:
        server.stop()


def test_mail_in_flight_when_the_server_dies_is_sent_after_restart(tmp_path, smtp_server):
    """An acknowledged signature must get its confirmation mail even across a crash."""
    server = ChatonServer(tmp_path / "inflight", smtp_port=smtp_server.port)
    server.init().start()
    try:
        smtp_server.hold()  # the worker's SMTP transaction stays open: the mail is in flight
        assert sign_over_http(server, email="inflight@example.org").status_code == 303
        smtp_server.wait_held("inflight@example.org")
        server.kill()
        smtp_server.release()
        assert smtp_server.to("inflight@example.org") == []

        server.start()
        smtp_server.wait_for("inflight@example.org", timeout=6)  # lost: never comes
    finally:
        server.stop()
