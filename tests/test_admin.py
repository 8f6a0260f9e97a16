"""The association area: counts, contacts export, updates, answer."""

import csv
import io

import pytest
from helpers import csrf_token, member_client

from chaton.petitions.models import Petition, Signature

ADMIN = "/quartiers-solidaires/admin/"
PETITION_ADMIN = ADMIN + "petitions/ecole-sans-amiante"


@pytest.fixture
def admin(app):
    """A browser signed in as an admin of the association."""
    return member_client(app, "quartiers-solidaires", "admin")


def test_contacts_export_only_consenting_confirmed_signatories(admin, demo):
    rows = list(Signature.select().join(Petition).where(
        (Signature.status == "confirmed") & (Petition.slug == "ecole-sans-amiante")).limit(3))
    Signature.update(keep_informed=True).where(Signature.id.in_([r.id for r in rows[:2]])).execute()
    Signature.update(keep_informed=True, status="pending").where(
        Signature.id == rows[2].id).execute()
    Signature.update(name="=HYPERLINK(1)").where(Signature.id == rows[0].id).execute()
    response = admin.get(PETITION_ADMIN + "/contacts.csv")
    assert response.mimetype == "text/csv"
    # columns titled in words since issue 14 (were the field names "email", "name")
    table = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert sorted(r["E-mail address"] for r in table) == sorted(r.email for r in rows[:2])
    assert any(r["Name"] == "'=HYPERLINK(1)" for r in table)  # no formula injection


def test_dashboard_shows_counts_and_chart(admin, demo):
    html = admin.get(PETITION_ADMIN).get_data(as_text=True)
    assert "<svg" in html and "742" in html


def test_the_organisers_table_names_the_departements(admin, demo):
    """By département: names beside the codes, as on the public page (was the bare code)."""
    html = admin.get(PETITION_ADMIN).get_data(as_text=True)
    table = html[html.index("By département"):]
    table = table[:table.index("</table>")]
    assert 'Nord <span class="muted">(59)</span>' in table
    assert '<td class="num">' in table


def test_posting_an_update_writes_markdown_and_publishes(admin, content_dir):
    response = admin.post(PETITION_ADMIN + "/updates", data={
        "csrf_token": csrf_token(admin, PETITION_ADMIN), "title": "Grande nouvelle !",
        "body": "La **mairie** répond."})
    assert response.status_code == 303
    files = list((content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/updates")
                 .glob("*-grande-nouvelle.md"))
    assert len(files) == 1
    assert "title: Grande nouvelle !" in files[0].read_text()
    page = admin.get("/quartiers-solidaires/petitions/ecole-sans-amiante").get_data(as_text=True)
    assert "Grande nouvelle !" in page and "<strong>mairie</strong>" in page


def test_recording_the_answer(admin, content_dir):
    admin.post(PETITION_ADMIN + "/answer", data={
        "csrf_token": csrf_token(admin, PETITION_ADMIN), "author": "La maire",
        "body": "Les travaux auront lieu en 2027."})
    answer = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/answer.md"
    assert "author: La maire" in answer.read_text()
    data = admin.get("/quartiers-solidaires/petitions/ecole-sans-amiante.json").get_json()
    assert data["answer"]["author"] == "La maire"


def test_admin_forms_need_csrf(admin):
    response = admin.post(PETITION_ADMIN + "/updates", data={"title": "x", "body": "y"})
    assert response.status_code == 400


def test_content_errors_are_listed_for_admins(admin, content_dir):
    (content_dir / "quartiers-solidaires/petitions/oops.md").write_text("---\ntitle: x\n---\n")
    html = admin.get(ADMIN).get_data(as_text=True)
    assert "oops.md:1: demand: required field is missing" in html


def test_drafts_are_visible_to_members_only(client, admin, content_dir):
    from helpers import petition_meta, write_md

    write_md(content_dir / "quartiers-solidaires/petitions/brouillon.md",
             petition_meta(status="draft", title="Brouillon"))
    url = "/quartiers-solidaires/petitions/brouillon"
    assert client.get(url).status_code == 404
    assert admin.get(url).status_code == 200


def test_an_answer_posted_on_the_organiser_page_is_confirmed_before_it_mails(admin, content_dir):
    """The mail and its count first; every field posted comes back with the confirmation."""
    import re
    from html import unescape

    Signature.create(petition=Petition.get(Petition.slug == "ecole-sans-amiante"), name="Ada",
                     email="ada@example.org", email_key="ada@example.org", status="confirmed",
                     keep_informed=True, nonce="n1", revision=1)
    answer = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/answer.md"
    shown = admin.post(PETITION_ADMIN + "/answer", data={
        "csrf_token": csrf_token(admin, PETITION_ADMIN), "author": "La maire",
        "body": "Les travaux auront lieu en **2027**.", "other": "kept"})
    html = unescape(shown.get_data(as_text=True))
    assert shown.status_code == 200 and not answer.exists()
    assert "This message will go to 1 person." in html
    assert "Les travaux auront lieu en 2027." in html
    form = re.search(r'<form method="post" action="[^"]+/answer" id="news-confirm">.*?</form>', html,
                     re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["author"] == "La maire" and fields["other"] == "kept"
    assert 'form="news-confirm" name="confirmed" value="1"' in html
    done = admin.post(PETITION_ADMIN + "/answer", data=dict(fields, confirmed="1"))
    assert done.status_code == 303 and "author: La maire" in answer.read_text()


def test_a_second_update_of_the_same_title_on_the_same_day_is_confirmed_too(admin, content_dir):
    """Its file gets a -2 suffix: the preview must know it as a new update (it used to take it
    for the first one, already told, and publish it to everybody without asking)."""
    Signature.create(petition=Petition.get(Petition.slug == "ecole-sans-amiante"), name="Ada",
                     email="ada@example.org", email_key="ada@example.org", status="confirmed",
                     keep_informed=True, nonce="n1", revision=1)
    updates = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/updates"
    fields = {"csrf_token": csrf_token(admin, PETITION_ADMIN), "title": "Réunion publique",
              "body": "Jeudi à 19 h."}
    assert admin.post(PETITION_ADMIN + "/updates", data=dict(fields, confirmed="1")
                      ).status_code == 303
    before = sorted(p.name for p in updates.glob("*.md"))
    again = admin.post(PETITION_ADMIN + "/updates", data=fields)
    assert again.status_code == 200 and "This message will go to 1 person." in again.get_data(True)
    assert sorted(p.name for p in updates.glob("*.md")) == before  # nothing written yet
