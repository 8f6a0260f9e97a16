"""What Chaton publishes to the fediverse: every id can be fetched, every term is defined,
Mastodon gets pictures it shows (PNG or JPEG), handles work on associations' own domains,
and visitors can follow from their own server without JavaScript."""

import json
import subprocess
from urllib.parse import urlsplit

import pytest
from helpers import ROOT, make_app, member_client

AP = {"Accept": "application/activity+json"}
ORG = "quartiers-solidaires"
PETITION = f"/{ORG}/petitions/ecole-sans-amiante"


@pytest.fixture
def fed(tmp_path, content_dir):
    return make_app(tmp_path, content_dir)


def get_ap(client, url, status=200):
    response = client.get(urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query
                                                 else ""), headers=AP)
    assert response.status_code == status, (url, response.status_code)
    return response


def test_every_id_in_the_outbox_can_be_fetched(fed):
    client = fed.test_client()
    outbox = get_ap(client, f"http://localhost/{ORG}/outbox").get_json()
    page = get_ap(client, outbox["first"]).get_json()
    kinds = set()
    for activity in page["orderedItems"]:
        fetched = get_ap(client, activity["id"]).get_json()
        assert fetched["id"] == activity["id"] and fetched["type"] == activity["type"]
        obj = activity["object"]
        assert get_ap(client, obj["id"]).get_json()["id"] == obj["id"]
        kinds.add(obj.get("chaton:kind") or obj.get("chaton:event"))
    assert "petition" in kinds and len(kinds) > 1  # petitions and consultation news alike
    assert client.get(urlsplit(page["orderedItems"][0]["id"]).path).status_code == 303  # people


def test_a_removed_campaign_answers_a_tombstone(fed, content_dir):
    client = fed.test_client()
    news = get_ap(client, f"http://localhost/{ORG}/outbox?page=1").get_json()["orderedItems"]
    (content_dir / ORG / "petitions/ecole-sans-amiante.md").unlink()
    with fed.app_context():
        fed.extensions["chaton_content"].refresh()
    gone = get_ap(client, f"http://localhost{PETITION}", status=410).get_json()
    assert gone["type"] == "Tombstone" and gone["id"] == f"http://localhost{PETITION}"
    event = next(a["object"]["id"] for a in news if a["object"]["id"].startswith(
        f"http://localhost{PETITION}/events/"))
    assert get_ap(client, event, status=410).get_json()["type"] == "Tombstone"
    assert client.get(PETITION).status_code == 404  # people get the usual page


def test_a_consultation_is_a_note(fed):
    note = get_ap(fed.test_client(), f"http://localhost/{ORG}/consultations/"
                  "avenir-friche-jean-moulin").get_json()
    assert note["type"] == "Note" and note["chaton:kind"] == "consultation"


def _terms(document, found):
    if isinstance(document, dict):
        for key, value in document.items():
            if key != "@context":
                found.add(key)
                _terms(value, found)
    elif isinstance(document, list):
        for value in document:
            _terms(value, found)
    return found


def test_every_term_chaton_writes_is_defined(fed, tmp_path):
    """Terms of ActivityStreams (as bovine, an independent implementation, ships its
    context), of the security vocabulary, or defined in Chaton's own context."""
    from chaton.federation.actors import CONTEXT

    listing = subprocess.run(
        [str(ROOT / ".venv-peer/bin/python"), "-c",
         "import json; from bovine.jsonld import activitystreams_context as c; "
         "print(json.dumps(sorted(c)))"], cwd=tmp_path, capture_output=True, text=True,
        check=True)
    defined = set(json.loads(listing.stdout)) | {"publicKey", "publicKeyPem", "owner"}
    defined |= set(CONTEXT[2])
    client = fed.test_client()
    documents = [get_ap(client, f"http://localhost/{ORG}/").get_json(),
                 get_ap(client, "http://localhost/actor").get_json(),
                 get_ap(client, f"http://localhost{PETITION}").get_json(),
                 get_ap(client, f"http://localhost/{ORG}/outbox?page=1").get_json()]
    for document in documents:
        assert document["@context"] == CONTEXT
        unknown = {t for t in _terms(document, set())
                   if t not in defined and not t.startswith("chaton:")}
        assert not unknown, unknown


def test_mastodon_gets_png_pictures_with_their_descriptions(fed):
    client = fed.test_client()
    actor = get_ap(client, f"http://localhost/{ORG}/").get_json()
    assert actor["icon"]["mediaType"] == "image/png"
    assert actor["image"]["mediaType"] == "image/png"  # its newest petition's picture
    assert actor["attachment"][0]["type"] == "PropertyValue"
    assert 'rel="me' in actor["attachment"][0]["value"]
    note = get_ap(client, f"http://localhost{PETITION}").get_json()
    picture = note["attachment"][0]
    assert picture["mediaType"] == "image/png" and picture["name"].startswith("Dessin")
    for url in (actor["icon"]["url"], picture["url"]):
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data.startswith(b"\x89PNG")
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(client.get(urlsplit(picture["url"]).path).data)).width == 1200
    page = client.get(PETITION).get_data(as_text=True)
    assert f'property="og:image" content="{picture["url"]}"' in page
    assert 'property="og:image:alt"' in page


def test_hostile_svg_gets_no_rendition(fed, content_dir):
    folder = content_dir / ORG / "images"
    (folder / "peek.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                                     '<image href="/etc/passwd" width="10" height="10"/></svg>')
    (folder / "thin.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" '
                                     'viewBox="0 0 1 100000"><rect width="1" height="9"/></svg>')
    client = fed.test_client()
    for name in ("peek.svg", "thin.svg", "missing.svg", "../association.md"):
        assert client.get(f"/{ORG}/renditions/images/{name}").status_code == 404, name


def test_webfinger_on_the_association_domain_and_by_address(fed):
    from chaton.hoster.domains import forget
    from chaton.hoster.models import AssociationDomain
    from chaton.orgs.models import Association

    with fed.app_context():
        AssociationDomain.create(association=Association.get(Association.slug == ORG),
                                 host="petitions.quartiers.example")
        forget()
    client = fed.test_client()
    on_domain = client.get(f"/.well-known/webfinger?resource=acct:{ORG}@petitions.quartiers.example",
                           headers={"Host": "petitions.quartiers.example"})
    assert on_domain.status_code == 200
    document = on_domain.get_json()
    assert document["subject"] == f"acct:{ORG}@petitions.quartiers.example"
    assert document["links"][0]["href"] == f"http://localhost/{ORG}/"
    # the instance's host answers with the same canonical handle, and so does the address
    for resource in (f"acct:{ORG}@localhost", f"http://localhost/{ORG}/"):
        found = client.get(f"/.well-known/webfinger?resource={resource}").get_json()
        assert found["subject"] == f"acct:{ORG}@petitions.quartiers.example"
    assert client.get("/.well-known/webfinger?resource=acct:velo-pour-tous@"
                      "petitions.quartiers.example").status_code == 404


def test_nodeinfo_names_the_real_source(fed):
    client = fed.test_client()
    info = client.get("/nodeinfo/2.1").get_json()
    assert info["software"]["repository"] == "http://localhost/source.tar.gz"
    archive = client.get("/source.tar.gz")
    assert archive.status_code == 200 and archive.mimetype == "application/gzip"
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive.data)) as tar:
        names = tar.getnames()
    assert any(n.endswith("chaton/federation/inbox.py") for n in names)
    assert not any("instance/" in n or n.endswith(".toml") and "config" in n for n in names)
    assert 'href="http://localhost/source.tar.gz"' in client.get("/").get_data(as_text=True)


def test_follow_from_ones_own_server_without_javascript(fed):
    client = fed.test_client()
    page = client.get(f"/{ORG}/").get_data(as_text=True)
    assert f"@{ORG}@localhost" in page and f'action="/{ORG}/follow"' in page
    assert f"@{ORG}@localhost" in client.get(PETITION).get_data(as_text=True)
    for typed in ("mastodon.social", "https://mastodon.social/", "@ada@Mastodon.Social"):
        response = client.get(f"/{ORG}/follow", query_string={"server": typed})
        assert response.status_code == 303, typed
        assert response.location == ("https://mastodon.social/authorize_interaction?uri="
                                     f"acct:{ORG}@localhost")
    refused = client.get(f"/{ORG}/follow", query_string={"server": "javascript:alert(1)//"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert client.get(f"/{ORG}/follow").status_code == 200


def test_no_follow_box_without_federation(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, federation=False)
    assert "authorize" not in app.test_client().get(f"/{ORG}/").get_data(as_text=True)
    assert f'action="/{ORG}/follow"' not in app.test_client().get(f"/{ORG}/").get_data(as_text=True)


def test_members_see_the_same_follow_box(fed):
    admin = member_client(fed, ORG)
    assert f"@{ORG}@localhost" in admin.get(f"/{ORG}/").get_data(as_text=True)
