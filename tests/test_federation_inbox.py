"""The inbox against Mastodon-shaped payloads (written from its documentation, hosts rewritten,
re-signed with test keys), and every way a request must be refused without side effects."""

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from concurrency import side_by_side, slowly
from databases import postgresql_only
from helpers import make_app

from chaton.federation.httpsig import sign_request
from chaton.federation.keys import _new_pair
from chaton.federation.models import Delivery, Follower, InboxActivity, InboxWaiting, RemoteActor

PAYLOADS = Path(__file__).parent / "payloads" / "mastodon"
REMOTE = "http://127.0.0.1:9"  # the discard port: deliveries there fail at once
LOCAL = "http://localhost"
ALICE = f"{REMOTE}/users/alice"
INBOX = "/quartiers-solidaires/inbox"
PRIVATE, PUBLIC = _new_pair()
OTHER_PRIVATE, OTHER_PUBLIC = _new_pair()


def payload(name, **replace):
    text = (PAYLOADS / f"{name}.json").read_text().replace("{REMOTE}", REMOTE)
    data = json.loads(text.replace("{LOCAL}", LOCAL))
    data.update(replace)
    return data


@pytest.fixture
def fed(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, federation_allow_private_addresses=True)
    RemoteActor.create(uri=ALICE, key_id=ALICE + "#main-key", public_pem=PUBLIC,
                       inbox=ALICE + "/inbox", shared_inbox=f"{REMOTE}/inbox",
                       username="alice", host="127.0.0.1:9")
    return app


def post(app, activity, path=INBOX, key=PRIVATE, key_id=ALICE + "#main-key", body=None,
         date=None, tamper=None):
    body = body if body is not None else json.dumps(activity).encode()
    headers = sign_request("POST", LOCAL + path, body, key_id, key,
                           content_type="application/activity+json")
    if date is not None:  # re-sign with another date
        headers = _resign_with_date(path, body, key_id, key, date)
    if tamper:
        body = tamper(body)
    headers.pop("Host")
    return app.test_client().post(path, data=body, headers=headers)


def _resign_with_date(path, body, key_id, key, date):
    import chaton.federation.httpsig as httpsig

    real = httpsig.datetime

    class Frozen(real):
        @classmethod
        def now(cls, tz=None):
            return date

    httpsig.datetime = Frozen
    try:
        return sign_request("POST", LOCAL + path, body, key_id, key,
                            content_type="application/activity+json")
    finally:
        httpsig.datetime = real


def followers():
    return [f.actor for f in Follower.select()]


def test_follow_is_accepted_with_a_signed_accept(fed):
    response = post(fed, payload("follow"))
    assert response.status_code == 202
    assert followers() == [ALICE]
    delivery = Delivery.get()
    assert delivery.activity["type"] == "Accept" and delivery.inbox == ALICE + "/inbox"
    assert delivery.activity["object"]["id"] == payload("follow")["id"]


def test_replayed_activity_changes_nothing(fed):
    post(fed, payload("follow"))
    again = post(fed, payload("follow"))
    assert again.status_code == 202 and again.get_json()["status"] == "duplicate"
    assert Delivery.select().count() == 1


def test_undo_follow(fed):
    post(fed, payload("follow"))
    assert post(fed, payload("undo_follow")).status_code == 202
    assert followers() == []


def test_delete_of_the_actor_forgets_them(fed):
    post(fed, payload("follow"))
    assert post(fed, payload("delete_actor")).status_code == 202
    assert followers() == [] and not RemoteActor.select().exists()


@pytest.mark.parametrize("name", ["like", "announce", "create_reply"])
def test_other_activities_are_recorded_and_ignored(fed, name):
    response = post(fed, payload(name))
    assert response.status_code == 202
    assert InboxActivity.get().type == payload(name)["type"]
    assert followers() == [] and not Delivery.select().exists()


def test_shared_inbox(fed):
    assert post(fed, payload("follow"), path="/inbox").status_code == 202
    assert followers() == [ALICE]


def refused_without_side_effects(response, status=401):
    assert response.status_code == status, response.get_data(as_text=True)
    assert not InboxActivity.select().exists() and not InboxWaiting.select().exists()
    assert followers() == [] and not Delivery.select().exists()


def test_forged_signature(fed):
    refused_without_side_effects(post(fed, payload("follow"), key=OTHER_PRIVATE))


def test_digest_mismatch(fed):
    tampered = post(fed, payload("follow"), tamper=lambda b: b.replace(b"Follow", b"Fallow"))
    refused_without_side_effects(tampered)


def test_stale_date(fed):
    old = datetime.now(UTC) - timedelta(hours=3)
    refused_without_side_effects(post(fed, payload("follow"), date=old))


def test_key_not_owned_by_the_actor(fed):
    RemoteActor.create(uri=f"{REMOTE}/users/bob", key_id=f"{REMOTE}/users/bob#main-key",
                       public_pem=OTHER_PUBLIC, inbox=f"{REMOTE}/users/bob/inbox", host="127.0.0.1:9")
    as_bob = payload("follow", actor=f"{REMOTE}/users/bob")
    refused_without_side_effects(post(fed, as_bob))  # signed with alice's key


def test_unsigned(fed):
    response = fed.test_client().post(INBOX, json=payload("follow"))
    refused_without_side_effects(response)


def test_oversized_body(fed):
    big = payload("follow", padding="x" * 300_000)
    refused_without_side_effects(post(fed, big), status=413)


def test_not_json(fed):
    refused_without_side_effects(post(fed, None, body=b"not json"), status=400)


def test_nul_character_is_refused(fed):
    """No activity needs one, and PostgreSQL text could not store it."""
    refused_without_side_effects(post(fed, payload("follow", id=f"{ALICE}/follows/\u0000")),
                                 status=400)


def test_key_on_another_host_than_the_actor(fed):
    evil = payload("follow", actor="http://127.0.0.1:10/users/mallory",
                   id="http://127.0.0.1:10/follows/1")
    refused_without_side_effects(post(fed, evil, key_id="http://127.0.0.1:9/keys/1"))


def test_ssrf_through_the_key_url_is_refused(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir)  # private addresses not allowed (the default)
    activity = payload("follow", actor="http://169.254.169.254/users/x",
                       id="http://169.254.169.254/follows/1")
    response = post(app, activity, key_id="http://169.254.169.254/users/x#main-key")
    assert response.status_code == 202  # the key is fetched later by the worker...
    row = InboxWaiting.get()
    assert row.status == "rejected" and "private network" in row.error  # ...which refuses it
    assert followers() == [] and not InboxActivity.select().exists()


def test_unknown_key_is_fetched_by_the_worker_not_in_the_request(fed, monkeypatch):
    calls = []
    monkeypatch.setattr("chaton.federation.tasks.fetch_key", calls.append)
    RemoteActor.delete().execute()
    response = post(fed, payload("follow"))
    assert response.status_code == 202 and response.get_json()["status"] == "waiting"
    assert calls == [ALICE + "#main-key"]
    assert InboxWaiting.get().status == "waiting" and followers() == []
    assert not InboxActivity.select().exists()  # nothing reserved before verification


def test_rfc9421_signatures_are_verified(fed):
    import http_message_signatures as hms
    import requests
    from http_message_signatures import algorithms

    from chaton.federation.keys import load_private

    class Keys(hms.HTTPSignatureKeyResolver):
        def resolve_private_key(self, key_id):
            return load_private(PRIVATE)

    body = json.dumps(payload("follow")).encode()
    prepared = requests.Request("POST", LOCAL + INBOX, data=body,
                                headers={"Content-Type": "application/activity+json"}).prepare()
    signer = hms.HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                   key_resolver=Keys())
    signer.sign(prepared, key_id=ALICE + "#main-key",
                covered_component_ids=("@method", "@target-uri", "content-digest"), body=body)
    headers = {k: v for k, v in prepared.headers.items() if k != "Content-Length"}
    tampered = fed.test_client().post(INBOX, data=body.replace(b"quartiers", b"quartierz"),
                                      headers=headers)
    refused_without_side_effects(tampered)
    response = fed.test_client().post(INBOX, data=body, headers=headers)
    assert response.status_code == 202
    assert followers() == [ALICE]


def test_outbound_url_guard():
    from flask import Flask

    from chaton.federation.fetch import FetchError, check_url

    app = Flask(__name__)
    app.config["CHATON"] = {"federation_allow_private_addresses": False}
    with app.app_context():
        for url in ("http://127.0.0.1/x", "http://[::1]/x", "http://169.254.169.254/latest",
                    "http://10.0.0.8/inbox", "file:///etc/passwd", "gopher://x/", "http://0.0.0.0/"):
            with pytest.raises(FetchError):
                check_url(url)
        assert check_url("https://93.184.216.34/inbox") == "93.184.216.34"


def test_date_header_format():
    assert "GMT" in format_datetime(datetime.now(UTC), usegmt=True)


def test_outbox_pages_hold_petitions_and_consultation_news(fed):
    client = fed.test_client()
    headers = {"Accept": "application/activity+json"}
    outbox = client.get("/quartiers-solidaires/outbox", headers=headers).get_json()
    page = client.get(outbox["first"].replace(LOCAL, ""), headers=headers).get_json()
    assert page["type"] == "OrderedCollectionPage"
    assert all(item["type"] == "Create" for item in page["orderedItems"])
    kinds = {item["object"].get("chaton:kind") for item in page["orderedItems"]}
    assert "petition" in kinds


def test_dns_rebinding_is_caught_at_connection_time(tmp_path, content_dir, monkeypatch):
    """A name checked as public but connecting to loopback is refused before anything is sent."""
    import socket as socket_module

    from chaton.federation import fetch

    app = make_app(tmp_path, content_dir)
    real = socket_module.getaddrinfo
    monkeypatch.setattr(fetch.socket, "getaddrinfo",
                        lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 80))])
    monkeypatch.setattr(socket_module, "getaddrinfo", real)  # the connection resolves for real
    with app.app_context(), pytest.raises(fetch.FetchError) as caught:
        fetch.get_json("http://localhost:9/users/x")
    assert caught.value.refused


def test_shared_inbox_on_another_host_is_ignored(tmp_path, content_dir):
    from chaton.federation.remote import _checked_actor, _store

    app = make_app(tmp_path, content_dir)
    with app.app_context():
        remote = _store(*_checked_actor({
            "id": "http://a.example/u", "inbox": "http://a.example/u/inbox",
            "endpoints": {"sharedInbox": "http://victim.example/inbox"},
            "publicKey": {"id": "http://a.example/u#k", "owner": "http://a.example/u",
                          "publicKeyPem": PUBLIC}}))
    assert remote.delivery_inbox == "http://a.example/u/inbox"


def signed_get(app, path, key=PRIVATE, key_id=ALICE + "#main-key"):
    headers = sign_request("GET", LOCAL + path, None, key_id, key)
    headers.pop("Host")
    headers["Accept"] = "application/activity+json"
    return app.test_client().get(path, headers=headers)


def test_secure_mode_answers_only_signed_fetches(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, federation_require_signed_fetch=True,
                   federation_allow_private_addresses=True)
    with app.app_context():
        RemoteActor.create(uri=ALICE, key_id=ALICE + "#main-key", public_pem=PUBLIC,
                           inbox=ALICE + "/inbox", host="127.0.0.1:9")
    client = app.test_client()
    ap = {"Accept": "application/activity+json"}
    for path in ("/quartiers-solidaires/", "/quartiers-solidaires/outbox",
                 "/quartiers-solidaires/petitions/ecole-sans-amiante"):
        assert client.get(path, headers=ap).status_code == 401, path
        assert signed_get(app, path).status_code == 200, path
        assert signed_get(app, path, key=OTHER_PRIVATE).status_code == 401, path
    # what others need to find us and check our own signatures stays public
    assert client.get("/actor", headers=ap).status_code == 200
    assert client.get("/.well-known/webfinger?resource=acct:quartiers-solidaires@localhost"
                      ).status_code == 200
    assert client.get("/quartiers-solidaires/").status_code == 200  # the web page


def test_without_secure_mode_documents_are_public(fed):
    response = fed.test_client().get("/quartiers-solidaires/",
                                     headers={"Accept": "application/activity+json"})
    assert response.status_code == 200 and response.get_json()["type"] == "Group"


def petition_note(**overrides):
    note = {"id": f"{REMOTE}/org/petitions/p1", "type": "Note", "attributedTo": ALICE,
            "content": "<p>Hi</p>", "chaton:kind": "petition", "chaton:title": "Remote petition",
            "chaton:target": "The mayor", "chaton:demand": "Trees.", "chaton:goal": 100,
            "chaton:count": 12, "chaton:status": "open", "chaton:source": "Le **texte**."}
    note.update(overrides)
    return note


def create(obj, n):
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{ALICE}/creates/{n}",
            "type": "Create", "actor": ALICE, "object": obj}


@pytest.fixture
def following(fed):
    from chaton.federation.models import Following

    with fed.app_context():
        Following.create(actor=ALICE, follow_id=f"{LOCAL}/actor#follows/1", state="accepted")
    return fed


@pytest.mark.parametrize("field, value", [
    ("chaton:count", "lots"), ("chaton:count", -5), ("chaton:goal", 10**12),
    ("chaton:title", "x" * 5000), ("chaton:deadline", "2026-13-45"), ("chaton:status", "<b>"),
    ("chaton:source", "y" * 60_000), ("chaton:partners", ["javascript:alert(1)"]),
    ("attributedTo", f"{REMOTE}/users/bob"),
])
def test_remote_values_are_checked_before_anything_is_stored(following, field, value):
    from chaton.federation.models import Mirror

    post(following, create(petition_note(**{field: value}), 1))
    assert not Mirror.select().exists()
    assert following.test_client().get("/mirrors/").status_code == 200
    post(following, create(petition_note(), 2))  # the same, well formed, is mirrored
    mirror = Mirror.get()
    assert mirror.data["count"] == 12
    page = following.test_client().get(f"/mirrors/{mirror.id}")
    assert page.status_code == 200 and f'href="{REMOTE}/org/petitions/p1"' in page.text


def test_a_mirror_cannot_be_taken_over_by_another_actor_of_the_same_server(following):
    """Two associations we follow on one server: one cannot rewrite the other's campaign."""
    from chaton.federation.models import Following, Mirror

    post(following, create(petition_note(), 1))
    bob = f"{REMOTE}/users/bob"
    RemoteActor.create(uri=bob, key_id=bob + "#main-key", public_pem=OTHER_PUBLIC,
                       inbox=bob + "/inbox", host="127.0.0.1:9")
    Following.create(actor=bob, follow_id=f"{LOCAL}/actor#follows/2", state="accepted")
    takeover = create(petition_note(attributedTo=bob, **{"chaton:title": "Hijacked"}), 9)
    takeover.update(actor=bob, id=f"{bob}/creates/9", type="Update")
    post(following, takeover, key=OTHER_PRIVATE, key_id=bob + "#main-key")
    assert Mirror.get().title == "Remote petition" and Mirror.get().actor == ALICE


def test_partner_reports_are_refused_once_the_petition_is_closed(fed, content_dir):
    from helpers import petition_meta, write_md

    from chaton.federation.models import PartnerCount
    from chaton.petitions.models import Petition

    path = write_md(content_dir / "quartiers-solidaires/petitions/shared.md",
                    petition_meta(partners=["127.0.0.1:9"]))
    with fed.app_context():
        fed.extensions["chaton_content"].refresh()
    report = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Update",
              "actor": ALICE, "object": {
                  "type": "chaton:SignatureCount", "id": f"{REMOTE}/p#count",
                  "chaton:campaign": f"{LOCAL}/quartiers-solidaires/petitions/shared",
                  "chaton:page": f"{REMOTE}/p"}}
    post(fed, dict(report, id=f"{ALICE}/r/1", object=dict(report["object"], **{"chaton:count": 7})))
    assert PartnerCount.get().count == 7
    path.write_text(path.read_text().replace("status: open", "status: closed"))
    with fed.app_context():
        fed.extensions["chaton_content"].refresh()
    post(fed, dict(report, id=f"{ALICE}/r/2",
                   object=dict(report["object"], **{"chaton:count": 99_999_999})))
    assert PartnerCount.get().count == 7
    assert Petition.get(Petition.slug == "shared").partner_count == 7


def test_an_activity_two_workers_take_at_once_is_handled_once(fed, monkeypatch):
    """Two tasks of one activity: both read it verified, only the one that marks it done acts."""
    from chaton.federation import handlers, inbox

    monkeypatch.setattr(inbox, "_handle_later", lambda activity_id: None)  # handled below
    post(fed, payload("follow"))
    handled = []
    monkeypatch.setattr(handlers, "handle", lambda activity, remote: handled.append(activity))
    lookup = RemoteActor.get_or_none

    def meanwhile(*args):  # the other worker handles it between our reading and our writing
        monkeypatch.setattr(RemoteActor, "get_or_none", lookup)
        inbox.handle_verified(payload("follow")["id"])
        return lookup(*args)

    monkeypatch.setattr(RemoteActor, "get_or_none", meanwhile)
    inbox.handle_verified(payload("follow")["id"])
    assert len(handled) == 1 and InboxActivity.get().status == "done"


@postgresql_only
def test_news_of_a_mirror_stored_side_by_side_are_all_kept(following, monkeypatch):
    from chaton.federation.mirrors import store_mirror_news
    from chaton.federation.models import Mirror

    campaign = f"{REMOTE}/org/petitions/p1"
    Mirror.create(object_id=campaign, actor=ALICE, title="Remote petition", data={"news": []})
    remote = RemoteActor.get(RemoteActor.uri == ALICE)
    news = [{"id": f"{REMOTE}/org/news/{n}", "type": "Note", "attributedTo": ALICE,
             "chaton:event": "update", "chaton:campaign": campaign, "content": f"<p>{n}</p>"}
            for n in range(8)]
    slowly(monkeypatch, Mirror, "update")  # between reading the list and writing it back
    side_by_side(following, *[lambda obj=obj: store_mirror_news(obj, remote) for obj in news])
    assert len(Mirror.get().data["news"]) == 8


@postgresql_only
def test_a_partner_asking_side_by_side_gets_one_secret(fed, content_dir, monkeypatch):
    from types import SimpleNamespace

    from helpers import petition_meta, write_md

    from chaton.federation.models import Cohosting
    from chaton.federation.partners import secret_for
    from chaton.petitions.models import Petition

    write_md(content_dir / "quartiers-solidaires/petitions/shared.md",
             petition_meta(partners=["127.0.0.1:9"]))
    with fed.app_context():
        fed.extensions["chaton_content"].refresh()
    petition = Petition.get(Petition.slug == "shared")
    Cohosting.create(petition=petition.id)  # as a count's change leaves it: no secret yet
    signer = SimpleNamespace(host="127.0.0.1:9")
    slowly(monkeypatch, Cohosting, "update")  # between reading the row and writing a secret
    secrets = side_by_side(fed, *[lambda: secret_for(petition, signer)] * 8)
    assert set(secrets) == {Cohosting.get().secret} and Cohosting.get().secret
