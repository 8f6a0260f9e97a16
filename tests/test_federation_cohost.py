"""Co-hosted counts add up honestly, between two real instances on loopback.

The origin's signing rules travel to the partner; the partner shows the shared total against
the goal; a person who signs on both instances counts once (their address never leaves the
instance where they signed: only keyed hashes do, to the origin); when the origin closes, the
partner's copy closes and the origin refuses further reports.
"""

import re

import pytest
import requests
from helpers import Outbox, petition_meta, write_md
from servers import ChatonServer, path_of, sign_over_http
from test_federation_live import cli, wait_until

pytestmark = pytest.mark.slow
ORG = "quartiers-solidaires"


def sign_and_confirm(server, page, email, **fields):
    session = requests.Session()
    assert sign_over_http(server, session, petition_url=page, email=email,
                          **fields).status_code == 303
    outbox = Outbox(server.instance / "outbox")
    mail = wait_until(lambda: outbox.to(email), what=f"confirmation mail to {email}")[-1]
    link = re.search(r"http://\S+/s/[^\s/]+(?=\s)", mail.get_body(("plain",)).get_content())
    assert session.get(server.url(path_of(link.group(0))), timeout=5).status_code == 200
    session.post(server.url(path_of(link.group(0))), timeout=5)  # the button: no token


def counts(server, page):
    return requests.get(server.url(page + ".json"), timeout=5).json()["counts"]


def test_cohosted_counts_add_up_honestly(tmp_path):
    a = ChatonServer(tmp_path / "a", federation_allow_private_addresses=1,
                     federation_report_interval=1).init()
    b = ChatonServer(tmp_path / "b", federation_allow_private_addresses=1,
                     federation_report_interval=1).init()
    origin_path = a.content / ORG / "petitions/honest.md"
    write_md(origin_path, petition_meta(title="Honest counts", goal=10, milestones=[],
                                        ask_postal_code=True,
                                        partners=[f"127.0.0.1:{b.port}"]), "Texte.")
    a.start(port=a.port)
    b.start(port=b.port)
    try:
        origin = f"/{ORG}/petitions/honest"
        copy = "/velo-pour-tous/petitions/honest"
        cli(b, "federation", "cohost", a.url(origin), "--association", "velo-pour-tous")
        b.wait_for_page(copy)
        copy_file = (b.content / "velo-pour-tous/petitions/honest.md").read_text()
        assert "ask_postal_code: true" in copy_file  # the origin's signing rules travel
        assert 'name="postal_code"' in requests.get(b.url(copy), timeout=5).text

        sign_and_confirm(a, origin, "Dana.Smith@gmail.com", postal_code="75011")
        sign_and_confirm(b, copy, "eve@example.org", postal_code="69001")
        wait_until(lambda: counts(a, origin)["partners"], what="B's first report")
        sign_and_confirm(b, copy, "danasmith+petition@gmail.com", postal_code="75012")

        partner = f"127.0.0.1:{b.port}"
        settled = wait_until(lambda: (c := counts(a, origin))["duplicates_removed"] == 1 and c,
                             timeout=30, what="Dana counted once on A")
        assert settled["partners"] == {partner: 1} and settled["online"] == 1
        assert settled["total"] == 2  # Dana once, Eve once
        assert not a.database_contains("eve@example.org")
        assert not a.database_contains("danasmith+petition")  # what she typed on B
        page = requests.get(a.url(origin), timeout=5).text
        assert "1 personne a signé sur plusieurs sites\u00a0: comptée une fois" in page

        # the partner shows the shared total against the goal, and who collected what
        shared = wait_until(lambda: (c := counts(b, copy))["partners"] and c["total"] == 2
                            and c, timeout=30, what="the shared total on B")
        assert shared["online"] == 2  # Dana and Eve signed here; A collected nobody else
        assert shared["partners"] == {f"127.0.0.1:{a.port}": 0}

        # the origin closes: the copy closes with it, and reports are refused
        origin_path.write_text(origin_path.read_text().replace("status: open",
                                                                "status: closed"))
        a.reindex()
        wait_until(lambda: "status: closed" in (b.content / "velo-pour-tous/petitions/honest.md")
                   .read_text(), timeout=30, what="B's copy closed")
        b.reindex()  # the worker's own watch may be indexing then, and a request never waits for it
        wait_until(lambda: requests.get(b.url(copy + ".json"), timeout=5).json()["status"]
                   == "closed", timeout=10, what="B's copy shown closed")
        a.assert_no_tracebacks()
        b.assert_no_tracebacks()
    finally:
        a.stop()
        b.stop()
