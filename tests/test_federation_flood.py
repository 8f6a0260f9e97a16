"""Mail to people is sent on time while the inbox is flooded with posts whose keys hang.

A real `chaton serve` with its in-process worker and a real SMTP server; a stub server whose
key documents take 15 s to answer (the fetch times out); 60 posts signed with 60 unknown keys
of that server, then a signature. Before the fix, the key fetches held the two worker threads
that also send confirmation mails (30 posts: 138 s of delay).
"""

import time

import pytest
from peers import StubPeer
from servers import (  # noqa: F401  (fixtures)
    confirm_link,
    running_server,
    sign_over_http,
    smtp_server_fixture,
)

pytestmark = pytest.mark.slow
ORG = "quartiers-solidaires"


def test_confirmation_mail_does_not_wait_behind_a_flooded_inbox(tmp_path, smtp_server):
    slow = StubPeer().start()
    try:
        with running_server(tmp_path / "a", smtp=smtp_server,
                            federation_allow_private_addresses=1) as a:
            for n in range(60):
                slow.serve(f"/users/u{n}", {"id": slow.url(f"/users/u{n}")}, delay=15)
            statuses = []
            for n in range(60):
                actor = slow.url(f"/users/u{n}")
                follow = {"type": "Follow", "id": f"{actor}/follows/1", "actor": actor,
                          "object": a.url(f"/{ORG}/")}
                statuses.append(slow.post(a.url("/inbox"), follow, actor + "#main-key",
                                          key="flood").status_code)
            # at most 50 wait for a key of one host; the rest is told to come back later
            assert statuses.count(202) == 50 and set(statuses[50:]) == {429}, statuses

            started = time.monotonic()
            assert sign_over_http(a, email="on.time@example.org").status_code == 303
            confirm_link(smtp_server.wait_for("on.time@example.org", timeout=20))
            assert time.monotonic() - started < 5

            # the host has failed to give a key: it costs no new fetch, it is told to wait
            time.sleep(11)
            fetches = len(slow.requests)
            actor = slow.url("/users/late")
            late = slow.post(a.url("/inbox"), {"type": "Follow", "id": actor + "/f",
                                                "actor": actor, "object": a.url(f"/{ORG}/")},
                             actor + "#main-key", key="late")
            assert late.status_code == 503 and int(late.headers["Retry-After"]) > 0
            time.sleep(1)
            assert len(slow.requests) == fetches
            assert fetches <= 4  # the worker's remote threads, not one fetch per post
    finally:
        slow.stop()
