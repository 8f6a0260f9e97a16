"""A hostile server against two real Chaton instances on loopback.

A is the origin of a co-hosted petition, B its genuine partner (both `chaton serve`), M a
server run by the attacker (tests/peers.py), P an honest stub actor used where a genuine
activity must get through after a forged one. Every attack ends with no side effect on A:
the same rows in the tables that matter, the same counts, no mail, no delivery; and the
genuine partner is still believed afterwards.
"""

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from helpers import petition_meta, write_md
from peers import StubPeer
from servers import ChatonServer
from test_federation_live import cli, wait_until

pytestmark = pytest.mark.slow
AP = {"Accept": "application/activity+json"}
ORG = "quartiers-solidaires"
WATCHED = ["fed_partner_count", "fed_follower", "fed_mirror", "fed_delivery", "event",
           "fed_following", "petition_update"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    a = ChatonServer(root / "a", federation_allow_private_addresses=1).init()
    b = ChatonServer(root / "b", federation_allow_private_addresses=1).init()
    write_md(a.content / ORG / "petitions/shared.md",
             petition_meta(title="Shared petition", goal=100, milestones=[1, 50],
                           partners=[f"127.0.0.1:{b.port}"]), "Le **texte** partagé.")
    a.start(port=a.port)
    b.start(port=b.port)
    m = StubPeer().start()
    try:
        cli(b, "federation", "cohost", a.url(f"/{ORG}/petitions/shared"),
            "--association", "velo-pour-tous")
        wait_until(lambda: a.query("SELECT actor FROM fed_follower"), what="B follows A")
        yield a, b, m
    finally:
        m.stop()
        a.stop()
        b.stop()


def snapshot(server):
    """What an attack must not change on a server."""
    rows = {t: server.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in WATCHED}
    rows["partner_count"] = server.query("SELECT partner_count FROM petition WHERE slug = ?",
                                         "shared")[0][0]
    rows["mails"] = len(list((server.instance / "outbox").glob("*.eml")))
    rows["keys"] = sorted(server.query("SELECT uri, key_id, public_pem FROM fed_remote_actor"))
    return rows


def settle(server, peer=None, path=None):
    """Wait until the worker has dealt with what waits (a key fetch, a verified activity)."""
    if path is not None:
        wait_until(lambda: peer.asked(path), what=f"the worker to fetch {path}")
    wait_until(lambda: not server.query(
        "SELECT COUNT(*) FROM fed_inbox_waiting WHERE status = 'waiting'")[0][0]
        and not server.query("SELECT COUNT(*) FROM fed_inbox WHERE status = 'verified'")[0][0],
        what="the inbox to settle")
    time.sleep(0.5)


def actor_key(server, path="/actor"):
    return requests.get(server.url(path), headers=AP, timeout=5).json()["publicKey"]


def count_report(a, b, count, activity_id):
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": activity_id,
            "type": "Update", "actor": b.url("/actor"), "to": [a.url(f"/{ORG}/")],
            "object": {"type": "chaton:SignatureCount", "id": b.url("/velo-pour-tous/petitions/shared#count"),
                       "chaton:campaign": a.url(f"/{ORG}/petitions/shared"),
                       "chaton:count": count,
                       "chaton:page": b.url("/velo-pour-tous/petitions/shared")}}


def assert_b_still_believed(a, b):
    """A keeps B's genuine key: a report B signs is accepted (B's real signing path)."""
    keys = dict((uri, pem) for uri, _key, pem in
                a.query("SELECT uri, key_id, public_pem FROM fed_remote_actor"))
    genuine = actor_key(b)["publicKeyPem"]
    assert keys.get(b.url("/actor"), genuine) == genuine


@pytest.mark.parametrize("shape", ["actor-claims-partner", "key-document-owner-claims-partner"])
def test_key_cache_poisoning_cannot_impersonate_a_partner(world, shape):
    """M serves, under its own key id, a document claiming to be B's actor with M's key; then
    signs a count of 99,999,999 as B. Before the fix A stored M's key as B's."""
    a, b, m = world
    before = snapshot(a)
    partner = b.url("/actor")
    poisoned = {"id": partner, "type": "Application", "inbox": b.url("/inbox"),
                "publicKey": {"id": partner + "#main-key", "owner": partner,
                              "publicKeyPem": m.key()[1]}}
    if shape == "actor-claims-partner":
        m.serve(f"/users/{shape}", poisoned)
        key_id = m.url(f"/users/{shape}#main-key")
        fetched = f"/users/{shape}"
    else:  # a key document on M whose owner (on M) answers with B's id
        m.serve(f"/keys/{shape}", {"id": m.url(f"/keys/{shape}"), "type": "Key",
                                   "owner": m.url(f"/users/{shape}"),
                                   "publicKeyPem": m.key()[1]})
        m.serve(f"/users/{shape}", poisoned)
        key_id = m.url(f"/keys/{shape}")
        fetched = f"/keys/{shape}"
    bait = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
            "id": m.url(f"/follows/{shape}"), "actor": m.url(f"/users/{shape}"),
            "object": a.url(f"/{ORG}/")}
    assert m.post(a.url("/inbox"), bait, key_id).status_code in (202, 401)
    settle(a, m, fetched)

    forged = count_report(a, b, 99_999_999, b.url(f"/actor#count-forged-{shape}"))
    response = m.post(a.url("/inbox"), forged, partner + "#main-key")
    assert response.status_code in (202, 401)
    settle(a)
    after = snapshot(a)
    assert after == before, "the forged report changed A"
    assert_b_still_believed(a, b)


def test_a_document_redirected_to_another_origin_speaks_only_for_that_origin(world):
    """M's key address redirects to B's genuine actor: A may read B's document, and finds
    that it does not list M's key id; nothing about B changes."""
    a, b, m = world
    m.redirect("/users/redirected", b.url("/actor"))
    before = snapshot(a)
    bait = {"type": "Follow", "id": m.url("/follows/redirected"),
            "actor": m.url("/users/redirected"), "object": a.url(f"/{ORG}/")}
    m.post(a.url("/inbox"), bait, m.url("/users/redirected#main-key"))
    settle(a, m, "/users/redirected")
    assert snapshot(a) == before
    assert_b_still_believed(a, b)


def test_a_forged_activity_does_not_shadow_the_genuine_one(world):
    """A forgery of P's Follow arrives first, signed with a key P never published; P's
    genuine Follow with the same id must still be accepted (before the fix: 'duplicate')."""
    a, _b, m = world
    p = m.actor("honest-p", key="p")
    m.serve("/users/honest-p/inbox", {}, status=202)
    follow = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
              "id": p + "/follows/1", "actor": p, "object": a.url(f"/{ORG}/")}
    m.post(a.url("/inbox"), follow, p + "#main-key", key="forger")
    settle(a, m, "/users/honest-p")
    assert not a.query("SELECT 1 FROM fed_follower WHERE actor = ?", p)
    genuine = m.post(a.url("/inbox"), follow, p + "#main-key", key="p")
    assert genuine.status_code == 202 and genuine.json()["status"] != "duplicate"
    settle(a)
    assert a.query("SELECT 1 FROM fed_follower WHERE actor = ?", p)


def _rfc9421_post(url, activity, key_id, private_pem, created, host=None):
    import http_message_signatures as hms
    from http_message_signatures import algorithms

    from chaton.federation.keys import load_private

    class Keys(hms.HTTPSignatureKeyResolver):
        def resolve_private_key(self, key_id):
            return load_private(private_pem)

    body = json.dumps(activity).encode()
    signed_url = url if host is None else re.sub(r"//[^/]+", f"//{host}", url, count=1)
    prepared = requests.Request("POST", signed_url, data=body,
                                headers={"Content-Type": "application/activity+json"}).prepare()
    hms.HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                          key_resolver=Keys()).sign(
        prepared, key_id=key_id, created=created,
        covered_component_ids=("@method", "@target-uri", "content-digest"), body=body)
    headers = {k: v for k, v in prepared.headers.items() if k != "Content-Length"}
    if host is not None:
        headers["Host"] = host
    return requests.post(url, data=body, headers=headers, timeout=10)


def test_rfc9421_replay_of_an_old_request_is_refused_at_arrival(world):
    """created 40 days ago, key not cached yet: refused at once (before the fix: stored, then
    verified by the worker without any date window)."""
    a, _b, m = world
    p = m.actor("replayer", key="replayer")
    before = snapshot(a)
    follow = {"type": "Follow", "id": p + "/follows/old", "actor": p, "object": a.url(f"/{ORG}/")}
    old = datetime.now(UTC) - timedelta(days=40)
    response = _rfc9421_post(a.url("/inbox"), follow, p + "#main-key", m.key("replayer")[0], old)
    assert response.status_code == 401
    time.sleep(1)
    assert snapshot(a) == before and not m.asked("/users/replayer")
    assert not a.query("SELECT 1 FROM fed_inbox_waiting WHERE actor = ?", p)


@pytest.mark.parametrize("scheme", ["cavage", "rfc9421"])
def test_a_request_signed_for_another_server_is_refused(world, scheme):
    a, _b, m = world
    p = m.actor(f"elsewhere-{scheme}", key="elsewhere")
    before = snapshot(a)
    follow = {"type": "Follow", "id": p + "/follows/elsewhere", "actor": p,
              "object": a.url(f"/{ORG}/")}
    if scheme == "cavage":
        from chaton.federation.httpsig import sign_request

        body = json.dumps(follow).encode()
        headers = sign_request("POST", "http://victim.example/inbox", body, p + "#main-key",
                               m.key("elsewhere")[0], content_type="application/activity+json")
        response = requests.post(a.url("/inbox"), data=body, headers=headers, timeout=10)
    else:
        response = _rfc9421_post(a.url("/inbox"), follow, p + "#main-key",
                                 m.key("elsewhere")[0], datetime.now(UTC),
                                 host="victim.example")
    assert response.status_code == 401, response.text
    assert snapshot(a) == before


@pytest.mark.parametrize("name, activity", [
    ("object on another origin", {"type": "Create", "object": {
        "id": "http://127.0.0.1:9/notes/1", "type": "Note", "chaton:kind": "petition"}}),
    ("activity id on another origin", {"type": "Follow", "id": "http://127.0.0.1:9/f/1"}),
    ("delete of another origin's object", {"type": "Delete",
                                           "object": "http://127.0.0.1:9/notes/1"}),
    ("undo of another actor's follow", {"type": "Undo", "object": {
        "type": "Follow", "id": "{P}/follows/x", "actor": "http://127.0.0.1:9/users/v"}}),
    ("javascript id", {"type": "Create", "object": {
        "id": "javascript://{HOST}/%0aalert(document.domain)", "type": "Note"}}),
])
def test_activities_about_what_the_actor_does_not_own_are_refused(world, name, activity):
    a, _b, m = world
    p = m.actor("owner-check", key="owner")
    activity = json.loads(json.dumps(activity).replace("{P}", p).replace("{HOST}", m.host))
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": p + "/a/" + name[:6],
                "actor": p, "object": a.url(f"/{ORG}/"), **activity}
    before = snapshot(a)
    response = m.post(a.url("/inbox"), activity, p + "#main-key", key="owner")
    assert response.status_code == 400, response.text
    assert snapshot(a) == before


def test_deeply_nested_json_is_a_400(world):
    a, _b, m = world
    p = m.actor("nester", key="nester")
    body = b'{"id": "%s/x", "actor": "%s", "type": "Note", "object": %s}' % (
        p.encode(), p.encode(), b"[" * 100_000 + b"]" * 100_000)
    response = m.post(a.url("/inbox"), None, p + "#main-key", key="nester", body=body)
    assert response.status_code in (400, 413)
    small = b'{"id": "%s/y", "actor": "%s", "type": "Note", "object": %s}' % (
        p.encode(), p.encode(), b"[" * 2000 + b"]" * 2000)
    assert m.post(a.url("/inbox"), None, p + "#main-key", key="nester",
                  body=small).status_code == 400
