"""The association's protected area: token login, counts, contacts export, updates, answer."""

import csv
import io

import pytest
from helpers import csrf_token

from chaton.admin.auth import issue_token
from chaton.orgs.models import Association
from chaton.petitions.models import Petition, Signature

ADMIN = "/quartiers-solidaires/admin/"
PETITION_ADMIN = ADMIN + "petitions/ecole-sans-amiante"


@pytest.fixture
def token(app):
    with app.app_context():
        return issue_token(Association.get(Association.slug == "quartiers-solidaires"))


def login(client, token, org="quartiers-solidaires"):
    url = f"/{org}/admin/login"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "token": token})


def test_area_needs_the_token(client, token):
    assert client.get(ADMIN).status_code == 302
    assert client.get(PETITION_ADMIN + "/contacts.csv").status_code == 302
    assert login(client, "wrong").status_code == 401
    assert client.get(ADMIN).status_code == 302
    assert login(client, token).status_code == 303
    assert client.get(ADMIN).status_code == 200


def test_token_of_one_association_does_not_open_another(client, token):
    login(client, token)
    assert client.get("/velo-pour-tous/admin/").status_code == 302
    assert login(client, token, org="velo-pour-tous").status_code == 401


def test_new_token_signs_everybody_out(app, client, token):
    login(client, token)
    with app.app_context():
        issue_token(Association.get(Association.slug == "quartiers-solidaires"))
    assert client.get(ADMIN).status_code == 302


def test_contacts_export_only_consenting_confirmed_signatories(client, token, demo):
    rows = list(Signature.select().join(Petition).where(
        (Signature.status == "confirmed") & (Petition.slug == "ecole-sans-amiante")).limit(3))
    Signature.update(keep_informed=True).where(Signature.id.in_([r.id for r in rows[:2]])).execute()
    Signature.update(keep_informed=True, status="pending").where(
        Signature.id == rows[2].id).execute()
    Signature.update(name="=HYPERLINK(1)").where(Signature.id == rows[0].id).execute()
    login(client, token)
    response = client.get(PETITION_ADMIN + "/contacts.csv")
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["email"] for r in table) == sorted(r.email for r in rows[:2])
    assert any(r["name"] == "'=HYPERLINK(1)" for r in table)  # no formula injection


def test_dashboard_shows_counts_and_chart(client, token, demo):
    login(client, token)
    html = client.get(PETITION_ADMIN).get_data(as_text=True)
    assert "<svg" in html and "742" in html


def test_posting_an_update_writes_markdown_and_publishes(client, token, content_dir):
    login(client, token)
    response = client.post(PETITION_ADMIN + "/updates", data={
        "csrf_token": csrf_token(client, PETITION_ADMIN), "title": "Grande nouvelle !",
        "body": "La **mairie** répond."})
    assert response.status_code == 303
    files = list((content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/updates")
                 .glob("*-grande-nouvelle.md"))
    assert len(files) == 1
    assert "title: Grande nouvelle !" in files[0].read_text()
    page = client.get("/quartiers-solidaires/petitions/ecole-sans-amiante").get_data(as_text=True)
    assert "Grande nouvelle !" in page and "<strong>mairie</strong>" in page


def test_recording_the_answer(client, token, content_dir):
    login(client, token)
    client.post(PETITION_ADMIN + "/answer", data={
        "csrf_token": csrf_token(client, PETITION_ADMIN), "author": "La maire",
        "body": "Les travaux auront lieu en 2027."})
    answer = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/answer.md"
    assert "author: La maire" in answer.read_text()
    data = client.get("/quartiers-solidaires/petitions/ecole-sans-amiante.json").get_json()
    assert data["answer"]["author"] == "La maire"


def test_admin_forms_need_csrf(client, token):
    login(client, token)
    response = client.post(PETITION_ADMIN + "/updates", data={"title": "x", "body": "y"})
    assert response.status_code == 400


def test_content_errors_are_listed_for_admins(client, token, content_dir):
    (content_dir / "quartiers-solidaires/petitions/oops.md").write_text("---\ntitle: x\n---\n")
    login(client, token)
    html = client.get(ADMIN).get_data(as_text=True)
    assert "oops.md:1: demand: required field is missing" in html


def test_drafts_are_visible_to_admins(client, token, content_dir):
    from helpers import petition_meta, write_md

    write_md(content_dir / "quartiers-solidaires/petitions/brouillon.md",
             petition_meta(status="draft", title="Brouillon"))
    url = "/quartiers-solidaires/petitions/brouillon"
    assert client.get(url).status_code == 404
    login(client, token)
    assert client.get(url).status_code == 200


def test_admin_can_ask_to_follow_another_instance(client, token, monkeypatch):
    asked = []
    monkeypatch.setattr("chaton.federation.tasks.follow_handle", asked.append)
    login(client, token)
    bad = client.post(ADMIN + "follow", data={"csrf_token": csrf_token(client, ADMIN),
                                              "handle": "not an address"})
    assert bad.status_code == 303 and asked == []
    good = client.post(ADMIN + "follow", data={"csrf_token": csrf_token(client, ADMIN),
                                               "handle": "@velo@petitions.example.org"})
    assert good.status_code == 303 and asked == ["@velo@petitions.example.org"]
