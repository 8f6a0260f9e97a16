"""Two real Chaton instances on loopback: follow, accept, mirror, update, delete, co-host, count."""

import re
import subprocess
import time

import pytest
import requests
from helpers import Outbox, petition_meta, write_md
from servers import CHATON, ChatonServer

pytestmark = pytest.mark.slow
AP = {"Accept": "application/activity+json"}
ORG = "quartiers-solidaires"


def wait_until(check, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def cli(server, *args):
    done = subprocess.run([str(CHATON), "--instance", str(server.instance), *args],
                          env=server.env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("federation")
    a = ChatonServer(root / "a", federation_allow_private_addresses=1,
                     federation_report_interval=1)
    b = ChatonServer(root / "b", federation_allow_private_addresses=1,
                     federation_report_interval=1)
    a.init()
    b.init()
    write_md(a.content / ORG / "petitions/shared.md",
             petition_meta(title="Shared petition", goal=100, milestones=[1],
                           partners=[f"127.0.0.1:{b.port}"]), "Le **texte** partagé.")
    a.start(port=a.port)
    b.start(port=b.port)
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_discovery(pair):
    a, _ = pair
    finger = requests.get(a.url(f"/.well-known/webfinger?resource=acct:{ORG}@127.0.0.1:{a.port}"),
                          timeout=5).json()
    actor_url = next(x["href"] for x in finger["links"] if x["rel"] == "self")
    page = requests.get(actor_url, timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    actor = requests.get(actor_url, headers=AP, timeout=5)
    assert actor.headers["Content-Type"].startswith("application/activity+json")
    assert "Accept" in actor.headers["Vary"]
    document = actor.json()
    assert document["id"] == actor_url and "BEGIN PUBLIC KEY" in document["publicKey"]["publicKeyPem"]
    outbox = requests.get(document["outbox"], headers=AP, timeout=5).json()
    first = requests.get(outbox["first"], headers=AP, timeout=5).json()
    assert any(i["object"].get("chaton:kind") == "petition" for i in first["orderedItems"])
    links = requests.get(a.url("/.well-known/nodeinfo"), timeout=5).json()["links"]
    info = requests.get(links[0]["href"], timeout=5).json()
    assert info["software"]["name"] == "chaton" and info["protocols"] == ["activitypub"]


def test_follow_mirror_update_delete(pair):
    a, b = pair
    out = cli(b, "federation", "follow", f"@{ORG}@127.0.0.1:{a.port}")
    assert "follow request sent" in out
    mirrors = wait_until(lambda: "Shared petition" in requests.get(b.url("/mirrors/"), timeout=5).text
                         and requests.get(b.url("/mirrors/"), timeout=5).text, what="mirror on B")
    link = re.search(r'href="(/mirrors/\d+)">Shared petition', mirrors).group(1)
    page = requests.get(b.url(link), timeout=5).text
    assert "<strong>texte</strong>" in page
    assert f'rel="canonical" href="{a.url("/" + ORG + "/petitions/shared")}"' in page
    assert "followers: " in cli(a, "federation", "status")

    path = a.content / ORG / "petitions/shared.md"
    path.write_text(path.read_text().replace("Shared petition", "Shared petition, edited"))
    write_md(a.content / ORG / "petitions/shared/updates/2026-11-20-news.md",
             {"title": "Big news from A"}, "Something **happened**.")
    a.reindex()
    wait_until(lambda: "Shared petition, edited" in requests.get(b.url(link), timeout=5).text,
               what="edit mirrored")
    wait_until(lambda: "Big news from A" in requests.get(b.url(link), timeout=5).text,
               what="update mirrored")

    path.unlink()
    a.reindex()
    wait_until(lambda: requests.get(b.url(link), timeout=5).status_code == 404,
               what="deletion mirrored")
    write_md(path, petition_meta(title="Shared petition", goal=100, milestones=[1],
                                 partners=[f"127.0.0.1:{b.port}"]), "Le **texte** partagé.")
    a.reindex()


def test_cohost_and_count(pair):
    a, b = pair
    origin = a.url(f"/{ORG}/petitions/shared")
    a.wait_for_page(f"/{ORG}/petitions/shared")  # written again by the previous test
    before = requests.get(origin + ".json", timeout=5).json()["counts"]
    out = cli(b, "federation", "cohost", origin, "--association", "velo-pour-tous")
    assert "co-hosting" in out
    local = b.url("/velo-pour-tous/petitions/shared")
    wait_until(lambda: requests.get(local, timeout=5).status_code == 200, what="co-hosted page")

    session = requests.Session()
    assert session.get(local, timeout=5).status_code == 200
    sent = session.post(local + "/sign", data={"name": "Bea", "email": "bea@example.org"},
                        allow_redirects=False, timeout=5)
    assert sent.status_code == 303
    outbox = Outbox(b.instance / "outbox")
    mail = wait_until(lambda: outbox.to("bea@example.org"), what="confirmation mail on B")[-1]
    link = re.search(r"http://\S+/s/[^\s/]+(?=\s)", mail.get_body(("plain",)).get_content()).group(0)
    assert session.get(link, timeout=5).status_code == 200
    session.post(link, timeout=5)  # the confirmation button: the link's token is the proof

    partner = f"127.0.0.1:{b.port}"
    counts = wait_until(lambda: requests.get(origin + ".json", timeout=5).json()["counts"]
                        .get("partners", {}).get(partner) and
                        requests.get(origin + ".json", timeout=5).json()["counts"],
                        what="partner count on A")
    assert counts["partners"] == {partner: 1}
    assert counts["total"] == before["total"] + 1
    assert counts["online"] == before["online"]  # B's signatory stays on B
    assert not a.database_contains("bea@example.org")
