"""Moderation, collective contributions, open data exports, notifications and rate limits."""

import csv
import io

import pytest
from consultation_helpers import DEMO_URL, ORG, post, sign_in, write_consultation
from helpers import body_of, make_app, member_client, write_md

from chaton.consultations.models import Comment, Contribution, ModerationAction, Report

ADMIN = f"/{ORG}/admin/consultations/"
TOPIC = DEMO_URL + "/topics/jardin-partage"


@pytest.fixture
def admin(app):
    """A browser signed in to the association area as an admin."""
    return member_client(app, ORG, "admin")


def contribute(client, url=TOPIC, title="Une idée", body="Le texte de l'idée."):
    response = post(client, url, url + "/contribute", title=title, body=body, stance="for")
    assert response.status_code == 303
    return response.headers["Location"]


def moderate(admin, slug, kind, item_id, action, reason=""):
    page = ADMIN + slug
    return post(admin, page, f"{page}/moderate/{kind}/{item_id}", action=action, reason=reason)


def test_admin_area_needs_the_token(client):
    assert client.get(ADMIN).status_code == 302
    assert client.get(ADMIN + "avenir-friche-jean-moulin").status_code == 302


def test_report_then_hide_with_a_public_reason(app, client, admin, outbox):
    sign_in(client, outbox)
    permalink = contribute(client, title="Achetez mes vélos")
    reporter = app.test_client()
    sign_in(reporter, outbox, email="bob@example.org", name="Bob")
    report_url = f"{DEMO_URL}/report/contribution/{Contribution.get().id}"
    assert post(reporter, report_url, report_url, reason="spam", details="Pub").status_code == 303
    post(reporter, report_url, report_url, reason="spam")  # counted once
    assert Report.select().count() == 1

    page = admin.get(ADMIN + "avenir-friche-jean-moulin").get_data(as_text=True)
    assert "Achetez mes vélos" in page and "Spam or advertising" in page
    item = Contribution.get()
    assert moderate(admin, "avenir-friche-jean-moulin", "contribution", item.id, "hide").status_code == 303
    assert Contribution.get_by_id(item.id).status == "published"  # no reason, no hiding
    moderate(admin, "avenir-friche-jean-moulin", "contribution", item.id, "hide", "publicité")

    html = client.get(permalink).get_data(as_text=True)
    assert "Hidden by moderation: publicité" in html and "Achetez mes vélos" not in html
    log = client.get(DEMO_URL + "/moderation").get_data(as_text=True)
    assert "publicité" in log and f"#c{item.number}" in log
    assert Report.get().resolved_at is not None
    exported = client.get(DEMO_URL + "/export.json").get_json()["contributions"][0]
    assert exported["text"] is None and exported["moderation_reason"] == "publicité"

    moderate(admin, "avenir-friche-jean-moulin", "contribution", item.id, "restore")
    assert "Achetez mes vélos" in client.get(permalink).get_data(as_text=True)
    assert [a.action for a in ModerationAction.select().order_by(ModerationAction.id)] == [
        "hide", "restore"]


def test_pre_moderation(app, client, admin, outbox, content_dir):
    url = write_consultation(content_dir, "premod", moderation="pre")
    sign_in(client, outbox, url=url)
    permalink = contribute(client, url + "/topics/t1", title="En attente")
    assert "Waiting for moderation" in client.get(permalink).get_data(as_text=True)
    stranger = app.test_client()
    assert stranger.get(permalink).status_code == 404
    assert "En attente" not in stranger.get(url + "/topics/t1").get_data(as_text=True)
    assert client.get(url + "/export.json").get_json()["contributions"] == []

    item = Contribution.get()
    moderate(admin, "premod", "contribution", item.id, "approve")
    assert stranger.get(permalink).status_code == 200
    assert client.get(url + "/export.json").get_json()["counts"]["contributions"] == 1

    post(client, url + "/topics/t1", url + "/topics/t1/comment", body="Un commentaire")
    assert Comment.get().status == "pending"
    assert "Un commentaire" not in stranger.get(url + "/topics/t1").get_data(as_text=True)


def test_collective_contribution(client, admin):
    page = ADMIN + "avenir-friche-jean-moulin"
    response = post(admin, page, page + "/collective", topic="jardin-partage", stance="proposal",
                    day="2026-03-14", place="Maison de quartier", participants="18",
                    title="Ce que l'atelier propose", body="Un jardin ouvert le mercredi.")
    assert response.status_code == 303
    item = Contribution.get()
    assert item.kind == "collective" and item.workshop["participants"] == 18
    html = client.get(f"{DEMO_URL}/contributions/{item.number}").get_data(as_text=True)
    assert "Collective contribution" in html and "Maison de quartier" in html and "18" in html


def test_exports_carry_no_personal_data_and_state_the_licence(client, outbox):
    sign_in(client, outbox, email="secret.person@example.org", name="Secret Name")
    post(client, TOPIC, TOPIC + "/vote", choice="yes")
    contribute(client, body="=HYPERLINK(\"http://evil\")")
    post(client, TOPIC, TOPIC + "/comment", body="Un commentaire public")
    everything = client.get(DEMO_URL + "/export.json")
    text = everything.get_data(as_text=True)
    assert "secret.person" not in text and "Secret Name" not in text
    data = everything.get_json()
    assert data["licence"]["name"] == "ODbL-1.0" and data["licence"]["url"].startswith("https://")
    assert data["counts"] == {"participants": 1, "votes": 1, "contributions": 1, "comments": 1}
    for table in ("topics", "contributions", "comments"):
        response = client.get(f"{DEMO_URL}/export/{table}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert 'rel="license"' in response.headers["Link"]
        body = response.get_data(as_text=True)
        assert "secret.person" not in body and "Secret Name" not in body
    rows = list(csv.DictReader(io.StringIO(
        client.get(DEMO_URL + "/export/contributions.csv").get_data(as_text=True))))
    assert rows[0]["text"].startswith("'=")  # no formula for spreadsheets
    assert "Open data" in client.get(DEMO_URL + "/data").get_data(as_text=True)


def test_answer_is_mailed_to_those_who_opted_in(client, outbox, content_dir, app):
    sign_in(client, outbox, email="news@example.org", notify_news="y")
    other = app.test_client()
    sign_in(other, outbox, email="quiet@example.org", notify_news=None, notify_replies=None)
    write_md(content_dir / ORG / "consultations/avenir-friche-jean-moulin/answer.md",
             {"date": "2026-11-20", "author": "Conseil municipal"}, "Nous retenons le parc.")
    client.get(DEMO_URL)  # the next request notices the new file
    mail = outbox.last_to("news@example.org")
    assert "Conseil municipal" in body_of(mail) and mail["List-Unsubscribe"]
    assert "Nous retenons le parc." in body_of(mail)  # the answer itself, not only a link
    assert "<p>Nous retenons le parc.</p>" in mail.get_body(("html",)).get_content()
    assert all("answered" not in body_of(m) for m in outbox.to("quiet@example.org"))
    link = next(word for word in body_of(mail).split() if "/unsubscribe/" in word)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert other.post("/" + path).status_code == 200  # one-click, no form needed


def test_contributions_are_rate_limited(tmp_path, content_dir, outbox):
    app = make_app(tmp_path, content_dir, contribution_rate_limit="2 per minute")
    client = app.test_client()
    client.set_cookie("lang", "en")
    from helpers import Outbox

    box = Outbox(tmp_path / "instance" / "outbox")
    sign_in(client, box)
    contribute(client, title="Un")
    contribute(client, title="Deux")
    response = post(client, TOPIC, TOPIC + "/contribute", title="Trois", body="x", stance="for")
    assert response.status_code == 429
    assert Contribution.select().count() == 2
